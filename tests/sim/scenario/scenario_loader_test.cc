#include "sim/scenario/scenario_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace meshsim::sim {
namespace {

using config::ConfigError;
using config::Warnings;

const std::filesystem::path kScenarios =
    std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." / "scenarios";

// A small valid scenario: a -> b, one version each.
constexpr const char* kMinimal = R"(name: t
duration: 10s
services:
  - name: a
    versions: [{name: v1, service_time: 5ms}]
    operations:
      - path: /a
        calls: [{call: b, path: /b}]
  - name: b
    versions: [{name: v1, service_time: {exponential: {mean: 2ms}}}]
workload:
  rate: 10
  mix: [{service: a, path: /a}]
)";

Scenario load(const std::string& text, const std::vector<std::string>& sets = {}) {
  Warnings warnings;
  return loadScenarioFromString(text, "test.yaml", sets, warnings);
}

// The ConfigError of loading `text`; fails the test if it loads.
ConfigError loadError(const std::string& text, const std::vector<std::string>& sets = {}) {
  Warnings warnings;
  try {
    loadScenarioFromString(text, "test.yaml", sets, warnings);
  } catch (const ConfigError& e) {
    EXPECT_TRUE(warnings.empty()) << "warnings appended by a failed load";
    return e;
  }
  ADD_FAILURE() << "expected a ConfigError";
  return ConfigError({}, "", "none");
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

#define EXPECT_ERROR(error, want_line, want_column, want_key, fragment)               \
  do {                                                                                \
    const ConfigError& e_ = (error);                                                  \
    EXPECT_EQ(e_.location().line, want_line) << e_.what();                            \
    EXPECT_EQ(e_.location().column, want_column) << e_.what();                        \
    EXPECT_EQ(e_.key(), want_key) << e_.what();                                       \
    EXPECT_NE(std::string(e_.what()).find(fragment), std::string::npos) << e_.what(); \
  } while (false)

// A fresh directory per test for scenarios that reference files.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            (std::string("meshsim_scenario_") + info->test_suite_name() + "_" + info->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::string& text) const {
    const auto file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

// ---------------------------------------------------------------------------------------------
// Shipped scenarios

// Loading and importing every shipped scenario without warnings:
// tests/sim/scenarios_shipped_test.cc.

TEST(ScenarioLoaderTest, BookinfoFollowsTheSample) {
  Warnings warnings;
  const Scenario s = loadScenario((kScenarios / "bookinfo.yaml").string(), {}, warnings);
  EXPECT_EQ(s.name, "bookinfo");
  EXPECT_EQ(s.duration, core::Duration(60s));
  EXPECT_EQ(s.warmup, core::Duration(10s));
  ASSERT_EQ(s.services.size(), 4u);
  const Index details = *s.findService("details");
  const Index reviews = *s.findService("reviews");
  const Index ratings = *s.findService("ratings");

  const OperationSpec& page = s.services[*s.findService("productpage")].versions[0].operations[0];
  ASSERT_EQ(page.calls.size(), 2u);
  EXPECT_EQ(page.calls[0].calls[0].service, details);
  EXPECT_EQ(page.calls[0].calls[0].timeout, core::Duration(3s));
  EXPECT_EQ(page.calls[0].calls[0].retries, 0u);
  EXPECT_EQ(page.calls[1].calls[0].service, reviews);
  EXPECT_EQ(page.calls[1].calls[0].timeout, core::Duration(3s));
  EXPECT_EQ(page.calls[1].calls[0].retries, 1u);  // two attempts
  EXPECT_EQ(page.calls[1].calls[0].operation, (std::vector<Index>{0, 0, 0}));

  const auto& versions = s.services[reviews].versions;
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_TRUE(versions[0].operations[0].calls.empty());
  ASSERT_EQ(versions[1].operations[0].calls.size(), 1u);
  EXPECT_EQ(versions[1].operations[0].calls[0].calls[0].service, ratings);
  EXPECT_EQ(versions[1].operations[0].calls[0].calls[0].timeout, core::Duration(10s));
  EXPECT_EQ(versions[2].operations[0].calls[0].calls[0].timeout, core::Duration(2500ms));
  for (const ServiceSpec& service : s.services) {
    for (const VersionSpec& version : service.versions) {
      EXPECT_EQ(version.replicas, 1u) << service.name;
    }
  }

  EXPECT_EQ(s.workload.kind, WorkloadKind::Open);
  EXPECT_EQ(s.workload.arrivals, Arrivals::Poisson);
  EXPECT_DOUBLE_EQ(s.workload.rate, 100);
  ASSERT_EQ(s.policies.size(), 3u);
  EXPECT_EQ(s.policies[0].documents.size(), 4u);  // one DestinationRule per service
  EXPECT_EQ(s.policies[1].documents.size(), 2u);
  EXPECT_EQ(s.policies[0].file,
            (kScenarios / "bookinfo" / "destination-rules.yaml").lexically_normal().string());
  EXPECT_EQ(s.policies[1].documents[0].require("kind").asString(), "VirtualService");
  EXPECT_EQ(s.policies[2].documents[0].require("kind").asString(), "PeerAuthentication");
}

TEST(ScenarioLoaderTest, InlineBlockManifestKeepsScenarioPositions) {
  Warnings warnings;
  TempDir dir;
  const std::string file = dir.write(
      "s.yaml", std::string(kMinimal) +
                    "policies:\n  - inline: |\n      apiVersion: networking.istio.io/v1\n"
                    "      kind: VirtualService\n      metadata: {name: b}\n"
                    "      spec: {hosts: [b], http: [{route: [{destination: {host: b}}]}]}\n");
  const Scenario s = loadScenario(file, {}, warnings);
  ASSERT_EQ(s.policies.size(), 1u);
  EXPECT_TRUE(s.policies[0].is_inline);
  const config::Node kind = s.policies[0].documents.at(0).require("kind");
  // Find where `kind: VirtualService` sits in the scenario file.
  std::ifstream in(file);
  std::string line;
  int number = 0;
  int expected_line = 0;
  int expected_column = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::size_t at = line.find("kind: VirtualService");
    if (at != std::string::npos) {
      expected_line = number;
      expected_column = static_cast<int>(at + 7);
    }
  }
  EXPECT_EQ(kind.location().file, file);
  EXPECT_EQ(kind.location().line, expected_line);
  EXPECT_EQ(kind.location().column, expected_column);
}

