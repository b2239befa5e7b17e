#include "sim/analysis/traffic_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "analysis_test_support.h"

namespace meshsim::sim {
namespace {

using testing::loadInline;

double rateOf(const TrafficAnalysis& traffic, const Scenario& scenario, const char* service) {
  return traffic.service_rates[*scenario.findService(service)];
}

TEST(TrafficModelTest, ChainWithProbabilities) {
  // 100 req/s -> a; a calls b with p = 0.5; b calls c with p = 0.4: 100, 50, 20. b releases its
  // worker before calling c, so its ρ and M/M/c count E[S] only.
  const auto loaded = loadInline(R"(
name: chain
duration: 10s
services:
  - name: a
    versions: [{name: v1, service_time: 1ms}]
    operations: [{path: /, calls: [{call: b, path: /, probability: 0.5}]}]
  - name: b
    hold_worker_while_waiting: false
    versions: [{name: v1, replicas: 2, concurrency: 4, service_time: 10ms}]
    operations: [{path: /, calls: [{call: c, path: /, probability: 0.4}]}]
  - name: c
    versions: [{name: v1, service_time: {exponential: {mean: 20ms}}}]
workload: {kind: open, rate: 100, mix: [{service: a, path: /}]}
)");
  const TrafficAnalysis t = solveTraffic(loaded->scenario, loaded->policies);
  EXPECT_DOUBLE_EQ(t.entry_rate, 100.0);
  EXPECT_NEAR(rateOf(t, loaded->scenario, "a"), 100.0, 1e-9);
  EXPECT_NEAR(rateOf(t, loaded->scenario, "b"), 50.0, 1e-9);
  EXPECT_NEAR(rateOf(t, loaded->scenario, "c"), 20.0, 1e-9);
  // b: ρ = 50 x 0.010 / (4 x 2) = 0.0625; per replica M/M/4 with λ = 25, E[S] = 10 ms.
  const PoolLoad& b = t.pools[1];
  EXPECT_DOUBLE_EQ(b.mean_holding_time, 0.010);
  EXPECT_NEAR(b.utilization, 0.0625, 1e-12);
  const MmcMetrics expected = mmcQueue(25.0, 0.010, 4);
  EXPECT_NEAR(b.per_replica.mean_wait, expected.mean_wait, 1e-15);
  // c: ρ = 20 x 0.020 / 8 (default concurrency 8) = 0.05.
  EXPECT_NEAR(t.pools[2].utilization, 0.05, 1e-12);
  ASSERT_EQ(t.edges.size(), 3u);
  EXPECT_NEAR(t.edges[0].call_rate, 50.0, 1e-9);  // a -> b
  EXPECT_NEAR(t.edges[1].call_rate, 20.0, 1e-9);  // b -> c
}

TEST(TrafficModelTest, HoldingCallerCountsItsCallsOutstanding) {
  // 50 req/s -> front (2 ms, 4 workers), which calls back (M/M/1, exponential 10 ms) and holds its
  // worker meanwhile; no sidecars, 1 ms links. back: ρ = 0.5, Wq = ρ / (μ - λ) = 0.5 / 50 = 10 ms,
  // so a call takes 1 + 1 (network) + 10 + 10 = 22 ms and front holds its worker 2 + 22 = 24 ms:
  // ρ = 50 x 0.024 / 4 = 0.3, and M/M/4 with 24 ms of service.
  const std::string yaml = R"(
name: holding
duration: 10s
links: {default: {latency: 1ms}}
services:
  - name: front
    sidecar: false
    versions: [{name: v1, concurrency: 4, service_time: 2ms}]
    operations: [{path: /, calls: [{call: back, path: /}]}]
  - name: back
    sidecar: false
    versions: [{name: v1, concurrency: 1, service_time: {exponential: {mean: 10ms}}}]
workload: {kind: open, rate: 50, mix: [{service: front, path: /}]}
)";
  const auto loaded = loadInline(yaml);
  const TrafficAnalysis t = solveTraffic(loaded->scenario, loaded->policies);
  const PoolLoad& back = t.pools[1];
  EXPECT_NEAR(back.utilization, 0.5, 1e-12);
  EXPECT_NEAR(back.per_replica.mean_wait, 0.010, 1e-12);
  const PoolLoad& front = t.pools[0];
  EXPECT_DOUBLE_EQ(front.mean_service_time, 0.002);
  EXPECT_NEAR(front.mean_holding_time, 0.024, 1e-12);
  EXPECT_NEAR(front.utilization, 0.3, 1e-12);
  EXPECT_NEAR(t.service_utilization[0], 0.3, 1e-12);
  const MmcMetrics expected = mmcQueue(50.0, 0.024, 4);
  EXPECT_NEAR(front.per_replica.mean_wait, expected.mean_wait, 1e-15);
  EXPECT_NEAR(front.per_replica.wait_probability, expected.wait_probability, 1e-15);
  EXPECT_TRUE(std::any_of(t.notes.begin(), t.notes.end(), [](const std::string& note) {
    return note.find("counts the holding time") != std::string::npos;
  }));

