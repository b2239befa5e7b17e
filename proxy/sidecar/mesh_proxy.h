#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/proxy/proxy.h"
#include "proxy/admin/proxy_stats.h"
#include "proxy/asio_event_loop/asio_event_loop.h"
#include "proxy/common/endpoints_file.h"
#include "proxy/common/scenario_pods.h"
#include "proxy/http/asio_upstream_transport.h"
#include "proxy/http/http_server.h"
#include "proxy/tls/workload_certificates.h"
#include "sim/mesh/scenario_policies.h"
#include "sim/random/random_stream.h"

namespace meshsim::proxy {

class ProxyListener;

// One downstream request on its way through a core::Proxy: it turns the core's outcome into the
// HTTP response on the session that asked.
class DownstreamRequest final : public core::DownstreamCallbacks {
 public:
  DownstreamRequest(ProxyListener& listener, std::shared_ptr<HttpSession> session)
      : listener_(listener), session_(std::move(session)) {}
  void onRequestComplete(const core::RequestOutcome& outcome) override;
  const std::shared_ptr<HttpSession>& session() const { return session_; }
  core::RouterFilter* filter = nullptr;

  std::list<DownstreamRequest>::iterator self;

 private:
  ProxyListener& listener_;
  std::shared_ptr<HttpSession> session_;
};

// An HTTP listener feeding one core::Proxy: outbound (the local app's calls) or inbound (peers'
// requests to the local app). Requests in flight are owned here, so a proxy torn down with
// requests pending (shutdown) leaks nothing.
class ProxyListener final : public RequestHandler {
 public:
  explicit ProxyListener(std::string name) : name_(std::move(name)) {}

  void attach(core::Proxy& proxy) { proxy_ = &proxy; }
  void onRequest(const std::shared_ptr<HttpSession>& session, HttpRequest request) override;
  void onRejected(unsigned status) override { ++stats_.rejected[status]; }
  // The caller gave up: the request is cancelled in the core, as a simulated app's timeout does.
  void onHangup(const std::shared_ptr<HttpSession>& session) override;

  void complete(DownstreamRequest& request, const core::RequestOutcome& outcome);
  const std::string& name() const { return name_; }
  const ListenerStats& stats() const { return stats_; }
  ListenerStats& stats() { return stats_; }
  core::Proxy* proxy() { return proxy_; }

 private:
  std::string name_;
  core::Proxy* proxy_ = nullptr;
  ListenerStats stats_;
  std::list<DownstreamRequest> in_flight_;
};

// How a MeshProxy is wired: where it listens (listen specs: "IP:PORT" or "fd:N", see
// openListener), where its app is, its limits, and the directory holding ca.crt and the pod's
// <pod>.crt/<pod>.key (empty: no certificates, every connection plaintext).
struct MeshProxySettings {
  std::string inbound = "127.0.0.1:0";
  std::string outbound = "127.0.0.1:0";
  std::string admin = "127.0.0.1:0";
  std::string app_address;
  ServerLimits limits;
  std::string tls_dir;
};

// A real sidecar for one pod of a scenario: the same core::Proxy objects the simulator's Sidecar
// runs, configured by the same sim::ProxyConfigurationBuilder from the same Istio manifests, on a
// single-threaded io_context. Outbound: the app's calls (Host header = service) are routed,
// balanced, retried and timed out by the core and sent to peers' inbound listeners. Inbound:
// peers' requests go through the core's inbound proxy (authorization, local pool) to the app.
// With certificates, connections to peers use mTLS where the policy says so (DestinationRule
// tls.mode, else Istio auto mTLS) and the inbound listener accepts what the pod's
// PeerAuthentication allows; authorization sees the caller's SPIFFE id.
// The admin listener serves /stats, /stats/prometheus, /ready and POST /quitquitquit.
class MeshProxy final : public RequestHandler {
 public:
  // Throws AddressError for bad listen specs or endpoints naming unknown pods, and
  // std::runtime_error for unreadable certificates.
  MeshProxy(boost::asio::io_context& io, const sim::Scenario& scenario,
            const sim::ScenarioPolicies& policies, const PodRef& pod,
            const std::vector<PodEndpoint>& endpoints, const MeshProxySettings& settings);
  ~MeshProxy() override;
  MeshProxy(const MeshProxy&) = delete;
  MeshProxy& operator=(const MeshProxy&) = delete;

  // Stops accepting and closes every connection; `on_shutdown` (if set) runs once, e.g. to stop
  // the io_context. Safe to call more than once.
  void shutdown();
  void onShutdown(std::function<void()> callback) { on_shutdown_ = std::move(callback); }

  boost::asio::ip::tcp::endpoint inboundEndpoint() const {
    return inbound_server_->localEndpoint();
  }
  boost::asio::ip::tcp::endpoint outboundEndpoint() const {
    return outbound_server_->localEndpoint();
  }
  boost::asio::ip::tcp::endpoint adminEndpoint() const { return admin_server_->localEndpoint(); }
  core::Proxy& outbound() { return *outbound_proxy_; }
  core::Proxy& inbound() { return *inbound_proxy_; }
  std::string statsText();

  // Admin endpoint (RequestHandler)
  void onRequest(const std::shared_ptr<HttpSession>& session, HttpRequest request) override;
  void onRejected(unsigned) override {}
  void onHangup(const std::shared_ptr<HttpSession>&) override {}

 private:
  std::vector<ProxyStatsView> views();

  ClientTls clientTls(const core::Host& host) const;

  const sim::Scenario& scenario_;
  const sim::ScenarioPolicies& policies_;
  const PodRef pod_;
  AsioEventLoop loop_;
  sim::RandomStream random_;
  std::unique_ptr<WorkloadTls> tls_;
  // Peer address -> its service, for the per-connection mTLS decision.
  std::map<std::string, sim::Index> peer_services_;
  AsioUpstreamTransport transport_;        // to peers
  AsioUpstreamTransport local_transport_;  // to the local app, always plaintext
  // Declared before the proxies so requests they still reference outlive them.
  ProxyListener outbound_listener_{"outbound"};
  ProxyListener inbound_listener_{"inbound"};
  std::unique_ptr<core::Proxy> outbound_proxy_;
  std::unique_ptr<core::Proxy> inbound_proxy_;
  std::unique_ptr<HttpServer> outbound_server_;
  std::unique_ptr<HttpServer> inbound_server_;
  std::unique_ptr<HttpServer> admin_server_;
  std::function<void()> on_shutdown_;
  bool shut_down_ = false;
};

}  // namespace meshsim::proxy