// ---------------------------------------------------------------------------------------------
// Defaults and resolution

TEST(ScenarioLoaderTest, DefaultsAsInTheSchema) {
  const Scenario s = load(kMinimal);
  EXPECT_EQ(s.seed, 1u);
  EXPECT_EQ(s.warmup, core::Duration::zero());
  EXPECT_FALSE(s.warmup_auto);
  EXPECT_EQ(s.profile, ProxyProfile::Istio);
  EXPECT_EQ(s.zones, std::vector<std::string>{"default"});
  EXPECT_EQ(s.sidecar.workers, 2u);
  EXPECT_EQ(s.sidecar.cpu_per_request, core::Duration(200us));
  EXPECT_EQ(s.sidecar.latency, nullptr);
  EXPECT_EQ(s.sidecar.memory_base, 60u * 1000 * 1000);  // Istio 1.24: 60 MB per sidecar
  EXPECT_EQ(s.sidecar.memory_per_connection, 20u * 1024);
  EXPECT_EQ(s.mtls.mode, MtlsMode::Auto);
  EXPECT_EQ(s.mtls.key, TlsKey::Rsa2048);
  EXPECT_TRUE(s.mtls.cost_profile.empty());
  ASSERT_EQ(s.network.zone_count, 1u);
  EXPECT_DOUBLE_EQ(s.network.between(0, 0).latency->mean(), 50e-6);
  EXPECT_EQ(s.network.between(0, 0).jitter, nullptr);
  EXPECT_EQ(s.network.between(0, 0).bandwidth_bps, 0);
  EXPECT_EQ(s.network.between(0, 0).loss, 0);

  const ServiceSpec& a = s.services[0];
  EXPECT_EQ(a.namespace_name, "default");
  EXPECT_EQ(a.service_account, "a");
  EXPECT_TRUE(a.has_sidecar);
  EXPECT_EQ(a.sidecar.workers, 2u);
  EXPECT_EQ(a.protocol, Protocol::Http1);
  EXPECT_TRUE(a.hold_worker_while_waiting);
  EXPECT_EQ(a.request_bytes, 1024u);
  EXPECT_EQ(a.response_bytes, 4096u);
  const VersionSpec& v1 = a.versions[0];
  EXPECT_EQ(v1.replicas, 1u);
  EXPECT_EQ(v1.replica_zone, std::vector<Index>{0});
  EXPECT_EQ(v1.concurrency, 8u);
  EXPECT_EQ(v1.queue_capacity, 1000u);
  EXPECT_EQ(v1.weight, 1u);
  EXPECT_EQ(v1.errors.probability, 0);
  EXPECT_EQ(v1.errors.status, 503);
  EXPECT_FALSE(v1.errors.load_dependent);
  EXPECT_DOUBLE_EQ(v1.service_time->mean(), 0.005);  // a bare duration is a constant

  const OperationSpec& op = v1.operations[0];
  EXPECT_EQ(op.match, PathMatch::Exact);
  EXPECT_EQ(op.method, "");
  EXPECT_EQ(op.service_time, nullptr);
  EXPECT_EQ(op.on_call_failure, OnCallFailure::Fail);
  const CallSpec& call = op.calls[0].calls[0];
  EXPECT_FALSE(op.calls[0].parallel);
  EXPECT_EQ(call.service, 1u);
  EXPECT_EQ(call.method, "GET");
  EXPECT_FALSE(call.timeout);
  EXPECT_EQ(call.retries, 0u);
  EXPECT_EQ(call.probability, 1.0);

  // No operations: one prefix "/" operation that serves every path.
  const OperationSpec& b_op = s.services[1].versions[0].operations.at(0);
  EXPECT_EQ(b_op.match, PathMatch::Prefix);
  EXPECT_EQ(b_op.path, "/");
  EXPECT_TRUE(b_op.calls.empty());
  EXPECT_EQ(call.operation, std::vector<Index>{0});

  EXPECT_EQ(s.workload.kind, WorkloadKind::Open);
  EXPECT_EQ(s.workload.arrivals, Arrivals::Poisson);
  ASSERT_EQ(s.workload.mix.size(), 1u);
  EXPECT_EQ(s.workload.mix[0].weight, 1.0);
  EXPECT_EQ(s.workload.mix[0].method, "GET");
  EXPECT_TRUE(s.faults.empty());
  EXPECT_TRUE(s.policies.empty());
}