  // Released before its calls, front's workers are busy for E[S] only: ρ = 50 x 0.002 / 4.
  std::string released = yaml;
  released.replace(released.find("    sidecar: false"), 0,
                   "    hold_worker_while_waiting: false\n");
  const auto not_holding = loadInline(released);
  const TrafficAnalysis r = solveTraffic(not_holding->scenario, not_holding->policies);
  EXPECT_DOUBLE_EQ(r.pools[0].mean_holding_time, 0.002);
  EXPECT_NEAR(r.pools[0].utilization, 0.025, 1e-12);
  EXPECT_NEAR(r.pools[1].utilization, 0.5, 1e-12);
  EXPECT_TRUE(std::none_of(r.notes.begin(), r.notes.end(), [](const std::string& note) {
    return note.find("holding time") != std::string::npos;
  }));

  // A slow backend saturates its holding caller although front's own work is light: back at
  // 95 % answers in E[S] / (1 - ρ) = 380 ms, so front holds 384 ms: ρ = 50 x 0.384 / 4 = 4.8.
  std::string slow = yaml;
  slow.replace(slow.find("mean: 10ms"), 10, "mean: 19ms");
  const auto slow_back = loadInline(slow);
  const TrafficAnalysis sb = solveTraffic(slow_back->scenario, slow_back->policies);
  EXPECT_NEAR(sb.pools[0].mean_holding_time, 0.002 + 0.002 + 0.019 / 0.05, 1e-12);
  EXPECT_TRUE(sb.pools[0].saturated());
  EXPECT_FALSE(sb.pools[1].saturated());
}

TEST(TrafficModelTest, DiamondWithParallelGroupCountsEachCallOnce) {
  // a: parallel {b (p 0.5), c}; b -> d; c -> d with p 0.5 => d = 100 x 0.5 + 100 x 0.5 = 100;
  // plus a sequential second call a -> d (p 0.2): d = 120.
  const auto loaded = loadInline(R"(
name: diamond
duration: 10s
services:
  - name: a
    versions: [{name: v1, service_time: 1ms}]
    operations:
      - path: /
        calls:
          - parallel: [{call: b, path: /, probability: 0.5}, {call: c, path: /}]
          - {call: d, path: /, probability: 0.2}
  - name: b
    versions: [{name: v1, service_time: 1ms}]
    operations: [{path: /, calls: [{call: d, path: /}]}]
  - name: c
    versions: [{name: v1, service_time: 1ms}]
    operations: [{path: /, calls: [{call: d, path: /, probability: 0.5}]}]
  - name: d
    versions: [{name: v1, service_time: 1ms}]
workload: {kind: open, rate: 100, mix: [{service: a, path: /}]}
)");
  const TrafficAnalysis t = solveTraffic(loaded->scenario, loaded->policies);
  EXPECT_NEAR(rateOf(t, loaded->scenario, "b"), 50.0, 1e-9);
  EXPECT_NEAR(rateOf(t, loaded->scenario, "c"), 100.0, 1e-9);
  EXPECT_NEAR(rateOf(t, loaded->scenario, "d"), 120.0, 1e-9);
}

TEST(TrafficModelTest, MixAndVirtualServiceSplitVersions) {
  // 60 % of 200 req/s to /a (a call to back), 40 % to /b (none); back's VirtualService sends 25 %
  // to v2. back = 120: v1 90, v2 30.
  const auto loaded = loadInline(R"(
name: split
duration: 10s
services:
  - name: front
    versions: [{name: v1, service_time: 1ms}]
    operations:
      - {path: /a, calls: [{call: back, path: /}]}
      - {path: /b}
  - name: back
    versions:
      - {name: v1, service_time: 2ms}
      - {name: v2, service_time: 4ms}
workload:
  kind: open
  rate: 200
  mix: [{service: front, path: /a, weight: 3}, {service: front, path: /b, weight: 2}]
policies:
  - inline: |
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: back}
      spec:
        host: back
        subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: back}
      spec:
        hosts: [back]
        http:
          - route:
              - {destination: {host: back, subset: v1}, weight: 75}
              - {destination: {host: back, subset: v2}, weight: 25}
)");
  const TrafficAnalysis t = solveTraffic(loaded->scenario, loaded->policies);
  EXPECT_NEAR(rateOf(t, loaded->scenario, "front"), 200.0, 1e-9);
  EXPECT_NEAR(t.pools[1].arrival_rate, 90.0, 1e-9);
  EXPECT_NEAR(t.pools[2].arrival_rate, 30.0, 1e-9);
  EXPECT_NEAR(t.pools[2].utilization, 30 * 0.004 / 8, 1e-12);
}

