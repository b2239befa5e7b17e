#include "sim/scenario/scenario_loader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <tuple>
#include <unordered_map>

#include "sim/tls_calibration/tls_cost_profile_file.h"

namespace meshsim::sim {

namespace {

using config::ConfigError;
using config::Location;
using config::Node;
using config::Warning;
using config::Warnings;
using Keys = std::vector<std::string_view>;

// ---------------------------------------------------------------------------------------------
// Scalar readers: each validates at the node, so the error names its line, column and key.

std::string formatNumber(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::int64_t readInt(const Node& node, std::int64_t min, std::int64_t max) {
  const std::int64_t value = node.asInt();
  if (value < min) {
    node.fail("must be at least " + std::to_string(min) + ", got " + std::to_string(value));
  }
  if (value > max) {
    node.fail("must be at most " + std::to_string(max) + ", got " + std::to_string(value));
  }
  return value;
}

std::uint32_t readCount(const Node& node, std::int64_t min, std::int64_t max = 1000000) {
  return static_cast<std::uint32_t>(readInt(node, min, max));
}

double readPositive(const Node& node) {
  const double value = node.asDouble();
  if (!(value > 0)) {
    node.fail("must be greater than 0, got " + formatNumber(value));
  }
  return value;
}

double readNonNegative(const Node& node) {
  const double value = node.asDouble();
  if (value < 0) {
    node.fail("must not be negative, got " + formatNumber(value));
  }
  return value;
}

double readProbability(const Node& node) {
  const double value = node.asDouble();
  if (value < 0 || value > 1) {
    node.fail("a probability must be within [0, 1], got " + formatNumber(value));
  }
  return value;
}

core::Duration readPositiveDuration(const Node& node) {
  const core::Duration value = node.asDuration();
  if (value <= core::Duration::zero()) {
    node.fail("must be greater than 0");
  }
  return value;
}

int readStatus(const Node& node) {
  return static_cast<int>(readInt(node, 100, 599));
}

double seconds(const Node& node) {
  return core::toSeconds(node.asDuration());
}

double positiveSeconds(const Node& node) {
  return core::toSeconds(readPositiveDuration(node));
}

struct Unit {
  std::string_view suffix;
  double scale;
};

// A number with an optional unit suffix ("1.5KiB", "10Gbps"); a bare number is in base units.
double readQuantity(const Node& node, const std::vector<Unit>& units, const char* example) {
  const std::string text = node.asString();
  std::size_t split = 0;
  while (split < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[split])) || text[split] == '.')) {
    ++split;
  }
  double number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + split, number);
  const std::string_view suffix = std::string_view(text).substr(split);
  const auto unit =
      std::find_if(units.begin(), units.end(), [&](const Unit& u) { return u.suffix == suffix; });
  if (split == 0 || ec != std::errc() || end != text.data() + split ||
      (!suffix.empty() && unit == units.end())) {
    node.fail(std::string("expected a quantity such as ") + example + ", got '" + text + "'");
  }
  return number * (suffix.empty() ? 1.0 : unit->scale);
}

std::uint64_t readBytes(const Node& node) {
  static const std::vector<Unit> kUnits = {
      {"B", 1},    {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0},
      {"kB", 1e3}, {"KB", 1e3},     {"MB", 1e6},        {"GB", 1e9}};
  const double bytes = readQuantity(node, kUnits, "512B, 4KiB or 40MiB");
  if (bytes > 1e15) {
    node.fail("size is implausibly large");
  }
  return static_cast<std::uint64_t>(std::llround(bytes));
}

double readBandwidth(const Node& node) {
  static const std::vector<Unit> kUnits = {
      {"bps", 1}, {"Kbps", 1e3}, {"kbps", 1e3}, {"Mbps", 1e6}, {"Gbps", 1e9}};
  const double bps = readQuantity(node, kUnits, "100Mbps or 10Gbps");
  if (!(bps > 0)) {
    node.fail("bandwidth must be greater than 0");
  }
  return bps;
}

template <typename E>
E readEnum(const Node& node, const std::vector<std::pair<std::string_view, E>>& choices) {
  const std::string text = node.asString();
  Keys names;
  for (const auto& [name, value] : choices) {
    if (name == text) {
      return value;
    }
    names.push_back(name);
  }
  std::string message = "unknown value '" + text + "' (expected one of:";
  for (std::string_view name : names) {
    message += " " + std::string(name);
  }
  message += ")";
  const std::string suggestion = config::closestMatch(text, names);
  if (!suggestion.empty()) {
    message += " (did you mean '" + suggestion + "'?)";
  }
  node.fail(message);
}

// Names users type in --set selectors and Istio hosts: keep them to DNS-label characters.
void checkDnsLabel(const Node& node, const std::string& name) {
  const bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
  if (!ok) {
    node.fail("'" + name + "' may contain only lowercase letters, digits and '-'");
  }
}

// A reference by name with "did you mean" over the candidates.
Index resolveName(const Node& node, const std::vector<std::string>& names, const char* what) {
  const std::string name = node.asString();
  const auto it = std::find(names.begin(), names.end(), name);
  if (it != names.end()) {
    return static_cast<Index>(it - names.begin());
  }
  std::string message = std::string("unknown ") + what + " '" + name + "'";
  const std::string suggestion =
      config::closestMatch(name, std::vector<std::string_view>(names.begin(), names.end()));
  if (!suggestion.empty()) {
    message += " (did you mean '" + suggestion + "'?)";
  }
  node.fail(message);
}

// Duplicate-name guard for one list.
class UniqueNames {
 public:
  explicit UniqueNames(const char* what) : what_(what) {}
  void add(const Node& node, const std::string& name) {
    const auto [it, inserted] = first_.emplace(name, node.location().line);
    if (!inserted) {
      node.fail(std::string("duplicate ") + what_ + " '" + name + "' (first defined on line " +
                std::to_string(it->second) + ")");
    }
  }

 private:
  const char* what_;
  std::map<std::string, int> first_;
};

// ---------------------------------------------------------------------------------------------
// Distributions: one-key maps {kind: parameters}, or a bare duration for a constant. Times are
// seconds as doubles (sim/random/distribution.h); factory errors are reported at the parameters.

DistributionResult makeDistribution(std::string_view kind, const Node& params);

DistributionResult makeConstantFrom(const Node& params) {
  return makeConstant(seconds(params));
}

DistributionResult makeUniformFrom(const Node& params) {
  params.checkKeys({"min", "max"});
  return makeUniform(seconds(params.require("min")), seconds(params.require("max")));
}

DistributionResult makeExponentialFrom(const Node& params) {
  params.checkKeys({"mean"});
  return makeExponential(positiveSeconds(params.require("mean")));
}

DistributionResult makeNormalFrom(const Node& params) {
  params.checkKeys({"mean", "stddev"});
  return makeNormal(seconds(params.require("mean")), seconds(params.require("stddev")));
}

DistributionResult makeLognormalFrom(const Node& params) {
  params.checkKeys({"median", "p99", "mean", "sigma", "stddev"});
  const bool median = params.get("median").has_value();
  const bool mean = params.get("mean").has_value();
  if (median == mean) {
    params.fail("a lognormal takes either {median, p99}, {mean, sigma} or {mean, stddev}");
  }
  if (median) {
    if (params.get("sigma") || params.get("stddev")) {
      params.fail("a lognormal given by its median takes p99, not sigma or stddev");
    }
    return makeLognormalFromMedianP99(positiveSeconds(params.require("median")),
                                      positiveSeconds(params.require("p99")));
  }
  if (params.get("p99")) {
    params.fail("a lognormal given by its mean takes sigma or stddev, not p99");
  }
  const auto sigma = params.get("sigma");
  const auto stddev = params.get("stddev");
  if (sigma.has_value() == stddev.has_value()) {
    params.fail("a lognormal given by its mean takes exactly one of sigma or stddev");
  }
  const double mean_seconds = positiveSeconds(params.require("mean"));
  return sigma ? makeLognormalFromMean(mean_seconds, readNonNegative(*sigma))
               : makeLognormalFromMeanStddev(mean_seconds, seconds(*stddev));
}

