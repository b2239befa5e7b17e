#include "proxy/sidecar/mesh_proxy.h"

#include <boost/asio/post.hpp>
#include <map>

#include "proxy/common/socket_address.h"
#include "proxy/http/message_conversion.h"
#include "sim/mesh/proxy_configuration.h"

namespace meshsim::proxy {

namespace http = boost::beast::http;

namespace {

core::ProxyConfig checked(core::ProxyConfig config, const std::string& what) {
  for (const core::ConfigDiagnostic& diagnostic : config.validate()) {
    if (diagnostic.severity == core::ConfigDiagnostic::Severity::kError) {
      throw AddressError(what + " proxy configuration: " + diagnostic.path + ": " +
                         diagnostic.message);
    }
  }
  return config;
}

}  // namespace

void DownstreamRequest::onRequestComplete(const core::RequestOutcome& outcome) {
  listener_.complete(*this, outcome);
}

void ProxyListener::onRequest(const std::shared_ptr<HttpSession>& session, HttpRequest request) {
  DownstreamRequest& downstream = in_flight_.emplace_back(*this, session);
  downstream.self = std::prev(in_flight_.end());
  downstream.filter = &proxy_->startRequest(toCoreRequest(request), session->worker(), downstream,
                                            session->peerPrincipal());
}

void ProxyListener::onHangup(const std::shared_ptr<HttpSession>& session) {
  for (auto it = in_flight_.begin(); it != in_flight_.end(); ++it) {
    if (it->session() == session) {
      ++stats_.downstream_rq_cancelled;
      it->filter->cancel();
      in_flight_.erase(it);
      return;
    }
  }
}

void ProxyListener::complete(DownstreamRequest& request, const core::RequestOutcome& outcome) {
  stats_.recordResponse(outcome.response.status);
  stats_.recordFlags(outcome.flags);
  HttpResponse response = toHttpResponse(outcome.response);
  if (outcome.local_reply) {
    // Envoy marks what it generated itself; apps and tests can tell a mesh 503 from an app's.
    response.set("x-meshproxy-response-flags", core::responseFlagsString(outcome.flags));
  }
  // `request` goes away below; its session is still needed to answer.
  const std::shared_ptr<HttpSession> session = request.session();
  in_flight_.erase(request.self);
  session->respond(std::move(response));
}

MeshProxy::MeshProxy(boost::asio::io_context& io, const sim::Scenario& scenario,
                     const sim::ScenarioPolicies& policies, const PodRef& pod,
                     const std::vector<PodEndpoint>& endpoints, const MeshProxySettings& settings)
    : scenario_(scenario),
      policies_(policies),
      pod_(pod),
      loop_(io),
      // The simulator's sidecar draws from the same stream (Mesh::stream(pod, "proxy")).
      random_(scenario.seed, 0, pod.name, "proxy"),
      tls_(settings.tls_dir.empty() ? nullptr
                                    : std::make_unique<WorkloadTls>(settings.tls_dir, pod.name)),
      transport_(io, settings.limits, [this](const core::Host& host) { return clientTls(host); }),
      local_transport_(io, settings.limits) {
  const ServerLimits limits = settings.limits;
  const std::string& app_address = settings.app_address;
  if (!parseEndpoint(app_address)) {
    throw AddressError("'" + app_address + "' is not an IP:PORT address for the app");
  }
  std::map<std::string, std::string> addresses;
  for (const PodEndpoint& endpoint : endpoints) {
    const std::optional<PodRef> peer = findPod(scenario, endpoint.pod);
    if (!peer) {
      throw AddressError("endpoints: pod '" + endpoint.pod + "' is not in scenario '" +
                         scenario.name + "'");
    }
    addresses[endpoint.pod] = endpoint.address;
    peer_services_[endpoint.address] = peer->service;
  }
  sim::ProxyConfigurationBuilder builder(scenario, policies);
  // In the simulator's order, so both balance over the same host list.
  for (const PodRef& other : scenarioPods(scenario)) {
    if (const auto it = addresses.find(other.name); it != addresses.end()) {
      builder.addEndpoint(other.service, other.version, other.zone, it->second);
    }
  }
  const sim::ServiceSpec& service = scenario.services[pod.service];
  sim::PodPlacement placement;
  placement.service = pod.service;
  placement.version = pod.version;
  placement.zone = pod.zone;
  placement.has_sidecar = service.has_sidecar;
  placement.workers = service.sidecar.workers;
  placement.app_address = app_address;
  sim::SidecarConfiguration configuration = builder.build(placement);

  outbound_proxy_ = std::make_unique<core::Proxy>(
      checked(std::move(configuration.outbound), "outbound"), loop_, random_, transport_);
  inbound_proxy_ = std::make_unique<core::Proxy>(
      checked(std::move(*configuration.inbound), "inbound"), loop_, random_, local_transport_);
  outbound_listener_.attach(*outbound_proxy_);
  inbound_listener_.attach(*inbound_proxy_);
  const std::uint32_t workers = outbound_proxy_->config().workers;
  outbound_server_ = std::make_unique<HttpServer>(openListener(io, settings.outbound),
                                                  outbound_listener_, limits, workers);
  inbound_server_ = std::make_unique<HttpServer>(openListener(io, settings.inbound),
                                                 inbound_listener_, limits, workers);
  admin_server_ = std::make_unique<HttpServer>(openListener(io, settings.admin), *this, limits);
  if (tls_ && service.has_sidecar) {
    // PeerAuthentication on the inbound port (§7.1); a pod without a sidecar has a plaintext
    // port, whatever the policy.
    ServerTls server_tls{&tls_->server, ServerTls::Accept::kBoth};
    if (configuration.inbound_mtls == core::MtlsMode::kStrict) {
      server_tls.accept = ServerTls::Accept::kMutualTls;
    } else if (configuration.inbound_mtls == core::MtlsMode::kDisable) {
      server_tls.accept = ServerTls::Accept::kPlaintext;
    }
    inbound_server_->setTls(server_tls);
  }
  outbound_server_->start();
  inbound_server_->start();
  admin_server_->start();
}

ClientTls MeshProxy::clientTls(const core::Host& host) const {
  const auto peer = peer_services_.find(host.address());
  if (!tls_ || peer == peer_services_.end()) {
    return {};
  }
  const core::ClientTransport transport = sim::clientTransportTo(
      scenario_, policies_, scenario_.services[pod_.service].has_sidecar, peer->second);
  if (transport == core::ClientTransport::kPlaintext) {
    return {};
  }
  const sim::ServiceSpec& server = scenario_.services[peer->second];
  // Istio checks the server's identity against the service account it expects (§7.2).
  return {&tls_->client,
          "spiffe://cluster.local/ns/" + server.namespace_name + "/sa/" + server.service_account};
}

MeshProxy::~MeshProxy() {
  shutdown();
}

void MeshProxy::shutdown() {
  if (shut_down_) {
    return;
  }
  shut_down_ = true;
  outbound_server_->stop();
  inbound_server_->stop();
  admin_server_->stop();
  if (on_shutdown_) {
    on_shutdown_();
  }
}

std::vector<ProxyStatsView> MeshProxy::views() {
  inbound_listener_.stats().ssl_handshake = inbound_server_->tlsHandshakes();
  inbound_listener_.stats().ssl_connection_error = inbound_server_->tlsFailures();
  outbound_listener_.stats().ssl_handshake = transport_.tlsHandshakes();
  outbound_listener_.stats().ssl_connection_error = transport_.tlsFailures();
  return {{"outbound", &outbound_listener_.stats(), outbound_proxy_.get()},
          {"inbound", &inbound_listener_.stats(), inbound_proxy_.get()}};
}

std::string MeshProxy::statsText() {
  return renderStatsText(views());
}

void MeshProxy::onRequest(const std::shared_ptr<HttpSession>& session, HttpRequest request) {
  const std::string_view target = request.target();
  const unsigned version = request.version();
  if (target == "/stats" && request.method() == http::verb::get) {
    session->respond(textResponse(200, statsText(), version));
  } else if (target == "/stats/prometheus" && request.method() == http::verb::get) {
    session->respond(textResponse(200, renderStatsPrometheus(views()), version));
  } else if (target == "/ready" && request.method() == http::verb::get) {
    session->respond(textResponse(200, "LIVE\n", version));
  } else if (target == "/quitquitquit" && request.method() == http::verb::post) {
    session->respond(textResponse(200, "OK\n", version, false));
    // After the response is on its way: shutdown() closes every session, this one too.
    boost::asio::post(loop_.io(), [this] { shutdown(); });
  } else {
    session->respond(textResponse(404, "unknown admin path\n", version));
  }
}

}  // namespace meshsim::proxy
