#include "sim/lint/mesh_linter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/lint/lint_main.h"
#include "sim/mesh/cpu_pool.h"
#include "sim/mesh/sidecar.h"
#include "sim/scenario/scenario_loader.h"

namespace meshsim::sim {
namespace {

// a (entry, 1 replica) -> b (2 replicas); `extra_services`, `call_extra` and `policies` are
// spliced in. Line numbers: the `- name: b` entry is on line 9.
std::string scenario(const std::string& policies = "", const std::string& call_extra = "",
                     const std::string& extra_services = "", const std::string& top = "") {
  return R"(name: t
duration: 2s
)" + top +
         R"(services:
  - name: a
    versions: [{name: v1, service_time: 1ms}]
    operations:
      - path: /a
        calls: [{call: b, path: /b)" +
         call_extra + R"(}]
  - name: b
    versions: [{name: v1, replicas: 2, service_time: 1ms}]
)" + extra_services +
         R"(workload:
  rate: 20
  mix: [{service: a, path: /a}]
)" + (policies.empty() ? "" : "policies:\n" + policies);
}

// An inline manifest entry for `policies:`.
std::string manifest(const std::string& yaml) {
  std::string out = "  - inline: |\n";
  std::istringstream lines(yaml);
  for (std::string line; std::getline(lines, line);) {
    out += "      " + line + "\n";
  }
  return out;
}

std::vector<LintFinding> lintScenarioText(const std::string& text) {
  config::Warnings warnings;
  const Scenario s = loadScenarioFromString(text, "test.yaml", {}, warnings);
  const ScenarioPolicies p = importScenarioPolicies(s, warnings);
  const auto documents = config::loadDocumentsFromString(text, "test.yaml");
  return lintMesh(lintInputFromScenario(s, p, documents), warnings);
}

std::vector<LintFinding> lintManifestText(const std::string& text) {
  config::Warnings warnings;
  return lintMesh(lintInputFromManifests(config::loadDocumentsFromString(text, "m.yaml")),
                  warnings);
}

std::vector<const LintFinding*> withCheck(const std::vector<LintFinding>& findings,
                                          const std::string& check) {
  std::vector<const LintFinding*> out;
  for (const LintFinding& f : findings) {
    if (f.check == check) {
      out.push_back(&f);
    }
  }
  return out;
}

const LintFinding* find(const std::vector<LintFinding>& findings, const std::string& check,
                        const std::string& object) {
  for (const LintFinding& f : findings) {
    if (f.check == check && f.object == object) {
      return &f;
    }
  }
  return nullptr;
}

std::string dump(const std::vector<LintFinding>& findings) {
  std::ostringstream out;
  printFindings(out, findings);
  return out.str();
}

const char* kStrictMesh = R"(apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}})";

// --- mTLS -------------------------------------------------------------------------------------

TEST(MeshLinterTest, PermissiveMtlsIsAWarningExceptAtTheEntryPoint) {
  const auto findings = lintScenarioText(scenario());
  const LintFinding* b = find(findings, "mtls-permissive", "Service/b");
  ASSERT_NE(b, nullptr) << dump(findings);
  EXPECT_EQ(b->severity, LintSeverity::kWarning);
  EXPECT_EQ(b->location.line, 9);
  EXPECT_NE(b->summary.find("no PeerAuthentication applies"), std::string::npos);
  const LintFinding* a = find(findings, "mtls-permissive", "Service/a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->severity, LintSeverity::kInfo);
}

TEST(MeshLinterTest, StrictPeerAuthenticationOrMtlsModeClearsTheFinding) {
  auto findings = lintScenarioText(scenario(manifest(kStrictMesh)));
  EXPECT_EQ(find(findings, "mtls-permissive", "Service/b"), nullptr) << dump(findings);
  findings = lintScenarioText(scenario("", "", "", "mtls: {mode: strict}\n"));
  EXPECT_EQ(find(findings, "mtls-permissive", "Service/b"), nullptr) << dump(findings);
  EXPECT_TRUE(withCheck(findings, "mtls-disabled").empty());
}

TEST(MeshLinterTest, ExplicitPermissivePolicyIsNamedWithItsPosition) {
  // Line 1 `policies:`, line 2 `- inline: |`, the override document starts after `---`.
  const std::string policies = manifest(std::string(kStrictMesh) + R"(
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: b-open, namespace: default}
spec: {selector: {matchLabels: {app: b}}, mtls: {mode: PERMISSIVE}})");
  const std::string text = scenario(policies);
  const auto findings = lintScenarioText(text);
  const LintFinding* f = find(findings, "mtls-permissive", "PeerAuthentication/b-open");
  ASSERT_NE(f, nullptr) << dump(findings);
  // The document's first line: `apiVersion:` after the `---`.
  std::istringstream lines(text);
  int line_no = 0, want = 0, dashes = 0;
  for (std::string line; std::getline(lines, line);) {
    ++line_no;
    if (line.find("---") != std::string::npos) {
      dashes = line_no;
    }
  }
  want = dashes + 1;
  EXPECT_EQ(f->location.line, want);
  EXPECT_EQ(f->location.file, "test.yaml");
}