TEST(TrafficModelTest, RetryInflationFromErrorRates) {
  // leaf fails 20 %; client retries twice at the app (no sidecar: no mesh retries):
  // 1 + 0.2 + 0.04 = 1.24 attempts per call.
  const auto loaded = loadInline(R"(
name: inflation
duration: 10s
services:
  - name: client
    sidecar: false
    versions: [{name: v1, service_time: 1ms}]
    operations: [{path: /, calls: [{call: leaf, path: /, retries: 2}]}]
  - name: leaf
    versions: [{name: v1, service_time: 1ms, errors: {probability: 0.2}}]
workload: {kind: open, rate: 100, mix: [{service: client, path: /}]}
)");
  const TrafficAnalysis t = solveTraffic(loaded->scenario, loaded->policies);
  EXPECT_NEAR(rateOf(t, loaded->scenario, "leaf"), 124.0, 1e-9);
  EXPECT_NEAR(t.edges.front().attempt_rate, 124.0, 1e-9);
  EXPECT_NEAR(t.edges.front().call_rate, 100.0, 1e-9);
}

TEST(ExpectedCallAttemptsTest, MeshRetriesNestInsideAppRetries) {
  core::RetryPolicy mesh;
  mesh.retry_on = core::kRetryOn5xx;
  mesh.num_retries = 2;
  const double p = 0.3;
  // Mesh only: (1 - p^3) / (1 - p) = 1.39.
  EXPECT_NEAR(expectCall({{1.0, p, 503}}, mesh, 0).attempts, 1.39, 1e-12);
  // One app retry on top: a request fails with p^3, so 1.39 x (1 + p^3); the caller's sidecar
  // handles the 1 + p^3 app requests, the mesh retries happen inside it.
  EXPECT_NEAR(expectCall({{1.0, p, 503}}, mesh, 1).attempts, 1.39 * (1 + 0.027), 1e-12);
  EXPECT_NEAR(expectCall({{1.0, p, 503}}, mesh, 1).requests, 1 + 0.027, 1e-12);
  // A status the mesh does not retry (gateway-error and 500): only the app retries.
  mesh.retry_on = core::kRetryOnGatewayError;
  EXPECT_NEAR(expectCall({{1.0, p, 500}}, mesh, 2).attempts, 1 + p + p * p, 1e-12);
  // Two versions, only one failing: p_eff = 0.5 x 0.4 = 0.2 per attempt.
  mesh.retry_on = core::kRetryOn5xx;
  EXPECT_NEAR(expectCall({{0.5, 0.4, 503}, {0.5, 0.0, 503}}, mesh, 0).attempts, 1.24, 1e-12);
  // No route (404 NR): one attempt, never retried; Istio's default policy: no 5xx retries.
  EXPECT_DOUBLE_EQ(expectCall({{0.0, 0.5, 503}}, mesh, 3).attempts, 1.0);
  core::RetryPolicy istio_default;
  istio_default.retry_on = core::kRetryOnConnectFailure | core::kRetryOnRefusedStream;
  istio_default.num_retries = 2;
  EXPECT_NEAR(expectCall({{1.0, p, 503}}, istio_default, 0).attempts, 1.0, 1e-15);
}

