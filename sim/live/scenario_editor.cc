#include "sim/live/scenario_editor.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <stdexcept>

#include "core/policy/cluster_policy.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario_loader.h"

namespace meshsim::sim {
namespace {

namespace fs = std::filesystem;

// Lookups through a const node never insert keys (operator[] on a non-const node would).
YAML::Node at(const YAML::Node& node, const std::string& key) {
  if (!node.IsDefined() || !node.IsMap()) {
    return YAML::Node(YAML::NodeType::Undefined);
  }
  const YAML::Node& view = node;
  return view[key];
}

template <class T>
T scalarOr(const YAML::Node& node, T fallback) {
  return node.IsDefined() && node.IsScalar() ? node.as<T>(fallback) : fallback;
}

core::Duration durationOr(const YAML::Node& node, core::Duration fallback) {
  if (!node.IsDefined() || !node.IsScalar()) {
    return fallback;
  }
  return config::parseDuration(node.Scalar()).value_or(fallback);
}

bool hostMatches(const std::string& host, const std::string& service) {
  return host == service || host.rfind(service + ".", 0) == 0;
}

// Writes or removes (value 0) a key of a mapping.
void setOrRemove(YAML::Node map, const std::string& key, std::int64_t value) {
  if (value > 0) {
    map[key] = value;
  } else if (map.IsMap()) {
    map.remove(key);
  }
}

void removeIfEmpty(YAML::Node map, const std::string& key) {
  const YAML::Node child = at(map, key);
  if (child.IsDefined() && (child.IsNull() || (child.IsMap() && child.size() == 0))) {
    map.remove(key);
  }
}

std::vector<YAML::Node> httpRoutes(const YAML::Node& virtual_service) {
  std::vector<YAML::Node> routes;
  const YAML::Node http = at(at(virtual_service, "spec"), "http");
  if (http.IsDefined() && http.IsSequence()) {
    for (std::size_t i = 0; i < http.size(); ++i) {
      routes.push_back(http[i]);
    }
  }
  return routes;
}

// Moves a path that was relative to `from` so that it stays valid relative to `to`.
std::string rebase(const std::string& path, const fs::path& from, const fs::path& to) {
  if (path.empty() || fs::path(path).is_absolute()) {
    return path;
  }
  const fs::path target = fs::weakly_canonical(fs::absolute(from / path));
  return fs::relative(target, fs::weakly_canonical(fs::absolute(to))).generic_string();
}

// "Istio default", "Envoy default", "Linkerd default".
std::string defaultOf(core::ProxyProfile profile) {
  std::string name(core::profileName(profile));
  name.front() = static_cast<char>(name.front() - 'a' + 'A');
  return name + " default";
}

std::string manifestName(std::string_view kind, const YAML::Node& manifest) {
  return std::string(kind) + " " +
         scalarOr<std::string>(at(at(manifest, "metadata"), "name"), "(unnamed)");
}

// Istio's 2^32-1 means no limit, which the knob shows as 0.
std::int64_t limitOf(std::uint64_t threshold) {
  return threshold >= core::CircuitBreakerThresholds::kIstioUnlimited
             ? 0
             : static_cast<std::int64_t>(threshold);
}

// Integer percentages that add up to the rounded total (largest remainder; ties to the first).
std::vector<std::int64_t> roundShares(const std::vector<double>& shares) {
  std::vector<std::int64_t> out;
  double total = 0;
  for (const double share : shares) {
    out.push_back(static_cast<std::int64_t>(std::floor(share + 1e-9)));
    total += share;
  }
  std::int64_t missing = std::llround(total) - std::accumulate(out.begin(), out.end(), 0LL);
  std::vector<std::size_t> order(shares.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return shares[a] - static_cast<double>(out[a]) > shares[b] - static_cast<double>(out[b]);
  });
  for (std::size_t i = 0; missing > 0 && i < order.size(); ++i, --missing) {
    ++out[order[i]];
  }
  return out;
}

std::string directoryOf(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

}  // namespace

std::string formatDuration(core::Duration duration) {
  using std::chrono::duration_cast;
  const auto ns = duration.count();
  if (ns == 0) {
    return "0";
  }
  if (ns % 1'000'000'000 == 0) {
    return std::to_string(ns / 1'000'000'000) + "s";
  }
  if (ns % 1'000'000 == 0) {
    return std::to_string(ns / 1'000'000) + "ms";
  }
  if (ns % 1'000 == 0) {
    return std::to_string(ns / 1'000) + "us";
  }
  return std::to_string(ns) + "ns";
}

ScenarioEditor::ScenarioEditor(std::string path, YAML::Node root)
    : path_(std::move(path)), root_(std::move(root)) {
  const YAML::Node faults = at(root_, "faults");
  own_faults_ = faults.IsDefined() && faults.IsSequence() ? faults.size() : 0;
}

ScenarioEditor ScenarioEditor::open(const std::string& path) {
  config::Warnings warnings;
  // Validates with the original file's positions before anything is rewritten.
  loadVariant(path, {}, warnings);
  const std::vector<config::Node> documents = config::loadDocuments(path);
  YAML::Node root = YAML::Clone(documents.at(0).yaml());
  const YAML::Node policies = at(root, "policies");
  if (policies.IsDefined() && policies.IsSequence()) {
    YAML::Node inlined(YAML::NodeType::Sequence);
    for (std::size_t i = 0; i < policies.size(); ++i) {
      const YAML::Node entry = policies[i];
      std::vector<YAML::Node> manifests;
      if (const YAML::Node file = at(entry, "file"); file.IsDefined()) {
        for (const config::Node& doc :
             config::loadDocuments((fs::path(directoryOf(path)) / file.Scalar()).string())) {
          manifests.push_back(YAML::Clone(doc.yaml()));
        }
      } else if (const YAML::Node text = at(entry, "inline"); text.IsScalar()) {
        for (const config::Node& doc : config::loadDocumentsFromString(text.Scalar(), path)) {
          manifests.push_back(YAML::Clone(doc.yaml()));
        }
      } else {
        manifests.push_back(YAML::Clone(at(entry, "inline")));
      }
      for (YAML::Node& manifest : manifests) {
        if (manifest.IsNull()) {
          continue;
        }
        YAML::Node wrapped(YAML::NodeType::Map);
        wrapped["inline"] = manifest;
        inlined.push_back(wrapped);
      }
    }
    root["policies"] = inlined;
  }
  return ScenarioEditor(path, root);
}

std::string ScenarioEditor::text() const {
  YAML::Emitter out;
  out << root_;
  return std::string(out.c_str()) + "\n";
}

std::unique_ptr<Variant> ScenarioEditor::load(config::Warnings& warnings) const {
  return loadEditedVariant(text(), path_, warnings);
}

std::unique_ptr<Variant> loadEditedVariant(const std::string& text, const std::string& path,
                                           config::Warnings& warnings) {
  auto variant = std::make_unique<Variant>();
  variant->scenario = loadScenarioFromString(text, path + " (edited)", {}, warnings);
  variant->policies = importScenarioPolicies(variant->scenario, warnings);
  return variant;
}

void ScenarioEditor::save(const std::string& path) const {
  const fs::path from = directoryOf(path_);
  const fs::path to = directoryOf(path);
  YAML::Node copy = YAML::Clone(root_);
  if (YAML::Node mtls = at(copy, "mtls"); at(mtls, "cost_profile").IsDefined()) {
    mtls["cost_profile"] = rebase(at(mtls, "cost_profile").Scalar(), from, to);
  }
  if (const YAML::Node faults = at(copy, "faults"); faults.IsDefined() && faults.IsSequence()) {
    for (std::size_t i = 0; i < faults.size(); ++i) {
      YAML::Node fault = faults[i];
      if (at(fault, "manifest").IsDefined()) {
        fault["manifest"] = rebase(at(fault, "manifest").Scalar(), from, to);
      }
    }
  }
  YAML::Emitter emitter;
  emitter << copy;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << "# Saved by meshsim-gui from " << path_ << "\n" << emitter.c_str() << "\n";
  if (!out.flush()) {
    throw std::runtime_error("cannot write " + path);
  }
}

YAML::Node ScenarioEditor::service(const std::string& name) const {
  const YAML::Node services = at(root_, "services");
  for (std::size_t i = 0; services.IsSequence() && i < services.size(); ++i) {
    if (scalarOr<std::string>(at(services[i], "name"), "") == name) {
      return services[i];
    }
  }
  throw std::invalid_argument("no service '" + name + "' in the scenario");
}

YAML::Node ScenarioEditor::manifest(std::string_view kind, const std::string& host) const {
  const YAML::Node policies = at(root_, "policies");
  for (std::size_t i = 0; policies.IsDefined() && policies.IsSequence() && i < policies.size();
       ++i) {
    const YAML::Node doc = at(policies[i], "inline");
    if (scalarOr<std::string>(at(doc, "kind"), "") != kind) {
      continue;
    }
    const YAML::Node spec = at(doc, "spec");
    if (kind == "DestinationRule" &&
        hostMatches(scalarOr<std::string>(at(spec, "host"), ""), host)) {
      return doc;
    }
    const YAML::Node hosts = at(spec, "hosts");
    for (std::size_t h = 0; hosts.IsDefined() && hosts.IsSequence() && h < hosts.size(); ++h) {
      if (hostMatches(scalarOr<std::string>(hosts[h], ""), host)) {
        return doc;
      }
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node ScenarioEditor::requireVirtualService(const std::string& host) {
  YAML::Node found = manifest("VirtualService", host);
  if (found.IsDefined()) {
    return found;
  }
  service(host);
  // Service names are DNS labels, so they need no quoting inside the flow mapping.
  YAML::Node vs = YAML::Load(
      "{apiVersion: networking.istio.io/v1, kind: VirtualService, "
      "metadata: {name: " +
      host + "}, spec: {hosts: [" + host + "], http: [{route: [{destination: {host: " + host +
      "}}]}]}}");
  YAML::Node wrapped;
  wrapped["inline"] = vs;
  root_["policies"].push_back(wrapped);
  return manifest("VirtualService", host);
}

YAML::Node ScenarioEditor::requireDestinationRule(const std::string& host) {
  YAML::Node found = manifest("DestinationRule", host);
  if (found.IsDefined()) {
    return found;
  }
  service(host);
  YAML::Node dr = YAML::Load(
      "{apiVersion: networking.istio.io/v1, kind: DestinationRule, "
      "metadata: {name: " +
      host + "}, spec: {host: " + host + "}}");
  YAML::Node wrapped;
  wrapped["inline"] = dr;
  root_["policies"].push_back(wrapped);
  return manifest("DestinationRule", host);
}

double ScenarioEditor::load() const {
  const YAML::Node workload = at(root_, "workload");
  return scalarOr<std::string>(at(workload, "kind"), "open") == "closed"
             ? scalarOr<double>(at(workload, "users"), 0)
             : scalarOr<double>(at(workload, "rate"), 0);
}

void ScenarioEditor::setLoad(double value) {
  YAML::Node workload = root_["workload"];
  if (scalarOr<std::string>(at(workload, "kind"), "open") == "closed") {
    workload["users"] = static_cast<std::int64_t>(value);
  } else {
    workload["rate"] = value;
  }
}

std::uint32_t ScenarioEditor::replicas(const std::string& name, const std::string& version) const {
  const YAML::Node versions = at(service(name), "versions");
  for (std::size_t i = 0; versions.IsSequence() && i < versions.size(); ++i) {
    if (scalarOr<std::string>(at(versions[i], "name"), "") == version) {
      return scalarOr<std::uint32_t>(at(versions[i], "replicas"), 1);
    }
  }
  throw std::invalid_argument("service '" + name + "' has no version '" + version + "'");
}

void ScenarioEditor::setReplicas(const std::string& name, const std::string& version,
                                 std::uint32_t replicas) {
  const YAML::Node versions = at(service(name), "versions");
  for (std::size_t i = 0; versions.IsSequence() && i < versions.size(); ++i) {
    if (scalarOr<std::string>(at(versions[i], "name"), "") == version) {
      YAML::Node v = versions[i];
      v["replicas"] = replicas;
      return;
    }
  }
  throw std::invalid_argument("service '" + name + "' has no version '" + version + "'");
}

core::ProxyProfile ScenarioEditor::profile() const {
  // open() validated the key: any value here is one parseProfile knows.
  return core::parseProfile(scalarOr<std::string>(at(root_, "profile"), "istio"))
      .value_or(core::ProxyProfile::kIstio);
}

YAML::Node ScenarioEditor::routeSetting(const std::string& host, const std::string& key) const {
  if (profile() != core::ProxyProfile::kIstio) {
    return YAML::Node(YAML::NodeType::Undefined);
  }
  const std::vector<YAML::Node> routes = httpRoutes(manifest("VirtualService", host));
  return routes.empty() ? YAML::Node(YAML::NodeType::Undefined) : at(routes.front(), key);
}

YAML::Node ScenarioEditor::trafficPolicySetting(const std::string& host,
                                                const std::string& key) const {
  if (profile() != core::ProxyProfile::kIstio) {
    return YAML::Node(YAML::NodeType::Undefined);
  }
  return at(at(at(manifest("DestinationRule", host), "spec"), "trafficPolicy"), key);
}

std::string ScenarioEditor::origin(KnobKind kind, const std::string& host) const {
  std::string_view manifest_kind = "VirtualService";
  std::string key;
  bool set = false;
  switch (kind) {
    case KnobKind::kLoad:
    case KnobKind::kReplicas:
      return "scenario";
    case KnobKind::kRetries:
    case KnobKind::kTimeout:
    case KnobKind::kFaultInjection:
      key = kind == KnobKind::kRetries   ? "retries"
            : kind == KnobKind::kTimeout ? "timeout"
                                         : "fault";
      set = routeSetting(host, key).IsDefined();
      break;
    case KnobKind::kTrafficSplit:
      key = "weighted subsets";
      set = subsetDestinations(host).IsDefined();
      break;
    case KnobKind::kOutlierDetection:
    case KnobKind::kConnectionPool:
      manifest_kind = "DestinationRule";
      key = kind == KnobKind::kOutlierDetection ? "outlierDetection" : "connectionPool";
      set = trafficPolicySetting(host, key).IsDefined();
      break;
  }
  const core::ProxyProfile p = profile();
  if (p != core::ProxyProfile::kIstio) {
    return defaultOf(p) + " (profile " + std::string(core::profileName(p)) +
           " applies no Istio manifest)";
  }
  const YAML::Node found = manifest(manifest_kind, host);
  if (set) {
    return manifestName(manifest_kind, found);
  }
  if (!found.IsDefined()) {
    return defaultOf(p) + " (no " + std::string(manifest_kind) + " for " + host + ")";
  }
  return defaultOf(p) + " (" + manifestName(manifest_kind, found) + " sets no " + key + ")";
}

RetryKnob ScenarioEditor::retries(const std::string& host) const {
  RetryKnob knob;
  const YAML::Node retries = routeSetting(host, "retries");
  if (retries.IsDefined()) {
    // Istio reads an absent attempts as 0: no retries (§1.9).
    knob.attempts = scalarOr<std::int64_t>(at(retries, "attempts"), 0);
    knob.per_try_timeout = durationOr(at(retries, "perTryTimeout"), core::Duration::zero());
    knob.retry_on = scalarOr<std::string>(at(retries, "retryOn"), knob.retry_on);
    return knob;
  }
  // The route the profile configures without a VirtualService's `retries` (§1.9, §9).
  const std::optional<core::RetryPolicy> fallback =
      core::routeDefaultsFor(profile()).outbound_retry;
  if (!fallback) {
    knob.retry_on.clear();
    return knob;
  }
  knob.attempts = fallback->num_retries;
  knob.per_try_timeout = fallback->per_try_timeout;
  return knob;
}

void ScenarioEditor::setRetries(const std::string& host, const RetryKnob& knob) {
  for (YAML::Node route : httpRoutes(requireVirtualService(host))) {
    YAML::Node retries(YAML::NodeType::Map);
    retries["attempts"] = knob.attempts;
    if (knob.attempts > 0 && knob.per_try_timeout > core::Duration::zero()) {
      retries["perTryTimeout"] = formatDuration(knob.per_try_timeout);
    }
    if (knob.attempts > 0 && !knob.retry_on.empty()) {
      retries["retryOn"] = knob.retry_on;
    }
    route["retries"] = retries;
  }
}

core::Duration ScenarioEditor::timeout(const std::string& host) const {
  const YAML::Node timeout = routeSetting(host, "timeout");
  return timeout.IsDefined() ? durationOr(timeout, core::Duration::zero())
                             : core::routeDefaultsFor(profile()).route_timeout;
}

void ScenarioEditor::setTimeout(const std::string& host, core::Duration timeout) {
  for (YAML::Node route : httpRoutes(requireVirtualService(host))) {
    if (timeout > core::Duration::zero()) {
      route["timeout"] = formatDuration(timeout);
    } else {
      route.remove("timeout");
    }
  }
}

OutlierKnob ScenarioEditor::outlierDetection(const std::string& host) const {
  // No profile ejects without a DestinationRule asking for it (core::ClusterPolicy::defaultsFor).
  OutlierKnob knob;
  const YAML::Node od = trafficPolicySetting(host, "outlierDetection");
  if (od.IsDefined()) {
    knob.enabled = true;
    knob.consecutive_5xx = scalarOr<std::int64_t>(at(od, "consecutive5xxErrors"), 5);
    knob.interval = durationOr(at(od, "interval"), knob.interval);
    knob.base_ejection_time = durationOr(at(od, "baseEjectionTime"), knob.base_ejection_time);
    knob.max_ejection_percent =
        scalarOr<std::int64_t>(at(od, "maxEjectionPercent"), knob.max_ejection_percent);
  }
  return knob;
}

void ScenarioEditor::setOutlierDetection(const std::string& host, const OutlierKnob& knob) {
  YAML::Node spec = requireDestinationRule(host)["spec"];
  YAML::Node policy = spec["trafficPolicy"];
  if (!knob.enabled) {
    policy.remove("outlierDetection");
    removeIfEmpty(spec, "trafficPolicy");
    return;
  }
  YAML::Node od(YAML::NodeType::Map);
  od["consecutive5xxErrors"] = knob.consecutive_5xx;
  od["interval"] = formatDuration(knob.interval);
  od["baseEjectionTime"] = formatDuration(knob.base_ejection_time);
  od["maxEjectionPercent"] = knob.max_ejection_percent;
  policy["outlierDetection"] = od;
}

PoolKnob ScenarioEditor::connectionPool(const std::string& host) const {
  // Istio leaves every limit unlimited unless the DestinationRule sets it; Envoy and Linkerd have
  // their own finite defaults (§3.5, §9).
  const core::CircuitBreakerThresholds defaults =
      core::ClusterPolicy::defaultsFor(profile()).circuit_breakers;
  PoolKnob knob{limitOf(defaults.max_connections), limitOf(defaults.max_pending_requests),
                limitOf(defaults.max_requests), limitOf(defaults.max_retries)};
  const YAML::Node pool = trafficPolicySetting(host, "connectionPool");
  knob.max_connections =
      scalarOr<std::int64_t>(at(at(pool, "tcp"), "maxConnections"), knob.max_connections);
  const YAML::Node http = at(pool, "http");
  knob.max_pending_requests =
      scalarOr<std::int64_t>(at(http, "http1MaxPendingRequests"), knob.max_pending_requests);
  knob.max_requests = scalarOr<std::int64_t>(at(http, "http2MaxRequests"), knob.max_requests);
  knob.max_retries = scalarOr<std::int64_t>(at(http, "maxRetries"), knob.max_retries);
  return knob;
}

void ScenarioEditor::setConnectionPool(const std::string& host, const PoolKnob& knob) {
  YAML::Node spec = requireDestinationRule(host)["spec"];
  YAML::Node policy = spec["trafficPolicy"];
  YAML::Node pool = policy["connectionPool"];
  YAML::Node tcp = pool["tcp"];
  setOrRemove(tcp, "maxConnections", knob.max_connections);
  YAML::Node http = pool["http"];
  setOrRemove(http, "http1MaxPendingRequests", knob.max_pending_requests);
  setOrRemove(http, "http2MaxRequests", knob.max_requests);
  setOrRemove(http, "maxRetries", knob.max_retries);
  removeIfEmpty(pool, "tcp");
  removeIfEmpty(pool, "http");
  removeIfEmpty(policy, "connectionPool");
  removeIfEmpty(spec, "trafficPolicy");
}

FaultKnob ScenarioEditor::faultInjection(const std::string& host) const {
  FaultKnob knob;
  const YAML::Node fault = routeSetting(host, "fault");
  if (fault.IsDefined()) {
    const YAML::Node abort = at(fault, "abort");
    if (abort.IsDefined()) {
      knob.abort_percent = scalarOr<double>(at(at(abort, "percentage"), "value"), 100);
      knob.abort_status = scalarOr<std::int64_t>(at(abort, "httpStatus"), 503);
    }
    const YAML::Node delay = at(fault, "delay");
    if (delay.IsDefined()) {
      knob.delay_percent = scalarOr<double>(at(at(delay, "percentage"), "value"), 100);
      knob.delay = durationOr(at(delay, "fixedDelay"), knob.delay);
    }
  }
  return knob;
}

void ScenarioEditor::setFaultInjection(const std::string& host, const FaultKnob& knob) {
  for (YAML::Node route : httpRoutes(requireVirtualService(host))) {
    YAML::Node fault(YAML::NodeType::Map);
    if (knob.abort_percent > 0) {
      fault["abort"]["percentage"]["value"] = knob.abort_percent;
      fault["abort"]["httpStatus"] = knob.abort_status;
    }
    if (knob.delay_percent > 0) {
      fault["delay"]["percentage"]["value"] = knob.delay_percent;
      fault["delay"]["fixedDelay"] = formatDuration(knob.delay);
    }
    if (fault.size() == 0) {
      route.remove("fault");
    } else {
      route["fault"] = fault;
    }
  }
}

std::vector<std::size_t> ScenarioEditor::addedFailures(const std::string& name) const {
  std::vector<std::size_t> added;
  const YAML::Node faults = at(root_, "faults");
  for (std::size_t i = own_faults_; faults.IsDefined() && faults.IsSequence() && i < faults.size();
       ++i) {
    if (scalarOr<std::string>(at(faults[i], "kind"), "") == "error_rate" &&
        scalarOr<std::string>(at(faults[i], "service"), "") == name) {
      added.push_back(i);
    }
  }
  return added;
}

FailingReplicaKnob ScenarioEditor::failingReplicas(const std::string& name) const {
  FailingReplicaKnob knob;
  const YAML::Node versions = at(service(name), "versions");
  if (versions.IsSequence() && versions.size() > 0) {
    knob.version = scalarOr<std::string>(at(versions[0], "name"), "");
  }
  // `warmup: auto` has no known end: the fault then starts with the run.
  knob.at = durationOr(at(root_, "warmup"), core::Duration::zero());
  const std::vector<std::size_t> added = addedFailures(name);
  if (added.empty()) {
    return knob;
  }
  const YAML::Node first = at(root_, "faults")[added.front()];
  knob.version = scalarOr<std::string>(at(first, "version"), knob.version);
  knob.replicas = static_cast<std::uint32_t>(added.size());
  knob.percent = scalarOr<double>(at(first, "probability"), 0) * 100;
  knob.status = scalarOr<std::int64_t>(at(first, "status"), knob.status);
  knob.at = durationOr(at(first, "at"), knob.at);
  knob.until = durationOr(at(first, "until"), core::Duration::zero());
  return knob;
}

void ScenarioEditor::setFailingReplicas(const std::string& name, const FailingReplicaKnob& knob) {
  const std::string version = knob.version.empty() ? failingReplicas(name).version : knob.version;
  replicas(name, version);  // throws for an unknown service or version
  const std::vector<std::size_t> added = addedFailures(name);
  YAML::Node kept(YAML::NodeType::Sequence);
  const YAML::Node faults = at(root_, "faults");
  for (std::size_t i = 0; faults.IsDefined() && faults.IsSequence() && i < faults.size(); ++i) {
    if (std::find(added.begin(), added.end(), i) == added.end()) {
      kept.push_back(faults[i]);
    }
  }
  for (std::uint32_t replica = 0; knob.percent > 0 && replica < knob.replicas; ++replica) {
    YAML::Node entry(YAML::NodeType::Map);
    entry["at"] = formatDuration(knob.at);
    if (knob.until > core::Duration::zero()) {
      entry["until"] = formatDuration(knob.until);
    }
    entry["kind"] = "error_rate";
    entry["service"] = name;
    entry["version"] = version;
    entry["replica"] = replica;
    entry["probability"] = knob.percent / 100;
    entry["status"] = knob.status;
    kept.push_back(entry);
  }
  if (kept.size() == 0) {
    root_.remove("faults");
  } else {
    root_["faults"] = kept;
  }
}

std::vector<double> ScenarioEditor::endpointShares(const std::string& host) const {
  // Every endpoint takes a share by its weight (the version's `weight`, default 1).
  std::vector<double> shares;
  const YAML::Node versions = at(service(host), "versions");
  for (std::size_t i = 0; versions.IsSequence() && i < versions.size(); ++i) {
    shares.push_back(scalarOr<double>(at(versions[i], "replicas"), 1) *
                     scalarOr<double>(at(versions[i], "weight"), 1));
  }
  const double total = std::accumulate(shares.begin(), shares.end(), 0.0);
  for (double& share : shares) {
    share = total > 0 ? share / total : 0;
  }
  return shares;
}

YAML::Node ScenarioEditor::subsetDestinations(const std::string& host) const {
  if (profile() != core::ProxyProfile::kIstio) {
    return YAML::Node(YAML::NodeType::Undefined);
  }
  const std::vector<YAML::Node> routes = httpRoutes(manifest("VirtualService", host));
  const YAML::Node destinations = routes.empty() ? YAML::Node() : at(routes.back(), "route");
  for (std::size_t i = 0; destinations.IsSequence() && i < destinations.size(); ++i) {
    if (at(at(destinations[i], "destination"), "subset").IsDefined()) {
      return destinations;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::vector<std::pair<std::string, std::int64_t>> ScenarioEditor::trafficSplit(
    const std::string& host) const {
  std::vector<std::string> names;
  const YAML::Node versions = at(service(host), "versions");
  for (std::size_t i = 0; versions.IsSequence() && i < versions.size(); ++i) {
    names.push_back(scalarOr<std::string>(at(versions[i], "name"), ""));
  }
  const std::vector<double> by_endpoints = endpointShares(host);
  std::vector<double> shares(names.size());
  const YAML::Node destinations = subsetDestinations(host);
  if (!destinations.IsDefined()) {
    for (std::size_t v = 0; v < names.size(); ++v) {
      shares[v] = 100 * by_endpoints[v];
    }
  }
  for (std::size_t i = 0; destinations.IsDefined() && i < destinations.size(); ++i) {
    const std::string subset =
        scalarOr<std::string>(at(at(destinations[i], "destination"), "subset"), "");
    const double weight =
        scalarOr<double>(at(destinations[i], "weight"), destinations.size() == 1 ? 100 : 0);
    for (std::size_t v = 0; v < names.size(); ++v) {
      if (subset.empty()) {
        shares[v] += weight * by_endpoints[v];
      } else if (names[v] == subset) {
        shares[v] += weight;
      }
    }
  }
  const std::vector<std::int64_t> rounded = roundShares(shares);
  std::vector<std::pair<std::string, std::int64_t>> weights;
  for (std::size_t v = 0; v < names.size(); ++v) {
    weights.emplace_back(names[v], rounded[v]);
  }
  return weights;
}

void ScenarioEditor::setTrafficSplit(
    const std::string& host, const std::vector<std::pair<std::string, std::int64_t>>& weights) {
  YAML::Node dr = requireDestinationRule(host);
  YAML::Node subsets = dr["spec"]["subsets"];
  for (const auto& [version, weight] : weights) {
    bool present = false;
    for (std::size_t i = 0; subsets.IsSequence() && i < subsets.size(); ++i) {
      present = present || scalarOr<std::string>(at(subsets[i], "name"), "") == version;
    }
    if (!present) {
      YAML::Node subset;
      subset["name"] = version;
      subset["labels"]["version"] = version;
      subsets.push_back(subset);
    }
  }
  YAML::Node destinations(YAML::NodeType::Sequence);
  for (const auto& [version, weight] : weights) {
    if (weight <= 0) {
      continue;
    }
    YAML::Node destination;
    destination["destination"]["host"] = host;
    destination["destination"]["subset"] = version;
    destination["weight"] = weight;
    destinations.push_back(destination);
  }
  const std::vector<YAML::Node> routes = httpRoutes(requireVirtualService(host));
  YAML::Node last = routes.back();
  last["route"] = destinations;
}

}  // namespace meshsim::sim
