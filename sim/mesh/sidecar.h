#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/proxy/proxy.h"
#include "core/tls/handshake_cost_model.h"
#include "core/tls/tls_session_cache.h"
#include "sim/mesh/cpu_pool.h"
#include "sim/mesh/workload.h"
#include "sim/random/random_stream.h"

namespace meshsim::sim {

class Mesh;
class MeshConnection;

// The UpstreamTransport of a sidecar's outbound proxy: connections to other pods over the
// network, with TCP and (when it applies) mTLS set-up, and streams that carry requests to the
// peer's inbound sidecar and responses back.
class MeshTransport final : public core::UpstreamTransport {
 public:
  explicit MeshTransport(Sidecar& owner) : owner_(owner) {}
  core::UpstreamConnectionPtr connect(core::Host& host, core::HttpProtocol protocol,
                                      core::ConnectionCallbacks& callbacks) override;

 private:
  Sidecar& owner_;
};

// The UpstreamTransport of a sidecar's inbound proxy: the loopback connection to its own app.
class LocalAppTransport final : public core::UpstreamTransport {
 public:
  explicit LocalAppTransport(Sidecar& owner) : owner_(owner) {}
  core::UpstreamConnectionPtr connect(core::Host& host, core::HttpProtocol protocol,
                                      core::ConnectionCallbacks& callbacks) override;

 private:
  Sidecar& owner_;
};

// A pod's sidecar: two proxy-core instances (outbound for the app's calls, inbound in front of
// the app) sharing one pool of worker threads whose CPU time is the sidecar's cost. A workload
// without a sidecar gets pass-through proxies and no CPU cost (kube-proxy style), so the same
// code paths run either way.
class Sidecar {
 public:
  Sidecar(Mesh& mesh, Workload& workload, const SidecarSpec& spec);
  ~Sidecar();

  void configure(core::ProxyConfig outbound, std::optional<core::ProxyConfig> inbound);
  void shutdownOutbound() { outbound_.reset(); }
  void shutdownInbound() { inbound_.reset(); }

  Mesh& mesh() { return mesh_; }
  Workload& workload() { return workload_; }
  const SidecarSpec& spec() const { return spec_; }
  CpuPool& cpu() { return cpu_; }
  core::Proxy& outbound() { return *outbound_; }
  core::Proxy* inbound() { return inbound_.get(); }
  RandomStream& random() { return random_; }
  MeshTransport& meshTransport() { return mesh_transport_; }
  LocalAppTransport& localTransport() { return local_transport_; }

  // One proxying pass (request or response direction): half the per-request CPU cost on a worker
  // thread, then the configured extra latency, then `done`.
  void pass(Event done);

  // mTLS
  core::TlsClientSessionCache& tlsSessions() { return tls_sessions_; }
  const core::TlsServerContext& tlsServer() const { return tls_server_; }

  // Connections, for memory accounting and for closing them when the pod dies.
  void addServerConnection(MeshConnection* connection);
  void removeServerConnection(MeshConnection* connection);
  void onClientConnectionOpened();
  void onClientConnectionClosed();
  // Envoy pins each downstream connection to a worker (§3.4); calls and accepted connections are
  // spread over the workers round robin.
  std::uint32_t nextInboundWorker() { return next_worker_++ % spec_.workers; }
  std::uint32_t nextOutboundWorker() { return next_outbound_worker_++ % spec_.workers; }
  std::uint64_t connections() const { return client_connections_ + server_connections_.size(); }
  std::uint64_t peakConnections() const { return peak_connections_; }
  // The pod died: every connection to it is lost.
  void dropServerConnections();

 private:
  void notePeak();

  Mesh& mesh_;
  Workload& workload_;
  SidecarSpec spec_;
  CpuPool cpu_;
  RandomStream random_;
  MeshTransport mesh_transport_;
  LocalAppTransport local_transport_;
  std::unique_ptr<core::Proxy> outbound_;
  std::unique_ptr<core::Proxy> inbound_;
  core::TlsClientSessionCache tls_sessions_;
  core::TlsServerContext tls_server_;
  std::vector<MeshConnection*> server_connections_;
  std::uint64_t client_connections_ = 0;
  std::uint64_t peak_connections_ = 0;
  std::uint32_t next_worker_ = 0;
  std::uint32_t next_outbound_worker_ = 0;
};

}  // namespace meshsim::sim
