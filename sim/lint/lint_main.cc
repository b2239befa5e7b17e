#include "sim/lint/lint_main.h"

#include <exception>
#include <filesystem>

#include "config/yaml_node.h"
#include "sim/lint/mesh_linter.h"
#include "sim/mesh/mesh.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario_loader.h"

namespace meshsim::sim {

namespace {

constexpr const char* kUsage = "usage: meshsim lint [--simulate] SCENARIO|MANIFEST...\n";

// A file of Istio manifests has a `kind` in its documents; a scenario never does.
bool isManifestFile(const std::vector<config::Node>& documents) {
  for (const config::Node& document : documents) {
    if (document.isMap() && document.get("kind")) {
      return true;
    }
  }
  return false;
}

}  // namespace

int lintMain(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  bool simulate = false;
  std::vector<std::string> files;
  for (const std::string& arg : args) {
    if (arg == "--simulate") {
      simulate = true;
    } else if (!arg.empty() && arg[0] == '-') {
      err << "meshsim lint: unexpected option '" << arg << "'\n" << kUsage;
      return 2;
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    err << "meshsim lint: missing SCENARIO or MANIFEST\n" << kUsage;
    return 2;
  }

  std::vector<LintFinding> findings;
  std::vector<std::string> notes;
  config::Warnings warnings;
  try {
    std::vector<config::Node> manifests;
    for (const std::string& file : files) {
      std::vector<config::Node> documents = config::loadDocuments(file);
      if (!documents.empty() && documents.front().isMap() && documents.front().get("costs") &&
          documents.front().get("format")) {
        err << file << ": a TLS cost profile (meshsim calibrate-tls), not a scenario or manifest\n";
        return 2;
      }
      if (isManifestFile(documents)) {
        manifests.insert(manifests.end(), documents.begin(), documents.end());
        continue;
      }
      const Scenario scenario = loadScenario(file, {}, warnings);
      const ScenarioPolicies policies = importScenarioPolicies(scenario, warnings);
      const LintInput input = lintInputFromScenario(scenario, policies, documents);
      std::vector<LintFinding> found = lintMesh(input, warnings);
      findings.insert(findings.end(), found.begin(), found.end());
      if (simulate) {
        Mesh mesh(scenario, policies);
        mesh.run();
        found = recommendSidecarResources(mesh, input);
        findings.insert(findings.end(), found.begin(), found.end());
      }
    }
    if (!manifests.empty()) {
      const LintInput input = lintInputFromManifests(manifests);
      std::vector<LintFinding> found = lintMesh(input, warnings);
      findings.insert(findings.end(), found.begin(), found.end());
      notes.push_back(
          "bare manifests: the mesh is built from the hosts they mention (one version per "
          "DestinationRule subset); the checks that need replica counts (maxEjectionPercent), "
          "application calls (layered retries), sidecar presence and --simulate were skipped; "
          "lint a scenario for those");
    }
  } catch (const config::ConfigError& error) {
    err << error.what() << "\n";
    return 2;
  } catch (const std::exception& error) {
    err << "meshsim lint: " << error.what() << "\n";
    return 2;
  }
  for (const config::Warning& warning : warnings) {
    err << warning.format() << "\n";
  }
  sortFindings(findings);
  for (const std::string& note : notes) {
    out << "note: " << note << "\n\n";
  }
  printFindings(out, findings);
  std::size_t counts[3] = {0, 0, 0};
  for (const LintFinding& f : findings) {
    ++counts[static_cast<int>(f.severity)];
  }
  out << counts[0] << " error" << (counts[0] == 1 ? "" : "s") << ", " << counts[1] << " warning"
      << (counts[1] == 1 ? "" : "s") << ", " << counts[2] << " info\n";
  return hasErrors(findings) ? 1 : 0;
}

}  // namespace meshsim::sim
