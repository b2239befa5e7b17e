#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/proxy/router_filter.h"
#include "core/upstream/transport.h"
#include "sim/engine/simulator.h"
#include "sim/mesh/live_set.h"
#include "sim/mesh/workload.h"

namespace meshsim::sim {

class MeshConnection;
class Sidecar;

// What a request and a response carry on the link besides their bodies (headers, framing), for
// serialisation delay; the analytic model (traffic_model.cc) counts them too.
inline constexpr std::uint64_t kRequestHeaderBytes = 512;
inline constexpr std::uint64_t kResponseHeaderBytes = 256;

// One request/response exchange on a MeshConnection: the request crosses the link, passes the
// peer's inbound sidecar (CPU, RBAC, its proxy core) and app, and the response comes back the
// same way. Objects stay alive until every event that refers to them has fired.
class MeshStream final : public core::UpstreamStream, public core::DownstreamCallbacks {
 public:
  MeshStream(MeshConnection& connection, const core::Request& request,
             core::StreamCallbacks& callbacks);

  // core::UpstreamStream
  void reset() override;
  // core::DownstreamCallbacks: the peer's inbound proxy finished the request.
  void onRequestComplete(const core::RequestOutcome& outcome) override;

  void send();
  // The connection is gone under the stream (peer died, loss): the requester hears a reset.
  void terminate();
  bool finished() const { return finished_; }
  bool collectable() const { return finished_ && pending_ == 0 && server_filter_ == nullptr; }

 private:
  void onArrived();
  void onServerPassDone();
  void onResponsePassDone();
  void onResponseArrived();
  void onCancelArrived();
  void schedule(Duration delay, Event event);
  void release();

  MeshConnection& connection_;
  core::Request request_;
  core::StreamCallbacks* callbacks_;
  core::RouterFilter* server_filter_ = nullptr;
  core::Response response_;
  std::uint32_t pending_ = 0;
  bool finished_ = false;  // the requester has heard the outcome (or reset the stream)
};

// A connection from a sidecar to a peer pod (DESIGN.md "A hop A -> B", steps 2-4): TCP set-up
// over the link (one round trip), then, when both ends speak mTLS, a TLS 1.3 handshake whose CPU
// lands on both sidecars' workers (core/tls cost model, session resumption), and the peer's
// PeerAuthentication decision. Owned by itself: it deletes itself once the pool has released it
// and nothing refers to it any more.
class MeshConnection final : public core::UpstreamConnection, public LiveSet<MeshConnection>::Node {
 public:
  MeshConnection(Sidecar& client, Workload& server, core::HttpProtocol protocol,
                 core::ConnectionCallbacks& callbacks);
  ~MeshConnection() override;

  // core::UpstreamConnection
  core::UpstreamStream& newStream(const core::Request& request,
                                  core::StreamCallbacks& callbacks) override;
  void close() override;

  void startConnect();
  void release();
  // The peer pod died or a message was lost: established streams are reset, the pool hears that
  // the connection is gone.
  void terminate();
  void onLossDetected();

  Sidecar& client() { return client_; }
  Workload& server() { return server_; }
  core::HttpProtocol protocol() const { return protocol_; }
  core::ConnectionCallbacks& callbacks() { return callbacks_; }
  std::uint32_t serverWorker() const { return server_worker_; }
  bool open() const { return state_ == State::kConnected; }
  // The server saw a client certificate: authorization can match the caller's principal.
  bool peerIdentified() const { return identity_; }
  void hold() { ++pending_; }
  void unhold();
  void onStreamDone(MeshStream& stream);
  // HTTP/1 cannot reuse a connection whose stream was reset: the transport drops it (transport.h).
  void dropAfterReset();

 private:
  enum class State : std::uint8_t { kConnecting, kConnected, kClosed };

  void onSynArrived();
  void onRefused();
  void onTcpEstablished();
  void onClientHelloDone();
  void onServerHandshakeArrived();
  void onServerHandshakeDone();
  void onHandshakeFinished();
  void fail(core::ConnectFailure failure);
  void becomeClosed();
  void maybeDelete();

  Sidecar& client_;
  Workload& server_;
  const core::HttpProtocol protocol_;
  core::ConnectionCallbacks& callbacks_;
  State state_ = State::kConnecting;
  bool released_ = false;
  bool registered_ = false;  // counted by the server sidecar
  bool tls_ = false;
  bool identity_ = false;
  bool resumed_ = false;
  std::uint32_t pending_ = 0;
  std::uint32_t server_worker_ = 0;
  std::vector<std::unique_ptr<MeshStream>> streams_;
};

}  // namespace meshsim::sim