TEST(ScenarioLoaderTest, ResolvesZonesLinksSidecarsAndParallelGroups) {
  const Scenario s = load(R"(name: t
duration: 1m
warmup: auto
seed: 42
profile: linkerd
zones: [zone-a, zone-b, zone-c]
links:
  default: {latency: 100us}
  pairs:
    - between: [zone-b, zone-a]
      latency: {constant: 1ms}
      jitter: {uniform: {min: 0, max: 100us}}
      bandwidth: 10Gbps
      loss: 0.001
sidecar: {workers: 4, memory_base: 1.5KiB, latency: {constant: 10us}}
mtls: {mode: strict, key: ecdsa-p256}
services:
  - name: a
    protocol: grpc
    sidecar_overrides: {workers: 1}
    request_bytes: 2KB
    versions:
      - {name: v1, replicas: 5, spread: [zone-c, zone-a], service_time: 1ms, weight: 3}
    operations:
      - prefix: /api
        method: POST
        service_time: {constant: 2ms}
        on_call_failure: continue
        calls:
          - parallel:
              - {call: b, path: /x, probability: 0.25}
              - {call: b, path: /y, timeout: 250ms, retries: 3}
  - name: b
    versions: [{name: v1, zone: zone-b, service_time: 1ms}, {name: v2, service_time: 1ms}]
    operations:
      - path: /x
      - prefix: /
workload:
  rate: 5
  mix:
    - {service: a, path: /api/z, method: POST, weight: 3, headers: {end-user: jason}}
    - {service: b, path: /x, weight: 1}
)");
  EXPECT_EQ(s.seed, 42u);
  EXPECT_TRUE(s.warmup_auto);
  EXPECT_EQ(s.profile, ProxyProfile::Linkerd);
  EXPECT_EQ(s.mtls.mode, MtlsMode::Strict);
  EXPECT_EQ(s.mtls.key, TlsKey::EcdsaP256);
  EXPECT_EQ(s.sidecar.workers, 4u);
  EXPECT_EQ(s.sidecar.memory_base, 1536u);
  const ServiceSpec& a = s.services[0];
  EXPECT_EQ(a.sidecar.workers, 1u);                 // overridden
  EXPECT_EQ(a.sidecar.memory_base, 1536u);          // inherited
  EXPECT_EQ(a.sidecar.latency, s.sidecar.latency);  // shared, not re-parsed
  EXPECT_EQ(a.protocol, Protocol::Grpc);
  EXPECT_EQ(a.request_bytes, 2000u);
  EXPECT_EQ(a.versions[0].replica_zone, (std::vector<Index>{2, 0, 2, 0, 2}));
  EXPECT_EQ(a.versions[0].weight, 3u);
  EXPECT_EQ(s.services[1].versions[0].replica_zone, std::vector<Index>{1});
  EXPECT_EQ(s.services[1].versions[1].replica_zone, std::vector<Index>{0});

  const LinkSpec& ab = s.network.between(0, 1);
  EXPECT_EQ(&s.network.between(1, 0).latency, &s.network.matrix[1 * 3 + 0].latency);
  EXPECT_DOUBLE_EQ(s.network.between(1, 0).latency->mean(), 1e-3);
  EXPECT_DOUBLE_EQ(ab.latency->mean(), 1e-3);
  EXPECT_DOUBLE_EQ(ab.jitter->mean(), 50e-6);
  EXPECT_DOUBLE_EQ(ab.bandwidth_bps, 1e10);
  EXPECT_DOUBLE_EQ(ab.loss, 0.001);
  EXPECT_DOUBLE_EQ(s.network.between(2, 2).latency->mean(), 100e-6);  // default
  ASSERT_EQ(s.network.pairs.size(), 1u);
  EXPECT_EQ(s.network.pairs[0].zone_a, 0u);
  EXPECT_EQ(s.network.pairs[0].zone_b, 1u);

  const OperationSpec& op = a.versions[0].operations[0];
  EXPECT_EQ(op.match, PathMatch::Prefix);
  EXPECT_EQ(op.method, "POST");
  EXPECT_DOUBLE_EQ(op.service_time->mean(), 2e-3);
  EXPECT_EQ(op.on_call_failure, OnCallFailure::Continue);
  ASSERT_EQ(op.calls.size(), 1u);
  EXPECT_TRUE(op.calls[0].parallel);
  ASSERT_EQ(op.calls[0].calls.size(), 2u);
  EXPECT_EQ(op.calls[0].calls[0].operation, (std::vector<Index>{0, 0}));  // path /x
  EXPECT_EQ(op.calls[0].calls[0].probability, 0.25);
  EXPECT_EQ(op.calls[0].calls[1].operation, (std::vector<Index>{1, 1}));  // prefix /
  EXPECT_EQ(op.calls[0].calls[1].timeout, core::Duration(250ms));
  EXPECT_EQ(op.calls[0].calls[1].retries, 3u);

  ASSERT_EQ(s.workload.mix.size(), 2u);
  EXPECT_DOUBLE_EQ(s.workload.mix[0].weight, 0.75);  // normalised
  EXPECT_DOUBLE_EQ(s.workload.mix[1].weight, 0.25);
  EXPECT_EQ(s.workload.mix[0].operation, std::vector<Index>{0});
  EXPECT_EQ(s.workload.mix[0].headers,
            (std::vector<std::pair<std::string, std::string>>{{"end-user", "jason"}}));
}

TEST(ScenarioLoaderTest, EveryDistributionForm) {
  const std::vector<std::pair<std::string, double>> cases = {
      {"7ms", 7e-3},
      {"{constant: 5ms}", 5e-3},
      {"{uniform: {min: 1ms, max: 3ms}}", 2e-3},
      {"{exponential: {mean: 5ms}}", 5e-3},
      {"{normal: {mean: 5s, stddev: 1ms}}", 5.0},
      {"{lognormal: {median: 5ms, p99: 5ms}}", 5e-3},
      {"{lognormal: {mean: 5ms, sigma: 0.5}}", 5e-3},
      {"{lognormal: {mean: 5ms, stddev: 1ms}}", 5e-3},
      {"{gamma: {shape: 2, mean: 5ms}}", 5e-3},
      {"{erlang: {k: 3, mean: 6ms}}", 6e-3},
      {"{weibull: {shape: 1, scale: 5ms}}", 5e-3},
      {"{pareto: {min: 1ms, alpha: 2}}", 2e-3},
      {"{percentiles: {p50: 10ms, max: 20ms}}", 10e-3},
      {"{mixture: [{weight: 3, constant: 1ms}, {weight: 1, constant: 5ms}]}", 2e-3},
  };
  for (const auto& [form, mean] : cases) {
    const Scenario s = load(replace(kMinimal, "service_time: 5ms", "service_time: " + form));
    EXPECT_NEAR(s.services[0].versions[0].service_time->mean(), mean, mean * 1e-9) << form;
  }
}

