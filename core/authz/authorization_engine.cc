#include "core/authz/authorization_engine.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/authz/spiffe_id.h"

namespace meshsim::core {

namespace {

constexpr std::string_view kHeaderKeyPrefix = "request.headers[";

bool charEqualIgnoreCase(unsigned char a, unsigned char b) {
  return std::tolower(a) == std::tolower(b);
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), charEqualIgnoreCase);
}

bool anyMatches(const AuthzValues& values, std::string_view value, bool ignore_case = false) {
  return std::any_of(values.begin(), values.end(),
                     [&](const AuthzValue& v) { return v.matches(value, ignore_case); });
}

// A field with positive values and negated values over an optional attribute: the attribute must
// match one value (when values are given) and none of the negated ones. An absent attribute
// matches no value, so it fails `values` and passes `not_values`.
bool fieldMatches(const AuthzValues& values, const AuthzValues& not_values,
                  std::optional<std::string_view> attribute, bool ignore_case = false) {
  if (!values.empty() && !(attribute.has_value() && anyMatches(values, *attribute, ignore_case))) {
    return false;
  }
  return not_values.empty() ||
         !(attribute.has_value() && anyMatches(not_values, *attribute, ignore_case));
}

// The SPIFFE id without its scheme, as policies write principals; nullopt without mTLS identity.
std::optional<std::string_view> principalOf(const AuthzRequest& request) {
  if (!request.peer_principal.starts_with(kSpiffeScheme)) {
    return std::nullopt;
  }
  return request.peer_principal.substr(kSpiffeScheme.size());
}

std::optional<std::string_view> namespaceOf(const AuthzRequest& request) {
  const auto id = parseSpiffeId(request.peer_principal);
  return id.has_value() ? std::optional<std::string_view>(id->ns) : std::nullopt;
}

std::string_view pathWithoutQuery(std::string_view path) {
  const auto end = path.find_first_of("?#");
  return end == std::string_view::npos ? path : path.substr(0, end);
}

bool portMatches(const std::vector<std::uint32_t>& ports,
                 const std::vector<std::uint32_t>& not_ports, std::uint32_t port) {
  if (!ports.empty() && std::find(ports.begin(), ports.end(), port) == ports.end()) {
    return false;
  }
  return std::find(not_ports.begin(), not_ports.end(), port) == not_ports.end();
}

bool sourceMatches(const AuthzSource& s, const AuthzRequest& request) {
  const auto principal = principalOf(request);
  if (!fieldMatches(s.principals, s.not_principals, principal)) {
    return false;
  }
  if (s.namespaces.empty() && s.not_namespaces.empty()) {
    return true;
  }
  return fieldMatches(s.namespaces, s.not_namespaces, namespaceOf(request));
}

// `deny_policy` selects the fail-closed treatment of HTTP fields on TCP requests: ignored in a
// DENY policy (it denies more), unmatched elsewhere (it allows less).
bool operationMatches(const AuthzOperation& op, const AuthzRequest& request, bool deny_policy) {
  if (!portMatches(op.ports, op.not_ports, request.destination_port)) {
    return false;
  }
  const bool has_http_fields = !op.hosts.empty() || !op.not_hosts.empty() || !op.methods.empty() ||
                               !op.not_methods.empty() || !op.paths.empty() ||
                               !op.not_paths.empty();
  if (request.http == nullptr) {
    return !has_http_fields || deny_policy;
  }
  const Request& http = *request.http;
  return fieldMatches(op.hosts, op.not_hosts, std::string_view(http.authority), true) &&
         fieldMatches(op.methods, op.not_methods, std::string_view(http.method)) &&
         fieldMatches(op.paths, op.not_paths, pathWithoutQuery(http.path));
}

enum class ConditionKey { kHeader, kSourceNamespace, kSourcePrincipal, kDestinationPort, kUnknown };