TEST(MeshLinterTest, DisabledMtlsIsReported) {
  const auto findings = lintScenarioText(scenario("", "", "", "mtls: {mode: disable}\n"));
  const LintFinding* f = find(findings, "mtls-disabled", "Scenario/mtls.mode");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_EQ(f->severity, LintSeverity::kWarning);
}

// --- DestinationRule blocks -------------------------------------------------------------------

TEST(MeshLinterTest, UpstreamWithoutOutlierDetectionOrLimits) {
  const auto findings = lintScenarioText(scenario());
  const LintFinding* od = find(findings, "no-outlier-detection", "Service/b");
  ASSERT_NE(od, nullptr) << dump(findings);
  EXPECT_EQ(od->severity, LintSeverity::kWarning);
  EXPECT_NE(find(findings, "no-connection-pool-limits", "Service/b"), nullptr);
  // a is only called by the load generator, outside the mesh: no client sidecar applies a rule.
  EXPECT_EQ(find(findings, "no-outlier-detection", "Service/a"), nullptr);
}

TEST(MeshLinterTest, DestinationRuleWithOutlierDetectionAndLimitsIsClean) {
  const auto findings = lintScenarioText(scenario(manifest(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: b}
spec:
  host: b
  trafficPolicy:
    outlierDetection: {maxEjectionPercent: 50}
    connectionPool: {http: {http2MaxRequests: 100}})")));
  EXPECT_TRUE(withCheck(findings, "no-outlier-detection").empty()) << dump(findings);
  EXPECT_TRUE(withCheck(findings, "no-connection-pool-limits").empty()) << dump(findings);
  EXPECT_TRUE(withCheck(findings, "outlier-never-ejects").empty()) << dump(findings);
}

TEST(MeshLinterTest, FindingOnAnExistingRulePointsAtTheRule) {
  const auto findings = lintScenarioText(scenario(manifest(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: b-rule}
spec: {host: b, trafficPolicy: {outlierDetection: {maxEjectionPercent: 50}}})")));
  const LintFinding* f = find(findings, "no-connection-pool-limits", "DestinationRule/b-rule");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_EQ(f->location.line, 16);  // `apiVersion:` inside the inline block
}

TEST(MeshLinterTest, MaxEjectionPercentThatCanNeverEjectIsAnError) {
  // 2 endpoints, Istio's default cap of 10 %: one host is 50 % > 10 % (§10 item 12).
  auto findings = lintScenarioText(scenario(manifest(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: b}
spec: {host: b, trafficPolicy: {outlierDetection: {consecutive5xxErrors: 3}}})")));
  const LintFinding* f = find(findings, "outlier-never-ejects", "DestinationRule/b");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_EQ(f->severity, LintSeverity::kError);
  EXPECT_NE(f->summary.find("maxEjectionPercent 10 % with 2 endpoints"), std::string::npos)
      << f->summary;
  EXPECT_NE(f->fix.find("at least 50"), std::string::npos) << f->fix;
  EXPECT_EQ(findings.front().severity, LintSeverity::kError) << "errors sort first";
}

TEST(MeshLinterTest, MaxEjectionPercentBoundaryFollowsTheStrictRule) {
  const auto rule = [](int pct) {
    return manifest(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: c}
spec: {host: c, trafficPolicy: {outlierDetection: {maxEjectionPercent: )" +
                    std::to_string(pct) + "}}}");
  };
  const std::string c = R"(  - name: c
    versions: [{name: v1, replicas: 3, service_time: 1ms}, {name: v2, service_time: 1ms}]
)";
  const std::string call = R"(, retries: 0}, {call: c, path: /c)";
  // 4 endpoints: 100/4 = 25 <= 25 ejects, 24 never does.
  auto findings = lintScenarioText(scenario(rule(25), call, c));
  EXPECT_TRUE(withCheck(findings, "outlier-never-ejects").empty()) << dump(findings);
  findings = lintScenarioText(scenario(rule(24), call, c));
  ASSERT_EQ(withCheck(findings, "outlier-never-ejects").size(), 1u) << dump(findings);
  EXPECT_NE(withCheck(findings, "outlier-never-ejects")[0]->fix.find("at least 25"),
            std::string::npos);
}

TEST(MeshLinterTest, SubsetClustersCountOnlyTheirEndpoints) {
  // 34 % lets the service-wide cluster (4 endpoints, 25 % each) and subset v1 (3, 33.3 %) eject
  // one, but not subset v2 (1 endpoint: 100 %).
  const std::string c = R"(  - name: c
    versions: [{name: v1, replicas: 3, service_time: 1ms}, {name: v2, service_time: 1ms}]
)";
  const auto findings = lintScenarioText(scenario(manifest(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: c}
spec:
  host: c
  trafficPolicy: {outlierDetection: {maxEjectionPercent: 34}}
  subsets:
    - {name: v1, labels: {version: v1}}
    - {name: v2, labels: {version: v2}})"),
                                                  ", retries: 0}, {call: c, path: /c", c));
  const auto never = withCheck(findings, "outlier-never-ejects");
  ASSERT_EQ(never.size(), 1u) << dump(findings);
  EXPECT_EQ(never[0]->object, "DestinationRule/c (subset v2)");
  EXPECT_NE(never[0]->fix.find("at least 100"), std::string::npos) << never[0]->fix;
}

// --- Retries ---------------------------------------------------------------------------------

std::string retryingService(const std::string& retries, const std::string& timeout = "") {
  return manifest(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: b}
spec:
  hosts: [b]
  http:
    - route: [{destination: {host: b}}]
)" + (timeout.empty() ? "" : "      timeout: " + timeout + "\n") +
                  "      retries: " + retries);
}

