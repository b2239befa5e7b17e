#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/yaml_node.h"
#include "core/common/time.h"
#include "core/policy/proxy_profile.h"
#include "core/retry/istio_retry.h"
#include "sim/experiment/replications.h"
#include "sim/live/lesson_catalog.h"

namespace meshsim::sim {

// Policy knobs over a scenario's YAML, so the GUI changes a scenario without anyone editing YAML
// by hand. The editor holds the scenario document with every `policies` manifest inlined (one
// `inline` mapping per manifest), changes keys of the scenario and of its Istio VirtualServices
// and DestinationRules, and hands the result back to the normal loader (load()) so that a bad
// value is reported like any other (file:line:column and key). save() writes YAML that
// `meshsim run` accepts.
//
// The knobs read the policy the sidecars apply, not just the YAML: where a manifest leaves a
// setting out, the scenario's profile's default (what ProxyConfigurationBuilder configures), and
// origin() says which of the two it is.

struct RetryKnob {
  std::int64_t attempts = 0;          // VirtualService retries.attempts; 0 = no retries
  core::Duration per_try_timeout{0};  // 0 = none
  // Istio's list when `retryOn` is absent (proxy-semantics §1.9).
  std::string retry_on = std::string(core::kIstioDefaultRetryOn);

  bool operator==(const RetryKnob&) const = default;
};

struct OutlierKnob {
  bool enabled = false;
  std::int64_t consecutive_5xx = 5;
  core::Duration interval = std::chrono::seconds(10);
  core::Duration base_ejection_time = std::chrono::seconds(30);
  std::int64_t max_ejection_percent = 10;

  bool operator==(const OutlierKnob&) const = default;
};

// DestinationRule connectionPool limits (circuit breakers); 0 = not set (Istio's unlimited).
struct PoolKnob {
  std::int64_t max_connections = 0;
  std::int64_t max_pending_requests = 0;
  std::int64_t max_requests = 0;
  std::int64_t max_retries = 0;

  bool operator==(const PoolKnob&) const = default;
};

// VirtualService fault injection on every route of the service; 0 % = off.
struct FaultKnob {
  double abort_percent = 0;
  std::int64_t abort_status = 503;
  double delay_percent = 0;
  core::Duration delay = std::chrono::seconds(1);

  bool operator==(const FaultKnob&) const = default;
};

// Scenario `faults:` entries of kind error_rate, one per replica 0..replicas-1 of `version`. The
// replicas' own application fails, so the caller's sidecar sees upstream 5xx that it retries and
// that outlier detection counts, unlike FaultKnob's, which the caller's sidecar makes itself.
struct FailingReplicaKnob {
  std::string version;         // empty = the service's first version
  std::uint32_t replicas = 1;  // how many of the version's replicas fail
  double percent = 0;          // share of their requests that fail; 0 = off
  std::int64_t status = 503;
  core::Duration at{0};     // from the start of the run, warm-up included
  core::Duration until{0};  // 0 = to the end of the run

  bool operator==(const FailingReplicaKnob&) const = default;
};

// A scenario as ScenarioEditor::text() wrote it, loaded and imported as ScenarioEditor::load()
// does (relative paths resolved against `path`, the original file): the GUI keeps each run's text
// to rerun it (the A/B replications).
std::unique_ptr<Variant> loadEditedVariant(const std::string& text, const std::string& path,
                                           config::Warnings& warnings);

// Go-style duration as Istio and the scenario files write it ("2s", "250ms", "100us").
std::string formatDuration(core::Duration duration);

class ScenarioEditor {
 public:
  // Loads and validates `path` (errors name the original file:line:column) and inlines its
  // policy files. Throws config::ConfigError.
  static ScenarioEditor open(const std::string& path);

  const std::string& path() const { return path_; }
  // The edited scenario, loaded and imported; throws config::ConfigError naming "<path> (edited)".
  std::unique_ptr<Variant> load(config::Warnings& warnings) const;
  // The edited scenario as YAML (relative paths still relative to the original file).
  std::string text() const;
  // Writes the edited scenario to `path`, with manifest and cost profile paths made relative to
  // its directory. Throws std::runtime_error when the file cannot be written.
  void save(const std::string& path) const;