TEST(ScenarioLoaderTest, DistributionErrors) {
  EXPECT_ERROR(
      loadError(replace(kMinimal, "service_time: 5ms", "service_time: {expnential: {mean: 5ms}}")),
      5, 42, "services[0].versions[0].service_time.expnential",
      "unknown key (did you mean 'exponential'?)");
  EXPECT_ERROR(loadError(replace(kMinimal, "service_time: 5ms",
                                 "service_time: {constant: 1ms, exponential: {mean: 5ms}}")),
               5, 41, "services[0].versions[0].service_time", "exactly one kind");
  // A factory's rejection is reported at the parameters.
  EXPECT_ERROR(loadError(replace(kMinimal, "service_time: 5ms",
                                 "service_time: {uniform: {min: 3ms, max: 1ms}}")),
               5, 51, "services[0].versions[0].service_time.uniform",
               "invalid uniform distribution");
  EXPECT_ERROR(loadError(replace(kMinimal, "service_time: 5ms",
                                 "service_time: {lognormal: {median: 5ms, sigma: 1}}")),
               5, 53, "services[0].versions[0].service_time.lognormal", "takes p99");
  EXPECT_ERROR(loadError(replace(kMinimal, "service_time: 5ms", "service_time: 5")), 5, 41,
               "services[0].versions[0].service_time", "expected a duration");
  EXPECT_ERROR(loadError(replace(kMinimal, "service_time: 5ms",
                                 "service_time: {percentiles: {p50: 5ms, p9x: 6ms}}")),
               5, 71, "services[0].versions[0].service_time.percentiles.p9x", "pNN");
}

TEST(ScenarioLoaderTest, SizesAndBandwidths) {
  const Scenario s = load(replace(kMinimal, "  - name: b\n",
                                  "  - name: b\n    request_bytes: 1.5KiB\n    response_bytes: "
                                  "2MiB\n"));
  EXPECT_EQ(s.services[1].request_bytes, 1536u);
  EXPECT_EQ(s.services[1].response_bytes, 2u << 20);
  EXPECT_ERROR(
      loadError(replace(kMinimal, "  - name: b\n", "  - name: b\n    request_bytes: 3 parsecs\n")),
      10, 20, "services[1].request_bytes", "expected a quantity");
  EXPECT_ERROR(
      loadError(replace(kMinimal, "name: t\n", "name: t\nlinks: {default: {bandwidth: 10Gbit}}\n")),
      2, 30, "links.default.bandwidth", "expected a quantity such as 100Mbps");
}

// ---------------------------------------------------------------------------------------------
// Validation: one test per rule of the schema.

TEST(ScenarioLoaderTest, YamlSyntaxError) {
  const ConfigError e = loadError("name: t\nservices: [a, b\n");
  EXPECT_EQ(e.location().file, "test.yaml");
  EXPECT_NE(std::string(e.what()).find("YAML syntax error"), std::string::npos);
}

TEST(ScenarioLoaderTest, UnknownKeysSuggestTheNearestKey) {
  EXPECT_ERROR(loadError(replace(kMinimal, "duration: 10s", "duraton: 10s")), 2, 1, "duraton",
               "unknown key (did you mean 'duration'?)");
  EXPECT_ERROR(loadError(replace(kMinimal, "{name: v1, service_time: 5ms}",
                                 "{name: v1, replcas: 2, service_time: 5ms}")),
               5, 27, "services[0].versions[0].replcas", "did you mean 'replicas'?");
  EXPECT_ERROR(loadError(replace(kMinimal, "calls: [{call: b, path: /b}]",
                                 "calls: [{call: b, path: /b, retires: 2}]")),
               8, 37, "services[0].operations[0].calls[0].retires", "did you mean 'retries'?");
}

TEST(ScenarioLoaderTest, WrongTypes) {
  EXPECT_ERROR(loadError(replace(kMinimal, "{name: v1, service_time: 5ms}",
                                 "{name: v1, replicas: many, service_time: 5ms}")),
               5, 37, "services[0].versions[0].replicas", "expected an integer, got 'many'");
  EXPECT_ERROR(loadError(replace(kMinimal, "rate: 10", "rate: [10]")), 12, 9, "workload.rate",
               "expected a single value");
  EXPECT_ERROR(loadError(replace(kMinimal, "duration: 10s", "duration: 10")), 2, 11, "duration",
               "expected a duration");
  EXPECT_ERROR(loadError(replace(kMinimal, "services:\n", "mtls: {mode: strikt}\nservices:\n")), 3,
               14, "mtls.mode", "(did you mean 'strict'?)");
}