TEST(MeshLinterTest, RetriesWithoutPerTryOrRouteTimeout) {
  const auto findings = lintScenarioText(scenario(retryingService("{attempts: 2}")));
  const LintFinding* per_try = find(findings, "retry-no-per-try-timeout", "VirtualService/b");
  ASSERT_NE(per_try, nullptr) << dump(findings);
  EXPECT_EQ(per_try->location.line, 23);  // the `retries:` line
  EXPECT_NE(find(findings, "retry-no-route-timeout", "VirtualService/b"), nullptr);
}

TEST(MeshLinterTest, RetriesWithBothTimeoutsAreClean) {
  const auto findings =
      lintScenarioText(scenario(retryingService("{attempts: 2, perTryTimeout: 1s}", "3s")));
  EXPECT_TRUE(withCheck(findings, "retry-no-per-try-timeout").empty()) << dump(findings);
  EXPECT_TRUE(withCheck(findings, "retry-no-route-timeout").empty()) << dump(findings);
  EXPECT_TRUE(withCheck(findings, "per-try-timeout-ignored").empty()) << dump(findings);
  // perTryTimeout >= timeout is ignored by Envoy (§1.5).
  const auto ignored =
      lintScenarioText(scenario(retryingService("{attempts: 2, perTryTimeout: 3s}", "3s")));
  EXPECT_EQ(withCheck(ignored, "per-try-timeout-ignored").size(), 1u) << dump(ignored);
  // attempts: 0 disables retries: nothing to say.
  const auto none = lintScenarioText(scenario(retryingService("{attempts: 0}")));
  EXPECT_TRUE(withCheck(none, "retry-no-per-try-timeout").empty()) << dump(none);
  EXPECT_TRUE(withCheck(none, "retry-no-budget").empty()) << dump(none);
}

