#include "sim/live/lesson_catalog.h"

#include <array>

namespace meshsim::sim {
namespace {

constexpr std::array kLessons = {
    Lesson{"Retry storm", "retry-storm.yaml",
           "Every layer of edge -> api -> orders -> inventory retries: the apps twice and every "
           "sidecar twice more. From 15 s inventory fails 60 % of its requests, and more as its "
           "load grows. Watch the retries and amplification charts climb and orders -> inventory "
           "turn red: each call can become 3 x 3 = 9 attempts, so the retries themselves "
           "overload inventory and the failure spreads up the chain.",
           KnobKind::kRetries, "inventory",
           "Pin this run as the baseline, set inventory's retry attempts to 0, apply and compare "
           "amplification and end-to-end success."},
    Lesson{"Circuit breaking", "payment-circuit-breaker.yaml",
           "A DestinationRule's connectionPool caps the requests a client sidecar keeps in "
           "flight to a service. Past the cap the sidecar answers 503 at once with the UO flag: "
           "the caller fails fast instead of piling work onto a struggling backend. The limits "
           "in this scenario (64 requests, 32 pending) are generous, so nothing trips yet.",
           KnobKind::kConnectionPool, "payment",
           "Set payment's max requests to 2 and max pending to 1, apply, and watch the CB badge "
           "light up and UO overflows appear on checkout -> payment."},
    Lesson{"Outlier ejection", "payment-circuit-breaker.yaml",
           "payment runs four replicas; from 20 s replica 3 answers nine requests in ten with "
           "503. After five 5xx in a row each client sidecar ejects it for 30 s (longer on each "
           "repeat): watch the ejected replica on the payment node and the ejections chart. "
           "Retries hide the failures before each ejection.",
           KnobKind::kOutlierDetection, "payment",
           "Pin the run, turn outlier detection off for payment, apply and compare retries: "
           "without ejection every request that lands on replica 3 needs a retry."},
    Lesson{"Canary rollout", "canary-rollout.yaml",
           "reviews-v2 answers one request in five with 503; traffic_split steps move its share "
           "from 10 % to 100 % at 20, 40, 60 and 80 s. Retries (two, to another replica) keep "
           "end-to-end success above 99.5 %, so the users barely notice: watch reviews' error "
           "rate against the end-to-end error rate, and the amplification they cost.",
           KnobKind::kRetries, "reviews",
           "Set reviews' retry attempts to 0, apply, and see what the retries were hiding."},
    Lesson{"mTLS cost", "mtls-overhead.yaml",
           "web -> api -> db with sidecars and STRICT mutual TLS. With pooled connections a "
           "handful of handshakes is paid once; what remains is the sidecars' CPU and a little "
           "latency per hop. Watch the sidecar CPU chart and the end-to-end p50.",
           KnobKind::kLoad, "",
           "Pin the run, double the load, apply and compare: sidecar CPU grows with requests, "
           "not with handshakes. Then open mtls-overhead-per-request-connections.yaml to pay a "
           "handshake per request."},
};

}  // namespace

std::span<const Lesson> lessons() {
  return kLessons;
}

}  // namespace meshsim::sim
