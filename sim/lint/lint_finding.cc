#include "sim/lint/lint_finding.h"

#include <algorithm>
#include <tuple>

namespace meshsim::sim {

std::string_view severityName(LintSeverity severity) {
  switch (severity) {
    case LintSeverity::kError:
      return "error";
    case LintSeverity::kWarning:
      return "warning";
    case LintSeverity::kInfo:
      return "info";
  }
  return "info";
}

void sortFindings(std::vector<LintFinding>& findings) {
  std::stable_sort(
      findings.begin(), findings.end(), [](const LintFinding& a, const LintFinding& b) {
        return std::tie(a.severity, a.location.file, a.location.line, a.location.column, a.check,
                        a.object) < std::tie(b.severity, b.location.file, b.location.line,
                                             b.location.column, b.check, b.object);
      });
}

void printFindings(std::ostream& out, const std::vector<LintFinding>& findings) {
  for (const LintFinding& f : findings) {
    out << severityName(f.severity) << ": " << f.location.file << ":" << f.location.line << ":"
        << f.location.column << ": " << f.object << " [" << f.check << "]\n";
    out << "  " << f.summary << "\n";
    out << "  why: " << f.why << "\n";
    out << "  fix: " << f.fix << "\n\n";
  }
}

bool hasErrors(const std::vector<LintFinding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const LintFinding& f) { return f.severity == LintSeverity::kError; });
}

}  // namespace meshsim::sim
