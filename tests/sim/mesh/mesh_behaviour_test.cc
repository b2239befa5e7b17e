// Whole-mesh behaviour checked against theory and the spec (issue 4, item 8). Every scenario is
// small and inline with a fixed seed; statistical checks state their estimator's standard error
// and allow 4 of them (normal approximation: a correct model fails such a check for about 6 in
// 100 000 seeds), so a deterministic run that fails points at the model, not at bad luck.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "core/stats/response_flags.h"
#include "sim/mesh/replica.h"
#include "tests/sim/mesh/mesh_test_support.h"

namespace meshsim::sim {
namespace {

using core::ResponseFlag;
using testing::flagCount;
using testing::runMesh;
using testing::serviceIndex;
using testing::sumClusterStat;

constexpr double kSigmas = 4.0;

double ratio(std::uint64_t a, std::uint64_t b) {
  return static_cast<double>(a) / static_cast<double>(b);
}

// --- 1. Retry amplification ------------------------------------------------------------------

// client -> leaf, the leaf failing with probability `p` (503), the VirtualService retrying
// `attempts` times on 5xx; the client app retries `app_retries` times on its own.
std::string retryScenario(double p, int attempts, int app_retries) {
  return R"(
name: retry-amplification
seed: 11
duration: 10s
links: {default: {latency: 20us}}
services:
  - name: client
    versions: [{name: v1, concurrency: 64, service_time: 100us}]
    operations:
      - path: /
        calls: [{call: leaf, path: /leaf, retries: )" +
         std::to_string(app_retries) + R"(}]
  - name: leaf
    versions:
      - {name: v1, concurrency: 64, service_time: 100us, errors: {probability: )" +
         std::to_string(p) + R"(, status: 503}}
workload: {kind: open, arrivals: poisson, rate: 2000, mix: [{service: client, path: /}]}
policies:
  - inline: |
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: leaf}
      spec:
        hosts: [leaf]
        http:
          - route: [{destination: {host: leaf}}]
            retries: {attempts: )" +
         std::to_string(attempts) + R"(, retryOn: 5xx}
)";
}

// Mesh attempts per app request are min(Geometric(1 - p), n + 1): mean (1 - p^(n+1)) / (1 - p).
// Standard error of the observed mean over N requests: sqrt(Var(A) / N), Var from the same law.
void expectMeshAmplification(double p, int n) {
  SCOPED_TRACE("p=" + std::to_string(p) + " n=" + std::to_string(n));
  auto run = runMesh(retryScenario(p, n, 0));
  Mesh& mesh = **run;
  const EdgeMetrics& edge =
      mesh.metrics().edge(serviceIndex(mesh, "client"), serviceIndex(mesh, "leaf"));
  ASSERT_GT(edge.calls, 10000u);
  EXPECT_EQ(edge.requests, edge.calls);  // no app-level retries
  const auto law = testing::truncatedGeometric(p, static_cast<std::uint32_t>(n));
  EXPECT_NEAR(law.mean, (1 - std::pow(p, n + 1)) / (1 - p), 1e-12);
  const double se = std::sqrt(law.variance / static_cast<double>(edge.calls));
  EXPECT_NEAR(edge.amplification(), law.mean, kSigmas * se);
  // The proxies' own count agrees: every attempt after the first is an upstream_rq_retry. Calls
  // still in flight at the end (retries wait out a 25 ms back-off: some tens of calls) have
  // retries counted but attempts not yet recorded at the edge.
  const std::uint64_t retries =
      sumClusterStat(mesh, "client", "leaf", &core::ClusterStats::upstream_rq_retry);
  EXPECT_NEAR(static_cast<double>(retries), static_cast<double>(edge.attempts - edge.calls), 100);
  // A call fails only when all n + 1 attempts fail: binomial with q = p^(n+1).
  const double q = std::pow(p, n + 1);
  EXPECT_NEAR(ratio(edge.failed_calls, edge.calls), q,
              kSigmas * std::sqrt(q * (1 - q) / static_cast<double>(edge.calls)));
}

TEST(MeshBehaviourTest, MeshRetriesAmplifyAttemptsAsATruncatedGeometricSeries) {
  expectMeshAmplification(0.3, 2);  // 1.39
  expectMeshAmplification(0.5, 3);  // 1.875
}

TEST(MeshBehaviourTest, AppRetriesComposeMultiplicativelyWithMeshRetries) {
  // p = 0.5, n = 1: a mesh request still fails with q = p^2 = 0.25; k = 2 app retries give
  // requests/calls = 1 + q + q^2 = 1.3125, and each request costs 1 + p = 1.5 mesh attempts, so
  // attempts/calls = 1.96875.
  const double p = 0.5;
  const int n = 1;
  const int k = 2;
  auto run = runMesh(retryScenario(p, n, k));
  Mesh& mesh = **run;
  const EdgeMetrics& edge =
      mesh.metrics().edge(serviceIndex(mesh, "client"), serviceIndex(mesh, "leaf"));
  ASSERT_GT(edge.calls, 10000u);
  const double q = std::pow(p, n + 1);
  const auto app = testing::truncatedGeometric(q, k);
  const auto proxy = testing::truncatedGeometric(p, n);
  EXPECT_NEAR(ratio(edge.requests, edge.calls), app.mean,
              kSigmas * std::sqrt(app.variance / static_cast<double>(edge.calls)));
  EXPECT_NEAR(ratio(edge.attempts, edge.requests), proxy.mean,
              kSigmas * std::sqrt(proxy.variance / static_cast<double>(edge.requests)));
  // attempts/calls = product of both: the product of two independent means; a delta-method
  // standard error is dominated by the two terms above, so allow their sum scaled by the means.
  const double se_product =
      proxy.mean * std::sqrt(app.variance / static_cast<double>(edge.calls)) +
      app.mean * std::sqrt(proxy.variance / static_cast<double>(edge.requests));
  EXPECT_NEAR(edge.amplification(), app.mean * proxy.mean, kSigmas * se_product);
  // Every app attempt failing: q^(k+1) = 1/64.
  const double fail = std::pow(q, k + 1);
  EXPECT_NEAR(ratio(edge.failed_calls, edge.calls), fail,
              kSigmas * std::sqrt(fail * (1 - fail) / static_cast<double>(edge.calls)));
}

// --- 2. Canary proportions -------------------------------------------------------------------

TEST(MeshBehaviourTest, CanarySplitSendsBinomialSharesToEachVersion) {
  auto run = runMesh(R"(
name: canary
seed: 5
duration: 10s
links: {default: {latency: 20us}}
services:
  - name: client
    versions: [{name: v1, concurrency: 64, service_time: 100us}]
    operations: [{path: /, calls: [{call: leaf, path: /leaf}]}]
  - name: leaf
    versions:
      - {name: v1, replicas: 2, concurrency: 64, service_time: 100us}
      - {name: v2, concurrency: 64, service_time: 100us}
workload: {kind: open, arrivals: poisson, rate: 2000, mix: [{service: client, path: /}]}
policies:
  - inline: |
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: leaf}
      spec:
        host: leaf
        subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: leaf}
      spec:
        hosts: [leaf]
        http:
          - route:
              - {destination: {host: leaf, subset: v1}, weight: 90}
              - {destination: {host: leaf, subset: v2}, weight: 10}
)");
  Mesh& mesh = **run;
  const std::uint64_t v1 = testing::hostRequestsForVersion(mesh, "client", "leaf", "v1");
  const std::uint64_t v2 = testing::hostRequestsForVersion(mesh, "client", "leaf", "v2");
  const double total = static_cast<double>(v1 + v2);
  ASSERT_GT(total, 15000);
  // Each request picks v2 independently with probability 0.1 (weighted clusters, §10 item 10):
  // Binomial(N, 0.1), standard error sqrt(N * 0.1 * 0.9).
  EXPECT_NEAR(static_cast<double>(v2), 0.1 * total, kSigmas * std::sqrt(total * 0.1 * 0.9));
  // No errors, so no retries: the hosts saw exactly the attempts the edge counted (calls still in
  // flight at the end, and warm-up-free start, make the two agree to a handful).
  const EdgeMetrics& edge =
      mesh.metrics().edge(serviceIndex(mesh, "client"), serviceIndex(mesh, "leaf"));
  EXPECT_NEAR(total, static_cast<double>(edge.attempts), 20);
  EXPECT_LE(edge.requests - edge.status_classes[2], 20u);
  EXPECT_EQ(edge.failed_calls, 0u);
}

