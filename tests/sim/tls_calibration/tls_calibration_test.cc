#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sim/mesh/mesh.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario_loader.h"
#include "sim/tls_calibration/calibrate_tls_main.h"
#include "sim/tls_calibration/tls_calibrator.h"
#include "sim/tls_calibration/tls_cost_profile_file.h"

namespace meshsim::sim {
namespace {

using std::chrono::microseconds;

const std::filesystem::path kScenarios =
    std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." / "scenarios";

// A scratch directory of this test process, removed at the end.
class TempDir {
 public:
  TempDir()
      : path_(std::filesystem::temp_directory_path() /
              ("meshsim-tls-test-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// One calibration shared by the tests (a real measurement: a few handshakes per cell).
const TlsCalibration& calibration() {
  static const TlsCalibration c = calibrateTls(5);
  return c;
}

TEST(TlsCalibrationTest, MeasuresEveryCellWithPositiveCpuAndCheaperResumption) {
  const TlsCalibration& c = calibration();
  EXPECT_EQ(c.iterations, 5);
  EXPECT_NE(c.openssl_version.find("OpenSSL 3"), std::string::npos) << c.openssl_version;
  ASSERT_EQ(c.handshakes.size(), 4u);
  int mtls_cells = 0;
  for (const HandshakeMeasurement& m : c.handshakes) {
    SCOPED_TRACE(testing::Message()
                 << "key " << static_cast<int>(m.key) << " mTLS " << m.client_certificate);
    mtls_cells += m.client_certificate ? 1 : 0;
    EXPECT_GT(m.client_full.count(), 0);
    EXPECT_GT(m.server_full.count(), 0);
    EXPECT_GT(m.client_resumed.count(), 0);
    EXPECT_GT(m.server_resumed.count(), 0);
    // A resumed handshake skips the certificate signature and verifications (§7.6).
    EXPECT_LT(m.client_resumed, m.client_full);
    EXPECT_LT(m.server_resumed, m.server_full);
  }
  EXPECT_EQ(mtls_cells, 2);
  const PrimitiveMeasurement& p = c.primitives;
  for (const core::Duration d : {p.rsa2048_sign, p.rsa2048_verify, p.ecdsa_p256_sign,
                                 p.ecdsa_p256_verify, p.x25519_keygen, p.x25519_derive}) {
    EXPECT_GT(d.count(), 0);
  }
  // RSA makes signing the expensive side, ECDSA verifying (§7.6): robust ratios even under load.
  EXPECT_GT(p.rsa2048_sign, 3 * p.rsa2048_verify);
  EXPECT_GT(p.ecdsa_p256_verify, p.ecdsa_p256_sign);
}

TEST(TlsCalibrationTest, FittedProfileReproducesTheMeasuredPlainHandshakes) {
  const TlsCalibration& c = calibration();
  const core::TlsCostProfile profile = fitTlsCostProfile(c);
  EXPECT_EQ(profile.rsa2048_sign, c.primitives.rsa2048_sign);
  EXPECT_EQ(profile.kx_derive, c.primitives.x25519_derive);
  EXPECT_GE(profile.client_overhead.count(), 0);
  EXPECT_GE(profile.server_resumed_client_certificate_overhead.count(), 0);
  // The residuals are averages over the key types, so the model matches the mean of the two
  // cells exactly (when no residual was clamped) and resumption stays cheaper for the client.
  const core::HandshakeCostModel model(profile);
  core::Duration measured_sum{0}, model_sum{0};
  for (const HandshakeMeasurement& m : c.handshakes) {
    core::HandshakeParams params;
    params.server_key = params.client_key = m.key;
    params.client_certificate = m.client_certificate;
    const core::Duration full = model.clientCpu(params);
    params.resumed = true;
    EXPECT_LT(model.clientCpu(params), full);
    if (!m.client_certificate) {
      params.resumed = false;
      measured_sum += m.client_full;
      model_sum += model.clientCpu(params);
    }
  }
  if (profile.client_overhead.count() > 0) {
    EXPECT_NEAR(static_cast<double>(model_sum.count()), static_cast<double>(measured_sum.count()),
                2.0);
  }
}

TEST(TlsCostProfileFileTest, WrittenProfileParsesBackToTheSameCosts) {
  const TlsCalibration& c = calibration();
  core::TlsCostProfile profile = fitTlsCostProfile(c);
  profile.rsa2048_sign = microseconds(1234) + std::chrono::nanoseconds(500);
  std::ostringstream text;
  writeTlsCostProfile(text, "a header\n\nsecond line", c, profile);
  EXPECT_EQ(text.str().rfind("# a header\n#\n# second line\nformat: ", 0), 0u) << text.str();
  const auto documents = config::loadDocumentsFromString(text.str(), "profile.yaml");
  ASSERT_EQ(documents.size(), 1u);
  const core::TlsCostProfile back = parseTlsCostProfile(documents.front());
  // Written with 0.1 µs resolution.
  const auto close = [](core::Duration a, core::Duration b) {
    return std::abs((a - b).count()) <= 50;
  };
  EXPECT_EQ(back.rsa2048_sign, microseconds(1234) + std::chrono::nanoseconds(500));
  EXPECT_TRUE(close(back.ecdsa_p256_verify, profile.ecdsa_p256_verify));
  EXPECT_TRUE(close(back.kx_keygen, profile.kx_keygen));
  EXPECT_TRUE(close(back.client_overhead, profile.client_overhead));
  EXPECT_TRUE(close(back.server_resumed_client_certificate_overhead,
                    profile.server_resumed_client_certificate_overhead));
}

TEST(TlsCostProfileFileTest, PartialProfileKeepsDefaultsAndBadOnesAreConfigErrors) {
  const auto parse = [](const std::string& text) {
    return parseTlsCostProfile(config::loadDocumentsFromString(text, "p.yaml").front());
  };
  const core::TlsCostProfile partial =
      parse("format: meshsim-tls-cost-profile/1\ncosts: {rsa2048_sign: 100us}\n");
  EXPECT_EQ(partial.rsa2048_sign, microseconds(100));
  EXPECT_EQ(partial.ecdsa_p256_sign, core::TlsCostProfile{}.ecdsa_p256_sign);
  try {
    parse("format: meshsim-tls-cost-profile/1\ncosts: {rsa2048_sing: 100us}\n");
    ADD_FAILURE() << "unknown key accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.location().line, 2);
    EXPECT_NE(std::string(e.what()).find("rsa2048_sign"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse("format: other/1\ncosts: {}\n"), config::ConfigError);
  EXPECT_THROW(parse("format: meshsim-tls-cost-profile/1\ncosts: {kx_derive: 5}\n"),
               config::ConfigError);
}

TEST(TlsCostProfileFileTest, ShippedDefaultProfileLoads) {
  const core::TlsCostProfile profile =
      loadTlsCostProfile((kScenarios / "tls" / "default-profile.yaml").string());
  EXPECT_GT(profile.rsa2048_sign, profile.rsa2048_verify);
  EXPECT_GT(profile.client_overhead.count(), 0);
}

// A steady open-loop a -> b over mTLS; every handshake finishes long before the end.
std::string mtlsScenario(const std::string& cost_profile) {
  return std::string(R"(name: tls
duration: 20s
mtls: {mode: strict, key: ecdsa-p256)") +
         (cost_profile.empty() ? "" : ", cost_profile: " + cost_profile) + R"(}
services:
  - name: a
    versions: [{name: v1, replicas: 2, service_time: 1ms}]
    operations: [{path: /a, calls: [{call: b, path: /b}]}]
  - name: b
    versions: [{name: v1, replicas: 3, service_time: 1ms}]
workload:
  arrivals: constant
  rate: 50
  mix: [{service: a, path: /a}]
policies:
  - inline: |
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata: {name: edge, namespace: default}
      spec: {selector: {matchLabels: {app: a}}, mtls: {mode: PERMISSIVE}}
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: b}
      spec: {host: b, trafficPolicy: {connectionPool: {http: {maxRequestsPerConnection: 5}}}}
)";
}

struct TlsRun {
  core::Duration tls_cpu{0};
  std::uint64_t full = 0;
  std::uint64_t resumed = 0;
  core::HandshakeCost full_cost, resumed_cost;
};

TlsRun runTls(const std::filesystem::path& directory, const std::string& cost_profile) {
  const std::filesystem::path file = directory / "tls.yaml";
  std::ofstream(file) << mtlsScenario(cost_profile);
  config::Warnings warnings;
  const Scenario scenario = loadScenario(file.string(), {}, warnings);
  const ScenarioPolicies policies = importScenarioPolicies(scenario, warnings);
  Mesh mesh(scenario, policies);
  mesh.run();
  TlsRun out;
  out.tls_cpu = mesh.metrics().tls_cpu;
  out.full = mesh.metrics().handshakes_full;
  out.resumed = mesh.metrics().handshakes_resumed;
  out.full_cost = mesh.tlsCosts().cost(mesh.handshakeParams(false));
  out.resumed_cost = mesh.tlsCosts().cost(mesh.handshakeParams(true));
  return out;
}

TEST(TlsCostProfileFileTest, CalibratedProfileDrivesTheMeshHandshakeCosts) {
  TempDir dir;
  std::ostringstream ignored_out, err;
  ASSERT_EQ(calibrateTlsMain({"--out", (dir.path() / "profile.yaml").string(), "--iterations=3"},
                             ignored_out, err),
            0)
      << err.str();
  const core::TlsCostProfile loaded = loadTlsCostProfile((dir.path() / "profile.yaml").string());

  const TlsRun with_profile = runTls(dir.path(), "profile.yaml");
  const TlsRun defaults = runTls(dir.path(), "");
  // The mesh charges exactly the profile's model per handshake.
  core::HandshakeParams params;
  params.server_key = params.client_key = core::TlsKeyType::kEcdsaP256;
  EXPECT_EQ(with_profile.full_cost.client_cpu, core::HandshakeCostModel(loaded).clientCpu(params));
  ASSERT_GT(with_profile.full, 0u);
  ASSERT_GT(with_profile.resumed, 0u);
  EXPECT_EQ(with_profile.tls_cpu,
            static_cast<std::int64_t>(with_profile.full) *
                    (with_profile.full_cost.client_cpu + with_profile.full_cost.server_cpu) +
                static_cast<std::int64_t>(with_profile.resumed) *
                    (with_profile.resumed_cost.client_cpu + with_profile.resumed_cost.server_cpu));
  // ...and differently from the built-in defaults.
  EXPECT_NE(with_profile.full_cost.client_cpu, defaults.full_cost.client_cpu);
  EXPECT_NE(with_profile.tls_cpu, defaults.tls_cpu);
}

TEST(TlsCostProfileFileTest, ScenarioWithABadProfileFailsToLoadAtTheProfile) {
  TempDir dir;
  std::ofstream(dir.path() / "bad.yaml") << "format: meshsim-tls-cost-profile/1\ncosts: []\n";
  std::ofstream(dir.path() / "tls.yaml") << mtlsScenario("bad.yaml");
  config::Warnings warnings;
  try {
    loadScenario((dir.path() / "tls.yaml").string(), {}, warnings);
    ADD_FAILURE() << "bad profile accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(e.location().file.find("bad.yaml"), std::string::npos) << e.what();
    EXPECT_EQ(e.location().line, 2);
  }
}

TEST(CalibrateTlsMainTest, BadArgumentsExitTwo) {
  std::ostringstream out, err;
  EXPECT_EQ(calibrateTlsMain({"--iterations", "0"}, out, err), 2);
  EXPECT_EQ(calibrateTlsMain({"--iterations", "x"}, out, err), 2);
  EXPECT_EQ(calibrateTlsMain({"--iterations"}, out, err), 2);
  EXPECT_EQ(calibrateTlsMain({"--out="}, out, err), 2);
  EXPECT_EQ(calibrateTlsMain({"--frobnicate"}, out, err), 2);
  EXPECT_TRUE(out.str().empty());
  EXPECT_NE(err.str().find("--iterations expects an integer"), std::string::npos) << err.str();
}

TEST(CalibrateTlsMainTest, WithoutOutWritesTheProfileToStdout) {
  std::ostringstream out, err;
  ASSERT_EQ(calibrateTlsMain({"--iterations", "2"}, out, err), 0) << err.str();
  const auto documents = config::loadDocumentsFromString(out.str(), "stdout");
  ASSERT_EQ(documents.size(), 1u);
  EXPECT_NO_THROW(parseTlsCostProfile(documents.front()));
  EXPECT_NE(out.str().find("on this machine: "), std::string::npos);
}

}  // namespace
}  // namespace meshsim::sim
