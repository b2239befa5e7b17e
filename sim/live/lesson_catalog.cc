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
    Lesson{"Circuit breaking", "circuit-breaking.yaml",
           "A DestinationRule's connectionPool is Envoy's circuit breaker: each frontend "
           "sidecar keeps at most 8 connections to backend (HTTP/1.1: one request each) and "
           "queues 4 more requests. Past that it answers 503 at once with the UO flag: the caller "
           "fails fast instead of piling work onto backend. Bursts overflow now and then; from "
           "30 s to 60 s backend runs 4 x slower and the overflows surge: watch the CB badge, "
           "the UO count on frontend -> backend and the error rate.",
           KnobKind::kConnectionPool, "backend",
           "Pin this run, set backend's max connections and max pending to 0 (no limit), apply "
           "and compare: no overflows, but the end-to-end p99 grows to seconds. Or lower them "
           "(2 and 1) and watch the overflows grow."},
    Lesson{"Outlier ejection", "payment-circuit-breaker.yaml",
           "payment runs four replicas; from 20 s replica 3 answers nine requests in ten with "
           "503. After five 5xx in a row each client sidecar ejects it for 30 s (longer on each "
           "repeat), within a few seconds of the fault: watch the ejected replica on the payment "
           "node and the ejections chart. Retries hide the failures before each ejection.",
           KnobKind::kOutlierDetection, "payment",
           "Pin the run, turn outlier detection off for payment, apply and compare retries: "
           "without ejection every request that lands on replica 3 needs a retry."},
    Lesson{"Canary rollout", "canary-rollout.yaml",
           "reviews-v2 answers one request in five with 503; traffic_split steps move its share "
           "from 10 % to 100 % at 20, 40, 60 and 80 s (each step's VirtualService brings its own "
           "two retries, to another replica). The retries keep end-to-end success above 99.5 %, "
           "so the users barely notice: watch reviews' error rate against the end-to-end error "
           "rate, and the amplification they cost. Outlier detection (five 5xx in a row) hardly "
           "ever fires: v2's replicas all fail at random.",
           KnobKind::kOutlierDetection, "reviews",
           "Pin the run, make reviews' outlier detection eager (1 consecutive 5xx, interval 1 s, "
           "max ejection 100 %), apply and compare: every v2 replica gets ejected, requests "
           "routed to v2 find no healthy host (503 UH) and retries cannot help; end-to-end "
           "failures grow from 0.3 % to about 40 %."},
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