// --- 3. Outlier ejection ---------------------------------------------------------------------

// client -> leaf with `replicas` replicas, the last always failing; `outlier` is the
// DestinationRule's outlierDetection block.
std::string outlierScenario(int replicas, const std::string& outlier) {
  return R"(
name: outlier
seed: 3
duration: 20s
links: {default: {latency: 20us}}
services:
  - name: client
    versions: [{name: v1, concurrency: 64, service_time: 100us}]
    operations: [{path: /, calls: [{call: leaf, path: /leaf}]}]
  - name: leaf
    versions: [{name: v1, replicas: )" +
         std::to_string(replicas) + R"(, concurrency: 64, service_time: 200us}]
workload: {kind: open, arrivals: poisson, rate: 500, mix: [{service: client, path: /}]}
faults:
  - {at: 0s, kind: error_rate, service: leaf, replica: )" +
         std::to_string(replicas - 1) + R"(, probability: 1.0, status: 503}
policies:
  - inline: |
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: leaf}
      spec:
        host: leaf
        trafficPolicy:
          outlierDetection: )" +
         outlier + "\n";
}

TEST(MeshBehaviourTest, OutlierDetectionEjectsTheFailingReplica) {
  auto run = runMesh(outlierScenario(
      4,
      "{consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 50}"));
  Mesh& mesh = **run;
  const std::uint64_t enforced =
      sumClusterStat(mesh, "client", "leaf", &core::ClusterStats::outlier_ejections_enforced_total);
  EXPECT_GT(enforced, 0u);
  EXPECT_EQ(enforced,
            sumClusterStat(mesh, "client", "leaf",
                           &core::ClusterStats::outlier_ejections_enforced_consecutive_5xx));
  EXPECT_EQ(sumClusterStat(mesh, "client", "leaf", &core::ClusterStats::outlier_ejections_overflow),
            0u);
  // Ejected after 5 failures and kept out for 30 s > the run: the edge sees a handful of 503s, not
  // a quarter of the requests.
  const EdgeMetrics& edge =
      mesh.metrics().edge(serviceIndex(mesh, "client"), serviceIndex(mesh, "leaf"));
  ASSERT_GT(edge.calls, 5000u);
  EXPECT_LT(edge.failed_calls, 20u);
  EXPECT_GE(edge.failed_calls, 5u);
}