TEST(MeshLinterTest, RetryVolumeWithoutBudget) {
  const auto findings = lintScenarioText(scenario(retryingService("{attempts: 2}")));
  const LintFinding* f = find(findings, "retry-no-budget", "VirtualService/b");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_NE(f->summary.find("200 %"), std::string::npos) << f->summary;
  for (const std::string block :
       {"retryBudget: {percent: 20}", "connectionPool: {http: {maxRetries: 3}}"}) {
    const auto budgeted = lintScenarioText(
        scenario(retryingService("{attempts: 2}") + manifest(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: b}
spec: {host: b, trafficPolicy: {)" + block + "}}")));
    EXPECT_TRUE(withCheck(budgeted, "retry-no-budget").empty()) << block << dump(budgeted);
  }
}

TEST(MeshLinterTest, AppAndMeshRetriesOnOneEdgeMultiply) {
  // 2 app retries (3 attempts) over 3 mesh retries (4 attempts): 12.
  const auto findings =
      lintScenarioText(scenario(retryingService("{attempts: 3}"), ", retries: 2"));
  const LintFinding* f = find(findings, "layered-retries", "Service/a");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_EQ(f->severity, LintSeverity::kWarning);
  EXPECT_NE(f->summary.find("worst case 12 attempts"), std::string::npos) << f->summary;
  EXPECT_EQ(f->location.line, 8);  // the call
  // No app retries: no finding.
  const auto app_free = lintScenarioText(scenario(retryingService("{attempts: 3}")));
  EXPECT_TRUE(withCheck(app_free, "layered-retries").empty()) << dump(app_free);
  // Mesh retries off for the route: no finding.
  const auto mesh_free =
      lintScenarioText(scenario(retryingService("{attempts: 0}"), ", retries: 2"));
  EXPECT_TRUE(withCheck(mesh_free, "layered-retries").empty()) << dump(mesh_free);
}

TEST(MeshLinterTest, AppRetriesOverIstioImplicitRetriesAreInfo) {
  // No VirtualService: Istio's default 2 retries (§1.9) => 2 × 3 = 6.
  const auto findings = lintScenarioText(scenario("", ", retries: 1"));
  const LintFinding* f = find(findings, "layered-retries", "Service/a");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_EQ(f->severity, LintSeverity::kInfo);
  EXPECT_NE(f->summary.find("worst case 6 attempts"), std::string::npos) << f->summary;
}

// --- Authorization, sidecars, mesh size ---------------------------------------------------------

TEST(MeshLinterTest, NoAuthorizationPolicyAnywhere) {
  const auto findings = lintScenarioText(scenario());
  const LintFinding* f = find(findings, "no-authorization-policy", "Mesh");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_EQ(f->location.line, 1);
}

TEST(MeshLinterTest, ServicesWithoutAnAllowPolicyAreNamed) {
  const auto findings = lintScenarioText(scenario(manifest(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: b-callers, namespace: default}
spec:
  selector: {matchLabels: {app: b}}
  action: ALLOW
  rules: [{from: [{source: {principals: [cluster.local/ns/default/sa/a]}}]}])")));
  EXPECT_EQ(find(findings, "no-authorization-policy", "Mesh"), nullptr) << dump(findings);
  EXPECT_EQ(find(findings, "no-authorization-policy", "Service/b"), nullptr) << dump(findings);
  EXPECT_NE(find(findings, "no-authorization-policy", "Service/a"), nullptr) << dump(findings);
}

TEST(MeshLinterTest, ServiceWithoutSidecar) {
  const std::string c = R"(  - name: c
    sidecar: false
    versions: [{name: v1, service_time: 1ms}]
)";
  const auto findings = lintScenarioText(scenario("", ", retries: 0}, {call: c, path: /c", c));
  const LintFinding* f = find(findings, "no-sidecar", "Service/c");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_EQ(f->location.line, 11);
  EXPECT_TRUE(withCheck(lintScenarioText(scenario()), "no-sidecar").empty());
}

TEST(MeshLinterTest, FewServicesIsInfo) {
  const auto findings = lintScenarioText(scenario());
  const LintFinding* f = find(findings, "few-services", "Mesh");
  ASSERT_NE(f, nullptr) << dump(findings);
  EXPECT_EQ(f->severity, LintSeverity::kInfo);
  const std::string c = R"(  - name: c
    versions: [{name: v1, service_time: 1ms}]
)";
  EXPECT_TRUE(withCheck(lintScenarioText(scenario("", "", c)), "few-services").empty());
}

