#include "proxy/sidecar/mesh_proxy.h"

#include <gtest/gtest.h>

#include "proxy/common/socket_address.h"
#include "proxy/http/http_client.h"
#include "proxy/upstream_service/test_service.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/scenario/scenario_loader.h"
#include "tests/proxy/http/http_test_server.h"

namespace meshsim::proxy {
namespace {

namespace http = boost::beast::http;
using testing::exchangeRaw;
using testing::IoThread;

// front calls back; back-v1-1 always answers 503. front's sidecar retries 5xx twice and ejects a
// host after three consecutive 5xx.
constexpr const char* kScenario = R"(
name: proxy-test
duration: 1s
services:
  - name: front
    versions: [{name: v1, service_time: 0ms}]
  - name: back
    versions: [{name: v1, replicas: 2, service_time: 0ms}]
workload: {rate: 1, mix: [{service: front, path: /}]}
faults:
  - {at: 0s, kind: error_rate, service: back, replica: 1, probability: 1.0, status: 503}
policies:
  - inline: |
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: back}
      spec:
        host: back
        trafficPolicy:
          loadBalancer: {simple: ROUND_ROBIN}
          outlierDetection: {consecutive5xxErrors: 3, interval: 10s, baseEjectionTime: 60s,
                             maxEjectionPercent: 50}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: back}
      spec:
        hosts: [back]
        http:
          - route: [{destination: {host: back}}]
            retries: {attempts: 2, retryOn: 5xx}
)";

class MeshProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config::Warnings warnings;
    scenario_ = sim::loadScenarioFromString(kScenario, "proxy-test.yaml", {}, warnings);
    policies_ = sim::importScenarioPolicies(scenario_, warnings);
    io_.sync([&] {
      // back's replicas are bare test services: front's sidecar calls them directly.
      std::vector<PodEndpoint> endpoints;
      for (const char* name : {"back-v1-0", "back-v1-1"}) {
        backs_.push_back(std::make_unique<TestService>(
            io_.io(), scenario_, *findPod(scenario_, name), openListener(io_.io(), "127.0.0.1:0"),
            std::nullopt, std::chrono::steady_clock::now()));
        endpoints.push_back({name, toString(backs_.back()->localEndpoint())});
      }
      app_ = std::make_unique<TestService>(io_.io(), scenario_, *findPod(scenario_, "front-v1-0"),
                                           openListener(io_.io(), "127.0.0.1:0"), std::nullopt,
                                           std::chrono::steady_clock::now());
      MeshProxySettings settings;
      settings.limits.max_header_bytes = 4096;
      settings.app_address = toString(app_->localEndpoint());
      proxy_ = std::make_unique<MeshProxy>(io_.io(), scenario_, policies_,
                                           *findPod(scenario_, "front-v1-0"), endpoints, settings);
      proxy_->onShutdown([this] { shut_down_ = true; });
    });
  }
  void TearDown() override {
    io_.sync([&] {
      proxy_.reset();
      app_.reset();
      backs_.clear();
    });
  }

  HttpResponse get(const boost::asio::ip::tcp::endpoint& to, const std::string& host,
                   const std::string& target, http::verb verb = http::verb::get) {
    HttpRequest request(verb, target, 11);
    request.set(http::field::host, host);
    return fetch(to, std::move(request));
  }

  std::map<std::string, std::uint64_t> stats() {
    return parseStatsText(get(proxy_->adminEndpoint(), "admin", "/stats").body());
  }

  IoThread io_;
  sim::Scenario scenario_;
  sim::ScenarioPolicies policies_;
  std::vector<std::unique_ptr<TestService>> backs_;
  std::unique_ptr<TestService> app_;
  std::unique_ptr<MeshProxy> proxy_;
  bool shut_down_ = false;
};

TEST_F(MeshProxyTest, RetriesAndEjectsAnAlwaysFailingHostThroughTheCore) {
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(get(proxy_->outboundEndpoint(), "back", "/").result_int(), 200u) << i;
  }
  const auto s = stats();
  // Sequential requests over round robin: every third... attempt lands on back-v1-1 until its
  // third consecutive 503 ejects it; each 503 was retried on back-v1-0.
  EXPECT_EQ(s.at("cluster.back.upstream_rq_5xx"), 3u);
  EXPECT_EQ(s.at("cluster.back.upstream_rq_retry"), 3u);
  EXPECT_EQ(s.at("cluster.back.upstream_rq_total"), 23u);
  EXPECT_EQ(s.at("cluster.back.outlier_detection.ejections_enforced_total"), 1u);
  EXPECT_EQ(s.at("http.outbound.downstream_rq_2xx"), 20u);
}

TEST_F(MeshProxyTest, UnknownHostIsALocal404WithFlagNR) {
  const HttpResponse response = get(proxy_->outboundEndpoint(), "nowhere", "/");
  EXPECT_EQ(response.result_int(), 404u);
  EXPECT_EQ(response["x-meshproxy-response-flags"], "NR");
  EXPECT_EQ(stats().at("meshproxy.outbound.response_flags.NR"), 1u);
}

TEST_F(MeshProxyTest, InboundReachesTheLocalApp) {
  EXPECT_EQ(get(proxy_->inboundEndpoint(), "front", "/").result_int(), 200u);
  EXPECT_EQ(stats().at("cluster.inbound|9080||.upstream_rq_2xx"), 1u);
}

TEST_F(MeshProxyTest, BadRequestsAreRejectedWithoutHurtingTheProxy) {
  const auto status = [](const std::string& response) {
    return response.substr(0, response.find("\r\n"));
  };
  EXPECT_EQ(status(exchangeRaw(proxy_->inboundEndpoint(), "NOT HTTP\r\n\r\n")),
            "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(status(exchangeRaw(proxy_->outboundEndpoint(),
                               "GET / HTTP/1.1\r\nX: " + std::string(8000, 'x') + "\r\n\r\n")),
            "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(exchangeRaw(proxy_->outboundEndpoint(), "GET / HT"), "");
  EXPECT_EQ(get(proxy_->outboundEndpoint(), "back", "/").result_int(), 200u);
  const auto s = stats();
  EXPECT_EQ(s.at("meshproxy.inbound.rejected_400"), 1u);
  EXPECT_EQ(s.at("meshproxy.outbound.rejected_431"), 1u);
}

TEST_F(MeshProxyTest, AdminServesPrometheusAndQuitShutsDown) {
  const std::string text = get(proxy_->adminEndpoint(), "admin", "/stats/prometheus").body();
  EXPECT_NE(text.find("envoy_cluster_upstream_rq_total{envoy_cluster_name=\"back\"} 0"),
            std::string::npos);
  EXPECT_EQ(get(proxy_->adminEndpoint(), "admin", "/nope").result_int(), 404u);
  EXPECT_EQ(get(proxy_->adminEndpoint(), "admin", "/quitquitquit", http::verb::post).result_int(),
            200u);
  bool down = false;
  while (!down) {
    io_.sync([&] { down = shut_down_; });
  }
  EXPECT_THROW(get(proxy_->outboundEndpoint(), "back", "/"), boost::system::system_error);
}

}  // namespace
}  // namespace meshsim::proxy