DistributionResult makeGammaFrom(const Node& params) {
  params.checkKeys({"shape", "mean"});
  const double shape = readPositive(params.require("shape"));
  return makeGamma(shape, positiveSeconds(params.require("mean")) / shape);
}

DistributionResult makeErlangFrom(const Node& params) {
  params.checkKeys({"k", "mean"});
  const int k = static_cast<int>(readInt(params.require("k"), 1, 1000));
  return makeErlang(k, k / positiveSeconds(params.require("mean")));
}

DistributionResult makeWeibullFrom(const Node& params) {
  params.checkKeys({"shape", "scale"});
  return makeWeibull(params.require("shape").asDouble(), seconds(params.require("scale")));
}

DistributionResult makeParetoFrom(const Node& params) {
  params.checkKeys({"min", "alpha"});
  return makePareto(seconds(params.require("min")), params.require("alpha").asDouble());
}

// {p50: 5ms, p99: 40ms, p999: 90ms, min: 1ms, max: 200ms}: "pDDD" is the quantile 0.DDD.
DistributionResult makePercentilesFrom(const Node& params) {
  std::vector<QuantilePoint> points;
  double minimum = 0;
  std::optional<double> maximum;
  for (const auto& [key, value] : params.entries()) {
    if (key == "min") {
      minimum = seconds(value);
    } else if (key == "max") {
      maximum = seconds(value);
    } else if (key.size() >= 2 && key[0] == 'p' &&
               std::all_of(key.begin() + 1, key.end(),
                           [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      const double quantile = std::stod("0." + key.substr(1));
      if (quantile <= 0) {
        value.fail("a percentile key is p followed by digits, e.g. p50, p99, p999");
      }
      points.push_back({quantile, seconds(value)});
    } else {
      value.fail("unknown key '" + key + "' (expected pNN such as p50, p99, p999, or min, max)");
    }
  }
  if (points.empty()) {
    params.fail("give at least one percentile, e.g. {p50: 5ms, p99: 40ms}");
  }
  std::sort(points.begin(), points.end(),
            [](const QuantilePoint& a, const QuantilePoint& b) { return a.quantile < b.quantile; });
  return makeEmpirical(points, minimum, maximum);
}

DistributionResult makeMixtureFrom(const Node& params);

struct DistributionKind {
  std::string_view name;
  DistributionResult (*make)(const Node& params);
};

const std::vector<DistributionKind>& distributionKinds() {
  static const std::vector<DistributionKind> kKinds = {
      {"constant", makeConstantFrom},       {"uniform", makeUniformFrom},
      {"exponential", makeExponentialFrom}, {"normal", makeNormalFrom},
      {"lognormal", makeLognormalFrom},     {"gamma", makeGammaFrom},
      {"erlang", makeErlangFrom},           {"weibull", makeWeibullFrom},
      {"pareto", makeParetoFrom},           {"percentiles", makePercentilesFrom},
      {"mixture", makeMixtureFrom}};
  return kKinds;
}

Keys distributionKindNames() {
  Keys names;
  for (const DistributionKind& kind : distributionKinds()) {
    names.push_back(kind.name);
  }
  return names;
}

DistributionResult makeDistribution(std::string_view kind, const Node& params) {
  for (const DistributionKind& entry : distributionKinds()) {
    if (entry.name == kind) {
      DistributionResult result = entry.make(params);
      if (!result.ok()) {
        params.fail("invalid " + std::string(kind) + " distribution: " + result.error());
      }
      return result;
    }
  }
  params.fail("unknown distribution '" + std::string(kind) + "'");
}

// The one distribution key of a map that may also hold other keys (`weight` in a mixture).
DistributionResult makeSoleDistribution(const Node& node, const Keys& other_keys) {
  Keys known = distributionKindNames();
  known.insert(known.end(), other_keys.begin(), other_keys.end());
  node.checkKeys(known);
  std::optional<std::pair<std::string, Node>> found;
  for (auto& entry : node.entries()) {
    if (std::find(other_keys.begin(), other_keys.end(), entry.first) != other_keys.end()) {
      continue;
    }
    if (found) {
      node.fail("a distribution has exactly one kind, got '" + found->first + "' and '" +
                entry.first + "'");
    }
    found.emplace(std::move(entry));
  }
  if (!found) {
    node.fail("expected a distribution such as {exponential: {mean: 5ms}} or a duration");
  }
  return makeDistribution(found->first, found->second);
}

DistributionResult makeMixtureFrom(const Node& params) {
  std::vector<MixtureComponent> components;
  for (const Node& element : params.elements()) {
    element.expectMap();
    const double weight = element.get("weight") ? readNonNegative(*element.get("weight")) : 1.0;
    components.push_back({weight, std::move(makeSoleDistribution(element, {"weight"})).release()});
  }
  return makeMixture(std::move(components));
}

SharedDistribution readDistribution(const Node& node) {
  if (node.isScalar()) {
    return SharedDistribution(std::move(makeDistribution("constant", node)).release());
  }
  if (!node.isMap()) {
    node.fail("expected a duration or a distribution such as {exponential: {mean: 5ms}}");
  }
  return SharedDistribution(std::move(makeSoleDistribution(node, {})).release());
}

// ---------------------------------------------------------------------------------------------
// Paths.

std::string resolvePath(const std::string& directory, const std::string& file) {
  const std::filesystem::path path(file);
  return path.is_absolute() ? file
                            : (std::filesystem::path(directory) / path).lexically_normal().string();
}

std::string requireFile(const Node& node, const std::string& directory, const char* what) {
  const std::string resolved = resolvePath(directory, node.asString());
  std::error_code error;
  if (!std::filesystem::is_regular_file(resolved, error)) {
    node.fail(std::string(what) + " not found: " + resolved);
  }
  return resolved;
}

// ---------------------------------------------------------------------------------------------
// Key tables.

const Keys kTopKeys = {"name",     "description", "seed",   "duration", "warmup",
                       "profile",  "zones",       "links",  "sidecar",  "mtls",
                       "services", "workload",    "faults", "policies"};
const Keys kSidecarKeys = {"workers", "cpu_per_request", "latency", "memory_base",
                           "memory_per_connection"};
const Keys kLinkKeys = {"latency", "jitter", "bandwidth", "loss"};
const Keys kServiceKeys = {"name",
                           "namespace",
                           "service_account",
                           "sidecar",
                           "sidecar_overrides",
                           "protocol",
                           "hold_worker_while_waiting",
                           "request_bytes",
                           "response_bytes",
                           "versions",
                           "operations"};
const Keys kVersionKeys = {"name",           "replicas",     "zone",   "spread", "concurrency",
                           "queue_capacity", "service_time", "errors", "weight", "operations"};
const Keys kOperationKeys = {"path",         "prefix", "method",
                             "service_time", "calls",  "on_call_failure"};
const Keys kCallKeys = {"call", "path", "method", "timeout", "retries", "probability"};
const Keys kWorkloadKeys = {"kind",     "arrivals", "rate",       "bursty",
                            "schedule", "users",    "think_time", "mix"};
const Keys kMixKeys = {"service", "path", "method", "weight", "headers"};
const Keys kFaultCommonKeys = {"at", "until", "kind"};

// ---------------------------------------------------------------------------------------------

class ScenarioParser {
 public:
  ScenarioParser(std::string file, std::string directory, const std::string& text)
      : file_(std::move(file)), directory_(std::move(directory)), text_(text) {}

  Scenario parse(const Node& root);
  Warnings& warnings() { return warnings_; }

 private:
  struct PendingCall {
    Node call;   // the `call` value
    Node where;  // the call element (for a missing path)
    std::optional<Node> path;
    Index service;
    Index version;
    Index operation;
    std::size_t step;
    std::size_t index;
  };

  // A call graph vertex is (service, version, operation), flattened.
  struct Edge {
    std::size_t to;
    Node where;
  };

  void warn(const Node& node, std::string message) {
    warnings_.push_back(Warning{node.location(), node.path(), std::move(message)});
  }

  void parseZones(const std::optional<Node>& node);
  void parseNetwork(const std::optional<Node>& node);
  LinkSpec parseLink(const Node& node, const LinkSpec& base, const Keys& extra_keys);
  SidecarSpec parseSidecar(const Node& node, SidecarSpec base);
  void parseMtls(const Node& node);
  void parseServices(const Node& node);
  VersionSpec parseVersion(const Node& node);
  void parseOperations(const std::optional<Node>& node, Index service, Index version);
  OperationSpec parseOperation(const Node& node, Index service, Index version, Index operation);
  CallSpec parseCall(const Node& node, Index service, Index version, Index operation,
                     std::size_t step, std::size_t index);
  std::vector<Index> resolveOperations(const Node& where, Index service, const std::string& path,
                                       const std::string& method);
  CallSpec& pendingCall(const PendingCall& pending) {
    return scenario_.services[pending.service]
        .versions[pending.version]
        .operations[pending.operation]
        .calls[pending.step]
        .calls[pending.index];
  }
  std::size_t vertex(Index service, Index version, Index operation) const {
    return vertex_base_[service][version] + operation;
  }
  void resolveCalls();
  void parseWorkload(const Node& node);
  void parseMix(const Node& node);
  void parseFaults(const Node& node);
  FaultTarget parseTarget(const Node& fault);
  std::pair<Index, Index> parseZonePair(const Node& node);
  PolicySource parseManifestFile(const Node& node);
  PolicySource parseInlineManifest(const Node& node);
  void parsePolicies(const Node& node);
  void checkCallGraph();

  FaultAction errorRateFault(const Node& node);
  FaultAction latencyFault(const Node& node);
  FaultAction crashFault(const Node& node);
  FaultAction slowReplicaFault(const Node& node);
  FaultAction partitionFault(const Node& node);
  FaultAction linkLossFault(const Node& node);
  FaultAction trafficSplitFault(const Node& node) {
    return TrafficSplitFault{parseManifestFile(node.require("manifest"))};
  }
  FaultAction istioFault(const Node& node) {
    return IstioFault{parseManifestFile(node.require("manifest"))};
  }

  struct FaultKind {
    std::string_view name;
    Keys keys;
    FaultAction (ScenarioParser::*parse)(const Node&);
  };
  static const std::vector<FaultKind>& faultKinds();

  std::string file_;
  std::string directory_;
  const std::string& text_;
  Warnings warnings_;
  Scenario scenario_;
  std::vector<std::string> service_names_;
  std::vector<Node> service_nodes_;
  std::vector<PendingCall> pending_calls_;
  std::vector<std::vector<std::size_t>> vertex_base_;  // first call-graph vertex of each version
  std::size_t vertex_count_ = 0;
  std::vector<std::pair<std::size_t, Node>> entry_vertices_;
};

const std::vector<ScenarioParser::FaultKind>& ScenarioParser::faultKinds() {
  static const std::vector<FaultKind> kKinds = {
      {"error_rate",
       {"service", "version", "replica", "probability", "status"},
       &ScenarioParser::errorRateFault},
      {"latency", {"service", "version", "replica", "add"}, &ScenarioParser::latencyFault},
      {"crash", {"service", "version", "replica"}, &ScenarioParser::crashFault},
      {"slow_replica",
       {"service", "version", "replica", "factor"},
       &ScenarioParser::slowReplicaFault},
      {"partition", {"zones"}, &ScenarioParser::partitionFault},
      {"link_loss", {"zones", "loss"}, &ScenarioParser::linkLossFault},
      {"traffic_split", {"manifest"}, &ScenarioParser::trafficSplitFault},
      {"istio_fault", {"manifest"}, &ScenarioParser::istioFault},
  };
  return kKinds;
}

Scenario ScenarioParser::parse(const Node& root) {
  root.expectMap();
  root.checkKeys(kTopKeys);
  scenario_.file = file_;
  scenario_.directory = directory_;

  const Node name = root.require("name");
  scenario_.name = name.asString();
  checkDnsLabel(name, scenario_.name);
  scenario_.description = root.stringOr("description", "");
  scenario_.seed = static_cast<std::uint64_t>(
      root.get("seed") ? readInt(*root.get("seed"), 0, std::numeric_limits<std::int64_t>::max())
                       : 1);
  scenario_.duration = readPositiveDuration(root.require("duration"));
  if (const auto warmup = root.get("warmup")) {
    if (warmup->isScalar() && warmup->asString() == "auto") {
      scenario_.warmup_auto = true;
    } else if (warmup->isScalar() && !config::parseDuration(warmup->asString())) {
      warmup->fail("expected a duration such as 10s, or `auto` (detected by MSER-5), got '" +
                   warmup->asString() + "'");
    } else {
      scenario_.warmup = warmup->asDuration();
    }
  }
  if (const auto profile = root.get("profile")) {
    scenario_.profile = readEnum<ProxyProfile>(*profile, {{"istio", ProxyProfile::Istio},
                                                          {"envoy", ProxyProfile::Envoy},
                                                          {"linkerd", ProxyProfile::Linkerd}});
  }
  parseZones(root.get("zones"));
  parseNetwork(root.get("links"));
  if (const auto sidecar = root.get("sidecar")) {
    scenario_.sidecar = parseSidecar(*sidecar, SidecarSpec{});
  }
  if (const auto mtls = root.get("mtls")) {
    parseMtls(*mtls);
  }
  parseServices(root.require("services"));
  resolveCalls();
  parseWorkload(root.require("workload"));
  if (const auto faults = root.get("faults")) {
    parseFaults(*faults);
  }
  if (const auto policies = root.get("policies")) {
    parsePolicies(*policies);
  }
  checkCallGraph();
  return std::move(scenario_);
}

void ScenarioParser::parseZones(const std::optional<Node>& node) {
  if (!node) {
    scenario_.zones = {"default"};
    return;
  }
  UniqueNames unique("zone");
  for (const Node& element : node->elements()) {
    std::string zone = element.asString();
    checkDnsLabel(element, zone);
    unique.add(element, zone);
    scenario_.zones.push_back(std::move(zone));
  }
  if (scenario_.zones.empty()) {
    node->fail("list at least one zone, or leave `zones` out for a single zone");
  }
}

LinkSpec ScenarioParser::parseLink(const Node& node, const LinkSpec& base, const Keys& extra_keys) {
  Keys keys = kLinkKeys;
  keys.insert(keys.end(), extra_keys.begin(), extra_keys.end());
  node.checkKeys(keys);
  LinkSpec link = base;
  if (const auto latency = node.get("latency")) {
    link.latency = readDistribution(*latency);
  }
  if (const auto jitter = node.get("jitter")) {
    link.jitter = readDistribution(*jitter);
  }
  if (const auto bandwidth = node.get("bandwidth")) {
    link.bandwidth_bps = readBandwidth(*bandwidth);
  }
  if (const auto loss = node.get("loss")) {
    link.loss = readProbability(*loss);
    if (link.loss >= 1) {
      loss->fail("loss must be below 1 (use a partition fault to cut a link)");
    }
  }
  return link;
}

void ScenarioParser::parseNetwork(const std::optional<Node>& node) {
  NetworkSpec& network = scenario_.network;
  network.default_link.latency = std::move(makeConstant(50e-6)).release();
  if (node) {
    node->checkKeys({"default", "pairs"});
    if (const auto link = node->get("default")) {
      network.default_link = parseLink(*link, network.default_link, {});
    }
    if (const auto pairs = node->get("pairs")) {
      std::map<std::pair<Index, Index>, int> seen;
      for (const Node& element : pairs->elements()) {
        element.expectMap();
        LinkPairSpec pair;
        std::tie(pair.zone_a, pair.zone_b) = parseZonePair(element.require("between"));
        const auto [it, inserted] =
            seen.emplace(std::make_pair(pair.zone_a, pair.zone_b), element.location().line);
        if (!inserted) {
          element.fail("duplicate link between " + scenario_.zones[pair.zone_a] + " and " +
                       scenario_.zones[pair.zone_b] + " (first defined on line " +
                       std::to_string(it->second) + ")");
        }
        pair.link = parseLink(element, network.default_link, {"between"});
        network.pairs.push_back(std::move(pair));
      }
    }
  }
  const std::size_t n = scenario_.zones.size();
  network.zone_count = n;
  network.matrix.assign(n * n, network.default_link);
  for (const LinkPairSpec& pair : network.pairs) {
    network.matrix[pair.zone_a * n + pair.zone_b] = pair.link;
    network.matrix[pair.zone_b * n + pair.zone_a] = pair.link;
  }
}

std::pair<Index, Index> ScenarioParser::parseZonePair(const Node& node) {
  const std::vector<Node> zones = node.elements();
  if (zones.size() != 2) {
    node.fail("expected two zones, e.g. [zone-a, zone-b] (the same zone twice = within it)");
  }
  Index a = resolveName(zones[0], scenario_.zones, "zone");
  Index b = resolveName(zones[1], scenario_.zones, "zone");
  return {std::min(a, b), std::max(a, b)};
}

SidecarSpec ScenarioParser::parseSidecar(const Node& node, SidecarSpec base) {
  node.checkKeys(kSidecarKeys);
  if (const auto workers = node.get("workers")) {
    base.workers = readCount(*workers, 1, 1024);
  }
  if (const auto cpu = node.get("cpu_per_request")) {
    base.cpu_per_request = cpu->asDuration();
  }
  if (const auto latency = node.get("latency")) {
    base.latency = readDistribution(*latency);
  }
  if (const auto memory = node.get("memory_base")) {
    base.memory_base = readBytes(*memory);
  }
  if (const auto memory = node.get("memory_per_connection")) {
    base.memory_per_connection = readBytes(*memory);
  }
  return base;
}

void ScenarioParser::parseMtls(const Node& node) {
  node.checkKeys({"mode", "key", "cost_profile"});
  MtlsSpec& mtls = scenario_.mtls;
  if (const auto mode = node.get("mode")) {
    mtls.mode = readEnum<MtlsMode>(
        *mode,
        {{"auto", MtlsMode::Auto}, {"strict", MtlsMode::Strict}, {"disable", MtlsMode::Disable}});
  }
  if (const auto key = node.get("key")) {
    mtls.key =
        readEnum<TlsKey>(*key, {{"rsa2048", TlsKey::Rsa2048}, {"ecdsa-p256", TlsKey::EcdsaP256}});
  }
  if (const auto profile = node.get("cost_profile")) {
    mtls.cost_profile = requireFile(*profile, directory_, "TLS cost profile");
    mtls.costs = loadTlsCostProfile(mtls.cost_profile);
  }
}

void ScenarioParser::parseServices(const Node& node) {
  const std::vector<Node> elements = node.elements();
  if (elements.empty()) {
    node.fail("list at least one service");
  }
  // Names first: calls may refer to services defined further down.
  UniqueNames unique("service");
  for (const Node& element : elements) {
    element.checkKeys(kServiceKeys);
    const Node name = element.require("name");
    service_names_.push_back(name.asString());
    unique.add(name, service_names_.back());
    service_nodes_.push_back(element);
  }
  for (std::size_t s = 0; s < elements.size(); ++s) {
    const Node& element = elements[s];
    ServiceSpec service;
    service.name = service_names_[s];
    service.namespace_name = element.stringOr("namespace", "default");
    service.service_account = element.stringOr("service_account", service.name);
    service.has_sidecar = element.boolOr("sidecar", true);
    service.sidecar = scenario_.sidecar;
    if (const auto overrides = element.get("sidecar_overrides")) {
      service.sidecar = parseSidecar(*overrides, scenario_.sidecar);
      if (!service.has_sidecar) {
        warn(*overrides, "ignored: the service has no sidecar (sidecar: false)");
      }
    }
    if (const auto protocol = element.get("protocol")) {
      service.protocol = readEnum<Protocol>(
          *protocol,
          {{"http1", Protocol::Http1}, {"http2", Protocol::Http2}, {"grpc", Protocol::Grpc}});
    }
    service.hold_worker_while_waiting = element.boolOr("hold_worker_while_waiting", true);
    if (const auto bytes = element.get("request_bytes")) {
      service.request_bytes = readBytes(*bytes);
    }
    if (const auto bytes = element.get("response_bytes")) {
      service.response_bytes = readBytes(*bytes);
    }
    const Node versions = element.require("versions");
    UniqueNames unique_versions("version");
    for (const Node& version : versions.elements()) {
      service.versions.push_back(parseVersion(version));
      unique_versions.add(version.require("name"), service.versions.back().name);
    }
    if (service.versions.empty()) {
      versions.fail("list at least one version");
    }
    scenario_.services.push_back(std::move(service));
    const std::vector<Node> version_nodes = versions.elements();
    for (std::size_t v = 0; v < version_nodes.size(); ++v) {
      // A version's own operations replace the service's (Bookinfo's reviews-v1 calls nothing,
      // v2 and v3 call ratings with different timeouts). Shared ones are parsed once per version
      // so that each version's calls resolve on their own.
      const auto own = version_nodes[v].get("operations");
      parseOperations(own ? own : element.get("operations"), static_cast<Index>(s),
                      static_cast<Index>(v));
    }
  }
}

void ScenarioParser::parseOperations(const std::optional<Node>& node, Index service,
                                     Index version) {
  std::vector<OperationSpec>& operations = scenario_.services[service].versions[version].operations;
  if (!node) {
    operations.emplace_back();  // prefix "/", no calls
    return;
  }
  std::map<std::string, int> seen;
  for (const Node& element : node->elements()) {
    OperationSpec spec =
        parseOperation(element, service, version, static_cast<Index>(operations.size()));
    const std::string key = (spec.match == PathMatch::Exact ? "path " : "prefix ") + spec.path +
                            (spec.method.empty() ? "" : " " + spec.method);
    const auto [it, inserted] = seen.emplace(key, element.location().line);
    if (!inserted) {
      element.fail("duplicate operation (" + key + ", first defined on line " +
                   std::to_string(it->second) + ")");
    }
    operations.push_back(std::move(spec));
  }
  if (operations.empty()) {
    node->fail("list at least one operation, or leave `operations` out");
  }
}

VersionSpec ScenarioParser::parseVersion(const Node& node) {
  node.checkKeys(kVersionKeys);
  VersionSpec version;
  version.name = node.require("name").asString();
  if (const auto replicas = node.get("replicas")) {
    version.replicas = readCount(*replicas, 1, 100000);
  }
  const auto zone = node.get("zone");
  const auto spread = node.get("spread");
  if (zone && spread) {
    spread->fail("give either zone or spread, not both");
  }
  std::vector<Index> zones;
  if (zone) {
    zones.push_back(resolveName(*zone, scenario_.zones, "zone"));
  } else if (spread) {
    for (const Node& element : spread->elements()) {
      zones.push_back(resolveName(element, scenario_.zones, "zone"));
    }
    if (zones.empty()) {
      spread->fail("list at least one zone");
    }
  } else {
    zones.push_back(0);
  }
  for (std::uint32_t r = 0; r < version.replicas; ++r) {
    version.replica_zone.push_back(zones[r % zones.size()]);
  }
  if (const auto concurrency = node.get("concurrency")) {
    version.concurrency = readCount(*concurrency, 1);
  }
  if (const auto capacity = node.get("queue_capacity")) {
    version.queue_capacity = readCount(*capacity, 0, std::numeric_limits<std::int32_t>::max());
  }
  version.service_time = readDistribution(node.require("service_time"));
  if (const auto errors = node.get("errors")) {
    errors->checkKeys({"probability", "status", "load_dependent"});
    if (const auto probability = errors->get("probability")) {
      version.errors.probability = readProbability(*probability);
    }
    if (const auto status = errors->get("status")) {
      version.errors.status = readStatus(*status);
    }
    if (const auto load = errors->get("load_dependent")) {
      load->checkKeys({"threshold", "slope"});
      LoadDependentErrors model;
      if (const auto threshold = load->get("threshold")) {
        model.threshold = readProbability(*threshold);
      }
      if (const auto slope = load->get("slope")) {
        model.slope = readNonNegative(*slope);
      }
      version.errors.load_dependent = model;
    }
  }
  if (const auto weight = node.get("weight")) {
    version.weight = readCount(*weight, 1);
  }
  return version;
}

OperationSpec ScenarioParser::parseOperation(const Node& node, Index service, Index version,
                                             Index operation) {
  node.checkKeys(kOperationKeys);
  OperationSpec spec;
  const auto path = node.get("path");
  const auto prefix = node.get("prefix");
  if (path.has_value() == prefix.has_value()) {
    node.fail("an operation matches by exactly one of `path` (exact) or `prefix`");
  }
  const Node& match = path ? *path : *prefix;
  spec.match = path ? PathMatch::Exact : PathMatch::Prefix;
  spec.path = match.asString();
  if (spec.path.empty() || spec.path[0] != '/') {
    match.fail("a path starts with '/'");
  }
  spec.method = node.stringOr("method", "");
  if (const auto time = node.get("service_time")) {
    spec.service_time = readDistribution(*time);
  }
  if (const auto failure = node.get("on_call_failure")) {
    spec.on_call_failure = readEnum<OnCallFailure>(
        *failure, {{"fail", OnCallFailure::Fail}, {"continue", OnCallFailure::Continue}});
  }
  if (const auto calls = node.get("calls")) {
    for (const Node& element : calls->elements()) {
      element.expectMap();
      Keys keys = kCallKeys;
      keys.push_back("parallel");
      element.checkKeys(keys);
      CallStep step;
      const std::size_t step_index = spec.calls.size();
      if (const auto group = element.get("parallel")) {
        if (element.entries().size() != 1) {
          element.fail("a parallel group has only the key `parallel`, a list of calls");
        }
        step.parallel = true;
        for (const Node& call : group->elements()) {
          step.calls.push_back(
              parseCall(call, service, version, operation, step_index, step.calls.size()));
        }
        if (step.calls.empty()) {
          group->fail("a parallel group lists at least one call");
        }
      } else {
        step.calls.push_back(parseCall(element, service, version, operation, step_index, 0));
      }
      spec.calls.push_back(std::move(step));
    }
  }
  return spec;
}

CallSpec ScenarioParser::parseCall(const Node& node, Index service, Index version, Index operation,
                                   std::size_t step, std::size_t index) {
  node.checkKeys(kCallKeys);
  CallSpec call;
  const Node callee = node.require("call");
  call.path = node.stringOr("path", "/");
  call.method = node.stringOr("method", "GET");
  if (const auto timeout = node.get("timeout")) {
    call.timeout = readPositiveDuration(*timeout);
  }
  if (const auto retries = node.get("retries")) {
    call.retries = readCount(*retries, 0, 100);
  }
  if (const auto probability = node.get("probability")) {
    call.probability = readProbability(*probability);
  }
  pending_calls_.push_back(
      PendingCall{callee, node, node.get("path"), service, version, operation, step, index});
  return call;
}

std::vector<Index> ScenarioParser::resolveOperations(const Node& where, Index service,
                                                     const std::string& path,
                                                     const std::string& method) {
  const ServiceSpec& callee = scenario_.services[service];
  std::vector<Index> operations;
  for (const VersionSpec& version : callee.versions) {
    const std::optional<Index> operation = version.findOperation(path, method);
    if (!operation) {
      std::string message = "no operation of '" + callee.name + "' (version " + version.name +
                            ") matches " + method + " " + path + "; its operations:";
      for (const OperationSpec& spec : version.operations) {
        message += std::string(spec.match == PathMatch::Exact ? " path " : " prefix ") + spec.path;
      }
      where.fail(message);
    }
    operations.push_back(*operation);
  }
  return operations;
}

void ScenarioParser::resolveCalls() {
  vertex_base_.resize(scenario_.services.size());
  for (std::size_t s = 0; s < scenario_.services.size(); ++s) {
    for (const VersionSpec& version : scenario_.services[s].versions) {
      vertex_base_[s].push_back(vertex_count_);
      vertex_count_ += version.operations.size();
    }
  }
  for (const PendingCall& pending : pending_calls_) {
    CallSpec& call = pendingCall(pending);
    call.service = resolveName(pending.call, service_names_, "service");
    call.operation = resolveOperations(pending.path ? *pending.path : pending.where, call.service,
                                       call.path, call.method);
  }
}

void ScenarioParser::parseWorkload(const Node& node) {
  node.checkKeys(kWorkloadKeys);
  WorkloadSpec& workload = scenario_.workload;
  if (const auto kind = node.get("kind")) {
    workload.kind = readEnum<WorkloadKind>(
        *kind, {{"open", WorkloadKind::Open}, {"closed", WorkloadKind::Closed}});
  }
  if (const auto arrivals = node.get("arrivals")) {
    workload.arrivals = readEnum<Arrivals>(*arrivals, {{"poisson", Arrivals::Poisson},
                                                       {"constant", Arrivals::Constant},
                                                       {"bursty", Arrivals::Bursty},
                                                       {"schedule", Arrivals::Schedule}});
  }
  // Which keys the chosen kind reads; the others are accepted with a warning.
  Keys used = {"kind", "mix"};
  if (workload.kind == WorkloadKind::Closed) {
    used.insert(used.end(), {"users", "think_time"});
    workload.users = readCount(node.require("users"), 1, 10000000);
    if (const auto think = node.get("think_time")) {
      workload.think_time = readDistribution(*think);
    }
  } else {
    used.push_back("arrivals");
    switch (workload.arrivals) {
      case Arrivals::Poisson:
      case Arrivals::Constant:
        used.push_back("rate");
        workload.rate = readPositive(node.require("rate"));
        break;
      case Arrivals::Bursty: {
        used.push_back("bursty");
        const Node bursty = node.require("bursty");
        bursty.checkKeys({"on", "off", "on_rate", "off_rate"});
        workload.bursty.on = readPositiveDuration(bursty.require("on"));
        workload.bursty.off = readPositiveDuration(bursty.require("off"));
        workload.bursty.on_rate = readPositive(bursty.require("on_rate"));
        workload.bursty.off_rate =
            bursty.get("off_rate") ? readNonNegative(*bursty.get("off_rate")) : 0.0;
        break;
      }
      case Arrivals::Schedule: {
        used.push_back("schedule");
        const Node schedule = node.require("schedule");
        bool any_positive = false;
        for (const Node& element : schedule.elements()) {
          element.checkKeys({"at", "rate"});
          RateStep step{element.require("at").asDuration(),
                        readNonNegative(element.require("rate"))};
          if (workload.schedule.empty() && step.at != core::Duration::zero()) {
            element.require("at").fail("the first schedule step starts at 0s");
          }
          if (!workload.schedule.empty() && step.at <= workload.schedule.back().at) {
            element.require("at").fail("schedule steps must be in increasing `at` order");
          }
          any_positive = any_positive || step.rate > 0;
          workload.schedule.push_back(step);
        }
        if (!any_positive) {
          schedule.fail("a schedule needs at least one step with a rate greater than 0");
        }
        break;
      }
    }
  }
  for (const auto& [key, value] : node.entries()) {
    if (std::find(used.begin(), used.end(), key) == used.end()) {
      warn(value, workload.kind == WorkloadKind::Open
                      ? "ignored: not used by an open workload with arrivals " +
                            node.stringOr("arrivals", "poisson")
                      : std::string("ignored: not used by a closed workload"));
    }
  }
  parseMix(node.require("mix"));
}

void ScenarioParser::parseMix(const Node& node) {
  WorkloadSpec& workload = scenario_.workload;
  double total = 0;
  for (const Node& element : node.elements()) {
    element.checkKeys(kMixKeys);
    MixEntry entry;
    const Node service = element.require("service");
    entry.service = resolveName(service, service_names_, "service");
    entry.path = element.stringOr("path", "/");
    entry.method = element.stringOr("method", "GET");
    entry.weight = element.get("weight") ? readNonNegative(*element.get("weight")) : 1.0;
    if (const auto headers = element.get("headers")) {
      for (const auto& [name, value] : headers->entries()) {
        entry.headers.emplace_back(name, value.asString());
      }
    }
    entry.operation = resolveOperations(element.get("path") ? *element.get("path") : element,
                                        entry.service, entry.path, entry.method);
    total += entry.weight;
    if (entry.weight > 0) {
      for (std::size_t v = 0; v < entry.operation.size(); ++v) {
        entry_vertices_.emplace_back(
            vertex(entry.service, static_cast<Index>(v), entry.operation[v]), element);
      }
    }
    workload.mix.push_back(std::move(entry));
  }
  if (workload.mix.empty()) {
    node.fail("list at least one entry point");
  }
  if (!(total > 0)) {
    node.fail("all mix weights are zero: give at least one entry point a positive weight");
  }
  for (MixEntry& entry : workload.mix) {
    entry.weight /= total;
  }
}

FaultTarget ScenarioParser::parseTarget(const Node& fault) {
  FaultTarget target;
  target.service = resolveName(fault.require("service"), service_names_, "service");
  const ServiceSpec& service = scenario_.services[target.service];
  std::vector<std::string> versions;
  for (const VersionSpec& version : service.versions) {
    versions.push_back(version.name);
  }
  if (const auto version = fault.get("version")) {
    target.version =
        resolveName(*version, versions, ("version of '" + service.name + "':").c_str());
  }
  if (const auto replica = fault.get("replica")) {
    std::int64_t total = 0;
    for (const VersionSpec& version : service.versions) {
      total += version.replicas;
    }
    const std::int64_t count =
        target.version == kAll ? total : service.versions[target.version].replicas;
    const std::int64_t index = replica->asInt();
    if (index < 0 || index >= count) {
      replica->fail("replica " + std::to_string(index) + " does not exist (" +
                    std::to_string(count) + " replicas, numbered from 0)");
    }
    if (target.version == kAll) {
      // Counted across versions in order: resolve to (version, replica).
      Index v = 0;
      std::int64_t remaining = index;
      while (remaining >= service.versions[v].replicas) {
        remaining -= service.versions[v].replicas;
        ++v;
      }
      target.version = v;
      target.replica = static_cast<Index>(remaining);
    } else {
      target.replica = static_cast<Index>(index);
    }
  }
  return target;
}

FaultAction ScenarioParser::errorRateFault(const Node& node) {
  ErrorRateFault fault{parseTarget(node), readProbability(node.require("probability")), 503};
  if (const auto status = node.get("status")) {
    fault.status = readStatus(*status);
  }
  return fault;
}

FaultAction ScenarioParser::latencyFault(const Node& node) {
  return LatencyFault{parseTarget(node), readDistribution(node.require("add"))};
}

FaultAction ScenarioParser::crashFault(const Node& node) {
  return CrashFault{parseTarget(node)};
}

FaultAction ScenarioParser::slowReplicaFault(const Node& node) {
  return SlowReplicaFault{parseTarget(node), readPositive(node.require("factor"))};
}

FaultAction ScenarioParser::partitionFault(const Node& node) {
  const auto [a, b] = parseZonePair(node.require("zones"));
  return PartitionFault{a, b};
}

FaultAction ScenarioParser::linkLossFault(const Node& node) {
  const auto [a, b] = parseZonePair(node.require("zones"));
  return LinkLossFault{a, b, readProbability(node.require("loss"))};
}

void ScenarioParser::parseFaults(const Node& node) {
  // With `warmup: auto` the end is known only after the pilot run, but MSER-5 never deletes more
  // than half of the pilot (whose length is `duration`): the run ends by 1.5 x duration.
  const core::Duration end = scenario_.warmup_auto ? scenario_.duration + scenario_.duration / 2
                                                   : scenario_.warmup + scenario_.duration;
  for (const Node& element : node.elements()) {
    element.expectMap();
    const Node kind_node = element.require("kind");
    const std::string kind = kind_node.asString();
    const auto& kinds = faultKinds();
    const auto kind_it = std::find_if(kinds.begin(), kinds.end(),
                                      [&](const FaultKind& k) { return k.name == kind; });
    if (kind_it == kinds.end()) {
      std::vector<std::pair<std::string_view, int>> choices;
      for (const FaultKind& k : kinds) {
        choices.emplace_back(k.name, 0);
      }
      readEnum<int>(kind_node, choices);  // throws with the list and a suggestion
    }
    Keys keys = kFaultCommonKeys;
    keys.insert(keys.end(), kind_it->keys.begin(), kind_it->keys.end());
    element.checkKeys(keys);
    FaultSpec fault;
    const Node at = element.require("at");
    fault.at = at.asDuration();
    if (const auto until = element.get("until")) {
      fault.until = until->asDuration();
      if (*fault.until <= fault.at) {
        until->fail("`until` must be later than `at`");
      }
    }
    if (fault.at >= end) {
      warn(at, scenario_.warmup_auto
                   ? "the fault starts after the latest possible end of the run (warmup: auto "
                     "detects at most duration / 2 of warm-up, then duration); it has no effect"
                   : "the fault starts after the run ends (warm-up + duration); it has no effect");
    }
    fault.action = (this->*(kind_it->parse))(element);
    scenario_.faults.push_back(std::move(fault));
  }
}

PolicySource ScenarioParser::parseManifestFile(const Node& node) {
  PolicySource source;
  source.file = requireFile(node, directory_, "policy file");
  source.documents = config::loadDocuments(source.file);
  return source;
}

// An inline manifest is a mapping, or a string holding YAML. For a block string (`inline: |`) the
// text is re-parsed with the lines and indentation it had in the scenario file, so diagnostics in
// it point at the right line and column of the scenario.
PolicySource ScenarioParser::parseInlineManifest(const Node& node) {
  PolicySource source;
  source.file = file_;
  source.is_inline = true;
  if (node.isMap()) {
    source.documents.push_back(node);
    return source;
  }
  const std::string text = node.asString();
  const YAML::Mark mark = node.yaml().Mark();
  const bool block = mark.pos >= 0 && static_cast<std::size_t>(mark.pos) < text_.size() &&
                     (text_[mark.pos] == '|' || text_[mark.pos] == '>');
  std::string shifted = text;
  if (block) {
    std::size_t line_start = text_.find('\n', mark.pos);
    std::size_t indent = 0;
    while (line_start != std::string::npos) {
      const std::size_t first = text_.find_first_not_of(' ', line_start + 1);
      if (first == std::string::npos || text_[first] != '\n') {
        indent = first == std::string::npos ? 0 : first - line_start - 1;
        break;
      }
      line_start = first;
    }
    // Document markers must stay at column 0, so multi-document blocks only get the line shift.
    const bool has_markers = text.rfind("---", 0) == 0 || text.find("\n---") != std::string::npos;
    shifted = std::string(static_cast<std::size_t>(mark.line) + 1, '\n');
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      if (!line.empty() && !has_markers) {
        shifted += std::string(indent, ' ');
      }
      shifted += line + "\n";
    }
  }
  source.documents = config::loadDocumentsFromString(shifted, file_);
  return source;
}

void ScenarioParser::parsePolicies(const Node& node) {
  for (const Node& element : node.elements()) {
    element.checkKeys({"file", "inline"});
    const auto file = element.get("file");
    const auto inline_manifest = element.get("inline");
    if (file.has_value() == inline_manifest.has_value()) {
      element.fail("a policy entry has exactly one of `file` or `inline`");
    }
    PolicySource source = file ? parseManifestFile(*file) : parseInlineManifest(*inline_manifest);
    if (source.documents.empty()) {
      element.fail("the policy holds no YAML document");
    }
    scenario_.policies.push_back(std::move(source));
  }
}

// A cycle in the call graph reachable from an entry point would recurse without bound. Vertices
// are (service, version, operation) so that a service calling another operation of itself is not
// a cycle.
void ScenarioParser::checkCallGraph() {
  struct Owner {
    Index service, version, operation;
  };
  std::vector<std::vector<Edge>> edges(vertex_count_);
  std::vector<Owner> owner(vertex_count_);
  for (std::size_t s = 0; s < scenario_.services.size(); ++s) {
    const auto& versions = scenario_.services[s].versions;
    for (std::size_t v = 0; v < versions.size(); ++v) {
      for (std::size_t o = 0; o < versions[v].operations.size(); ++o) {
        owner[vertex(static_cast<Index>(s), static_cast<Index>(v), static_cast<Index>(o))] = {
            static_cast<Index>(s), static_cast<Index>(v), static_cast<Index>(o)};
      }
    }
  }
  // Routing may send a call to any version of the callee, so each is a possible next vertex.
  for (const PendingCall& pending : pending_calls_) {
    const CallSpec& call = pendingCall(pending);
    for (std::size_t v = 0; v < call.operation.size(); ++v) {
      edges[vertex(pending.service, pending.version, pending.operation)].push_back(
          Edge{vertex(call.service, static_cast<Index>(v), call.operation[v]), pending.where});
    }
  }
  const auto label = [&](std::size_t vertex_index) {
    const Owner& o = owner[vertex_index];
    const ServiceSpec& service = scenario_.services[o.service];
    std::string text = service.name;
    if (service.versions.size() > 1) {
      text += "(" + service.versions[o.version].name + ")";
    }
    const auto& operations = service.versions[o.version].operations;
    return operations.size() == 1 ? text : text + " " + operations[o.operation].path;
  };

  enum class Colour : std::uint8_t { kWhite, kGrey, kBlack };
  std::vector<Colour> colour(vertex_count_, Colour::kWhite);
  for (const auto& [entry, entry_node] : entry_vertices_) {
    if (colour[entry] != Colour::kWhite) {
      continue;
    }
    // Iterative DFS; `path` holds the grey vertices from the entry point down.
    std::vector<std::pair<std::size_t, std::size_t>> stack{{entry, 0}};
    std::vector<std::size_t> path{entry};
    colour[entry] = Colour::kGrey;
    while (!stack.empty()) {
      auto& [vertex, next] = stack.back();
      if (next == edges[vertex].size()) {
        colour[vertex] = Colour::kBlack;
        stack.pop_back();
        path.pop_back();
        continue;
      }
      const Edge& edge = edges[vertex][next++];
      if (colour[edge.to] == Colour::kGrey) {
        std::string cycle;
        const auto start = std::find(path.begin(), path.end(), edge.to);
        for (auto it = start; it != path.end(); ++it) {
          cycle += label(*it) + " -> ";
        }
        edge.where.fail("unbounded call cycle: " + cycle + label(edge.to) +
                        " (reachable from workload entry point " + label(entry) + ")");
      }
      if (colour[edge.to] == Colour::kWhite) {
        colour[edge.to] = Colour::kGrey;
        path.push_back(edge.to);
        stack.emplace_back(edge.to, 0);
      }
    }
  }
  for (std::size_t s = 0; s < scenario_.services.size(); ++s) {
    bool reached = false;
    const std::size_t end =
        s + 1 < vertex_base_.size() ? vertex_base_[s + 1].front() : vertex_count_;
    for (std::size_t v = vertex_base_[s].front(); v < end; ++v) {
      reached = reached || colour[v] == Colour::kBlack;
    }
    if (!reached) {
      warn(service_nodes_[s], "service '" + scenario_.services[s].name +
                                  "' receives no traffic: no workload.mix entry reaches it");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// --set overrides.

struct PathStep {
  bool is_key;  // a map key, or a [selector] of a list element
  std::string text;
  int column;  // 1-based, within the key=value argument
};

struct AppliedOverride {
  std::string path;  // canonical key path of the value, as config::Node spells it
  int value_column = 0;
  std::string created;  // canonical path of the first map key the override added, or empty
  int created_column = 0;
};

constexpr const char* kSetFile = "--set";

[[noreturn]] void failSet(int column, const std::string& key, const std::string& message) {
  throw ConfigError(Location{kSetFile, 1, column}, key, message);
}

std::vector<PathStep> parseSetPath(const std::string& path) {
  std::vector<PathStep> steps;
  std::size_t i = 0;
  while (i < path.size()) {
    const std::size_t start = i;
    if (path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string::npos || close == i + 1) {
        failSet(static_cast<int>(i) + 1, path, "expected [name] or [index]");
      }
      steps.push_back({false, path.substr(i + 1, close - i - 1), static_cast<int>(i) + 2});
      i = close + 1;
      if (i < path.size() && path[i] != '.' && path[i] != '[') {
        failSet(static_cast<int>(i) + 1, path, "expected '.' or '[' after ']'");
      }
    } else {
      while (i < path.size() && path[i] != '.' && path[i] != '[') {
        ++i;
      }
      if (i == start) {
        failSet(static_cast<int>(i) + 1, path, "empty key in path");
      }
      steps.push_back({true, path.substr(start, i - start), static_cast<int>(start) + 1});
    }
    if (i < path.size() && path[i] == '.') {
      ++i;
      if (i == path.size()) {
        failSet(static_cast<int>(i), path, "path ends with '.'");
      }
    }
  }
  if (steps.empty() || !steps.front().is_key) {
    failSet(1, path, "expected key=value, e.g. workload.rate=200");
  }
  return steps;
}

std::vector<std::string_view> mapKeys(const YAML::Node& map, std::vector<std::string>& storage) {
  storage.clear();
  for (const auto& entry : map) {
    storage.push_back(entry.first.Scalar());
  }
  return {storage.begin(), storage.end()};
}

AppliedOverride applyOverride(YAML::Node root, const std::string& argument) {
  const std::size_t equals = argument.find('=');
  if (equals == std::string::npos || equals == 0) {
    failSet(1, argument, "expected key=value, e.g. workload.rate=200");
  }
  const std::string path = argument.substr(0, equals);
  const int value_column = static_cast<int>(equals) + 2;
  // Indenting the value by its column makes its YAML marks give columns within the argument.
  const std::vector<Node> parsed = config::loadDocumentsFromString(
      std::string(static_cast<std::size_t>(value_column) - 1, ' ') + argument.substr(equals + 1),
      kSetFile);
  const YAML::Node value = parsed.empty() ? YAML::Node(YAML::NodeType::Null) : parsed[0].yaml();

  const std::vector<PathStep> steps = parseSetPath(path);
  AppliedOverride applied;
  YAML::Node current;
  current.reset(root);
  std::string canonical;
  std::vector<std::string> storage;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const PathStep& step = steps[i];
    const bool last = i + 1 == steps.size();
    if (step.is_key) {
      if (current.IsNull()) {
        current = YAML::Node(YAML::NodeType::Map);
      }
      if (!current.IsMap()) {
        failSet(step.column, path,
                "'" + canonical + "' is not a mapping, so it has no key '" + step.text + "'");
      }
      const YAML::Node& lookup = current;
      const YAML::Node child = lookup[step.text];
      const bool exists = child.IsDefined();
      canonical = canonical.empty() ? step.text : canonical + "." + step.text;
      if (!exists && !last && !steps[i + 1].is_key) {
        std::string message =
            "no list '" + canonical + "' to select [" + steps[i + 1].text + "] from";
        const std::string suggestion = config::closestMatch(step.text, mapKeys(current, storage));
        if (!suggestion.empty()) {
          message += " (did you mean '" + suggestion + "'?)";
        }
        failSet(step.column, path, message);
      }
      if (!exists && applied.created.empty()) {
        applied.created = canonical;
        applied.created_column = step.column;
      }
      if (last) {
        current[step.text] = value;
      } else {
        if (!exists) {
          current[step.text] = YAML::Node(YAML::NodeType::Map);
        }
        YAML::Node next = current[step.text];
        current.reset(next);
      }
      continue;
    }
    if (!current.IsSequence()) {
      failSet(step.column, path, "'" + canonical + "' is not a list");
    }
    std::size_t index = current.size();
    if (std::all_of(step.text.begin(), step.text.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      index = step.text.size() > 9 ? current.size() : std::stoul(step.text);
      if (index >= current.size()) {
        failSet(step.column, path,
                "index " + step.text + " is out of range: '" + canonical + "' has " +
                    std::to_string(current.size()) + " elements");
      }
    } else {
      std::vector<std::string> names;
      for (std::size_t e = 0; e < current.size(); ++e) {
        const YAML::Node element = current[e];
        const YAML::Node name = element.IsMap() ? element["name"] : YAML::Node();
        names.push_back(name.IsDefined() && name.IsScalar() ? name.Scalar() : "");
        if (names.back() == step.text) {
          index = e;
          break;
        }
      }
      if (index == current.size()) {
        std::string message = "'" + canonical + "' has no element named '" + step.text + "'";
        const std::string suggestion = config::closestMatch(
            step.text, std::vector<std::string_view>(names.begin(), names.end()));
        if (!suggestion.empty()) {
          message += " (did you mean '" + suggestion + "'?)";
        }
        failSet(step.column, path, message);
      }
    }
    canonical += "[" + std::to_string(index) + "]";
    if (last) {
      current[index] = value;
    } else {
      YAML::Node next = current[index];
      current.reset(next);
    }
  }
  applied.path = canonical;
  applied.value_column = value_column;
  return applied;
}

bool beneath(const std::string& key, const std::string& path) {
  return !path.empty() && key.rfind(path, 0) == 0 &&
         (key.size() == path.size() || key[path.size()] == '.' || key[path.size()] == '[');
}

// Diagnostics about values that came from --set name the override, not the scenario file. Nodes
// parsed from the value carry their column in the argument; keys the override added have no
// position (line 0), so they point at the key's column.
std::optional<Location> overrideLocation(const std::string& key, const Location& location,
                                         const std::vector<AppliedOverride>& overrides) {
  for (auto it = overrides.rbegin(); it != overrides.rend(); ++it) {
    if (beneath(key, it->path) && location.line > 0) {
      return Location{kSetFile, location.line, location.column};
    }
    if (beneath(key, it->created)) {
      return Location{kSetFile, 1, it->created_column};
    }
    if (beneath(key, it->path)) {
      return Location{kSetFile, 1, it->value_column};
    }
  }
  return std::nullopt;
}

std::string messageOf(const ConfigError& error) {
  const Location& l = error.location();
  const std::string prefix =
      l.file + ":" + std::to_string(l.line) + ":" + std::to_string(l.column) +
      ": error: " + (error.key().empty() ? "" : "key '" + error.key() + "': ");
  const std::string what = error.what();
  return what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(Location{path, 0, 0}, "", "cannot open the scenario file");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Scenario loadScenarioFromString(const std::string& text, const std::string& name,
                                const std::vector<std::string>& set_overrides,
                                config::Warnings& warnings) {
  const std::vector<Node> documents = config::loadDocumentsFromString(text, name);
  if (documents.size() != 1) {
    throw ConfigError(Location{name, 1, 1}, "",
                      documents.empty() ? "the scenario file is empty"
                                        : "a scenario is one YAML document, found " +
                                              std::to_string(documents.size()));
  }
  const Node& root = documents[0];
  if (!root.isMap()) {
    root.fail("a scenario is a mapping of keys such as name, duration, services, workload");
  }
  std::vector<AppliedOverride> overrides;
  for (const std::string& argument : set_overrides) {
    overrides.push_back(applyOverride(root.yaml(), argument));
  }

  std::string directory = std::filesystem::path(name).parent_path().string();
  if (directory.empty()) {
    directory = ".";
  }
  ScenarioParser parser(name, directory, text);
  try {
    Scenario scenario = parser.parse(root);
    for (Warning warning : parser.warnings()) {
      if (auto location = overrideLocation(warning.key, warning.location, overrides)) {
        warning.location = *location;
      }
      warnings.push_back(std::move(warning));
    }
    return scenario;
  } catch (const ConfigError& error) {
    if (auto location = overrideLocation(error.key(), error.location(), overrides)) {
      throw ConfigError(*location, error.key(), messageOf(error));
    }
    throw;
  }
}

Scenario loadScenario(const std::string& path, const std::vector<std::string>& set_overrides,
                      config::Warnings& warnings) {
  return loadScenarioFromString(readFile(path), path, set_overrides, warnings);
}

}  // namespace meshsim::sim