TEST(MeshBehaviourTest, IstioDefaultMaxEjectionPercentNeverEjectsOneOfThree) {
  // proxy-semantics §10 item 12: (1/3)·100 > 10 (Istio's default maxEjectionPercent), so the
  // strict gate refuses every ejection and counts it as an overflow.
  auto run = runMesh(
      outlierScenario(3, "{consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s}"));
  Mesh& mesh = **run;
  EXPECT_EQ(
      sumClusterStat(mesh, "client", "leaf", &core::ClusterStats::outlier_ejections_enforced_total),
      0u);
  EXPECT_GT(sumClusterStat(mesh, "client", "leaf", &core::ClusterStats::outlier_ejections_overflow),
            0u);
  // Nothing is ejected, so the bad replica keeps its third of the traffic: Binomial(N, 1/3) over
  // calls (round robin makes it tighter still).
  const EdgeMetrics& edge =
      mesh.metrics().edge(serviceIndex(mesh, "client"), serviceIndex(mesh, "leaf"));
  const double n = static_cast<double>(edge.calls);
  ASSERT_GT(n, 5000);
  EXPECT_NEAR(static_cast<double>(edge.failed_calls), n / 3,
              kSigmas * std::sqrt(n * (1.0 / 3) * (2.0 / 3)));
}

// --- 4. Circuit breaking ---------------------------------------------------------------------