ConditionKey conditionKey(std::string_view key, std::string_view* header_name) {
  if (key.starts_with(kHeaderKeyPrefix) && key.size() > kHeaderKeyPrefix.size() + 1 &&
      key.back() == ']') {
    *header_name = key.substr(kHeaderKeyPrefix.size(), key.size() - kHeaderKeyPrefix.size() - 1);
    return ConditionKey::kHeader;
  }
  if (key == "source.namespace") {
    return ConditionKey::kSourceNamespace;
  }
  if (key == "source.principal") {
    return ConditionKey::kSourcePrincipal;
  }
  if (key == "destination.port") {
    return ConditionKey::kDestinationPort;
  }
  return ConditionKey::kUnknown;
}

bool conditionHolds(const AuthzCondition& c, const AuthzRequest& request, bool deny_policy) {
  std::string_view header_name;
  switch (conditionKey(c.key, &header_name)) {
    case ConditionKey::kHeader: {
      std::optional<std::string_view> value;
      if (request.http != nullptr) {
        value = request.http->headers.get(header_name);
      } else if (deny_policy) {
        return true;
      }
      return fieldMatches(c.values, c.not_values, value);
    }
    case ConditionKey::kSourceNamespace:
      return fieldMatches(c.values, c.not_values, namespaceOf(request));
    case ConditionKey::kSourcePrincipal:
      return fieldMatches(c.values, c.not_values, principalOf(request));
    case ConditionKey::kDestinationPort: {
      char buffer[16];
      const auto [end, ec] =
          std::to_chars(buffer, buffer + sizeof(buffer), request.destination_port);
      (void)ec;
      return fieldMatches(c.values, c.not_values, std::string_view(buffer, end - buffer));
    }
    case ConditionKey::kUnknown:
      return deny_policy;
  }
  return false;
}

std::string lowerCase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return out;
}

}  // namespace

AuthzValue::AuthzValue(std::string istio_value) {
  if (istio_value == "*") {
    kind_ = Kind::kAny;
  } else if (istio_value.size() > 1 && istio_value.front() == '*') {
    kind_ = Kind::kSuffix;
    istio_value.erase(0, 1);
  } else if (istio_value.size() > 1 && istio_value.back() == '*') {
    kind_ = Kind::kPrefix;
    istio_value.pop_back();
  } else {
    kind_ = Kind::kExact;
  }
  text_ = std::move(istio_value);
}

bool AuthzValue::matches(std::string_view value, bool ignore_case) const {
  auto eq = [ignore_case](std::string_view a, std::string_view b) {
    return ignore_case ? equalsIgnoreCase(a, b) : a == b;
  };
  switch (kind_) {
    case Kind::kAny:
      return true;
    case Kind::kExact:
      return eq(value, text_);
    case Kind::kPrefix:
      return value.size() >= text_.size() && eq(value.substr(0, text_.size()), text_);
    case Kind::kSuffix:
      return value.size() >= text_.size() && eq(value.substr(value.size() - text_.size()), text_);
  }
  return false;
}

std::vector<AuthorizationPolicy> selectAuthorizationPolicies(
    const std::vector<AuthorizationPolicy>& policies, const std::string& root_namespace,
    const std::string& workload_namespace, const Labels& workload_labels) {
  std::vector<AuthorizationPolicy> out;
  for (const auto& p : policies) {
    if (p.ns != root_namespace && p.ns != workload_namespace) {
      continue;
    }
    if (p.selector.has_value() && !selectorMatches(*p.selector, workload_labels)) {
      continue;
    }
    out.push_back(p);
  }
  return out;
}

AuthorizationEngine::AuthorizationEngine(std::vector<AuthorizationPolicy> policies)
    : policies_(std::move(policies)) {
  for (std::uint32_t i = 0; i < policies_.size(); ++i) {
    // Header names are case-insensitive; normalise once so evaluation does not allocate.
    for (auto& rule : policies_[i].rules) {
      for (auto& c : rule.when) {
        if (c.key.starts_with(kHeaderKeyPrefix)) {
          c.key = std::string(kHeaderKeyPrefix) +
                  lowerCase(std::string_view(c.key).substr(kHeaderKeyPrefix.size()));
        }
      }
    }
    switch (policies_[i].action) {
      case AuthzAction::kCustom:
        custom_.push_back(i);
        break;
      case AuthzAction::kDeny:
        deny_.push_back(i);
        break;
      case AuthzAction::kAllow:
        allow_.push_back(i);
        break;
      case AuthzAction::kAudit:
        audit_.push_back(i);
        break;
    }
  }
}

