#include "istio/manifest_parser.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <tuple>

#include "core/router/istio_route_translation.h"

namespace meshsim::istio {

namespace {

using config::Node;
using config::Warning;
using config::Warnings;

constexpr std::string_view kNotModelled = "accepted but not modelled by meshsim; it has no effect";

void warn(Warnings& warnings, const Node& node, std::string message) {
  warnings.push_back(Warning{node.location(), node.path(), std::move(message)});
}

// A present key whose value is not YAML null (`key:` with nothing after it reads as absent, as
// Kubernetes does for optional fields).
std::optional<Node> member(const Node& node, std::string_view key) {
  std::optional<Node> value = node.get(key);
  if (value && value->isNull()) {
    return std::nullopt;
  }
  return value;
}

std::uint32_t asUint32(const Node& node) {
  const std::int64_t value = node.asInt();
  if (value < 0 || value > std::numeric_limits<std::int32_t>::max()) {
    node.fail("expected a non-negative 32-bit integer, got " + std::to_string(value));
  }
  return static_cast<std::uint32_t>(value);
}

std::uint32_t asPercentInt(const Node& node) {
  const std::uint32_t value = asUint32(node);
  if (value > 100) {
    node.fail("must be within [0, 100]");
  }
  return value;
}

// Istio's Percent message: {value: <double>} within [0, 100].
double asPercentMessage(const Node& node) {
  node.checkKeys({"value"});
  const Node value = node.require("value");
  const double v = value.asDouble();
  if (v < 0 || v > 100) {
    value.fail("percentage must be within [0, 100]");
  }
  return v;
}

std::vector<std::string> asStrings(const Node& node) {
  std::vector<std::string> out;
  for (const Node& element : node.elements()) {
    out.push_back(element.asString());
  }
  return out;
}

core::Labels asLabels(const Node& node) {
  core::Labels labels;
  if (node.isNull()) {
    return labels;
  }
  for (const auto& [key, value] : node.entries()) {
    labels.emplace_back(key, value.asString());
  }
  return labels;
}

// An enum value with a "did you mean" when it is misspelt.
template <class T>
T asEnum(const Node& node, const std::vector<std::pair<std::string_view, T>>& values) {
  const std::string text = node.asString();
  std::vector<std::string_view> names;
  for (const auto& [name, value] : values) {
    if (name == text) {
      return value;
    }
    names.push_back(name);
  }
  std::string message = "unknown value '" + text + "'";
  const std::string suggestion = config::closestMatch(text, names);
  if (!suggestion.empty()) {
    message += " (did you mean '" + suggestion + "'?)";
  } else {
    message += "; expected one of";
    for (std::string_view name : names) {
      message += ' ';
      message.append(name);
    }
  }
  node.fail(message);
}

// Diagnostics of a core translation, attached to the node it came from: errors refuse the
// manifest as Istio's validation would, warnings are passed on.
void report(const core::ConfigDiagnostics& diagnostics, const Node& node, Warnings& warnings) {
  for (const core::ConfigDiagnostic& d : diagnostics) {
    if (d.severity == core::ConfigDiagnostic::Severity::kError) {
      node.fail(d.message);
    }
  }
  for (const core::ConfigDiagnostic& d : diagnostics) {
    warn(warnings, node, d.message);
  }
}

// ---------------------------------------------------------------------------------------------
// VirtualService

// Istio StringMatch: exactly one of exact / prefix / regex. `kind` is empty for `{}`.
std::pair<std::string, std::string> stringMatch(const Node& node) {
  if (node.isNull()) {
    return {"", ""};
  }
  node.checkKeys({"exact", "prefix", "regex"});
  const auto entries = node.entries();
  if (entries.size() > 1) {
    node.fail("a string match takes exactly one of exact, prefix, regex");
  }
  if (entries.empty()) {
    return {"", ""};
  }
  return {entries[0].first, entries[0].second.asString()};
}

core::StringMatcher uriMatcher(const Node& node, bool ignore_case) {
  const auto [kind, value] = stringMatch(node);
  if (kind.empty()) {
    node.fail("uri match needs one of exact, prefix, regex");
  }
  if (kind == "exact") {
    return core::StringMatcher::exact(value, ignore_case);
  }
  if (kind == "prefix") {
    return core::StringMatcher::prefix(value, ignore_case);
  }
  core::StringMatcher matcher = core::StringMatcher::regex(value);
  if (!matcher.error().empty()) {
    node.get("regex")->fail("invalid regex: " + matcher.error());
  }
  return matcher;
}

core::HeaderMatcher headerMatcher(std::string name, const Node& node, Warnings& warnings) {
  const auto [kind, value] = stringMatch(node);
  core::ConfigDiagnostics diagnostics;
  std::optional<core::HeaderMatcher> matcher =
      core::istioHeaderMatcher(std::move(name), kind, value, diagnostics, node.path());
  report(diagnostics, node, warnings);
  return *matcher;
}

// One match[] element; nullopt when it only applies to gateways.
std::optional<core::RouteMatch> parseMatch(const Node& node, Warnings& warnings) {
  node.checkKeys({"name", "uri", "headers", "withoutHeaders", "method", "authority", "scheme",
                  "ignoreUriCase", "gateways"},
                 {"queryParams", "port", "sourceLabels", "sourceNamespace", "statPrefix"},
                 warnings);
  if (const auto gateways = member(node, "gateways")) {
    const std::vector<std::string> names = asStrings(*gateways);
    if (std::find(names.begin(), names.end(), "mesh") == names.end()) {
      warn(warnings, *gateways,
           "this match only applies to gateways, which meshsim does not model; it is dropped");
      return std::nullopt;
    }
    warn(warnings, *gateways, "gateways are not modelled; only the sidecar ('mesh') part applies");
  }
  core::RouteMatch match;
  const bool ignore_case = member(node, "ignoreUriCase") && node.get("ignoreUriCase")->asBool();
  if (const auto uri = member(node, "uri")) {
    match.path = uriMatcher(*uri, ignore_case);
  }
  if (const auto headers = member(node, "headers")) {
    for (const auto& [name, value] : headers->entries()) {
      match.headers.push_back(headerMatcher(name, value, warnings));
    }
  }
  for (const auto& [key, pseudo] :
       {std::pair<std::string_view, std::string_view>{"method", ":method"},
        {"authority", ":authority"},
        {"scheme", ":scheme"}}) {
    if (const auto value = member(node, key)) {
      match.headers.push_back(headerMatcher(std::string(pseudo), *value, warnings));
    }
  }
  if (const auto without = member(node, "withoutHeaders")) {
    for (const auto& [name, value] : without->entries()) {
      core::HeaderMatcher matcher = headerMatcher(name, value, warnings);
      matcher.invert = true;
      matcher.treat_missing_as_empty =
          matcher.matcher.kind() != core::StringMatcher::Kind::kPresent;
      match.headers.push_back(std::move(matcher));
    }
  }
  return match;
}

ParsedDestination parseDestination(const Node& node) {
  node.checkKeys({"host", "subset", "port"});
  ParsedDestination destination;
  const Node host = node.require("host");
  destination.host = host.asString();
  destination.host_at = sourceOf(host);
  if (const auto subset = member(node, "subset")) {
    destination.subset = subset->asString();
    destination.subset_at = sourceOf(*subset);
  }
  if (const auto port = member(node, "port")) {
    // meshsim services expose one port, so a port selector only has to be well formed.
    port->checkKeys({"number"});
    const std::uint32_t number = asUint32(port->require("number"));
    if (number == 0 || number > 65535) {
      port->require("number").fail("port must be within [1, 65535]");
    }
  }
  return destination;
}

core::IstioHttpRetry parseRetries(const Node& node) {
  node.checkKeys({"attempts", "perTryTimeout", "retryOn", "retryRemoteLocalities",
                  "retryIgnorePreviousHosts", "backoff"});
  core::IstioHttpRetry retry;
  if (const auto v = member(node, "attempts")) {
    const std::int64_t attempts = v->asInt();
    if (attempts < 0) {
      v->fail("attempts cannot be negative");
    }
    retry.attempts = static_cast<std::int32_t>(std::min<std::int64_t>(attempts, 1 << 30));
  }
  if (const auto v = member(node, "perTryTimeout")) {
    retry.per_try_timeout = v->asDuration();
    if (*retry.per_try_timeout < std::chrono::milliseconds(1)) {
      v->fail("perTryTimeout must be at least 1ms");
    }
  }
  if (const auto v = member(node, "retryOn")) {
    retry.retry_on = v->asString();
  }
  if (const auto v = member(node, "retryRemoteLocalities")) {
    retry.retry_remote_localities = v->asBool();
  }
  if (const auto v = member(node, "retryIgnorePreviousHosts")) {
    retry.retry_ignore_previous_hosts = v->asBool();
  }
  if (const auto v = member(node, "backoff")) {
    retry.backoff = v->asDuration();
    if (*retry.backoff < std::chrono::milliseconds(1)) {
      v->fail("backoff must be at least 1ms");
    }
  }
  return retry;
}

std::optional<core::HttpFault> parseFault(const Node& node, Warnings& warnings) {
  node.checkKeys({"delay", "abort"});
  core::IstioFaultInjection fault;
  if (const auto delay = member(node, "delay")) {
    delay->checkKeys({"fixedDelay", "exponentialDelay", "percentage", "percent"});
    core::IstioFaultInjection::Delay d;
    if (const auto v = member(*delay, "fixedDelay")) {
      d.fixed_delay = v->asDuration();
      if (*d.fixed_delay < std::chrono::milliseconds(1)) {
        v->fail("fixedDelay must be at least 1ms");
      }
    }
    if (const auto v = member(*delay, "exponentialDelay")) {
      d.exponential_delay = v->asDuration();
    }
    if (const auto v = member(*delay, "percentage")) {
      d.percentage = asPercentMessage(*v);
    }
    if (const auto v = member(*delay, "percent")) {
      d.percent = static_cast<std::int32_t>(asPercentInt(*v));
    }
    if (!d.fixed_delay && !d.exponential_delay) {
      delay->fail("delay needs fixedDelay");
    }
    fault.delay = d;
  }
  if (const auto abort = member(node, "abort")) {
    abort->checkKeys({"httpStatus", "grpcStatus", "percentage"}, {"http2Error"}, warnings);
    core::IstioFaultInjection::Abort a;
    if (const auto v = member(*abort, "httpStatus")) {
      const std::uint32_t status = asUint32(*v);
      if (status < 200 || status > 599) {
        v->fail("httpStatus must be within [200, 599]");
      }
      a.http_status = status;
    }
    if (const auto v = member(*abort, "grpcStatus")) {
      a.grpc_status = v->asString();
    }
    if (a.http_status && a.grpc_status) {
      abort->fail("abort takes one of httpStatus, grpcStatus");
    }
    if (const auto v = member(*abort, "percentage")) {
      a.percentage = asPercentMessage(*v);
    }
    fault.abort = a;
  }
  core::ConfigDiagnostics diagnostics;
  std::optional<core::HttpFault> out = core::translateIstioFault(fault, diagnostics, node.path());
  report(diagnostics, node, warnings);
  return out;
}

std::optional<ParsedHttpRoute> parseHttpRoute(const Node& node, Warnings& warnings) {
  node.checkKeys(
      {"name", "match", "route", "timeout", "retries", "fault", "mirror", "mirrorPercentage",
       "mirrorPercent", "mirrors", "redirect", "directResponse", "delegate"},
      {"rewrite", "headers", "corsPolicy"}, warnings);
  ParsedHttpRoute route;
  route.name = node.stringOr("name", "");
  for (std::string_view key : {"redirect", "directResponse", "delegate"}) {
    if (const auto v = member(node, key)) {
      warn(warnings, *v,
           std::string(key) + " is not modelled by meshsim; this http route is dropped");
      return std::nullopt;
    }
  }
  const auto destinations = member(node, "route");
  if (!destinations || destinations->elements().empty()) {
    node.fail("an http route needs route, redirect or directResponse");
  }
  route.route_at = sourceOf(*destinations);
  for (const Node& element : destinations->elements()) {
    element.checkKeys({"destination", "weight"}, {"headers"}, warnings);
    ParsedDestination destination = parseDestination(element.require("destination"));
    if (const auto weight = member(element, "weight")) {
      destination.weight = asPercentInt(*weight);
    }
    route.route.push_back(std::move(destination));
  }
  // Istio's validateHTTPRouteDestinations.
  if (route.route.size() > 1) {
    std::uint64_t total = 0;
    for (const ParsedDestination& d : route.route) {
      total += d.weight;
    }
    if (total != 100) {
      destinations->fail("total destination weight " + std::to_string(total) + " != 100");
    }
  }

  if (const auto matches = member(node, "match")) {
    const std::vector<Node> elements = matches->elements();
    for (const Node& element : elements) {
      std::optional<core::RouteMatch> match = parseMatch(element, warnings);
      if (!match) {
        continue;
      }
      std::string name = route.name;
      if (const auto match_name = member(element, "name")) {
        name = name.empty() ? match_name->asString() : name + "." + match_name->asString();
      }
      route.matches.emplace_back(std::move(name), std::move(*match));
    }
    if (!elements.empty() && route.matches.empty()) {
      return std::nullopt;  // every match was gateway-only
    }
  }
  if (const auto v = member(node, "timeout")) {
    route.timeout = v->asDuration();
  }
  if (const auto v = member(node, "retries")) {
    route.retries = parseRetries(*v);
    route.retries_at = sourceOf(*v);
  } else {
    route.retries_at = sourceOf(node);
  }
  if (const auto v = member(node, "fault")) {
    route.fault = parseFault(*v, warnings);
  }
  if (const auto v = member(node, "mirror")) {
    ParsedMirror mirror;
    mirror.destination = parseDestination(*v);
    if (const auto p = member(node, "mirrorPercentage")) {
      mirror.percentage = asPercentMessage(*p);
    }
    if (const auto p = member(node, "mirrorPercent")) {
      mirror.percent = asPercentInt(*p);
    }
    route.mirrors.push_back(std::move(mirror));
  } else {
    for (std::string_view key : {"mirrorPercentage", "mirrorPercent"}) {
      if (const auto p = member(node, key)) {
        p->fail(std::string(key) + " needs mirror");
      }
    }
  }
  if (const auto v = member(node, "mirrors")) {
    if (member(node, "mirror")) {
      v->fail("use either mirror or mirrors, not both");
    }
    for (const Node& element : v->elements()) {
      element.checkKeys({"destination", "percentage"});
      ParsedMirror mirror;
      mirror.destination = parseDestination(element.require("destination"));
      if (const auto p = member(element, "percentage")) {
        mirror.percentage = asPercentMessage(*p);
      }
      route.mirrors.push_back(std::move(mirror));
    }
  }
  return route;
}

std::optional<ParsedVirtualService> parseVirtualService(ResourceMeta meta, const Node& spec,
                                                        Warnings& warnings) {
  spec.checkKeys({"hosts", "http", "gateways"}, {"exportTo", "tls", "tcp"}, warnings);
  if (const auto gateways = member(spec, "gateways")) {
    const std::vector<std::string> names = asStrings(*gateways);
    if (std::find(names.begin(), names.end(), "mesh") == names.end()) {
      warn(warnings, *gateways,
           "this VirtualService only applies to gateways, which meshsim does not model; it is "
           "skipped");
      return std::nullopt;
    }
    warn(warnings, *gateways, "gateways are not modelled; only the sidecar ('mesh') part applies");
  }
  const auto hosts = member(spec, "hosts");
  if (!hosts || hosts->elements().empty()) {
    warn(warnings, spec,
         "a VirtualService without hosts is a delegate, which meshsim does not model; it is "
         "skipped");
    return std::nullopt;
  }
  ParsedVirtualService vs;
  vs.meta = std::move(meta);
  for (const Node& host : hosts->elements()) {
    vs.hosts.emplace_back(host.asString(), sourceOf(host));
  }
  if (const auto http = member(spec, "http")) {
    for (const Node& element : http->elements()) {
      if (std::optional<ParsedHttpRoute> route = parseHttpRoute(element, warnings)) {
        vs.http.push_back(std::move(*route));
      }
    }
  }
  return vs;
}

// ---------------------------------------------------------------------------------------------
// DestinationRule

core::IstioConnectionPoolSettings parseConnectionPool(const Node& node, Warnings& warnings) {
  node.checkKeys({"tcp", "http"});
  core::IstioConnectionPoolSettings settings;
  if (const auto tcp = member(node, "tcp")) {
    tcp->checkKeys({"maxConnections", "connectTimeout", "maxConnectionDuration", "idleTimeout"},
                   {"tcpKeepalive"}, warnings);
    core::IstioConnectionPoolSettings::Tcp t;
    if (const auto v = member(*tcp, "maxConnections"))
      t.max_connections = asUint32(*v);
    if (const auto v = member(*tcp, "connectTimeout"))
      t.connect_timeout = v->asDuration();
    if (const auto v = member(*tcp, "maxConnectionDuration")) {
      t.max_connection_duration = v->asDuration();
    }
    if (const auto v = member(*tcp, "idleTimeout"))
      t.idle_timeout = v->asDuration();
    settings.tcp = t;
  }
  if (const auto http = member(node, "http")) {
    http->checkKeys({"http1MaxPendingRequests", "http2MaxRequests", "maxRequestsPerConnection",
                     "maxRetries", "idleTimeout", "maxConcurrentStreams"},
                    {"h2UpgradePolicy", "useClientProtocol"}, warnings);
    core::IstioConnectionPoolSettings::Http h;
    if (const auto v = member(*http, "http1MaxPendingRequests")) {
      h.http1_max_pending_requests = asUint32(*v);
    }
    if (const auto v = member(*http, "http2MaxRequests"))
      h.http2_max_requests = asUint32(*v);
    if (const auto v = member(*http, "maxRequestsPerConnection")) {
      h.max_requests_per_connection = asUint32(*v);
    }
    if (const auto v = member(*http, "maxRetries"))
      h.max_retries = asUint32(*v);
    if (const auto v = member(*http, "idleTimeout"))
      h.idle_timeout = v->asDuration();
    if (const auto v = member(*http, "maxConcurrentStreams")) {
      h.max_concurrent_streams = asUint32(*v);
    }
    settings.http = h;
  }
  return settings;
}

core::IstioOutlierDetection parseOutlierDetection(const Node& node, Warnings& warnings) {
  if (node.isNull()) {
    return {};  // `outlierDetection: {}` or empty: presence alone enables it (§4.6)
  }
  node.checkKeys({"consecutive5xxErrors", "consecutiveGatewayErrors", "interval",
                  "baseEjectionTime", "maxEjectionPercent", "minHealthPercent",
                  "splitExternalLocalOriginErrors", "consecutiveLocalOriginFailures",
                  "consecutiveErrors"});
  core::IstioOutlierDetection od;
  if (const auto v = member(node, "consecutive5xxErrors"))
    od.consecutive_5xx_errors = asUint32(*v);
  if (const auto v = member(node, "consecutiveGatewayErrors")) {
    od.consecutive_gateway_errors = asUint32(*v);
  }
  for (const auto& [key, target] :
       {std::pair<std::string_view, std::optional<core::Duration>*>{"interval", &od.interval},
        {"baseEjectionTime", &od.base_ejection_time}}) {
    if (const auto v = member(node, key)) {
      *target = v->asDuration();
      if (**target < std::chrono::milliseconds(1)) {
        v->fail(std::string(key) + " must be at least 1ms");
      }
    }
  }
  if (const auto v = member(node, "maxEjectionPercent")) {
    od.max_ejection_percent = static_cast<std::int32_t>(asPercentInt(*v));
  }
  if (const auto v = member(node, "minHealthPercent")) {
    od.min_health_percent = static_cast<std::int32_t>(asPercentInt(*v));
  }
  if (const auto v = member(node, "splitExternalLocalOriginErrors")) {
    od.split_external_local_origin_errors = v->asBool();
  }
  if (const auto v = member(node, "consecutiveLocalOriginFailures")) {
    od.consecutive_local_origin_failures = asUint32(*v);
  }
  if (const auto v = member(node, "consecutiveErrors")) {
    od.consecutive_errors = asUint32(*v);
    warn(warnings, *v,
         "deprecated and ignored by current Istio (use consecutive5xxErrors); it has no effect");
  }
  return od;
}

ParsedLoadBalancer parseLoadBalancer(const Node& node, Warnings& warnings) {
  node.checkKeys({"simple", "consistentHash"},
                 {"localityLbSetting", "warmupDurationSecs", "warmup"}, warnings);
  using Policy = core::LoadBalancerConfig::Policy;
  ParsedLoadBalancer lb;
  const auto simple = member(node, "simple");
  const auto hash = member(node, "consistentHash");
  if (simple && hash) {
    node.fail("loadBalancer takes one of simple, consistentHash");
  }
  if (simple) {
    enum class Simple { kDefault, kRoundRobin, kLeastRequest, kRandom, kPassthrough };
    // Istio: UNSPECIFIED and LEAST_CONN are LEAST_REQUEST (cluster_traffic_policy.go).
    switch (asEnum<Simple>(*simple, {{"UNSPECIFIED", Simple::kDefault},
                                     {"LEAST_CONN", Simple::kLeastRequest},
                                     {"LEAST_REQUEST", Simple::kLeastRequest},
                                     {"ROUND_ROBIN", Simple::kRoundRobin},
                                     {"RANDOM", Simple::kRandom},
                                     {"PASSTHROUGH", Simple::kPassthrough}})) {
      case Simple::kDefault:
      case Simple::kLeastRequest:
        lb.policy = Policy::LeastRequest;
        break;
      case Simple::kRoundRobin:
        lb.policy = Policy::RoundRobin;
        break;
      case Simple::kRandom:
        lb.policy = Policy::Random;
        break;
      case Simple::kPassthrough:
        warn(warnings, *simple,
             "PASSTHROUGH (original destination) is not modelled; LEAST_REQUEST is used");
        break;
    }
  }
  if (hash) {
    hash->checkKeys({"httpHeaderName", "httpCookie", "useSourceIp", "httpQueryParameterName",
                     "ringHash", "maglev", "minimumRingSize"});
    lb.consistent_hash = true;
    for (std::string_view key :
         {"httpHeaderName", "httpCookie", "useSourceIp", "httpQueryParameterName"}) {
      if (const auto v = member(*hash, key)) {
        warn(warnings, *v,
             "the consistent-hash key is not modelled (routes carry no hash policy); the cluster "
             "still uses the hashing balancer");
      }
    }
    const auto ring = member(*hash, "ringHash");
    const auto maglev = member(*hash, "maglev");
    if (ring && maglev) {
      hash->fail("consistentHash takes one of ringHash, maglev");
    }
    // Istio's ApplyRingHashLoadBalancer: maglev => MAGLEV, otherwise RING_HASH (the deprecated
    // top-level minimumRingSize applies when ringHash is absent).
    if (maglev) {
      maglev->checkKeys({"tableSize"});
      lb.policy = Policy::Maglev;
      if (const auto v = member(*maglev, "tableSize"))
        lb.maglev_table_size = asUint32(*v);
    } else {
      lb.policy = Policy::RingHash;
      if (ring) {
        ring->checkKeys({"minimumRingSize"});
        if (const auto v = member(*ring, "minimumRingSize"))
          lb.minimum_ring_size = asUint32(*v);
      } else if (const auto v = member(*hash, "minimumRingSize")) {
        lb.minimum_ring_size = asUint32(*v);
      }
    }
  }
  return lb;
}

ParsedTrafficPolicy parseTrafficPolicy(const Node& node, Warnings& warnings) {
  ParsedTrafficPolicy policy;
  if (node.isNull()) {
    return policy;
  }
  node.checkKeys({"connectionPool", "outlierDetection", "loadBalancer", "tls", "retryBudget"},
                 {"portLevelSettings", "tunnel", "proxyProtocol"}, warnings);
  if (const auto v = member(node, "connectionPool")) {
    policy.connection_pool = parseConnectionPool(*v, warnings);
  }
  if (const auto v = node.get("outlierDetection")) {
    policy.outlier_detection = parseOutlierDetection(*v, warnings);
  }
  if (const auto v = member(node, "loadBalancer")) {
    policy.load_balancer = parseLoadBalancer(*v, warnings);
  }
  if (const auto v = member(node, "tls")) {
    v->checkKeys({"mode"},
                 {"clientCertificate", "privateKey", "caCertificates", "credentialName",
                  "subjectAltNames", "sni", "insecureSkipVerify", "caCrl"},
                 warnings);
    policy.tls = core::ClientTlsMode::kDisable;
    if (const auto mode = member(*v, "mode")) {
      policy.tls =
          asEnum<core::ClientTlsMode>(*mode, {{"DISABLE", core::ClientTlsMode::kDisable},
                                              {"SIMPLE", core::ClientTlsMode::kSimple},
                                              {"MUTUAL", core::ClientTlsMode::kMutual},
                                              {"ISTIO_MUTUAL", core::ClientTlsMode::kIstioMutual}});
    }
  }
  if (const auto v = node.get("retryBudget")) {
    core::IstioRetryBudget budget;
    if (!v->isNull()) {
      v->checkKeys({"percent", "minRetryConcurrency", "budgetInterval"});
      if (const auto p = member(*v, "percent")) {
        budget.percent = p->asDouble();
        if (budget.percent < 0 || budget.percent > 100) {
          p->fail("percent must be within [0, 100]");
        }
      }
      if (const auto p = member(*v, "minRetryConcurrency")) {
        budget.min_retry_concurrency = asUint32(*p);
      }
      if (const auto p = member(*v, "budgetInterval"))
        budget.budget_interval = p->asDuration();
    }
    policy.retry_budget = budget;
  }
  return policy;
}

ParsedDestinationRule parseDestinationRule(ResourceMeta meta, const Node& spec,
                                           Warnings& warnings) {
  spec.checkKeys({"host", "trafficPolicy", "subsets"}, {"exportTo", "workloadSelector"}, warnings);
  ParsedDestinationRule dr;
  dr.meta = std::move(meta);
  const Node host = spec.require("host");
  dr.host = host.asString();
  dr.host_at = sourceOf(host);
  if (const auto v = spec.get("trafficPolicy")) {
    dr.traffic_policy = parseTrafficPolicy(*v, warnings);
  }
  if (const auto subsets = member(spec, "subsets")) {
    for (const Node& element : subsets->elements()) {
      element.checkKeys({"name", "labels", "trafficPolicy"});
      ParsedSubset subset;
      const Node name = element.require("name");
      subset.name = name.asString();
      subset.name_at = sourceOf(name);
      for (const ParsedSubset& other : dr.subsets) {
        if (other.name == subset.name) {
          name.fail("duplicate subset name '" + subset.name + "'");
        }
      }
      if (const auto labels = member(element, "labels")) {
        subset.labels = asLabels(*labels);
      }
      if (const auto v = element.get("trafficPolicy")) {
        subset.traffic_policy = parseTrafficPolicy(*v, warnings);
      }
      dr.subsets.push_back(std::move(subset));
    }
  }
  return dr;
}

// ---------------------------------------------------------------------------------------------
// Security

std::optional<core::Labels> parseSelector(const Node& spec) {
  const auto selector = member(spec, "selector");
  if (!selector) {
    return std::nullopt;
  }
  selector->checkKeys({"matchLabels"});
  const auto labels = member(*selector, "matchLabels");
  core::Labels out = labels ? asLabels(*labels) : core::Labels{};
  if (out.empty()) {
    return std::nullopt;  // an empty selector selects the whole namespace
  }
  return out;
}

core::MtlsMode parseMtlsMode(const Node& node) {
  node.checkKeys({"mode"});
  const auto mode = member(node, "mode");
  if (!mode) {
    return core::MtlsMode::kUnset;
  }
  return asEnum<core::MtlsMode>(*mode, {{"UNSET", core::MtlsMode::kUnset},
                                        {"DISABLE", core::MtlsMode::kDisable},
                                        {"PERMISSIVE", core::MtlsMode::kPermissive},
                                        {"STRICT", core::MtlsMode::kStrict}});
}

core::PeerAuthentication parsePeerAuthentication(const ResourceMeta& meta, const Node& spec,
                                                 const std::string& root_namespace,
                                                 Warnings& warnings) {
  core::PeerAuthentication pa;
  pa.name = meta.name;
  pa.ns = meta.ns;
  if (spec.isNull()) {
    return pa;
  }
  spec.checkKeys({"selector", "mtls", "portLevelMtls"});
  pa.selector = parseSelector(spec);
  if (const auto mtls = member(spec, "mtls")) {
    pa.mode = parseMtlsMode(*mtls);
  }
  if (pa.selector && pa.ns == root_namespace) {
    warn(warnings, *spec.get("selector"),
         "Istio ignores workload selectors on PeerAuthentication in the root namespace '" +
             root_namespace + "'; this policy has no effect");
  }
  if (const auto ports = member(spec, "portLevelMtls")) {
    if (!pa.selector) {
      warn(warnings, *ports, "Istio ignores portLevelMtls without a workload selector");
    }
    for (const auto& [port, mode] : ports->entries()) {
      std::uint32_t number = 0;
      try {
        number = static_cast<std::uint32_t>(std::stoul(port));
      } catch (const std::exception&) {
        mode.fail("port '" + port + "' is not a number");
      }
      if (number == 0 || number > 65535) {
        mode.fail("port must be within [1, 65535]");
      }
      pa.port_level_mtls.emplace_back(number, parseMtlsMode(mode));
    }
  }
  return pa;
}

bool supportedConditionKey(std::string_view key) {
  return key == "source.namespace" || key == "source.principal" || key == "destination.port" ||
         (key.starts_with("request.headers[") && key.ends_with("]"));
}

constexpr std::string_view kFailClosed =
    "not modelled by meshsim: it is kept as an unsupported condition, so the rule never matches in "
    "ALLOW/AUDIT/CUSTOM policies and always matches in DENY policies (fail closed)";

core::AuthzValues asAuthzValues(const Node& node) {
  core::AuthzValues out;
  for (const std::string& value : asStrings(node)) {
    out.emplace_back(value);
  }
  return out;
}

core::AuthzRule parseRule(const Node& node, Warnings& warnings) {
  core::AuthzRule rule;
  if (node.isNull()) {
    return rule;
  }
  node.checkKeys({"from", "to", "when"});
  if (const auto from = member(node, "from")) {
    for (const Node& element : from->elements()) {
      element.checkKeys({"source"});
      const Node source = element.require("source");
      source.checkKeys({"principals", "notPrincipals", "namespaces", "notNamespaces",
                        "requestPrincipals", "notRequestPrincipals", "ipBlocks", "notIpBlocks",
                        "remoteIpBlocks", "notRemoteIpBlocks", "serviceAccounts",
                        "notServiceAccounts"});
      core::AuthzSource s;
      if (const auto v = member(source, "principals"))
        s.principals = asAuthzValues(*v);
      if (const auto v = member(source, "notPrincipals"))
        s.not_principals = asAuthzValues(*v);
      if (const auto v = member(source, "namespaces"))
        s.namespaces = asAuthzValues(*v);
      if (const auto v = member(source, "notNamespaces"))
        s.not_namespaces = asAuthzValues(*v);
      // Source attributes the core does not evaluate become unsupported conditions, so the rule
      // errs on the denying side instead of silently matching more requests.
      for (const auto& [key, attribute, negated] :
           {std::tuple<std::string_view, std::string_view, bool>{"requestPrincipals",
                                                                 "request.auth.principal", false},
            {"notRequestPrincipals", "request.auth.principal", true},
            {"ipBlocks", "source.ip", false},
            {"notIpBlocks", "source.ip", true},
            {"remoteIpBlocks", "remote.ip", false},
            {"notRemoteIpBlocks", "remote.ip", true},
            {"serviceAccounts", "source.serviceAccount", false},
            {"notServiceAccounts", "source.serviceAccount", true}}) {
        if (const auto v = member(source, key)) {
          core::AuthzCondition condition;
          condition.key = std::string(attribute);
          (negated ? condition.not_values : condition.values) = asAuthzValues(*v);
          rule.when.push_back(std::move(condition));
          warn(warnings, *v, std::string(kFailClosed));
        }
      }
      rule.from.push_back(std::move(s));
    }
  }
  if (const auto to = member(node, "to")) {
    for (const Node& element : to->elements()) {
      element.checkKeys({"operation"});
      const Node operation = element.require("operation");
      operation.checkKeys(
          {"hosts", "notHosts", "ports", "notPorts", "methods", "notMethods", "paths", "notPaths"});
      core::AuthzOperation o;
      if (const auto v = member(operation, "hosts"))
        o.hosts = asAuthzValues(*v);
      if (const auto v = member(operation, "notHosts"))
        o.not_hosts = asAuthzValues(*v);
      if (const auto v = member(operation, "methods"))
        o.methods = asAuthzValues(*v);
      if (const auto v = member(operation, "notMethods"))
        o.not_methods = asAuthzValues(*v);
      if (const auto v = member(operation, "paths"))
        o.paths = asAuthzValues(*v);
      if (const auto v = member(operation, "notPaths"))
        o.not_paths = asAuthzValues(*v);
      for (const auto& [key, target] :
           {std::pair<std::string_view, std::vector<std::uint32_t>*>{"ports", &o.ports},
            {"notPorts", &o.not_ports}}) {
        if (const auto v = member(operation, key)) {
          for (const Node& port : v->elements()) {
            const std::uint32_t number = asUint32(port);  // Istio writes ports as strings
            if (number == 0 || number > 65535) {
              port.fail("port must be within [1, 65535]");
            }
            target->push_back(number);
          }
        }
      }
      rule.to.push_back(std::move(o));
    }
  }
  if (const auto when = member(node, "when")) {
    for (const Node& element : when->elements()) {
      element.checkKeys({"key", "values", "notValues"});
      core::AuthzCondition condition;
      const Node key = element.require("key");
      condition.key = key.asString();
      if (const auto v = member(element, "values"))
        condition.values = asAuthzValues(*v);
      if (const auto v = member(element, "notValues"))
        condition.not_values = asAuthzValues(*v);
      if (condition.values.empty() && condition.not_values.empty()) {
        element.fail("a condition needs values or notValues");
      }
      if (!supportedConditionKey(condition.key)) {
        warn(warnings, key, "condition key '" + condition.key + "' is " + std::string(kFailClosed));
      }
      rule.when.push_back(std::move(condition));
    }
  }
  return rule;
}

core::AuthorizationPolicy parseAuthorizationPolicy(const ResourceMeta& meta, const Node& spec,
                                                   Warnings& warnings) {
  core::AuthorizationPolicy policy;
  policy.name = meta.name;
  policy.ns = meta.ns;
  if (spec.isNull()) {
    return policy;  // allow-nothing
  }
  spec.checkKeys({"selector", "action", "provider", "rules"}, {"targetRef", "targetRefs"},
                 warnings);
  policy.selector = parseSelector(spec);
  if (const auto action = member(spec, "action")) {
    policy.action = asEnum<core::AuthzAction>(*action, {{"ALLOW", core::AuthzAction::kAllow},
                                                        {"DENY", core::AuthzAction::kDeny},
                                                        {"AUDIT", core::AuthzAction::kAudit},
                                                        {"CUSTOM", core::AuthzAction::kCustom}});
  }
  if (const auto provider = member(spec, "provider")) {
    provider->checkKeys({"name"});
    policy.provider = provider->require("name").asString();
  }
  if (policy.action == core::AuthzAction::kCustom && policy.provider.empty()) {
    spec.fail("a CUSTOM policy needs provider.name");
  }
  if (policy.action != core::AuthzAction::kCustom && !policy.provider.empty()) {
    spec.get("provider")->fail("provider is only allowed with action CUSTOM");
  }
  if (const auto rules = member(spec, "rules")) {
    for (const Node& element : rules->elements()) {
      policy.rules.push_back(parseRule(element, warnings));
    }
  }
  return policy;
}

// ---------------------------------------------------------------------------------------------
// Documents

enum class Kind { kVirtualService, kDestinationRule, kPeerAuthentication, kAuthorizationPolicy };

constexpr std::string_view kNetworkingGroup = "networking.istio.io";
constexpr std::string_view kSecurityGroup = "security.istio.io";

struct KnownKind {
  std::string_view name;
  std::string_view group;
  std::vector<std::string_view> versions;
  std::optional<Kind> kind;  // nullopt: an Istio kind meshsim does not model
};

const std::vector<KnownKind>& knownKinds() {
  static const std::vector<KnownKind> kinds = {
      {"VirtualService", kNetworkingGroup, {"v1", "v1beta1", "v1alpha3"}, Kind::kVirtualService},
      {"DestinationRule", kNetworkingGroup, {"v1", "v1beta1", "v1alpha3"}, Kind::kDestinationRule},
      {"PeerAuthentication", kSecurityGroup, {"v1", "v1beta1"}, Kind::kPeerAuthentication},
      {"AuthorizationPolicy", kSecurityGroup, {"v1", "v1beta1"}, Kind::kAuthorizationPolicy},
      {"Gateway", kNetworkingGroup, {"v1", "v1beta1", "v1alpha3"}, std::nullopt},
      {"ServiceEntry", kNetworkingGroup, {"v1", "v1beta1", "v1alpha3"}, std::nullopt},
      {"Sidecar", kNetworkingGroup, {"v1", "v1beta1", "v1alpha3"}, std::nullopt},
      {"WorkloadEntry", kNetworkingGroup, {"v1", "v1beta1", "v1alpha3"}, std::nullopt},
      {"WorkloadGroup", kNetworkingGroup, {"v1", "v1beta1", "v1alpha3"}, std::nullopt},
      {"EnvoyFilter", kNetworkingGroup, {"v1alpha3"}, std::nullopt},
      {"ProxyConfig", kNetworkingGroup, {"v1beta1"}, std::nullopt},
      {"RequestAuthentication", kSecurityGroup, {"v1", "v1beta1"}, std::nullopt},
  };
  return kinds;
}

ResourceMeta parseMetadata(const Node& document, std::string kind) {
  const Node metadata = document.require("metadata");
  // Kubernetes ObjectMeta; only name and namespace matter to Istio's semantics.
  metadata.checkKeys({"name", "namespace", "labels", "annotations", "generateName", "uid",
                      "resourceVersion", "generation", "creationTimestamp", "finalizers",
                      "ownerReferences", "managedFields"});
  ResourceMeta meta;
  meta.kind = std::move(kind);
  meta.name = metadata.require("name").asString();
  meta.ns = metadata.stringOr("namespace", "default");
  meta.origin = sourceOf(document);
  return meta;
}

}  // namespace

SourceRef sourceOf(const config::Node& node) {
  return SourceRef{node.location(), node.path()};
}

void failAt(const SourceRef& where, const std::string& message) {
  throw config::ConfigError(where.location, where.key, message);
}

ParsedTrafficPolicy mergeTrafficPolicy(const std::optional<ParsedTrafficPolicy>& top,
                                       const std::optional<ParsedTrafficPolicy>& subset) {
  ParsedTrafficPolicy merged = top.value_or(ParsedTrafficPolicy{});
  if (!subset) {
    return merged;
  }
  if (subset->connection_pool)
    merged.connection_pool = subset->connection_pool;
  if (subset->outlier_detection)
    merged.outlier_detection = subset->outlier_detection;
  if (subset->load_balancer)
    merged.load_balancer = subset->load_balancer;
  if (subset->tls)
    merged.tls = subset->tls;
  if (subset->retry_budget)
    merged.retry_budget = subset->retry_budget;
  return merged;
}

Manifests parseManifests(const std::vector<config::Node>& documents,
                         const std::string& root_namespace, config::Warnings& warnings) {
  Manifests manifests;
  for (const Node& document : documents) {
    if (document.isNull()) {
      continue;
    }
    document.checkKeys({"apiVersion", "kind", "metadata", "spec", "status"});
    const Node kind_node = document.require("kind");
    const Node api_node = document.require("apiVersion");
    const std::string kind_name = kind_node.asString();
    const std::string api_version = api_node.asString();

    const KnownKind* known = nullptr;
    std::vector<std::string_view> names;
    for (const KnownKind& k : knownKinds()) {
      names.push_back(k.name);
      if (k.name == kind_name) {
        known = &k;
      }
    }
    if (known == nullptr) {
      std::string message = "unknown kind '" + kind_name + "' (" + api_version +
                            "); meshsim reads VirtualService, DestinationRule, PeerAuthentication "
                            "and AuthorizationPolicy";
      const std::string suggestion = config::closestMatch(kind_name, names);
      if (!suggestion.empty()) {
        message += " (did you mean '" + suggestion + "'?)";
      }
      kind_node.fail(message);
    }
    const std::size_t slash = api_version.find('/');
    const std::string group = api_version.substr(0, slash);
    const std::string version = slash == std::string::npos ? "" : api_version.substr(slash + 1);
    if (group != known->group || std::find(known->versions.begin(), known->versions.end(),
                                           version) == known->versions.end()) {
      std::string expected;
      for (std::string_view v : known->versions) {
        expected +=
            (expected.empty() ? "" : ", ") + std::string(known->group) + "/" + std::string(v);
      }
      api_node.fail("unknown apiVersion '" + api_version + "' for kind " + kind_name +
                    " (expected " + expected + ")");
    }
    if (!known->kind) {
      warn(warnings, kind_node,
           "kind " + kind_name + " is " + std::string(kNotModelled) + "; the document is skipped");
      continue;
    }
    ResourceMeta meta = parseMetadata(document, kind_name);
    const std::optional<Node> spec = document.get("spec");
    switch (*known->kind) {
      case Kind::kVirtualService:
        if (auto vs = parseVirtualService(meta, document.require("spec"), warnings)) {
          manifests.virtual_services.push_back(std::move(*vs));
        }
        break;
      case Kind::kDestinationRule:
        manifests.destination_rules.push_back(
            parseDestinationRule(meta, document.require("spec"), warnings));
        break;
      case Kind::kPeerAuthentication:
        manifests.peer_authentications.push_back(
            spec ? parsePeerAuthentication(meta, *spec, root_namespace, warnings)
                 : core::PeerAuthentication{
                       meta.name, meta.ns, std::nullopt, core::MtlsMode::kUnset, {}});
        break;
      case Kind::kAuthorizationPolicy:
        if (spec) {
          manifests.authorization_policies.push_back(
              parseAuthorizationPolicy(meta, *spec, warnings));
        } else {
          core::AuthorizationPolicy policy;
          policy.name = meta.name;
          policy.ns = meta.ns;
          manifests.authorization_policies.push_back(std::move(policy));
        }
        break;
    }
  }
  return manifests;
}

}  // namespace meshsim::istio