TEST(MeshBehaviourTest, CircuitBreakerOverflowsAre503UoAndNeverRetried) {
  // One request at a time may be active towards leaf and one may wait: at rho = 0.5 many
  // arrivals find both taken. The VirtualService retries 5xx, yet overflow must not be retried
  // (§10 item 6): a local 503 UO is final.
  auto run = runMesh(R"(
name: circuit-breaker
seed: 9
duration: 10s
links: {default: {latency: 20us}}
services:
  - name: client
    versions: [{name: v1, concurrency: 64, service_time: 100us}]
    operations: [{path: /, calls: [{call: leaf, path: /leaf}]}]
  - name: leaf
    versions: [{name: v1, concurrency: 1, service_time: {exponential: {mean: 5ms}}}]
workload: {kind: open, arrivals: poisson, rate: 100, mix: [{service: client, path: /}]}
policies:
  - inline: |
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: leaf}
      spec:
        host: leaf
        trafficPolicy:
          connectionPool:
            http: {http1MaxPendingRequests: 1, http2MaxRequests: 1}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: leaf}
      spec:
        hosts: [leaf]
        http:
          - route: [{destination: {host: leaf}}]
            retries: {attempts: 3, retryOn: "5xx,reset,connect-failure"}
)");
  Mesh& mesh = **run;
  const EdgeMetrics& edge =
      mesh.metrics().edge(serviceIndex(mesh, "client"), serviceIndex(mesh, "leaf"));
  ASSERT_GT(edge.calls, 500u);
  const std::uint64_t overflow_flags = flagCount(edge, ResponseFlag::kUpstreamOverflow);
  EXPECT_GT(overflow_flags, 0u);
  // Every failure is an overflow (leaf never fails on its own) and each is a 503.
  EXPECT_EQ(edge.status_classes[5], overflow_flags);
  EXPECT_EQ(edge.failed_calls, overflow_flags);
  EXPECT_GT(
      sumClusterStat(mesh, "client", "leaf", &core::ClusterStats::upstream_rq_pending_overflow),
      0u);
  EXPECT_EQ(sumClusterStat(mesh, "client", "leaf", &core::ClusterStats::upstream_rq_retry), 0u);
  EXPECT_LE(edge.attempts, edge.requests);
  EXPECT_EQ(mesh.metrics().services[serviceIndex(mesh, "leaf")].errors, 0u);
}

// --- 5. Authorization and mTLS ---------------------------------------------------------------

TEST(MeshBehaviourTest, AuthorizationPolicyAdmitsOnlyTheAllowedPrincipal) {
  auto run = runMesh(R"(
name: authz
seed: 2
duration: 5s
links: {default: {latency: 20us}}
services:
  - name: good
    versions: [{name: v1, service_time: 100us}]
    operations: [{path: /, calls: [{call: leaf, path: /leaf}]}]
  - name: bad
    versions: [{name: v1, service_time: 100us}]
    operations: [{path: /, calls: [{call: leaf, path: /leaf}]}]
  - name: leaf
    versions: [{name: v1, service_time: 100us}]
workload:
  kind: open
  rate: 200
  mix: [{service: good, path: /}, {service: bad, path: /}]
policies:
  - inline: |
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: leaf-allow-good, namespace: default}
      spec:
        selector: {matchLabels: {app: leaf}}
        action: ALLOW
        rules:
          - from: [{source: {principals: ["cluster.local/ns/default/sa/good"]}}]
)");
  Mesh& mesh = **run;
  const Index leaf = serviceIndex(mesh, "leaf");
  const EdgeMetrics& good = mesh.metrics().edge(serviceIndex(mesh, "good"), leaf);
  const EdgeMetrics& bad = mesh.metrics().edge(serviceIndex(mesh, "bad"), leaf);
  ASSERT_GT(good.requests, 100u);
  ASSERT_GT(bad.requests, 100u);
  EXPECT_EQ(good.status_classes[2], good.requests);
  EXPECT_EQ(good.failed_calls, 0u);
  EXPECT_EQ(bad.status_classes[4], bad.requests);  // 403
  EXPECT_EQ(bad.failed_calls, 0u);                 // a 4xx is an answer, not a failed call
  // A 403 is not retried and the leaf app never sees the denied requests.
  EXPECT_EQ(bad.attempts, bad.requests);
  EXPECT_EQ(mesh.metrics().services[leaf].received, good.requests);
  // The RBAC flag belongs to the server sidecar's log (Envoy does not pass flags upstream): its
  // inbound proxy counted every denial in rbac.denied.
  std::uint64_t denied = 0;
  std::uint64_t allowed = 0;
  for (auto& workload : mesh.workloads()) {
    if (workload->service == leaf) {
      const core::AuthorizationEngine* engine = workload->sidecar->inbound()->authorization();
      ASSERT_NE(engine, nullptr);
      denied += engine->stats().denied;
      allowed += engine->stats().allowed;
    }
  }
  EXPECT_GE(denied, bad.requests);
  EXPECT_GE(allowed, good.requests);
}

