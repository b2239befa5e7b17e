// Implements proxy-semantics.md §7.5.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/authz/authorization_policy.h"
#include "core/common/config_diagnostic.h"
#include "core/http/message.h"

namespace meshsim::core {

inline constexpr std::uint32_t kRbacDeniedStatus = 403;
inline constexpr std::string_view kRbacDeniedBody = "RBAC: access denied";

// The attributes authorization reads for one request on the inbound side.
struct AuthzRequest {
  const Request* http = nullptr;  // nullptr for TCP: operation fields other than ports never match
  std::string_view peer_principal;  // URI SAN of the client certificate; empty for plaintext
  std::uint32_t destination_port = 0;
};

// The external authorizer behind CUSTOM policies; the host models its latency and verdict.
class ExtAuthzClient {
 public:
  virtual ~ExtAuthzClient() = default;
  virtual bool allows(std::string_view provider, const AuthzRequest& request) = 0;
};

enum class AuthzReason {
  kCustomDenied,    // a matching CUSTOM policy's authorizer said no
  kDenyPolicy,      // a DENY policy matched
  kNoAllowPolicy,   // no ALLOW policy applies to the workload
  kAllowPolicy,     // an ALLOW policy matched
  kNoAllowMatched,  // ALLOW policies exist and none matched
};

struct AuthzDecision {
  bool allowed = true;
  AuthzReason reason = AuthzReason::kNoAllowPolicy;
  const AuthorizationPolicy* policy = nullptr;        // the deciding policy, if any
  const AuthorizationPolicy* audit_policy = nullptr;  // first matching AUDIT policy (logging only)
  // Work done, so a host can charge CPU: rules, sources/operations and conditions examined.
  std::uint32_t policies_evaluated = 0;
  std::uint32_t rules_evaluated = 0;
  std::uint32_t matchers_evaluated = 0;
  std::uint32_t ext_authz_calls = 0;
};

// http.<prefix>.rbac.* and ext_authz counters.
struct AuthzStats {
  std::uint64_t allowed = 0;
  std::uint64_t denied = 0;  // rbac.denied
  std::uint64_t ext_authz_denied = 0;
  std::uint64_t audit_matched = 0;
};

// AuthorizationPolicy evaluation for one workload, exactly per proxy-semantics §7.5:
//   CUSTOM match && ext-authz deny => DENY; any DENY match => DENY; no ALLOW policy => ALLOW;
//   any ALLOW match => ALLOW; else DENY. AUDIT policies never change the decision.
// A CUSTOM policy with no ExtAuthzClient wired fails closed (Istio's default failOpen: false).
class AuthorizationEngine {
 public:
  // `policies` are those applicable to this workload (selectAuthorizationPolicies).
  explicit AuthorizationEngine(std::vector<AuthorizationPolicy> policies);

  AuthzDecision evaluate(const AuthzRequest& request, ExtAuthzClient* ext_authz = nullptr);

  ConfigDiagnostics validate() const;
  const AuthzStats& stats() const { return stats_; }
  const std::vector<AuthorizationPolicy>& policies() const { return policies_; }

 private:
  bool policyMatches(const AuthorizationPolicy& policy, const AuthzRequest& request,
                     AuthzDecision& cost) const;

  std::vector<AuthorizationPolicy> policies_;
  // Indices into policies_ by action, in configuration order.
  std::vector<std::uint32_t> custom_, deny_, allow_, audit_;
  AuthzStats stats_;
};

}  // namespace meshsim::core