TEST(ScenarioLoaderTest, RatesDurationsReplicasAndConcurrencyMustBePositive) {
  EXPECT_ERROR(loadError(replace(kMinimal, "rate: 10", "rate: 0")), 12, 9, "workload.rate",
               "must be greater than 0");
  EXPECT_ERROR(loadError(replace(kMinimal, "rate: 10", "rate: -3")), 12, 9, "workload.rate",
               "must be greater than 0, got -3");
  EXPECT_ERROR(loadError(replace(kMinimal, "duration: 10s", "duration: 0s")), 2, 11, "duration",
               "must be greater than 0");
  EXPECT_ERROR(loadError(replace(kMinimal, "{name: v1, service_time: 5ms}",
                                 "{name: v1, replicas: 0, service_time: 5ms}")),
               5, 37, "services[0].versions[0].replicas", "must be at least 1, got 0");
  EXPECT_ERROR(loadError(replace(kMinimal, "{name: v1, service_time: 5ms}",
                                 "{name: v1, concurrency: 0, service_time: 5ms}")),
               5, 40, "services[0].versions[0].concurrency", "must be at least 1");
  EXPECT_ERROR(
      loadError(replace(kMinimal, "{call: b, path: /b}", "{call: b, path: /b, timeout: 0s}")), 8,
      46, "services[0].operations[0].calls[0].timeout", "must be greater than 0");
}

TEST(ScenarioLoaderTest, ProbabilitiesMustBeWithinZeroAndOne) {
  EXPECT_ERROR(
      loadError(replace(kMinimal, "{call: b, path: /b}", "{call: b, path: /b, probability: 1.5}")),
      8, 50, "services[0].operations[0].calls[0].probability",
      "a probability must be within [0, 1], got 1.5");
  EXPECT_ERROR(loadError(replace(kMinimal, "{name: v1, service_time: {exponential: {mean: 2ms}}}",
                                 "{name: v1, service_time: 1ms, errors: {probability: 2}}")),
               10, 68, "services[1].versions[0].errors.probability", "within [0, 1]");
  EXPECT_ERROR(loadError(std::string(kMinimal) +
                         "faults: [{at: 1s, kind: error_rate, service: b, probability: 1.01}]\n"),
               14, 62, "faults[0].probability", "within [0, 1]");
}

TEST(ScenarioLoaderTest, UnknownReferencesSuggestNames) {
  EXPECT_ERROR(loadError(replace(kMinimal, "{call: b, path: /b}", "{call: bb, path: /b}")), 8, 24,
               "services[0].operations[0].calls[0].call", "unknown service 'bb'");
  const std::string two =
      replace(replace(kMinimal, "- name: b", "- name: ratings"), "call: b,", "call: ratings,");
  EXPECT_ERROR(loadError(replace(two, "call: ratings,", "call: ratngs,")), 8, 24,
               "services[0].operations[0].calls[0].call",
               "unknown service 'ratngs' (did you mean 'ratings'?)");
  EXPECT_ERROR(loadError(replace(kMinimal, "mix: [{service: a", "mix: [{service: c")), 13, 19,
               "workload.mix[0].service", "unknown service 'c'");
  EXPECT_ERROR(loadError(std::string(kMinimal) +
                         "faults: [{at: 1s, kind: crash, service: b, version: v2}]\n"),
               14, 53, "faults[0].version", "unknown version of 'b': 'v2'");
  EXPECT_ERROR(loadError(replace(kMinimal, "{name: v1, service_time: 5ms}",
                                 "{name: v1, zone: zone-b, service_time: 5ms}")),
               5, 33, "services[0].versions[0].zone", "unknown zone 'zone-b'");
  EXPECT_ERROR(loadError(std::string(kMinimal) +
                         "faults: [{at: 1s, kind: partition, zones: [default, defualt]}]\n"),
               14, 53, "faults[0].zones[1]", "unknown zone 'defualt' (did you mean 'default'?)");
  // A path no operation of the callee serves.
  EXPECT_ERROR(loadError(replace(kMinimal, "service: a, path: /a", "service: a, path: /b")), 13, 28,
               "workload.mix[0].path", "no operation of 'a' (version v1) matches GET /b");
}

TEST(ScenarioLoaderTest, EveryVersionMustServeACall) {
  const std::string text = replace(
      kMinimal, "versions: [{name: v1, service_time: {exponential: {mean: 2ms}}}]",
      "versions:\n      - {name: v1, service_time: 1ms}\n      - {name: v2, service_time: 1ms, "
      "operations: [{path: /other}]}");
  EXPECT_ERROR(loadError(text), 8, 33, "services[0].operations[0].calls[0].path",
               "no operation of 'b' (version v2) matches GET /b; its operations: path /other");
}

TEST(ScenarioLoaderTest, MixWeightsAllZero) {
  EXPECT_ERROR(
      loadError(replace(kMinimal, "{service: a, path: /a}", "{service: a, path: /a, weight: 0}")),
      13, 8, "workload.mix", "all mix weights are zero");
}

TEST(ScenarioLoaderTest, DuplicateNames) {
  EXPECT_ERROR(loadError(replace(kMinimal, "- name: b", "- name: a")), 9, 11, "services[1].name",
               "duplicate service 'a' (first defined on line 4)");
  EXPECT_ERROR(loadError(replace(kMinimal, "versions: [{name: v1, service_time: 5ms}]",
                                 "versions: [{name: v1, service_time: 5ms}, {name: v1, "
                                 "service_time: 5ms}]")),
               5, 54, "services[0].versions[1].name", "duplicate version 'v1'");
  EXPECT_ERROR(loadError(replace(kMinimal, "services:\n", "zones: [z, y, z]\nservices:\n")), 3, 15,
               "zones[2]", "duplicate zone 'z'");
  EXPECT_ERROR(
      loadError(replace(kMinimal, "      - path: /a\n", "      - path: /a\n      - path: /a\n")), 8,
      9, "services[0].operations[1]", "duplicate operation");
}