TEST(TrafficModelTest, MeshAndAppRetriesInflateTheLeaf) {
  // client (sidecar) -> leaf with app retries 1 and a VirtualService retrying 5xx twice; leaf
  // fails half its attempts: (1 + 0.5 + 0.25) x (1 + 0.125) = 1.96875 attempts per call.
  const auto loaded = loadInline(R"(
name: layered
duration: 10s
services:
  - name: client
    versions: [{name: v1, service_time: 1ms}]
    operations: [{path: /, calls: [{call: leaf, path: /, retries: 1}]}]
  - name: leaf
    versions: [{name: v1, service_time: 1ms, errors: {probability: 0.5}}]
workload: {kind: open, rate: 100, mix: [{service: client, path: /}]}
policies:
  - inline: |
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: leaf}
      spec:
        hosts: [leaf]
        http:
          - route: [{destination: {host: leaf}}]
            retries: {attempts: 2, retryOn: 5xx}
)");
  const TrafficAnalysis t = solveTraffic(loaded->scenario, loaded->policies);
  EXPECT_NEAR(rateOf(t, loaded->scenario, "leaf"), 196.875, 1e-9);
}

// a -> b -> c, c failing with probability p; both hops with one app retry and a VirtualService
// retrying 5xx twice. `b_continues`: b answers 200 whatever its call did.
std::string failingChain(double p, bool b_continues) {
  return std::string(R"(
name: propagation
duration: 10s
services:
  - name: a
    versions: [{name: v1, service_time: 1ms}]
    operations: [{path: /, calls: [{call: b, path: /, retries: 1}]}]
  - name: b
    versions: [{name: v1, service_time: 1ms}]
    operations: [{path: /, on_call_failure: )") +
         (b_continues ? "continue" : "fail") + R"(, calls: [{call: c, path: /, retries: 1}]}]
  - name: c
    versions: [{name: v1, service_time: 1ms, errors: {probability: )" +
         std::to_string(p) + R"(}}]
workload: {kind: open, rate: 100, mix: [{service: a, path: /}]}
policies:
  - inline: |
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: b}
      spec:
        hosts: [b]
        http: [{route: [{destination: {host: b}}], retries: {attempts: 2, retryOn: 5xx}}]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: c}
      spec:
        hosts: [c]
        http: [{route: [{destination: {host: c}}], retries: {attempts: 2, retryOn: 5xx}}]
)";
}

// One layer's factor and the failure it passes up: mesh (1 - q^3) / (1 - q), a request failing
// with q^3, the app's one retry, the call failing with (q^3)^2.
struct Layer {
  double attempts;
  double failure;
};
Layer layer(double q) {
  const double request = q * q * q;
  return {(1 + q + q * q) * (1 + request), request * request};
}

TEST(TrafficModelTest, FailuresPropagateUpTheChainAndMultiplyRetries) {
  const double p = 0.8;
  const Layer bc = layer(p);           // b -> c: 2.44 x 1.512 = 3.689, fails 0.262
  const Layer ab = layer(bc.failure);  // a -> b retries b's propagated 500s: 1.354
  const auto loaded = loadInline(failingChain(p, false));
  const TrafficAnalysis t = solveTraffic(loaded->scenario, loaded->policies);
  // Attempts at c = rate x product of the per-layer factors.
  EXPECT_NEAR(rateOf(t, loaded->scenario, "b"), 100 * ab.attempts, 1e-9);
  EXPECT_NEAR(rateOf(t, loaded->scenario, "c"), 100 * ab.attempts * bc.attempts, 1e-9);
  EXPECT_GT(ab.attempts, 1.3);  // the old model, blind to propagation, said 1
  ASSERT_EQ(t.edges.size(), 3u);
  // Sorted by (from, to); the load generator is numbered after the services, so it comes last.
  EXPECT_NEAR(t.edges[0].attempt_rate, 100 * ab.attempts, 1e-9);  // a -> b
  EXPECT_NEAR(t.edges[0].call_failure, ab.failure, 1e-12);
  EXPECT_NEAR(t.edges[1].call_failure, bc.failure, 1e-12);  // b -> c
  EXPECT_NEAR(t.edges[2].call_failure, ab.failure, 1e-12);  // client -> a: a answers 500
  EXPECT_NEAR(t.service_error_rate[*loaded->scenario.findService("c")], p, 1e-12);
  EXPECT_NEAR(t.service_error_rate[*loaded->scenario.findService("b")], bc.failure, 1e-12);
  EXPECT_NEAR(t.service_error_rate[*loaded->scenario.findService("a")], ab.failure, 1e-12);
  EXPECT_TRUE(std::any_of(t.notes.begin(), t.notes.end(), [](const std::string& note) {
    return note.find("failures propagate") != std::string::npos;
  }));

  // on_call_failure: continue stops the propagation: a retries nothing.
  const auto continues = loadInline(failingChain(p, true));
  const TrafficAnalysis c = solveTraffic(continues->scenario, continues->policies);
  EXPECT_NEAR(rateOf(c, continues->scenario, "b"), 100.0, 1e-9);
  EXPECT_NEAR(rateOf(c, continues->scenario, "c"), 100 * bc.attempts, 1e-9);
  EXPECT_DOUBLE_EQ(c.service_error_rate[*continues->scenario.findService("b")], 0.0);
}

TEST(ExpectedCallAttemptsTest, PropagatedFailuresAreRetriedAs500) {
  core::RetryPolicy mesh;
  mesh.retry_on = core::kRetryOnGatewayError;  // 502/503/504: not the propagated 500
  mesh.num_retries = 2;
  // Own 503 with 0.5 given no propagated failure, propagated 500 with 0.2: the mesh retries the
  // 503s only (0.8 x 0.5 = 0.4 of attempts), the 500 (0.2) ends the request.
  const CallExpectation x = expectCall({{1.0, 0.5, 503, 0.2}}, mesh, 0);
  EXPECT_NEAR(x.attempts, 1 + 0.4 + 0.16, 1e-12);
  EXPECT_NEAR(x.failure, 0.2 * 1.56 + 0.4 * 0.4 * 0.4, 1e-12);
}

TEST(TrafficModelTest, FlagsSaturationAndErrorFaultsOnRequest) {
  const std::string yaml = R"(
name: hot
duration: 10s
services:
  - name: hot
    versions: [{name: v1, concurrency: 2, service_time: 10ms}]
workload: {kind: open, rate: 250, mix: [{service: hot, path: /}]}
)";
  const auto loaded = loadInline(yaml);
  const TrafficAnalysis t = solveTraffic(loaded->scenario, loaded->policies);
  EXPECT_NEAR(t.pools[0].utilization, 1.25, 1e-12);
  EXPECT_TRUE(t.pools[0].saturated());
  EXPECT_TRUE(std::isinf(t.pools[0].per_replica.mean_wait));

  const auto at_rate = loadInline(R"(
name: warm
duration: 10s
services:
  - name: warm
    versions: [{name: v1, concurrency: 2, service_time: 10ms}]
workload: {kind: open, rate: 170, mix: [{service: warm, path: /}]}
)");
  const TrafficAnalysis w = solveTraffic(at_rate->scenario, at_rate->policies);
  EXPECT_NEAR(w.pools[0].utilization, 0.85, 1e-12);
  EXPECT_FALSE(w.pools[0].saturated());
  EXPECT_TRUE(w.pools[0].highLoad());
}

