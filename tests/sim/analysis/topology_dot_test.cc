#include "sim/analysis/topology_dot.h"

#include <gtest/gtest.h>

#include <sstream>

#include "analysis_test_support.h"

namespace meshsim::sim {
namespace {

TEST(TopologyDotTest, EveryServiceAndCallAppears) {
  const auto loaded = testing::loadInline(R"(
name: dot
duration: 10s
services:
  - name: web
    versions: [{name: v1, replicas: 3, concurrency: 16, service_time: 1ms}]
    operations:
      - path: /
        calls:
          - {call: api, path: /api, timeout: 250ms, retries: 2}
          - parallel: [{call: db, path: /q, probability: 0.5}, {call: cache, path: /get}]
  - name: api
    versions:
      - {name: v1, service_time: 1ms}
      - {name: v2, replicas: 2, service_time: 1ms}
  - name: db
    sidecar: false
    versions: [{name: v1, service_time: 1ms}]
  - name: cache
    versions: [{name: v1, service_time: 1ms}]
workload: {kind: open, rate: 50, mix: [{service: web, path: /}]}
)");
  std::ostringstream out;
  writeTopologyDot(out, loaded->scenario, loaded->policies);
  const std::string dot = out.str();
  EXPECT_EQ(dot.rfind("digraph \"dot\" {", 0), 0u) << dot;
  EXPECT_NE(dot.find("\"web\" [label=\"web\\nv1: 3 x 16\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("\"api\" [label=\"api\\nv1: 1 x 8\\nv2: 2 x 8\"]"), std::string::npos);
  EXPECT_NE(dot.find("\"db\" [label=\"db\\nv1: 1 x 8\\n(no sidecar)\", style=\"rounded,dashed\""),
            std::string::npos);
  EXPECT_NE(dot.find("\"cache\" [label="), std::string::npos);
  EXPECT_NE(dot.find("\"load_generator\" [label=\"load generator\\nopen poisson, 50 req/s\", "
                     "shape=invhouse"),
            std::string::npos);
  EXPECT_NE(dot.find("\"load_generator\" -> \"web\""), std::string::npos);
  // Istio's default route: no mesh retries on 5xx.
  EXPECT_NE(dot.find("\"web\" -> \"api\" [label=\"GET /api\\np=1 timeout=250ms\\nretries=2 "
                     "mesh 5xx retries=0\"]"),
            std::string::npos)
      << dot;
  EXPECT_NE(dot.find("\"web\" -> \"db\" [label=\"GET /q\\np=0.5 timeout=none\\nretries=0 mesh "
                     "5xx retries=0\\n(parallel)\", style=dashed]"),
            std::string::npos)
      << dot;
  EXPECT_NE(dot.find("\"web\" -> \"cache\""), std::string::npos);
  EXPECT_EQ(dot.substr(dot.size() - 2), "}\n");
}

}  // namespace
}  // namespace meshsim::sim
