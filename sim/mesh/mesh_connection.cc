#include "sim/mesh/mesh_connection.h"

#include <algorithm>

#include "sim/mesh/mesh.h"
#include "sim/mesh/sidecar.h"

namespace meshsim::sim {

namespace {
// Sizes of the messages that set a connection up (TCP SYN, TLS flights); small enough that only
// latency matters.
constexpr std::uint64_t kHandshakeBytes = 512;
// A lost message on an established connection is noticed after Linux's minimum retransmission
// timeout; meshsim then treats the connection as broken (DESIGN.md: loss -> resets).
constexpr Duration kLossDetection = std::chrono::milliseconds(200);
}  // namespace

// --- MeshStream ----------------------------------------------------------------------------

MeshStream::MeshStream(MeshConnection& connection, const core::Request& request,
                       core::StreamCallbacks& callbacks)
    : connection_(connection), request_(request), callbacks_(&callbacks) {}

void MeshStream::schedule(Duration delay, Event event) {
  ++pending_;
  connection_.client().mesh().sim().scheduleAfter(delay, event);
}

void MeshStream::release() {
  --pending_;
  if (collectable()) {
    connection_.onStreamDone(*this);
  }
}

void MeshStream::send() {
  Mesh& mesh = connection_.client().mesh();
  const auto delay =
      mesh.network().deliver(connection_.client().workload().zone, connection_.server().zone,
                             request_.body_bytes + kRequestHeaderBytes);
  if (!delay) {
    if (!mesh.network().partitioned(connection_.client().workload().zone,
                                    connection_.server().zone)) {
      // Random loss: the connection is declared broken after the retransmission timeout.
      connection_.hold();
      mesh.sim().scheduleAfter(kLossDetection,
                               Event::member<&MeshConnection::onLossDetected>(&connection_));
    }
    // Partitioned: the request is never answered; timeouts above decide.
    return;
  }
  schedule(*delay, Event::member<&MeshStream::onArrived>(this));
}

void MeshStream::onArrived() {
  if (finished_ || !connection_.server().up) {
    release();
    return;
  }
  // Inbound sidecar: a CPU pass, then its proxy core (RBAC, inbound routing to the app).
  ++pending_;
  connection_.server().sidecar->pass(Event::member<&MeshStream::onServerPassDone>(this));
  release();
}

void MeshStream::onServerPassDone() {
  Workload& server = connection_.server();
  if (finished_ || !server.up) {
    release();
    return;
  }
  static const std::string kNoPrincipal;
  const std::string& principal =
      connection_.peerIdentified() ? connection_.client().workload().principal : kNoPrincipal;
  server_filter_ = &server.sidecar->inbound()->startRequest(request_, connection_.serverWorker(),
                                                            *this, principal);
  release();
}

void MeshStream::onRequestComplete(const core::RequestOutcome& outcome) {
  server_filter_ = nullptr;
  response_ = outcome.response;
  if (finished_ || !connection_.server().up) {
    if (collectable()) {
      connection_.onStreamDone(*this);
    }
    return;
  }
  ++pending_;
  connection_.server().sidecar->pass(Event::member<&MeshStream::onResponsePassDone>(this));
}

void MeshStream::onResponsePassDone() {
  if (finished_) {
    release();
    return;
  }
  Mesh& mesh = connection_.client().mesh();
  const auto delay =
      mesh.network().deliver(connection_.server().zone, connection_.client().workload().zone,
                             response_.body_bytes + kResponseHeaderBytes);
  if (!delay) {
    if (!mesh.network().partitioned(connection_.server().zone,
                                    connection_.client().workload().zone)) {
      connection_.hold();
      mesh.sim().scheduleAfter(kLossDetection,
                               Event::member<&MeshConnection::onLossDetected>(&connection_));
    }
    release();
    return;
  }
  schedule(*delay, Event::member<&MeshStream::onResponseArrived>(this));
  release();
}

void MeshStream::onResponseArrived() {
  if (!finished_) {
    finished_ = true;
    callbacks_->onResponse(response_);
    if (connection_.open()) {
      connection_.callbacks().onStreamClosed();
    }
  }
  release();
}

void MeshStream::reset() {
  // The requester gave up (timeout, downstream gone). The peer hears about it one link delay
  // later and cancels its side; the app behind it keeps working (wasted work).
  finished_ = true;
  if (server_filter_ != nullptr) {
    Mesh& mesh = connection_.client().mesh();
    schedule(
        mesh.network().delay(connection_.client().workload().zone, connection_.server().zone, 64),
        Event::member<&MeshStream::onCancelArrived>(this));
  }
  if (connection_.protocol() == core::HttpProtocol::kHttp11) {
    connection_.dropAfterReset();
  } else if (connection_.open()) {
    connection_.callbacks().onStreamClosed();
  }
  if (collectable()) {
    connection_.onStreamDone(*this);
  }
}

void MeshStream::onCancelArrived() {
  if (server_filter_ != nullptr) {
    core::RouterFilter* filter = server_filter_;
    server_filter_ = nullptr;
    filter->cancel();
  }
  release();
}

void MeshStream::terminate() {
  if (server_filter_ != nullptr) {
    core::RouterFilter* filter = server_filter_;
    server_filter_ = nullptr;
    filter->cancel();
  }
  if (!finished_) {
    finished_ = true;
    callbacks_->onReset(core::ResetReason::kConnectionTermination);
  }
}

// --- MeshConnection ------------------------------------------------------------------------

MeshConnection::MeshConnection(Sidecar& client, Workload& server, core::HttpProtocol protocol,
                               core::ConnectionCallbacks& callbacks)
    : client_(client), server_(server), protocol_(protocol), callbacks_(callbacks) {
  client_.mesh().liveConnections().insert(this);
}

MeshConnection::~MeshConnection() {
  client_.mesh().liveConnections().erase(this);
}

void MeshConnection::unhold() {
  --pending_;
  maybeDelete();
}

void MeshConnection::maybeDelete() {
  if (released_ && pending_ == 0 &&
      std::all_of(streams_.begin(), streams_.end(),
                  [](const auto& stream) { return stream->collectable(); })) {
    delete this;
  }
}

void MeshConnection::startConnect() {
  Mesh& mesh = client_.mesh();
  const auto delay = mesh.network().deliver(client_.workload().zone, server_.zone, kHandshakeBytes);
  if (!delay) {
    return;  // SYN lost: the pool's connect timeout ends the attempt
  }
  hold();
  mesh.sim().scheduleAfter(*delay, Event::member<&MeshConnection::onSynArrived>(this));
}

void MeshConnection::onSynArrived() {
  Mesh& mesh = client_.mesh();
  if (state_ == State::kConnecting) {
    if (!server_.up) {
      // Nobody listens: the peer's kernel answers with a reset.
      hold();
      mesh.sim().scheduleAfter(mesh.network().delay(server_.zone, client_.workload().zone, 64),
                               Event::member<&MeshConnection::onRefused>(this));
    } else if (const auto back =
                   mesh.network().deliver(server_.zone, client_.workload().zone, kHandshakeBytes)) {
      hold();
      mesh.sim().scheduleAfter(*back, Event::member<&MeshConnection::onTcpEstablished>(this));
    }
  }
  unhold();
}

void MeshConnection::onRefused() {
  if (state_ == State::kConnecting) {
    ++client_.mesh().metrics().connections_refused;
    fail(core::ConnectFailure::kRemote);
  }
  unhold();
}

void MeshConnection::onTcpEstablished() {
  if (state_ == State::kConnecting) {
    const ConnectionSecurity security = client_.mesh().security(client_.workload(), server_);
    tls_ = security.tls;
    identity_ = security.identity;
    if (!security.accepted) {
      // The peer's listener does not accept what we offer (STRICT vs plaintext, or TLS to a
      // plaintext-only port): it closes the connection during the handshake.
      ++client_.mesh().metrics().connections_refused;
      fail(core::ConnectFailure::kRemote);
    } else if (!tls_) {
      onHandshakeFinished();
    } else {
      resumed_ = client_.tlsSessions().startHandshake(server_.sidecar->tlsServer(),
                                                      client_.mesh().sim().now());
      const Duration cpu =
          client_.mesh().tlsCosts().clientCpu(client_.mesh().handshakeParams(resumed_));
      hold();
      client_.cpu().submit(cpu, Event::member<&MeshConnection::onClientHelloDone>(this));
    }
  }
  unhold();
}

void MeshConnection::onClientHelloDone() {
  Mesh& mesh = client_.mesh();
  if (state_ == State::kConnecting) {
    mesh.metrics().tls_cpu += mesh.tlsCosts().clientCpu(mesh.handshakeParams(resumed_));
    if (const auto delay =
            mesh.network().deliver(client_.workload().zone, server_.zone, kHandshakeBytes)) {
      hold();
      mesh.sim().scheduleAfter(*delay,
                               Event::member<&MeshConnection::onServerHandshakeArrived>(this));
    }
  }
  unhold();
}

void MeshConnection::onServerHandshakeArrived() {
  Mesh& mesh = client_.mesh();
  if (state_ == State::kConnecting && server_.up) {
    const Duration cpu = mesh.tlsCosts().serverCpu(mesh.handshakeParams(resumed_));
    hold();
    server_.sidecar->cpu().submit(cpu, Event::member<&MeshConnection::onServerHandshakeDone>(this));
  }
  unhold();
}

void MeshConnection::onServerHandshakeDone() {
  Mesh& mesh = client_.mesh();
  if (state_ == State::kConnecting) {
    mesh.metrics().tls_cpu += mesh.tlsCosts().serverCpu(mesh.handshakeParams(resumed_));
    if (const auto delay =
            mesh.network().deliver(server_.zone, client_.workload().zone, kHandshakeBytes)) {
      hold();
      mesh.sim().scheduleAfter(*delay, Event::member<&MeshConnection::onHandshakeFinished>(this));
    }
  }
  unhold();
}

void MeshConnection::onHandshakeFinished() {
  Mesh& mesh = client_.mesh();
  const bool via_event = tls_;
  if (state_ == State::kConnecting) {
    if (tls_) {
      client_.tlsSessions().onHandshakeComplete(server_.sidecar->tlsServer(), mesh.sim().now());
      ++(resumed_ ? mesh.metrics().handshakes_resumed : mesh.metrics().handshakes_full);
    }
    state_ = State::kConnected;
    ++mesh.metrics().connections_opened;
    server_worker_ = server_.sidecar->nextInboundWorker();
    server_.sidecar->addServerConnection(this);
    client_.onClientConnectionOpened();
    registered_ = true;
    callbacks_.onConnected();
  }
  if (via_event) {
    unhold();
  }
}

void MeshConnection::fail(core::ConnectFailure failure) {
  state_ = State::kClosed;
  callbacks_.onConnectFailed(failure);
}

core::UpstreamStream& MeshConnection::newStream(const core::Request& request,
                                                core::StreamCallbacks& callbacks) {
  // Recycle finished streams first, so a long-lived HTTP/2 connection holds only live ones.
  std::erase_if(streams_, [](const auto& stream) { return stream->collectable(); });
  streams_.push_back(std::make_unique<MeshStream>(*this, request, callbacks));
  MeshStream& stream = *streams_.back();
  stream.send();
  return stream;
}

void MeshConnection::onStreamDone(MeshStream&) {
  maybeDelete();
}

void MeshConnection::becomeClosed() {
  if (registered_) {
    registered_ = false;
    server_.sidecar->removeServerConnection(this);
    client_.onClientConnectionClosed();
  }
  state_ = State::kClosed;
}

void MeshConnection::close() {
  becomeClosed();
}

void MeshConnection::dropAfterReset() {
  if (state_ == State::kConnected) {
    becomeClosed();
    callbacks_.onConnectionClosed();
  }
}

void MeshConnection::terminate() {
  if (state_ == State::kConnected) {
    becomeClosed();
    // The pool hears first, then every open stream is reset (transport.h contract).
    callbacks_.onConnectionClosed();
    for (std::size_t i = 0; i < streams_.size(); ++i) {
      streams_[i]->terminate();
    }
  } else if (state_ == State::kConnecting) {
    fail(core::ConnectFailure::kRemote);
  }
}

void MeshConnection::onLossDetected() {
  terminate();
  unhold();
}

void MeshConnection::release() {
  released_ = true;
  if (state_ != State::kClosed) {
    becomeClosed();
  }
  maybeDelete();
}

}  // namespace meshsim::sim