TEST(ScenarioLoaderTest, UnboundedCallCycleIsReportedWithItsPath) {
  const std::string text =
      replace(kMinimal, "versions: [{name: v1, service_time: {exponential: {mean: 2ms}}}]",
              "versions: [{name: v1, service_time: 1ms}]\n    operations:\n      - prefix: /\n"
              "        calls: [{call: a, path: /a}]");
  EXPECT_ERROR(loadError(text), 13, 17, "services[1].operations[0].calls[0]",
               "unbounded call cycle: a -> b -> a (reachable from workload entry point a)");
}

TEST(ScenarioLoaderTest, CallsToAnotherOperationOfTheSameServiceAreNoCycle) {
  const std::string text =
      replace(kMinimal, "        calls: [{call: b, path: /b}]",
              "        calls: [{call: a, path: /leaf}, {call: b, path: /b}]\n      - path: /leaf");
  EXPECT_NO_THROW(load(text));
  EXPECT_ERROR(loadError(replace(text, "- path: /leaf",
                                 "- path: /leaf\n        calls: [{call: "
                                 "a, path: /a}]")),
               10, 17, "services[0].operations[1].calls[0]",
               "unbounded call cycle: a /a -> a /leaf -> a /a");
}

TEST(ScenarioLoaderTest, PolicyAndManifestFilesResolveAgainstTheScenarioDirectory) {
  TempDir dir;
  dir.write("istio/rules.yaml", "kind: DestinationRule\n---\nkind: VirtualService\n");
  dir.write("canary.yaml", "kind: VirtualService\n");
  const std::string scenario = dir.write(
      "sub/../s.yaml", std::string(kMinimal) +
                           "policies:\n  - file: istio/rules.yaml\n  - inline: {kind: Sidecar}\n"
                           "faults: [{at: 1s, kind: traffic_split, manifest: canary.yaml}]\n");
  Warnings warnings;
  const Scenario s = loadScenario(scenario, {}, warnings);
  ASSERT_EQ(s.policies.size(), 2u);
  EXPECT_EQ(s.policies[0].documents.size(), 2u);
  EXPECT_EQ(s.policies[0].documents[1].require("kind").asString(), "VirtualService");
  EXPECT_TRUE(s.policies[1].is_inline);
  EXPECT_EQ(s.policies[1].documents[0].require("kind").asString(), "Sidecar");
  ASSERT_EQ(s.faults.size(), 1u);
  const auto& split = std::get<TrafficSplitFault>(s.faults[0].action);
  EXPECT_EQ(split.manifest.documents.size(), 1u);
  EXPECT_EQ(faultKindName(s.faults[0].action), "traffic_split");

  const std::string missing =
      dir.write("m.yaml", std::string(kMinimal) + "policies:\n  - file: istio/rulez.yaml\n");
  try {
    loadScenario(missing, {}, warnings);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.location().file, missing);
    EXPECT_EQ(e.location().line, 15);
    EXPECT_EQ(e.key(), "policies[0].file");
    EXPECT_NE(std::string(e.what()).find("policy file not found"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("istio/rulez.yaml"), std::string::npos);
  }
}

// ---------------------------------------------------------------------------------------------
// Faults and workloads

TEST(ScenarioLoaderTest, EveryFaultKind) {
  const std::string text =
      replace(kMinimal, "versions: [{name: v1, service_time: {exponential: {mean: 2ms}}}]",
              "versions: [{name: v1, replicas: 2, service_time: 1ms}, "
              "{name: v2, replicas: 3, service_time: 1ms}]") +
      R"(faults:
  - {at: 1s, until: 2s, kind: error_rate, service: b, version: v2, probability: 0.5}
  - {at: 1s, kind: latency, service: b, add: {constant: 2s}}
  - {at: 2s, kind: crash, service: b, replica: 3}
  - {at: 2s, kind: slow_replica, service: b, version: v1, replica: 1, factor: 5}
  - {at: 3s, kind: partition, zones: [default, default]}
  - {at: 3s, kind: link_loss, zones: [default, default], loss: 0.1}
)";
  const Scenario s = load(text);
  ASSERT_EQ(s.faults.size(), 6u);
  const auto& error = std::get<ErrorRateFault>(s.faults[0].action);
  EXPECT_EQ(s.faults[0].until, core::Duration(2s));
  EXPECT_EQ(error.target.service, 1u);
  EXPECT_EQ(error.target.version, 1u);
  EXPECT_EQ(error.target.replica, kAll);
  EXPECT_EQ(error.probability, 0.5);
  EXPECT_EQ(error.status, 503);
  const auto& latency = std::get<LatencyFault>(s.faults[1].action);
  EXPECT_EQ(latency.target.version, kAll);
  EXPECT_DOUBLE_EQ(latency.add->mean(), 2.0);
  EXPECT_FALSE(s.faults[1].until);
  // Replica 3 counted across versions: v1 has 0..1, so it is v2's replica 1.
  const auto& crash = std::get<CrashFault>(s.faults[2].action);
  EXPECT_EQ(crash.target.version, 1u);
  EXPECT_EQ(crash.target.replica, 1u);
  const auto& slow = std::get<SlowReplicaFault>(s.faults[3].action);
  EXPECT_EQ(slow.target.version, 0u);
  EXPECT_EQ(slow.target.replica, 1u);
  EXPECT_EQ(slow.factor, 5);
  EXPECT_EQ(std::get<PartitionFault>(s.faults[4].action).zone_a, 0u);
  EXPECT_DOUBLE_EQ(std::get<LinkLossFault>(s.faults[5].action).loss, 0.1);

  EXPECT_ERROR(loadError(replace(text, "replica: 3}", "replica: 5}")), 17, 48, "faults[2].replica",
               "replica 5 does not exist (5 replicas");
  EXPECT_ERROR(loadError(replace(text, "until: 2s", "until: 1s")), 15, 21, "faults[0].until",
               "`until` must be later than `at`");
  EXPECT_ERROR(loadError(replace(text, "kind: crash", "kind: crahs")), 17, 20, "faults[2].kind",
               "(did you mean 'crash'?)");
  EXPECT_ERROR(loadError(replace(text, "factor: 5", "factro: 5")), 18, 71, "faults[3].factro",
               "did you mean 'factor'");
}