TEST(MeshLinterTest, NonIstioProfileSkipsManifestChecks) {
  const auto findings = lintScenarioText(scenario("", "", "", "profile: linkerd\n"));
  EXPECT_EQ(withCheck(findings, "istio-checks-skipped").size(), 1u) << dump(findings);
  EXPECT_TRUE(withCheck(findings, "no-outlier-detection").empty());
  EXPECT_TRUE(withCheck(findings, "mtls-permissive").empty());
}

// --- Bare manifests ---------------------------------------------------------------------------

constexpr const char* kBare = R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  trafficPolicy: {outlierDetection: {consecutive5xxErrors: 5}}
  subsets:
    - {name: v1, labels: {version: v1}}
    - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
    - route:
        - {destination: {host: reviews, subset: v1}, weight: 90}
        - {destination: {host: ratings}, weight: 10}
      retries: {attempts: 3, perTryTimeout: 1s}
)";

TEST(MeshLinterTest, BareManifestsBuildTheCatalogFromTheirHosts) {
  const auto findings = lintManifestText(kBare);
  // reviews (from the DestinationRule) and ratings (a route destination) are services.
  const LintFinding* limits =
      find(findings, "no-connection-pool-limits", "DestinationRule/reviews");
  ASSERT_NE(limits, nullptr) << dump(findings);
  EXPECT_EQ(limits->location.file, "m.yaml");
  EXPECT_EQ(limits->location.line, 1);
  // ratings has no DestinationRule: the finding points where the manifests first name it.
  const LintFinding* ratings = find(findings, "no-outlier-detection", "Service/ratings");
  ASSERT_NE(ratings, nullptr) << dump(findings);
  EXPECT_EQ(ratings->location.line, 19);
  const LintFinding* timeout = find(findings, "retry-no-route-timeout", "VirtualService/reviews");
  ASSERT_NE(timeout, nullptr) << dump(findings);
  EXPECT_EQ(timeout->location.line, 20);
  EXPECT_TRUE(withCheck(findings, "retry-no-per-try-timeout").empty());
  EXPECT_EQ(withCheck(findings, "retry-no-budget").size(), 1u);
  EXPECT_EQ(withCheck(findings, "mtls-permissive").size(), 2u) << dump(findings);
  // Replica counts are unknown: the ejection check is skipped, as are app-level checks.
  EXPECT_TRUE(withCheck(findings, "outlier-never-ejects").empty());
  EXPECT_TRUE(withCheck(findings, "no-sidecar").empty());
  EXPECT_TRUE(withCheck(findings, "layered-retries").empty());
  EXPECT_NE(find(findings, "few-services", "Mesh"), nullptr);
}

TEST(MeshLinterTest, BareStrictPeerAuthenticationClearsMtlsFindings) {
  const auto findings = lintManifestText(std::string(kBare) + "---\n" + kStrictMesh + "\n");
  EXPECT_TRUE(withCheck(findings, "mtls-permissive").empty()) << dump(findings);
}

// --- The command ------------------------------------------------------------------------------

