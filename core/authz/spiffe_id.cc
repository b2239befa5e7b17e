#include "core/authz/spiffe_id.h"

namespace meshsim::core {

std::string spiffeId(std::string_view ns, std::string_view service_account,
                     std::string_view trust_domain) {
  std::string id;
  id.reserve(kSpiffeScheme.size() + trust_domain.size() + ns.size() + service_account.size() + 8);
  id.append(kSpiffeScheme)
      .append(trust_domain)
      .append("/ns/")
      .append(ns)
      .append("/sa/")
      .append(service_account);
  return id;
}

std::optional<SpiffeIdView> parseSpiffeId(std::string_view uri) {
  if (!uri.starts_with(kSpiffeScheme)) {
    return std::nullopt;
  }
  std::string_view rest = uri.substr(kSpiffeScheme.size());
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    return std::nullopt;
  }
  SpiffeIdView id;
  id.trust_domain = rest.substr(0, slash);
  rest = rest.substr(slash);
  if (!rest.starts_with("/ns/")) {
    return std::nullopt;
  }
  rest = rest.substr(4);
  const auto sa = rest.find("/sa/");
  if (sa == std::string_view::npos || sa == 0) {
    return std::nullopt;
  }
  id.ns = rest.substr(0, sa);
  id.service_account = rest.substr(sa + 4);
  if (id.service_account.empty() || id.service_account.find('/') != std::string_view::npos) {
    return std::nullopt;
  }
  return id;
}

}  // namespace meshsim::core