TEST(ScenarioLoaderTest, WorkloadVariants) {
  Scenario s = load(replace(kMinimal, "  rate: 10\n",
                            "  arrivals: bursty\n  bursty: {on: 2s, off: 8s, on_rate: 500, "
                            "off_rate: 20}\n"));
  EXPECT_EQ(s.workload.arrivals, Arrivals::Bursty);
  EXPECT_EQ(s.workload.bursty.on, core::Duration(2s));
  EXPECT_EQ(s.workload.bursty.off, core::Duration(8s));
  EXPECT_EQ(s.workload.bursty.on_rate, 500);
  EXPECT_EQ(s.workload.bursty.off_rate, 20);

  s = load(
      replace(kMinimal, "  rate: 10\n",
              "  arrivals: schedule\n  schedule: [{at: 0s, rate: 100}, {at: 60s, rate: 400}]\n"));
  ASSERT_EQ(s.workload.schedule.size(), 2u);
  EXPECT_EQ(s.workload.schedule[1].at, core::Duration(60s));
  EXPECT_EQ(s.workload.schedule[1].rate, 400);
  EXPECT_ERROR(loadError(replace(kMinimal, "  rate: 10\n",
                                 "  arrivals: schedule\n  schedule: [{at: 0s, rate: 1}, {at: 0s, "
                                 "rate: 4}]\n")),
               13, 38, "workload.schedule[1].at", "increasing");

  Warnings warnings;
  s = loadScenarioFromString(replace(kMinimal, "  rate: 10\n",
                                     "  kind: closed\n  users: 50\n  think_time: {exponential: "
                                     "{mean: 1s}}\n  rate: 7\n"),
                             "test.yaml", {}, warnings);
  EXPECT_EQ(s.workload.kind, WorkloadKind::Closed);
  EXPECT_EQ(s.workload.users, 50u);
  EXPECT_DOUBLE_EQ(s.workload.think_time->mean(), 1.0);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].key, "workload.rate");
  EXPECT_EQ(warnings[0].location.line, 15);
  EXPECT_NE(warnings[0].message.find("ignored"), std::string::npos);

  EXPECT_ERROR(loadError(replace(kMinimal, "  rate: 10\n", "  kind: closed\n")), 12, 3,
               "workload.users", "required key is missing");
}

TEST(ScenarioLoaderTest, FaultAfterTheEndWithAutomaticWarmup) {
  // warmup: auto deletes at most half the pilot (duration = 10 s), so the run ends by 15 s: a
  // fault at 12 s may still matter, one at 15 s never does.
  const auto warnings = [](const char* at) {
    Warnings out;
    loadScenarioFromString(std::string("warmup: auto\n") + kMinimal + "faults:\n  - {at: " + at +
                               ", kind: error_rate, service: b, probability: 0.5}\n",
                           "test.yaml", {}, out);
    return out;
  };
  EXPECT_TRUE(warnings("12s").empty());
  const Warnings late = warnings("15s");
  ASSERT_EQ(late.size(), 1u);
  EXPECT_NE(late[0].message.find("latest possible end"), std::string::npos) << late[0].message;
  // Neither a duration nor auto: the message offers both.
  EXPECT_ERROR(loadError(std::string("warmup: sometimes\n") + kMinimal), 1, 9, "warmup",
               "or `auto`");
  // A fixed warm-up: the end is warm-up + duration exactly.
  Warnings fixed;
  loadScenarioFromString(
      std::string("warmup: 1s\n") + kMinimal +
          "faults:\n  - {at: 11s, kind: error_rate, service: b, probability: 0.5}\n",
      "test.yaml", {}, fixed);
  ASSERT_EQ(fixed.size(), 1u);
  EXPECT_NE(fixed[0].message.find("after the run ends"), std::string::npos);
}