TEST(TrafficModelTest, ClosedLoopIsSolvedByMva) {
  // 10 users, 1 s think time, one pool of 2 workers x 10 ms, no sidecar, no network latency: the
  // closed network of one 2-server station, X and R as the library computes them, every rate
  // X x visits and the pool's figures per replica from the same solution.
  const auto loaded = loadInline(R"(
name: closed
duration: 10s
links: {default: {latency: 0}}
services:
  - name: s
    sidecar: false
    versions: [{name: v1, concurrency: 2, service_time: 10ms}]
workload: {kind: closed, users: 10, think_time: 1s, mix: [{service: s, path: /}]}
)");
  const TrafficAnalysis t = solveTraffic(loaded->scenario, loaded->policies);
  const ClosedNetworkSolution mva = solveClosedNetwork({{0.010, 2}}, 1.0, 10);
  ASSERT_TRUE(t.closed_loop);
  EXPECT_TRUE(t.closed.exact);
  EXPECT_EQ(t.closed.users, 10U);
  EXPECT_DOUBLE_EQ(t.closed.think_time, 1.0);
  EXPECT_NEAR(t.closed.throughput, mva.throughput, 1e-9);
  EXPECT_NEAR(t.closed.response_time, mva.response, 1e-12);
  EXPECT_NEAR(t.closed.app_time, mva.response, 1e-12);
  EXPECT_EQ(t.closed.sidecar_cpu_time, 0.0);
  EXPECT_EQ(t.closed.latency_time, 0.0);
  EXPECT_NEAR(t.entry_rate, mva.throughput, 1e-9);
  EXPECT_NEAR(t.service_rates[0], mva.throughput, 1e-9);
  const PoolLoad& pool = t.pools[0];
  EXPECT_NEAR(pool.utilization, mva.throughput * 0.010 / 2, 1e-12);
  EXPECT_NEAR(pool.in_pool, mva.stations[0].queue_length, 1e-12);
  EXPECT_NEAR(pool.per_replica.mean_response, mva.stations[0].residence, 1e-12);
  EXPECT_NEAR(pool.per_replica.wait_probability, mva.stations[0].wait_probability, 1e-15);
  // The bounds: D = 10 ms, D_max = 5 ms, N* = (D + Z) / D_max = 202.
  EXPECT_NEAR(t.closed.bounds.saturation_users, 202.0, 1e-9);
  EXPECT_LT(t.closed.throughput, t.closed.bounds.throughput);
}

