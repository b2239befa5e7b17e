// Implements proxy-semantics.md §7.5 (the AuthorizationPolicy model).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/authz/peer_authentication.h"

namespace meshsim::core {

// One value of an AuthorizationPolicy string field, parsed once at configuration time
// (proxy-semantics §7.5): "*" = present (any value), "abc*" = prefix, "*abc" = suffix,
// otherwise exact. Implicit from a string so policies read like their YAML.
class AuthzValue {
 public:
  enum class Kind { kAny, kPrefix, kSuffix, kExact };

  AuthzValue(std::string istio_value);  // NOLINT(google-explicit-constructor)
  AuthzValue(const char* istio_value) : AuthzValue(std::string(istio_value)) {}  // NOLINT

  bool matches(std::string_view value, bool ignore_case = false) const;
  Kind kind() const { return kind_; }
  const std::string& text() const { return text_; }

 private:
  Kind kind_;
  std::string text_;  // without the '*'
};

using AuthzValues = std::vector<AuthzValue>;

// AuthorizationPolicy Source: every non-empty field must match (AND), values within a field OR.
// principals are written without "spiffe://" and matched against the peer certificate's SPIFFE
// id with the scheme removed; namespaces match the id's namespace. Both need mTLS: a plaintext
// peer has no principal, so they never match it (and the not* forms always do).
struct AuthzSource {
  AuthzValues principals, not_principals;
  AuthzValues namespaces, not_namespaces;
};

// AuthorizationPolicy Operation. hosts match :authority case-insensitively, as given (a host
// without port does not match "host:port" [UNVERIFIED]); paths match :path without the query
// string; ports match the destination port.
struct AuthzOperation {
  AuthzValues hosts, not_hosts;
  std::vector<std::uint32_t> ports, not_ports;
  AuthzValues methods, not_methods;
  AuthzValues paths, not_paths;
};

// A `when` condition. Supported keys: request.headers[<name>], source.namespace,
// source.principal, destination.port. Unsupported keys are reported by validation; like Istio's
// fail-closed translation they make the rule never match in ALLOW/AUDIT/CUSTOM policies and
// always match in DENY policies [UNVERIFIED: meshsim choice modelled on Istio's handling of
// unsupported fields].
struct AuthzCondition {
  std::string key;
  AuthzValues values, not_values;
};

struct AuthzRule {
  std::vector<AuthzSource> from;
  std::vector<AuthzOperation> to;
  std::vector<AuthzCondition> when;
};

enum class AuthzAction { kAllow, kDeny, kAudit, kCustom };

struct AuthorizationPolicy {
  std::string name;
  std::string ns;
  std::optional<Labels> selector;  // nullopt = every workload of the namespace (or mesh)
  AuthzAction action = AuthzAction::kAllow;
  std::string provider;  // CUSTOM only: the ext-authz provider name
  // No rules = matches nothing (allow-nothing / deny-nothing); one empty rule {} = everything.
  std::vector<AuthzRule> rules;
};

// The policies that apply to a workload: those of the root namespace (mesh-wide, selector
// allowed) and of the workload's namespace whose selector (if any) matches its labels.
std::vector<AuthorizationPolicy> selectAuthorizationPolicies(
    const std::vector<AuthorizationPolicy>& policies, const std::string& root_namespace,
    const std::string& workload_namespace, const Labels& workload_labels);

}  // namespace meshsim::core
