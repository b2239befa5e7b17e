// Same scenario and seed => the same run, event for event; another seed => another run
// (issue 4, item 8; DESIGN.md "Determinism").
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "tests/sim/mesh/mesh_test_support.h"

namespace meshsim::sim {
namespace {

// Enough going on to exercise every random stream: Poisson arrivals, a weighted split, app and
// mesh retries, an error model, jittery links, mTLS handshakes and a crash.
constexpr const char* kScenario = R"(
name: determinism
seed: 42
duration: 5s
warmup: 1s
links: {default: {latency: {lognormal: {median: 150us, p99: 1ms}}, jitter: {uniform: {min: 0, max: 50us}}}}
services:
  - name: front
    versions: [{name: v1, replicas: 2, service_time: {exponential: {mean: 1ms}}}]
    operations:
      - path: /
        calls:
          - {call: mid, path: /mid, timeout: 200ms, retries: 1}
          - parallel:
              - {call: leaf, path: /a, probability: 0.5}
              - {call: leaf, path: /b}
  - name: mid
    versions:
      - {name: v1, replicas: 2, service_time: {gamma: {shape: 2, mean: 2ms}}, errors: {probability: 0.1}}
      - {name: v2, service_time: {lognormal: {median: 2ms, p99: 20ms}}}
    operations: [{prefix: /mid, calls: [{call: leaf, path: /c}]}]
  - name: leaf
    versions: [{name: v1, replicas: 3, service_time: {exponential: {mean: 500us}}}]
workload: {kind: open, rate: 300, mix: [{service: front, path: /}]}
faults:
  - {at: 2s, until: 3s, kind: crash, service: leaf, replica: 1}
policies:
  - inline: |
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: mid}
      spec:
        host: mid
        subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: mid}
      spec:
        hosts: [mid]
        http:
          - route:
              - {destination: {host: mid, subset: v1}, weight: 70}
              - {destination: {host: mid, subset: v2}, weight: 30}
            retries: {attempts: 2, retryOn: 5xx}
)";

void expectSameHistogram(const LatencyHistogram& a, const LatencyHistogram& b) {
  ASSERT_EQ(a.count(), b.count());
  EXPECT_EQ(a.sum(), b.sum());
  EXPECT_EQ(a.min(), b.min());
  EXPECT_EQ(a.max(), b.max());
  for (std::size_t i = 0; i < LatencyHistogram::kBucketCount; ++i) {
    ASSERT_EQ(a.bucketCount(i), b.bucketCount(i)) << "bucket " << i;
  }
}

void expectSameMetrics(const MeshMetrics& a, const MeshMetrics& b) {
  EXPECT_EQ(a.requests, b.requests);
  EXPECT_EQ(a.succeeded, b.succeeded);
  EXPECT_EQ(a.failed, b.failed);
  EXPECT_EQ(a.handshakes_full, b.handshakes_full);
  EXPECT_EQ(a.handshakes_resumed, b.handshakes_resumed);
  EXPECT_EQ(a.connections_opened, b.connections_opened);
  EXPECT_EQ(a.connections_refused, b.connections_refused);
  EXPECT_EQ(a.tls_cpu, b.tls_cpu);
  expectSameHistogram(a.latency, b.latency);
  ASSERT_EQ(a.services.size(), b.services.size());
  for (std::size_t s = 0; s < a.services.size(); ++s) {
    SCOPED_TRACE("service " + std::to_string(s));
    EXPECT_EQ(a.services[s].received, b.services[s].received);
    EXPECT_EQ(a.services[s].completed, b.services[s].completed);
    EXPECT_EQ(a.services[s].errors, b.services[s].errors);
    EXPECT_EQ(a.services[s].worker_busy, b.services[s].worker_busy);
    expectSameHistogram(a.services[s].latency, b.services[s].latency);
  }
  ASSERT_EQ(a.edges.size(), b.edges.size());
  for (std::size_t e = 0; e < a.edges.size(); ++e) {
    SCOPED_TRACE("edge " + std::to_string(e));
    EXPECT_EQ(a.edges[e].calls, b.edges[e].calls);
    EXPECT_EQ(a.edges[e].requests, b.edges[e].requests);
    EXPECT_EQ(a.edges[e].attempts, b.edges[e].attempts);
    EXPECT_EQ(a.edges[e].failed_calls, b.edges[e].failed_calls);
    EXPECT_EQ(a.edges[e].app_timeouts, b.edges[e].app_timeouts);
    EXPECT_EQ(a.edges[e].status_classes, b.edges[e].status_classes);
    EXPECT_EQ(a.edges[e].flags, b.edges[e].flags);
    expectSameHistogram(a.edges[e].latency, b.edges[e].latency);
  }
}

TEST(MeshDeterminismTest, SameSeedGivesTheSameRun) {
  auto first = testing::runMesh(kScenario);
  auto second = testing::runMesh(kScenario);
  Mesh& a = **first;
  Mesh& b = **second;
  ASSERT_GT(a.metrics().requests, 1000u);
  // The scenario does exercise what it claims to.
  EXPECT_GT(a.metrics().services[*a.scenario().findService("mid")].errors, 0u);
  EXPECT_GT(testing::sumClusterStat(a, "front", "mid", &core::ClusterStats::upstream_rq_retry), 0u);
  EXPECT_GT(a.metrics().handshakes_full, 0u);
  EXPECT_GT(a.metrics().handshakes_resumed, 0u);
  EXPECT_EQ(a.sim().eventsFired(), b.sim().eventsFired());
  EXPECT_EQ(a.sim().fingerprint(), b.sim().fingerprint());
  expectSameMetrics(a.metrics(), b.metrics());
  EXPECT_EQ(testing::sumClusterStat(a, "front", "mid", &core::ClusterStats::upstream_rq_retry),
            testing::sumClusterStat(b, "front", "mid", &core::ClusterStats::upstream_rq_retry));
}

TEST(MeshDeterminismTest, AnotherSeedOrReplicationGivesAnotherRun) {
  auto base = testing::runMesh(kScenario);
  auto reseeded = testing::runMesh(kScenario, 0, {"seed=43"});
  auto replication = testing::runMesh(kScenario, 1);
  const std::uint64_t fingerprint = (**base).sim().fingerprint();
  EXPECT_NE(fingerprint, (**reseeded).sim().fingerprint());
  EXPECT_NE(fingerprint, (**replication).sim().fingerprint());
  EXPECT_NE((**base).metrics().latency.sum(), (**reseeded).metrics().latency.sum());
}

}  // namespace
}  // namespace meshsim::sim