TEST(TrafficModelTest, ClosedLoopCountsSidecarsAndTheNetwork) {
  // One user, so nothing queues and R(1) is the sum of the demands, by hand: front (1 ms) calls
  // back (2 ms); both meshed (200 us of CPU per request in each sidecar, 50 us added per pass);
  // links 1 ms one way at 1 Gbps. App 3 ms. Sidecar CPU: front in and out, back in: 3 x 0.2 ms.
  // Latency: two hops (load generator -> front, front -> back), each 2 x 1 ms plus serialisation
  // of (1 KiB + 512 B) and (4 KiB + 256 B) at 1 Gbps = 47.104 us; six sidecar passes of 50 us.
  const auto loaded = loadInline(R"(
name: closed
duration: 10s
links: {default: {latency: 1ms, bandwidth: 1Gbps}}
sidecar: {cpu_per_request: 200us, latency: 50us}
services:
  - name: front
    versions: [{name: v1, service_time: 1ms}]
    operations: [{path: /, calls: [{call: back, path: /}]}]
  - name: back
    versions: [{name: v1, service_time: 2ms}]
workload: {kind: closed, users: 1, think_time: 1s, mix: [{service: front, path: /}]}
)");
  ASSERT_TRUE(loaded->warnings.empty());
  const TrafficAnalysis t = solveTraffic(loaded->scenario, loaded->policies);
  EXPECT_NEAR(t.closed.app_time, 0.003, 1e-15);
  EXPECT_NEAR(t.closed.sidecar_cpu_time, 0.0006, 1e-15);
  EXPECT_NEAR(t.closed.latency_time, 2 * (0.002 + 47.104e-6) + 6 * 50e-6, 1e-15);
  const double r = 0.003 + 0.0006 + 2 * (0.002 + 47.104e-6) + 6 * 50e-6;
  EXPECT_NEAR(t.closed.response_time, r, 1e-15);
  EXPECT_NEAR(t.closed.throughput, 1 / (1 + r), 1e-12);
}

TEST(TrafficModelTest, ClosedLoopNotesParallelGroups) {
  const auto loaded = loadInline(R"(
name: closed
duration: 10s
services:
  - name: front
    versions: [{name: v1, service_time: 1ms}]
    operations:
      - path: /
        calls: [{parallel: [{call: a, path: /}, {call: b, path: /}]}]
  - name: a
    versions: [{name: v1, service_time: 2ms}]
  - name: b
    versions: [{name: v1, service_time: 3ms}]
workload: {kind: closed, users: 1, think_time: 1s, mix: [{service: front, path: /}]}
)");
  const TrafficAnalysis t = solveTraffic(loaded->scenario, loaded->policies);
  // Serial demands: R(1) counts a and b one after the other (6 ms of app time, not 4 ms).
  EXPECT_NEAR(t.closed.app_time, 0.006, 1e-15);
  EXPECT_TRUE(std::any_of(t.notes.begin(), t.notes.end(), [](const std::string& note) {
    return note.find("parallel group") != std::string::npos;
  }));
}

}  // namespace
}  // namespace meshsim::sim
