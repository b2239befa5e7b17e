// One finding of `meshsim lint` and how findings are ordered and printed.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "config/yaml_node.h"

namespace meshsim::sim {

// Declared in the order findings are listed.
enum class LintSeverity { kError, kWarning, kInfo };

std::string_view severityName(LintSeverity severity);

struct LintFinding {
  LintSeverity severity = LintSeverity::kWarning;
  std::string check;   // stable identifier, e.g. "no-outlier-detection"
  std::string object;  // kind/name, e.g. "DestinationRule/reviews" or "Service/ratings"
  config::Location location;
  std::string summary;  // what was found, one line
  std::string why;      // why it matters
  std::string fix;      // what to change
};

// Severity first (errors, warnings, info), then file:line:column, then check and object, so the
// output is stable.
void sortFindings(std::vector<LintFinding>& findings);

// One block per finding:
//   warning: scenarios/bookinfo/destination-rules.yaml:3:1: DestinationRule/reviews [check]
//     <summary>
//     why: ...
//     fix: ...
void printFindings(std::ostream& out, const std::vector<LintFinding>& findings);

bool hasErrors(const std::vector<LintFinding>& findings);

}  // namespace meshsim::sim
