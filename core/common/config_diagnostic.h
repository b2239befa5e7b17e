// Core infrastructure (DESIGN.md "Inputs and outputs"); implements no proxy-semantics.md section.
#pragma once

#include <string>
#include <vector>

namespace meshsim::core {

// A problem found while validating or translating configuration. Core never throws on bad
// configuration: it reports diagnostics and either drops the offending piece (as Istio does) or
// lets the caller refuse the whole configuration.
struct ConfigDiagnostic {
  enum class Severity { kWarning, kError };

  Severity severity = Severity::kError;
  std::string path;  // where, e.g. "virtual_hosts[0].routes[2].match.headers[1]"
  std::string message;
};

using ConfigDiagnostics = std::vector<ConfigDiagnostic>;

inline bool hasErrors(const ConfigDiagnostics& diagnostics) {
  for (const auto& d : diagnostics) {
    if (d.severity == ConfigDiagnostic::Severity::kError) {
      return true;
    }
  }
  return false;
}

}  // namespace meshsim::core
