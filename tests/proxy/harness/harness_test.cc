#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <sstream>

#include "proxy/harness/child_process.h"
#include "proxy/harness/real_mesh.h"
#include "proxy/harness/validation.h"

namespace meshsim::proxy {
namespace {

const std::filesystem::path kScenarios = std::filesystem::path(__FILE__).parent_path() / ".." /
                                         ".." / ".." / "proxy" / "harness" / "scenarios";

ValidationResult validate(const std::string& file) {
  ValidationOptions options;
  options.scenario_file = (kScenarios / file).string();
  options.bin_dir = MESHSIM_PROXY_BIN_DIR;
  options.replications = 3;
  config::Warnings warnings;
  const auto variant = sim::loadVariant(options.scenario_file, {}, warnings);
  EXPECT_TRUE(validationProblems(variant->scenario).empty());
  std::ostringstream log;
  return validateAgainstReal(*variant, options, log);
}

const ComparisonRow& row(const ValidationResult& result, const std::string& what) {
  for (const ComparisonRow& r : result.rows) {
    if (r.what == what) {
      return r;
    }
  }
  throw std::runtime_error("no row " + what);
}

bool alive(pid_t pid) {
  return ::kill(pid, 0) == 0;
}

// An always-failing payment replica: exactly one ejection by checkout's sidecar, for real and in
// simulation; retries hide every failure.
TEST(HarnessTest, PaymentOutlierEjectionAgreesExactly) {
  const ValidationResult result = validate("payment-outlier.yaml");
  EXPECT_TRUE(result.passed);
  EXPECT_EQ(row(result, "checkout -> payment: ejections").real, 1);
  EXPECT_EQ(row(result, "checkout -> payment: ejections").simulated, 1);
  EXPECT_EQ(row(result, "end-to-end success rate").real, 1);
  EXPECT_GE(row(result, "checkout -> payment: 5xx").real, 5);
  for (const std::string& exit : result.exits) {
    EXPECT_TRUE(exit.ends_with(": exit 0")) << exit;
  }
}

// Failing hops with sidecar retries: attempts per request and amplification within 10 %.
TEST(HarnessTest, RetryChainAmplificationAgreesWithinTenPercent) {
  const ValidationResult result = validate("retry-chain.yaml");
  for (const ComparisonRow& r : result.rows) {
    EXPECT_TRUE(r.ok) << r.what << ": real " << r.real << " simulated " << r.simulated;
  }
  EXPECT_TRUE(result.passed);
  EXPECT_GT(row(result, "middle -> back: amplification").real, 1.2);
}

TEST(HarnessTest, RealMeshStopsAndReapsEveryProcess) {
  config::Warnings warnings;
  const auto variant = sim::loadVariant((kScenarios / "retry-chain.yaml").string(), {}, warnings);
  const auto dir = std::filesystem::temp_directory_path() /
                   ("meshproxy-harness-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<pid_t> pids;
  {
    RealMeshOptions options;
    options.bin_dir = MESHSIM_PROXY_BIN_DIR;
    options.scenario_file = (kScenarios / "retry-chain.yaml").string();
    options.work_dir = dir.string();
    RealMesh mesh(variant->scenario, options, std::chrono::steady_clock::now());
    for (const RealPod& pod : mesh.pods()) {
      pids.push_back(pod.app_process->pid());
      pids.push_back(pod.proxy_process->pid());
    }
    EXPECT_EQ(pids.size(), 10u);
    EXPECT_TRUE(mesh.exitedProcesses().empty());
    // One sidecar crashes: the harness notices.
    ::kill(mesh.pods()[0].proxy_process->pid(), SIGKILL);
    std::vector<std::string> exited;
    while (exited.empty()) {
      exited = mesh.exitedProcesses();
    }
    EXPECT_EQ(exited.size(), 1u);
  }
  for (const pid_t pid : pids) {
    EXPECT_FALSE(alive(pid)) << pid;
  }
  std::filesystem::remove_all(dir);
}

TEST(HarnessTest, ABadProgramFailsToStartWithAClearError) {
  EXPECT_THROW(ChildProcess({"/nonexistent/meshproxy"}, {}), std::runtime_error);
}

}  // namespace
}  // namespace meshsim::proxy
