#include "sim/mesh/sidecar.h"

#include <algorithm>

#include "sim/mesh/mesh.h"
#include "sim/mesh/mesh_connection.h"
#include "sim/mesh/replica.h"

namespace meshsim::sim {

core::UpstreamConnectionPtr MeshTransport::connect(core::Host& host, core::HttpProtocol protocol,
                                                   core::ConnectionCallbacks& callbacks) {
  Workload* server = owner_.mesh().workloadByAddress(host.address());
  auto* connection = new MeshConnection(owner_, *server, protocol, callbacks);
  connection->startConnect();
  return core::UpstreamConnectionPtr(
      connection, core::UpstreamConnectionDeleter{[](core::UpstreamConnection* c) {
        static_cast<MeshConnection*>(c)->release();
      }});
}

core::UpstreamConnectionPtr LocalAppTransport::connect(core::Host&, core::HttpProtocol,
                                                       core::ConnectionCallbacks& callbacks) {
  return owner_.workload().app->connect(callbacks);
}

Sidecar::Sidecar(Mesh& mesh, Workload& workload, const SidecarSpec& spec)
    : mesh_(mesh),
      workload_(workload),
      spec_(spec),
      cpu_(mesh.sim(), spec.workers),
      random_(mesh.stream(workload.name, "proxy")),
      mesh_transport_(*this),
      local_transport_(*this) {
  // Every pod's server context issues its own tickets.
  tls_server_.ticket_key_id = workload.id + 1;
}

Sidecar::~Sidecar() {
  // Proxies first: they own pools whose connections call back into this sidecar.
  outbound_.reset();
  inbound_.reset();
}

void Sidecar::configure(core::ProxyConfig outbound, std::optional<core::ProxyConfig> inbound) {
  outbound_ =
      std::make_unique<core::Proxy>(std::move(outbound), mesh_.sim(), random_, mesh_transport_);
  if (inbound) {
    inbound_ =
        std::make_unique<core::Proxy>(std::move(*inbound), mesh_.sim(), random_, local_transport_);
  }
}

void Sidecar::pass(Event done) {
  if (!workload_.has_sidecar) {
    // No proxy in the path: nothing to charge, but keep the hop asynchronous.
    mesh_.sim().scheduleAfter(Duration::zero(), done);
    return;
  }
  const Duration extra = spec_.latency
                             ? core::fromSeconds(std::max(0.0, spec_.latency->sample(random_)))
                             : Duration::zero();
  // The per-request CPU figure covers both directions of one request through this sidecar.
  cpu_.submit(spec_.cpu_per_request / 2, done, extra, mesh_.measuring());
}

void Sidecar::addServerConnection(MeshConnection* connection) {
  server_connections_.push_back(connection);
  notePeak();
}

void Sidecar::removeServerConnection(MeshConnection* connection) {
  std::erase(server_connections_, connection);
}

void Sidecar::onClientConnectionOpened() {
  ++client_connections_;
  notePeak();
}

void Sidecar::onClientConnectionClosed() {
  --client_connections_;
}

void Sidecar::notePeak() {
  peak_connections_ = std::max(peak_connections_, connections());
}

void Sidecar::dropServerConnections() {
  for (MeshConnection* connection : std::vector<MeshConnection*>(server_connections_)) {
    connection->terminate();
  }
}

}  // namespace meshsim::sim
