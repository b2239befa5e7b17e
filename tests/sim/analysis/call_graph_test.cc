#include "sim/analysis/call_graph.h"

#include <gtest/gtest.h>

#include "analysis_test_support.h"
#include "sim/analysis/call_routing.h"

namespace meshsim::sim {
namespace {

using testing::chainScenario;
using testing::loadInline;

TEST(CallGraphTest, LayeredRetriesCompoundAlongAChain) {
  // App retries 1 (2 requests) x mesh retries 2 on 5xx (3 attempts) = 6 per hop; three meshed
  // hops a -> b -> c -> d compound to 6^3 = 216. The load generator's hop has no retries.
  const auto loaded = loadInline(chainScenario(1, 2));
  const CallGraphAnalysis graph = analyzeCallGraph(loaded->scenario, loaded->policies);
  ASSERT_EQ(graph.paths.size(), 1u);
  const CallPath& path = graph.paths.front();
  EXPECT_EQ(path.vertices, (std::vector<Index>{graph.loadGenerator(), 0, 1, 2, 3}));
  EXPECT_DOUBLE_EQ(path.multiplier_5xx, 216.0);
  EXPECT_DOUBLE_EQ(path.multiplier_connect, 216.0);  // retryOn 5xx also retries connect failures
  const CallEdge* hop = graph.edge(0, 1);
  ASSERT_NE(hop, nullptr);
  EXPECT_EQ(hop->app_retries, 1u);
  EXPECT_EQ(hop->mesh_retries_5xx, 2u);
  EXPECT_DOUBLE_EQ(hop->multiplier_5xx, 6.0);
  EXPECT_DOUBLE_EQ(graph.edge(graph.loadGenerator(), 0)->multiplier_5xx, 1.0);
  EXPECT_EQ(graph.depth, 4u);
  EXPECT_TRUE(graph.cycles.empty());
}

TEST(CallGraphTest, IstioDefaultPolicyRetriesConnectFailuresOnly) {
  // No VirtualService: Istio's default outbound policy, 2 retries on connect-failure (and
  // refused-stream, ...) but none on a 5xx (proxy-semantics §1.9). 5xx: 2^3 = 8 from the apps;
  // connect failures: (2 x 3)^3 = 216.
  const auto loaded = loadInline(chainScenario(1, -1));
  const CallGraphAnalysis graph = analyzeCallGraph(loaded->scenario, loaded->policies);
  ASSERT_EQ(graph.paths.size(), 1u);
  EXPECT_DOUBLE_EQ(graph.paths.front().multiplier_5xx, 8.0);
  EXPECT_DOUBLE_EQ(graph.paths.front().multiplier_connect, 216.0);
  EXPECT_EQ(graph.edge(0, 1)->mesh_retries_5xx, 0u);
  EXPECT_EQ(graph.edge(0, 1)->mesh_retries_connect, 2u);
}

TEST(CallGraphTest, CallersWithoutSidecarHaveNoMeshRetries) {
  auto loaded = loadInline(chainScenario(1, 2));
  loaded->scenario.services[1].has_sidecar = false;  // b
  const CallGraphAnalysis graph = analyzeCallGraph(loaded->scenario, loaded->policies);
  EXPECT_DOUBLE_EQ(graph.edge(1, 2)->multiplier_5xx, 2.0);  // b -> c: app retries only
  EXPECT_DOUBLE_EQ(graph.paths.front().multiplier_5xx, 6.0 * 2.0 * 6.0);
}

TEST(CallGraphTest, ReportsCyclesDepthAndFanOut) {
  auto loaded = loadInline(R"(
name: fan
duration: 10s
services:
  - name: front
    versions: [{name: v1, service_time: 1ms}]
    operations:
      - path: /
        calls:
          - {call: left, path: /}
          - parallel: [{call: right, path: /}, {call: left, path: /x, probability: 0.5}]
  - name: left
    versions: [{name: v1, service_time: 1ms}]
    operations: [{prefix: /, calls: [{call: leaf, path: /}]}]
  - name: right
    versions: [{name: v1, service_time: 1ms}]
  - name: leaf
    versions: [{name: v1, service_time: 1ms}]
workload: {kind: open, rate: 10, mix: [{service: front, path: /}]}
)");
  {
    const CallGraphAnalysis graph = analyzeCallGraph(loaded->scenario, loaded->policies);
    EXPECT_TRUE(graph.cycles.empty());
    EXPECT_EQ(graph.depth, 3u);       // load generator -> front -> left -> leaf
    EXPECT_EQ(graph.fan_out[0], 2u);  // left and right, two calls to left counted once
    EXPECT_EQ(graph.max_parallel[0], 2u);
    EXPECT_EQ(graph.fan_out[graph.loadGenerator()], 1u);
    EXPECT_EQ(graph.edge(0, 1)->calls, 2u);
    EXPECT_EQ(graph.paths.size(), 2u);  // ... -> left -> leaf and ... -> right
  }
  // The loader rejects cycles the workload reaches; a scenario changed afterwards still gets
  // them reported: leaf -> front closes front -> left -> leaf -> front.
  CallSpec back;
  back.service = 0;
  back.operation = {0};
  loaded->scenario.services[3].versions[0].operations[0].calls.push_back(CallStep{{back}, false});
  const CallGraphAnalysis graph = analyzeCallGraph(loaded->scenario, loaded->policies);
  ASSERT_EQ(graph.cycles.size(), 1u);
  EXPECT_EQ(graph.cycles.front(), (std::vector<Index>{0, 1, 3, 0}));
  EXPECT_EQ(graph.depth, 3u);  // simple paths only
}

TEST(RetriesStatusTest, FollowsRetryOnSemantics) {
  core::RetryPolicy policy;
  policy.num_retries = 3;
  policy.retry_on = core::kRetryOnGatewayError;
  EXPECT_TRUE(retriesStatus(policy, 503));
  EXPECT_FALSE(retriesStatus(policy, 500));
  EXPECT_EQ(retriesOn5xx(policy), 3u);  // worst case: some 5xx (502-504) is retried
  policy.retry_on = core::kRetryOnRetriableStatusCodes;
  EXPECT_EQ(retriesOn5xx(policy), 0u);  // no codes attached: inert (§1.9)
  policy.retriable_status_codes = {500};
  EXPECT_TRUE(retriesStatus(policy, 500));
  EXPECT_EQ(retriesOn5xx(policy), 3u);
  policy.retry_on = core::kRetryOnConnectFailure;
  EXPECT_EQ(retriesOn5xx(policy), 0u);
  EXPECT_EQ(retriesOnConnectFailure(policy), 3u);
  EXPECT_EQ(retriesOn5xx(std::nullopt), 0u);
}

}  // namespace
}  // namespace meshsim::sim