  // Scenario knobs.
  double load() const;  // workload.rate, or workload.users for a closed workload
  void setLoad(double value);
  std::uint32_t replicas(const std::string& service, const std::string& version) const;
  void setReplicas(const std::string& service, const std::string& version, std::uint32_t replicas);

  // The scenario's `profile` (istio when absent). Only Istio sidecars apply the VirtualServices
  // and DestinationRules the knobs below write; under the other profiles those knobs read the
  // profile's defaults.
  core::ProxyProfile profile() const;
  // Where the value a knob reads for the service comes from: the manifest that sets it
  // ("VirtualService reviews", "DestinationRule payment") or the default in force ("Istio default
  // (no VirtualService for details)"). Load and replicas come from the scenario itself.
  std::string origin(KnobKind kind, const std::string& service) const;

  // Istio knobs, per destination service. Setting one creates the VirtualService or
  // DestinationRule when the scenario has none for that host.
  // Without `retries` in the service's route, Istio's default policy: 2 attempts on
  // kIstioDefaultRetryOn. Setting writes an explicit `retries` (attempts 0 disables them).
  RetryKnob retries(const std::string& service) const;
  void setRetries(const std::string& service, const RetryKnob& knob);
  core::Duration timeout(const std::string& service) const;  // 0 = none (Istio's default)
  void setTimeout(const std::string& service, core::Duration timeout);
  OutlierKnob outlierDetection(const std::string& service) const;
  void setOutlierDetection(const std::string& service, const OutlierKnob& knob);
  PoolKnob connectionPool(const std::string& service) const;
  void setConnectionPool(const std::string& service, const PoolKnob& knob);
  FaultKnob faultInjection(const std::string& service) const;
  void setFaultInjection(const std::string& service, const FaultKnob& knob);
  // The failing replicas this editor added for the service; with none, the knob is off (0 %) with
  // the first version and a start at the end of the warm-up (the start of the measurement).
  FailingReplicaKnob failingReplicas(const std::string& service) const;
  // Replaces the entries this editor added for the service (never the scenario's own faults);
  // 0 % removes them.
  void setFailingReplicas(const std::string& service, const FailingReplicaKnob& knob);
  // Weight per version (subset) of the service's default route; versions absent get 0. Without
  // weighted subsets every endpoint of the service takes a share: versions by replicas x weight.
  std::vector<std::pair<std::string, std::int64_t>> trafficSplit(const std::string& service) const;
  void setTrafficSplit(const std::string& service,
                       const std::vector<std::pair<std::string, std::int64_t>>& weights);

 private:
  ScenarioEditor(std::string path, YAML::Node root);
  // Indices in `faults` of the entries setFailingReplicas() wrote for the service.
  std::vector<std::size_t> addedFailures(const std::string& service) const;
  YAML::Node service(const std::string& name) const;
  // The manifest (inline mapping) of `kind` for `host`, or an undefined node.
  YAML::Node manifest(std::string_view kind, const std::string& host) const;
  // `key` of the first HTTP route of the service's VirtualService, when an Istio sidecar applies
  // it; else an undefined node.
  YAML::Node routeSetting(const std::string& host, const std::string& key) const;
  // `key` of the trafficPolicy of the service's DestinationRule, likewise.
  YAML::Node trafficPolicySetting(const std::string& host, const std::string& key) const;
  // The share of each version when a route spreads over every endpoint of the service.
  std::vector<double> endpointShares(const std::string& host) const;
  // The destinations of the service's default (last) route when one names a subset, when an
  // Istio sidecar applies them; else an undefined node.
  YAML::Node subsetDestinations(const std::string& host) const;
  YAML::Node requireVirtualService(const std::string& host);
  YAML::Node requireDestinationRule(const std::string& host);

  std::string path_;
  YAML::Node root_;
  // The scenario's own faults come first; the knobs' entries are appended after them.
  std::size_t own_faults_ = 0;
};

}  // namespace meshsim::sim