bool AuthorizationEngine::policyMatches(const AuthorizationPolicy& policy,
                                        const AuthzRequest& request, AuthzDecision& cost) const {
  ++cost.policies_evaluated;
  const bool deny_policy = policy.action == AuthzAction::kDeny;
  for (const auto& rule : policy.rules) {
    ++cost.rules_evaluated;
    bool from_ok = rule.from.empty();
    for (const auto& source : rule.from) {
      ++cost.matchers_evaluated;
      if (sourceMatches(source, request)) {
        from_ok = true;
        break;
      }
    }
    if (!from_ok) {
      continue;
    }
    bool to_ok = rule.to.empty();
    for (const auto& op : rule.to) {
      ++cost.matchers_evaluated;
      if (operationMatches(op, request, deny_policy)) {
        to_ok = true;
        break;
      }
    }
    if (!to_ok) {
      continue;
    }
    bool when_ok = true;
    for (const auto& condition : rule.when) {
      ++cost.matchers_evaluated;
      if (!conditionHolds(condition, request, deny_policy)) {
        when_ok = false;
        break;
      }
    }
    if (when_ok) {
      return true;
    }
  }
  return false;
}

AuthzDecision AuthorizationEngine::evaluate(const AuthzRequest& request,
                                            ExtAuthzClient* ext_authz) {
  AuthzDecision d;
  for (const auto i : audit_) {
    if (policyMatches(policies_[i], request, d) && d.audit_policy == nullptr) {
      d.audit_policy = &policies_[i];
      ++stats_.audit_matched;
    }
  }
  auto deny = [&](AuthzReason reason, const AuthorizationPolicy* policy) {
    d.allowed = false;
    d.reason = reason;
    d.policy = policy;
    ++stats_.denied;
    return d;
  };
  for (const auto i : custom_) {
    const auto& p = policies_[i];
    if (policyMatches(p, request, d)) {
      ++d.ext_authz_calls;
      if (ext_authz == nullptr || !ext_authz->allows(p.provider, request)) {
        ++stats_.ext_authz_denied;
        return deny(AuthzReason::kCustomDenied, &p);
      }
    }
  }
  for (const auto i : deny_) {
    if (policyMatches(policies_[i], request, d)) {
      return deny(AuthzReason::kDenyPolicy, &policies_[i]);
    }
  }
  if (allow_.empty()) {
    d.allowed = true;
    d.reason = AuthzReason::kNoAllowPolicy;
    ++stats_.allowed;
    return d;
  }
  for (const auto i : allow_) {
    if (policyMatches(policies_[i], request, d)) {
      d.allowed = true;
      d.reason = AuthzReason::kAllowPolicy;
      d.policy = &policies_[i];
      ++stats_.allowed;
      return d;
    }
  }
  return deny(AuthzReason::kNoAllowMatched, nullptr);
}

ConfigDiagnostics AuthorizationEngine::validate() const {
  ConfigDiagnostics diagnostics;
  for (const auto& p : policies_) {
    const std::string path = "AuthorizationPolicy/" + p.ns + "/" + p.name;
    if (p.action == AuthzAction::kCustom && p.provider.empty()) {
      diagnostics.push_back({ConfigDiagnostic::Severity::kError, path, "CUSTOM needs a provider"});
    }
    for (std::size_t r = 0; r < p.rules.size(); ++r) {
      for (const auto& c : p.rules[r].when) {
        std::string_view header;
        const std::string cpath = path + ".rules[" + std::to_string(r) + "].when";
        if (conditionKey(c.key, &header) == ConditionKey::kUnknown) {
          diagnostics.push_back({ConfigDiagnostic::Severity::kWarning, cpath,
                                 "unsupported condition key '" + c.key + "'"});
        }
        if (c.values.empty() && c.not_values.empty()) {
          diagnostics.push_back({ConfigDiagnostic::Severity::kError, cpath,
                                 "condition '" + c.key + "' needs values or notValues"});
        }
      }
    }
  }
  return diagnostics;
}

}  // namespace meshsim::core