class TempDir {
 public:
  TempDir()
      : path_(std::filesystem::temp_directory_path() /
              ("meshsim-lint-test-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    return (path_ / name).string();
  }

 private:
  std::filesystem::path path_;
};

TEST(LintMainTest, ExitCodes) {
  TempDir dir;
  const std::string warnings_only = dir.write("ok.yaml", scenario());
  const std::string with_error =
      dir.write("bad.yaml", scenario(manifest(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: b}
spec: {host: b, trafficPolicy: {outlierDetection: {}}})")));
  std::ostringstream out, err;
  EXPECT_EQ(lintMain({warnings_only}, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("0 errors, "), std::string::npos) << out.str();

  out.str("");
  EXPECT_EQ(lintMain({with_error}, out, err), 1) << err.str();
  EXPECT_EQ(out.str().rfind("error: " + with_error + ":", 0), 0u) << out.str();
  EXPECT_NE(out.str().find("\n  why: "), std::string::npos);
  EXPECT_NE(out.str().find("\n  fix: "), std::string::npos);

  // Bad input: nothing on stdout, the message names file:line:column.
  out.str("");
  err.str("");
  const std::string broken = dir.write("broken.yaml", "name: t\nduration: 2s\nservices: 3\n");
  EXPECT_EQ(lintMain({broken}, out, err), 2);
  EXPECT_TRUE(out.str().empty()) << out.str();
  EXPECT_NE(err.str().find("broken.yaml:3:"), std::string::npos) << err.str();
  EXPECT_EQ(
      lintMain({(std::filesystem::path(broken).parent_path() / "missing.yaml").string()}, out, err),
      2);
  EXPECT_EQ(lintMain({}, out, err), 2);
  EXPECT_EQ(lintMain({"--frobnicate", warnings_only}, out, err), 2);
  EXPECT_TRUE(out.str().empty());
}

TEST(LintMainTest, BareManifestFilesAreLintedTogetherWithANote) {
  TempDir dir;
  const std::string rules = dir.write("rules.yaml", kBare);
  const std::string strict = dir.write("strict.yaml", kStrictMesh);
  std::ostringstream out, err;
  EXPECT_EQ(lintMain({rules, strict}, out, err), 0) << err.str();
  EXPECT_EQ(out.str().rfind("note: bare manifests", 0), 0u) << out.str();
  EXPECT_EQ(out.str().find("[mtls-permissive]"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find(rules + ":1:1: DestinationRule/reviews [no-connection-pool-limits]"),
            std::string::npos)
      << out.str();
}

TEST(LintMainTest, SimulateRecommendsSidecarResources) {
  TempDir dir;
  const std::string file = dir.write("sim.yaml", scenario());
  std::ostringstream out, err;
  ASSERT_EQ(lintMain({"--simulate", file}, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("Service/a [sidecar-resources]"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("Service/b [sidecar-resources]"), std::string::npos) << out.str();
  std::ostringstream plain;
  ASSERT_EQ(lintMain({file}, plain, err), 0);
  EXPECT_EQ(plain.str().find("[sidecar-resources]"), std::string::npos);
}

TEST(LintMainTest, SidecarRecommendationIsObservedCpuWithHeadroomAndModelMemory) {
  config::Warnings warnings;
  const std::string text = scenario();
  const Scenario s = loadScenarioFromString(text, "test.yaml", {}, warnings);
  const ScenarioPolicies p = importScenarioPolicies(s, warnings);
  const LintInput input =
      lintInputFromScenario(s, p, config::loadDocumentsFromString(text, "test.yaml"));
  Mesh mesh(s, p);
  mesh.run();
  const auto findings = recommendSidecarResources(mesh, input);
  ASSERT_EQ(findings.size(), 2u);
  // One finding per meshed service; memory from the model: 60 MB base (57.2 MiB) plus 20 KiB per
  // peak connection, rounded up to whole MiB.
  const LintFinding& a = findings[0];
  EXPECT_EQ(a.object, "Service/a");
  EXPECT_EQ(a.severity, LintSeverity::kInfo);
  EXPECT_NE(a.summary.find("memory 58Mi"), std::string::npos) << a.summary;  // 60 MB base
  EXPECT_NE(a.summary.find("sidecar requests cpu "), std::string::npos) << a.summary;
  // CPU: the busiest pod's cores × 1.5, in millicores rounded up to 10m.
  double cores = 0;
  for (const auto& workload : mesh.workloads()) {
    if (workload->app && workload->service == 0) {
      cores = std::max(cores, core::toSeconds(workload->sidecar->cpu().busyTime()) /
                                  core::toSeconds(s.warmup + s.duration));
    }
  }
  ASSERT_GT(cores, 0);
  const long millicores = std::max(10L, static_cast<long>(std::ceil(cores * 150.0)) * 10L);
  EXPECT_NE(a.summary.find("cpu " + std::to_string(millicores) + "m,"), std::string::npos)
      << a.summary << " expected " << millicores;
}

}  // namespace
}  // namespace meshsim::sim
