// Helpers for the analysis tests: a scenario and its policies, loaded from inline YAML.
#pragma once

#include <memory>
#include <string>

#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario_loader.h"

namespace meshsim::sim::testing {

struct LoadedScenario {
  Scenario scenario;
  ScenarioPolicies policies;
  config::Warnings warnings;
};

inline std::unique_ptr<LoadedScenario> loadInline(const std::string& yaml) {
  auto out = std::make_unique<LoadedScenario>();
  out->scenario = loadScenarioFromString(yaml, "test.yaml", {}, out->warnings);
  out->policies = importScenarioPolicies(out->scenario, out->warnings);
  return out;
}

// A four-service chain a -> b -> c -> d, every call with `app_retries`, every hop's route with
// `mesh_attempts` retries on 5xx (no VirtualService when negative: Istio's default policy).
inline std::string chainScenario(int app_retries, int mesh_attempts) {
  const std::string retries = std::to_string(app_retries);
  std::string yaml = R"(
name: chain
duration: 10s
services:
  - name: a
    versions: [{name: v1, service_time: 1ms}]
    operations: [{path: /, calls: [{call: b, path: /, retries: )" +
                     retries + R"(}]}]
  - name: b
    versions: [{name: v1, service_time: 1ms}]
    operations: [{path: /, calls: [{call: c, path: /, retries: )" +
                     retries + R"(}]}]
  - name: c
    versions: [{name: v1, service_time: 1ms}]
    operations: [{path: /, calls: [{call: d, path: /, retries: )" +
                     retries + R"(}]}]
  - name: d
    versions: [{name: v1, service_time: 1ms}]
workload: {kind: open, rate: 10, mix: [{service: a, path: /}]}
)";
  if (mesh_attempts >= 0) {
    yaml += "policies:\n  - inline: |\n";
    for (const char* host : {"b", "c", "d"}) {
      yaml += std::string("      apiVersion: networking.istio.io/v1\n") +
              "      kind: VirtualService\n      metadata: {name: " + host + "}\n" +
              "      spec:\n        hosts: [" + host + "]\n        http:\n" +
              "          - route: [{destination: {host: " + host + "}}]\n" +
              "            retries: {attempts: " + std::to_string(mesh_attempts) +
              ", retryOn: 5xx}\n      ---\n";
    }
  }
  return yaml;
}

}  // namespace meshsim::sim::testing
