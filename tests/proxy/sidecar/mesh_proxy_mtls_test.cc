#include <gtest/gtest.h>

#include <filesystem>

#include "proxy/common/socket_address.h"
#include "proxy/http/http_client.h"
#include "proxy/sidecar/mesh_proxy.h"
#include "proxy/tls/workload_certificates.h"
#include "proxy/upstream_service/test_service.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario_loader.h"
#include "tests/proxy/http/http_test_server.h"

namespace meshsim::proxy {
namespace {

namespace http = boost::beast::http;
using testing::IoThread;

// front and back, both meshed; back only lets front's identity in. PeerAuthentication is
// PERMISSIVE unless a test asks for STRICT.
std::string scenarioText(const std::string& mtls_mode) {
  return R"(
name: mtls-test
duration: 1s
mtls: {mode: )" +
         mtls_mode + R"(}
services:
  - name: front
    versions: [{name: v1, service_time: 0ms}]
  - name: back
    versions: [{name: v1, service_time: 0ms}]
workload: {rate: 1, mix: [{service: front, path: /}]}
policies:
  - inline: |
      apiVersion: security.istio.io/v1
      kind: AuthorizationPolicy
      metadata: {name: back-from-front, namespace: default}
      spec:
        selector: {matchLabels: {app: back}}
        action: ALLOW
        rules:
          - from: [{source: {principals: ["cluster.local/ns/default/sa/front"]}}]
)";
}

class MeshProxyMtlsTest : public ::testing::Test {
 protected:
  void start(const std::string& mtls_mode) {
    config::Warnings warnings;
    scenario_ = sim::loadScenarioFromString(scenarioText(mtls_mode), "mtls.yaml", {}, warnings);
    policies_ = sim::importScenarioPolicies(scenario_, warnings);
    dir_ = std::filesystem::temp_directory_path() /
           ("meshproxy-mtls-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    TestCertificateAuthority authority;
    authority.writeRoot(dir_.string());
    authority.issue(dir_.string(), "front-v1-0", "spiffe://cluster.local/ns/default/sa/front");
    authority.issue(dir_.string(), "back-v1-0", "spiffe://cluster.local/ns/default/sa/back");
    io_.sync([&] {
      for (const char* name : {"front-v1-0", "back-v1-0"}) {
        apps_.push_back(std::make_unique<TestService>(
            io_.io(), scenario_, *findPod(scenario_, name), openListener(io_.io(), "127.0.0.1:0"),
            std::nullopt, std::chrono::steady_clock::now()));
      }
      MeshProxySettings back;
      back.app_address = toString(apps_[1]->localEndpoint());
      back.tls_dir = dir_.string();
      back_ = std::make_unique<MeshProxy>(io_.io(), scenario_, policies_,
                                          *findPod(scenario_, "back-v1-0"),
                                          std::vector<PodEndpoint>{}, back);
      MeshProxySettings front;
      front.app_address = toString(apps_[0]->localEndpoint());
      front.tls_dir = dir_.string();
      front_ = std::make_unique<MeshProxy>(
          io_.io(), scenario_, policies_, *findPod(scenario_, "front-v1-0"),
          std::vector<PodEndpoint>{{"back-v1-0", toString(back_->inboundEndpoint())}}, front);
    });
  }
  void TearDown() override {
    io_.sync([&] {
      front_.reset();
      back_.reset();
      apps_.clear();
    });
    std::filesystem::remove_all(dir_);
  }

  HttpResponse get(const boost::asio::ip::tcp::endpoint& to, const std::string& host,
                   const std::string& target) {
    HttpRequest request(http::verb::get, target, 11);
    request.set(http::field::host, host);
    return fetch(to, std::move(request));
  }
  std::map<std::string, std::uint64_t> stats(MeshProxy& proxy) {
    return parseStatsText(get(proxy.adminEndpoint(), "admin", "/stats").body());
  }

  IoThread io_;
  std::filesystem::path dir_;
  sim::Scenario scenario_;
  sim::ScenarioPolicies policies_;
  std::vector<std::unique_ptr<TestService>> apps_;
  std::unique_ptr<MeshProxy> back_;
  std::unique_ptr<MeshProxy> front_;
};

TEST_F(MeshProxyMtlsTest, FrontsIdentityIsAuthorizedOverMutualTls) {
  start("auto");
  EXPECT_EQ(get(front_->outboundEndpoint(), "back", "/").result_int(), 200u);
  EXPECT_EQ(stats(*front_).at("meshproxy.outbound.ssl.handshake"), 1u);
  EXPECT_EQ(stats(*back_).at("meshproxy.inbound.ssl.handshake"), 1u);
}

TEST_F(MeshProxyMtlsTest, PlaintextCallerHasNoIdentityAndIsDenied) {
  start("auto");
  const HttpResponse response = get(back_->inboundEndpoint(), "back", "/");
  EXPECT_EQ(response.result_int(), 403u);
  EXPECT_EQ(response["x-meshproxy-response-flags"], "RBAC");
}

TEST_F(MeshProxyMtlsTest, StrictRefusesPlaintextConnections) {
  start("strict");
  EXPECT_THROW(get(back_->inboundEndpoint(), "back", "/"), boost::system::system_error);
  EXPECT_EQ(get(front_->outboundEndpoint(), "back", "/").result_int(), 200u);
  EXPECT_EQ(stats(*back_).at("meshproxy.inbound.ssl.connection_error"), 1u);
}

}  // namespace
}  // namespace meshsim::proxy