TEST(ScenarioLoaderTest, WarningsForThingsWithoutEffect) {
  Warnings warnings;
  loadScenarioFromString(
      replace(kMinimal, "  - name: b\n",
              "  - name: lonely\n    versions: [{name: v1, service_time: 1ms}]\n"
              "  - name: b\n    sidecar: false\n    sidecar_overrides: {workers: 1}\n"),
      "test.yaml", {}, warnings);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].key, "services[2].sidecar_overrides");
  EXPECT_EQ(warnings[1].key, "services[1]");
  EXPECT_NE(warnings[1].message.find("'lonely' receives no traffic"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// --set

TEST(ScenarioLoaderTest, SetOverridesApplyBeforeValidation) {
  const std::string text = std::string(kMinimal) +
                           "faults: [{at: 1s, kind: error_rate, service: b, probability: 0.5}]\n";
  const Scenario s =
      load(text, {"workload.rate=200", "services[b].versions[v1].replicas=3",
                  "faults[0].probability=0.3", "seed=7", "mtls.mode=strict",
                  "services[0].versions[0].service_time={exponential: {mean: 9ms}}"});
  EXPECT_DOUBLE_EQ(s.workload.rate, 200);
  EXPECT_EQ(s.services[1].versions[0].replicas, 3u);
  EXPECT_DOUBLE_EQ(std::get<ErrorRateFault>(s.faults[0].action).probability, 0.3);
  EXPECT_EQ(s.seed, 7u);                     // absent from the file
  EXPECT_EQ(s.mtls.mode, MtlsMode::Strict);  // a whole section absent from the file
  EXPECT_DOUBLE_EQ(s.services[0].versions[0].service_time->mean(), 9e-3);
}

TEST(ScenarioLoaderTest, SetErrorsPointIntoTheArgument) {
  // An unknown key, added by the override, fails validation with a suggestion.
  ConfigError e = loadError(kMinimal, {"workload.rat=5"});
  EXPECT_ERROR(e, 1, 10, "workload.rat", "unknown key (did you mean 'rate'?)");
  EXPECT_EQ(e.location().file, "--set");
  EXPECT_EQ(std::string(e.what()),
            "--set:1:10: error: key 'workload.rat': unknown key (did you mean 'rate'?)");
  EXPECT_ERROR(loadError(kMinimal, {"sidecr.workers=4"}), 1, 1, "sidecr",
               "did you mean 'sidecar'?");
  // A list element by a name that does not exist.
  e = loadError(kMinimal, {"services[bb].versions[v1].replicas=3"});
  EXPECT_EQ(e.location().file, "--set");
  EXPECT_ERROR(e, 1, 10, "services[bb].versions[v1].replicas",
               "no element named 'bb' (did you mean 'b'?)");
  EXPECT_ERROR(loadError(kMinimal, {"services[7].name=x"}), 1, 10, "services[7].name",
               "index 7 is out of range");
  EXPECT_ERROR(loadError(kMinimal, {"servics[a].name=x"}), 1, 1, "servics[a].name",
               "did you mean 'services'?");
  EXPECT_ERROR(loadError(kMinimal, {"workload.rate"}), 1, 1, "workload.rate", "key=value");
  // Values: wrong type and invalid value, at the value's column.
  e = loadError(kMinimal, {"workload.rate=abc"});
  EXPECT_EQ(e.location().file, "--set");
  EXPECT_ERROR(e, 1, 15, "workload.rate", "expected a number, got 'abc'");
  EXPECT_ERROR(loadError(kMinimal, {"seed=abc"}), 1, 6, "seed", "expected an integer");  // new key
  EXPECT_ERROR(loadError(kMinimal, {"seed=1", "workload.rate=-5"}), 1, 15, "workload.rate",
               "must be greater than 0");
  e = loadError(kMinimal,
                {"services[a].versions[v1].service_time={uniform: {min: 2ms, max: 1ms}}"});
  EXPECT_EQ(e.location().file, "--set");
  EXPECT_ERROR(e, 1, 49, "services[0].versions[0].service_time.uniform", "invalid uniform");
  e = loadError(kMinimal, {"workload.rate={"});
  EXPECT_EQ(e.location().file, "--set");
  EXPECT_NE(std::string(e.what()).find("YAML syntax error"), std::string::npos);
}

// Malformed input of every shape is a ConfigError, never another exception or a crash.
TEST(ScenarioLoaderTest, MalformedInputIsAlwaysAConfigError) {
  const std::vector<std::string> texts = {
      "",
      "- a\n- b\n",
      "name: t\n---\nname: u\n",
      replace(kMinimal, "services:\n", "services: {a: 1}\nx:\n"),
      replace(kMinimal, "  - name: a\n", "  - a\n  - name: a\n"),
      replace(kMinimal, "name: t", "name: [t]"),
      replace(kMinimal, "name: t", "name: T_1"),
      replace(kMinimal, "calls: [{call: b, path: /b}]", "calls: [b]"),
      replace(kMinimal, "calls: [{call: b, path: /b}]", "calls: [{parallel: []}]"),
      replace(kMinimal, "calls: [{call: b, path: /b}]", "calls: [{parallel: [b], call: b}]"),
      replace(kMinimal, "mix: [{service: a, path: /a}]", "mix: []"),
      replace(kMinimal, "mix: [{service: a, path: /a}]", "mix: [a]"),
      replace(kMinimal, "service_time: 5ms", "service_time: {percentiles: {p: 1ms}}"),
      replace(kMinimal, "service_time: 5ms", "service_time: {mixture: [{weight: 1}]}"),
      replace(kMinimal, "service_time: 5ms", "service_time: {erlang: {k: 0, mean: 1ms}}"),
      replace(kMinimal, "service_time: 5ms", "service_time: {gamma: {shape: 0, mean: 1ms}}"),
      replace(kMinimal, "service_time: 5ms", "service_time: []"),
      replace(kMinimal, "- path: /a", "- path: a"),
      replace(kMinimal, "- path: /a", "- {path: /a, prefix: /}"),
      std::string(kMinimal) + "faults: [x]\n",
      std::string(kMinimal) + "faults: [{at: 1s, kind: partition, zones: [default]}]\n",
      std::string(kMinimal) + "faults: [{at: 1s, kind: crash, service: b, replica: -1}]\n",
      std::string(kMinimal) + "policies: [{file: a.yaml, inline: {kind: X}}]\n",
      std::string(kMinimal) + "policies: [{inline: \"\"}]\n",
      std::string(kMinimal) +
          "links: {pairs: [{between: [default, default]}, {between: "
          "[default, default]}]}\n",
      std::string(kMinimal) + "links: {default: {loss: 1}}\n",
  };
  for (const std::string& text : texts) {
    Warnings warnings;
    EXPECT_THROW(loadScenarioFromString(text, "test.yaml", {}, warnings), ConfigError) << text;
  }
  for (const char* set : {"services[99999999999999999999].name=x", "services[].name=x", "=1",
                          "workload..rate=1", "services[a]x=1", "name.sub=x", "services.name=x"}) {
    Warnings warnings;
    EXPECT_THROW(loadScenarioFromString(kMinimal, "test.yaml", {std::string(set)}, warnings),
                 ConfigError)
        << set;
  }
}

}  // namespace
}  // namespace meshsim::sim
