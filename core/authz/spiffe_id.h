// Implements proxy-semantics.md §7.3 (SPIFFE identities and principals).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace meshsim::core {

inline constexpr std::string_view kDefaultTrustDomain = "cluster.local";
inline constexpr std::string_view kSpiffeScheme = "spiffe://";

// A workload identity as carried in the certificate's URI SAN (proxy-semantics §7.3):
// spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>. Views into the parsed string.
struct SpiffeIdView {
  std::string_view trust_domain;
  std::string_view ns;
  std::string_view service_account;
};

std::string spiffeId(std::string_view ns, std::string_view service_account,
                     std::string_view trust_domain = kDefaultTrustDomain);

// Parses a Kubernetes-style SPIFFE id; nullopt for anything else. No allocation.
std::optional<SpiffeIdView> parseSpiffeId(std::string_view uri);

}  // namespace meshsim::core