TEST(MeshBehaviourTest, StrictMtlsRefusesCallersWithoutASidecar) {
  // leaf requires mTLS (PeerAuthentication STRICT); `outsider` has no sidecar, so it can only
  // speak plaintext and every connection it opens is refused; `insider` gets auto mTLS.
  auto run = runMesh(R"(
name: strict-mtls
seed: 4
duration: 5s
links: {default: {latency: 20us}}
services:
  - name: insider
    versions: [{name: v1, service_time: 100us}]
    operations: [{path: /, calls: [{call: leaf, path: /leaf}]}]
  - name: outsider
    sidecar: false
    versions: [{name: v1, service_time: 100us}]
    operations: [{path: /, calls: [{call: leaf, path: /leaf}]}]
  - name: leaf
    versions: [{name: v1, service_time: 100us}]
workload:
  kind: open
  rate: 200
  mix: [{service: insider, path: /}, {service: outsider, path: /}]
policies:
  - inline: |
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: leaf-strict, namespace: default}
      spec:
        selector: {matchLabels: {app: leaf}}
        mtls: {mode: STRICT}
)");
  Mesh& mesh = **run;
  const Index leaf = serviceIndex(mesh, "leaf");
  const EdgeMetrics& insider = mesh.metrics().edge(serviceIndex(mesh, "insider"), leaf);
  const EdgeMetrics& outsider = mesh.metrics().edge(serviceIndex(mesh, "outsider"), leaf);
  ASSERT_GT(insider.requests, 100u);
  ASSERT_GT(outsider.requests, 100u);
  EXPECT_EQ(insider.status_classes[2], insider.requests);
  EXPECT_GT(mesh.metrics().handshakes_full, 0u);
  EXPECT_GT(mesh.metrics().connections_refused, 0u);
  EXPECT_EQ(outsider.failed_calls, outsider.calls);
  EXPECT_EQ(flagCount(outsider, ResponseFlag::kUpstreamConnectionFailure), outsider.requests);
  EXPECT_EQ(mesh.metrics().services[leaf].received, insider.requests);
}

// --- 6. The Bookinfo delay lesson ------------------------------------------------------------

TEST(MeshBehaviourTest, BookinfoSevenSecondDelayDefeatsProductpagesThreeSecondTimeouts) {
  // Istio's "fault injection" task: ratings is delayed 7 s for end-user jason. reviews-v2 would
  // wait (10 s timeout) but productpage gives up on reviews after 3 s, twice: jason's pages fail
  // after about 6 s, everybody else's succeed. The rate is low enough that the workers jason's
  // requests hold for 7 s (about 18 at a time) never run out.
  auto run = runMesh(R"(
name: bookinfo-delay
seed: 1
duration: 60s
warmup: 1s
links: {default: {latency: 100us}}
services:
  - name: productpage
    versions: [{name: v1, concurrency: 64, service_time: 2ms}]
    operations:
      - path: /productpage
        calls: [{call: reviews, path: /reviews/0, timeout: 3s, retries: 1}]
  - name: reviews
    versions: [{name: v2, concurrency: 64, service_time: 2ms}]
    operations:
      - prefix: /reviews/
        calls: [{call: ratings, path: /ratings/0, timeout: 10s}]
  - name: ratings
    versions: [{name: v1, concurrency: 64, service_time: 1ms}]
workload:
  kind: open
  rate: 5
  mix:
    - {service: productpage, path: /productpage, headers: {end-user: jason}}
    - {service: productpage, path: /productpage}
policies:
  - inline: |
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: ratings}
      spec:
        hosts: [ratings]
        http:
          - match: [{headers: {end-user: {exact: jason}}}]
            fault: {delay: {percentage: {value: 100.0}, fixedDelay: 7s}}
            route: [{destination: {host: ratings}}]
          - route: [{destination: {host: ratings}}]
)");
  Mesh& mesh = **run;
  const MeshMetrics& metrics = mesh.metrics();
  const EdgeMetrics& page_to_reviews =
      metrics.edge(serviceIndex(mesh, "productpage"), serviceIndex(mesh, "reviews"));
  const EdgeMetrics& reviews_to_ratings =
      metrics.edge(serviceIndex(mesh, "reviews"), serviceIndex(mesh, "ratings"));
  const EdgeMetrics& entry =
      metrics.edge(metrics.loadGenerator(), serviceIndex(mesh, "productpage"));
  const std::uint64_t started = entry.calls;
  ASSERT_GT(started, 250u);
  EXPECT_GT(page_to_reviews.app_timeouts, 0u);
  // Each failed reviews call timed out twice; a call caught between its two timeouts at the end
  // adds one more.
  EXPECT_GE(page_to_reviews.app_timeouts, 2 * page_to_reviews.failed_calls);
  EXPECT_LE(page_to_reviews.app_timeouts, 2 * page_to_reviews.failed_calls + 40);
  // The delayed ratings calls finish within reviews' 10 s: no timeout there, delay-injected flag.
  EXPECT_EQ(reviews_to_ratings.app_timeouts, 0u);
  EXPECT_GT(flagCount(reviews_to_ratings, ResponseFlag::kDelayInjected), 0u);
  EXPECT_GE(reviews_to_ratings.latency.max(),
            std::chrono::nanoseconds(std::chrono::seconds(7)).count());
  // Every page that failed is one of jason's (its reviews call failed) and every other page
  // succeeded: anonymous pages are Binomial(started, 1/2), and all of them complete at once.
  EXPECT_EQ(metrics.failed, page_to_reviews.failed_calls);
  EXPECT_EQ(metrics.succeeded + metrics.failed, metrics.requests);
  const double n = static_cast<double>(started);
  EXPECT_NEAR(static_cast<double>(metrics.succeeded), n / 2, kSigmas * std::sqrt(n / 4));
  // jason's pages still waiting at the end are those started in the last ~6 s: Poisson with mean
  // 2.5/s * 6 s = 15, so at most 15 + 4 * sqrt(15) ~ 31.
  ASSERT_LE(metrics.requests, started);
  EXPECT_LE(started - metrics.requests, 31u);
  // Latency separates the two populations exactly: fast successes, failures after 2 x 3 s (the
  // bucket holding 6 s starts just below it).
  std::uint64_t fast = 0;
  std::uint64_t slow = 0;
  for (const LatencyHistogram::Bucket& bucket : metrics.latency.nonEmptyBuckets()) {
    if (bucket.upper <= std::chrono::nanoseconds(std::chrono::milliseconds(100)).count()) {
      fast += bucket.count;
    } else if (bucket.upper > std::chrono::nanoseconds(std::chrono::seconds(6)).count()) {
      slow += bucket.count;
    }
  }
  EXPECT_EQ(fast, metrics.succeeded);
  EXPECT_EQ(slow, metrics.failed);
}

// --- 9. Crash and recovery -------------------------------------------------------------------

std::string crashScenario(const std::string& warmup, const std::string& duration) {
  return R"(
name: crash
seed: 6
warmup: )" +
         warmup + R"(
duration: )" +
         duration + R"(
links: {default: {latency: 50us}}
services:
  - name: client
    versions: [{name: v1, concurrency: 64, service_time: 100us}]
    operations: [{path: /, calls: [{call: leaf, path: /leaf}]}]
  - name: leaf
    versions: [{name: v1, concurrency: 64, service_time: {exponential: {mean: 2ms}}}]
workload: {kind: open, rate: 200, mix: [{service: client, path: /}]}
faults:
  - {at: 3s, until: 5s, kind: crash, service: leaf}
)";
}

TEST(MeshBehaviourTest, CrashedReplicaFailsRequestsUntilItRestarts) {
  // Measured over the whole run: the 2 s outage (plus the endpoint update lag) fails requests
  // with connection termination / connection failure flags, the rest succeed.
  auto run = runMesh(crashScenario("0s", "10s"));
  Mesh& mesh = **run;
  const EdgeMetrics& edge =
      mesh.metrics().edge(serviceIndex(mesh, "client"), serviceIndex(mesh, "leaf"));
  ASSERT_GT(edge.calls, 1500u);
  EXPECT_GT(edge.failed_calls, 0u);
  EXPECT_GT(flagCount(edge, ResponseFlag::kUpstreamConnectionTermination) +
                flagCount(edge, ResponseFlag::kUpstreamConnectionFailure),
            0u);
  // At 200/s, the 2 s outage holds about 400 calls; recovery after restart is within about a
  // second (the endpoint update delay), so well under 4 s of arrivals fail.
  EXPECT_GT(edge.failed_calls, 200u);
  EXPECT_LT(edge.failed_calls, 800u);
  EXPECT_EQ(mesh.metrics().failed, edge.failed_calls);

  // Measured from 4 s after the restart: fully recovered.
  auto later = runMesh(crashScenario("9s", "5s"));
  Mesh& recovered = **later;
  const EdgeMetrics& after =
      recovered.metrics().edge(serviceIndex(recovered, "client"), serviceIndex(recovered, "leaf"));
  ASSERT_GT(after.calls, 700u);
  EXPECT_EQ(after.failed_calls, 0u);
  EXPECT_EQ(recovered.metrics().failed, 0u);
}

}  // namespace
}  // namespace meshsim::sim
