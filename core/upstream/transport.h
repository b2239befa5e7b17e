// The transport port of DESIGN.md "The seam"; proxy-semantics.md §3.2 and §7.4.
#pragma once

#include <cstdint>
#include <memory>

#include "core/http/message.h"
#include "core/upstream/host.h"
#include "core/upstream/reset_reason.h"

namespace meshsim::core {

// The upstream transport port (DESIGN.md "The seam"): how the core asks its host — the simulator's
// links and replicas, or real sockets in a sidecar — for a connection to a Host and for requests on
// it, and how results come back. Everything here is callback driven and never re-entrant from the
// call that started it, so an event loop over sockets can implement it directly.
//
// Who pays for what: opening a connection costs a TCP round trip and, when the transport applies
// mTLS, a handshake on both sides (proxy-semantics §7.4). The transport knows whether mTLS applies
// and accounts it; the pool only decides *when* a new connection is opened and tells the requester
// whether its stream is the first on a new connection.

enum class HttpProtocol : std::uint8_t {
  kHttp11,  // one stream at a time per connection, no pipelining (§3.2)
  kHttp2,   // concurrent streams per connection
};

// Why a connection never became ready, as the transport sees it.
enum class ConnectFailure : std::uint8_t {
  kRemote,   // refused / reset by the peer or the network
  kLocal,    // could not be set up locally
  kTimeout,  // the transport's own connect deadline (the pool also runs connect_timeout itself)
};

constexpr ResetReason toResetReason(ConnectFailure failure) {
  switch (failure) {
    case ConnectFailure::kRemote:
      return ResetReason::kRemoteConnectionFailure;
    case ConnectFailure::kLocal:
      return ResetReason::kLocalConnectionFailure;
    case ConnectFailure::kTimeout:
      return ResetReason::kConnectionTimeout;
  }
  return ResetReason::kLocalConnectionFailure;
}

// The requester's view of one request/response exchange. Exactly one of the two fires, once.
class StreamCallbacks {
 public:
  virtual ~StreamCallbacks() = default;
  // The complete response arrived; the stream is over.
  virtual void onResponse(const Response& response) = 0;
  // The stream ended without a complete response (peer reset, connection lost under it, ...).
  virtual void onReset(ResetReason reason) = 0;
};

// One request in flight on a connection. Valid until its StreamCallbacks fire or reset() returns.
class UpstreamStream {
 public:
  virtual ~UpstreamStream() = default;
  // Local reset (per-try or route timeout, downstream gone). No StreamCallbacks fire afterwards.
  // The connection's onStreamClosed() follows — unless the connection cannot survive the reset
  // (HTTP/1: the rest of that response can no longer be framed), in which case the transport drops
  // it and reports onConnectionClosed() instead.
  virtual void reset() = 0;
};

// Events of one connection, delivered to its owner (the pool's per-connection client).
class ConnectionCallbacks {
 public:
  virtual ~ConnectionCallbacks() = default;
  virtual void onConnected() = 0;
  // The connection never became ready. Nothing else is reported for it afterwards.
  virtual void onConnectFailed(ConnectFailure failure) = 0;
  // A stream of this connection ended while the connection lives on: response complete, reset by
  // the peer, or reset() by the requester. Called after the stream's own StreamCallbacks, so the
  // freed slot becomes usable only once the requester has seen the outcome.
  virtual void onStreamClosed() = 0;
  // An established connection is gone without close() being called (peer close, link failure, a
  // reset HTTP/1 stream). Reported FIRST, so its owner stops using it and releases the streams
  // still open on it; the transport then resets each of those (StreamCallbacks::onReset(
  // kConnectionTermination)) without onStreamClosed(). Nothing is reported for it afterwards.
  virtual void onConnectionClosed() = 0;
};

class UpstreamConnection {
 public:
  virtual ~UpstreamConnection() = default;
  // Starts a request on a connected connection with free stream capacity; the pool guarantees
  // both. `request` and `callbacks` must stay valid until the stream ends.
  virtual UpstreamStream& newStream(const Request& request, StreamCallbacks& callbacks) = 0;
  // Closes the connection now, connecting or connected. No callback of any kind follows. The pool
  // only closes connections that carry no stream (idle, drained, connect timeout).
  virtual void close() = 0;
};

// Connections come back through a deleter the transport chooses, so a host can recycle them.
// Releasing a handle whose connection is still open closes it.
struct UpstreamConnectionDeleter {
  void (*release)(UpstreamConnection*) = nullptr;
  void operator()(UpstreamConnection* connection) const { release(connection); }
};
using UpstreamConnectionPtr = std::unique_ptr<UpstreamConnection, UpstreamConnectionDeleter>;

class UpstreamTransport {
 public:
  virtual ~UpstreamTransport() = default;
  // Starts connecting to `host` for `protocol`. Always returns a connection; exactly one of
  // onConnected() / onConnectFailed() follows later, never from inside connect(). `callbacks` must
  // outlive the returned handle.
  virtual UpstreamConnectionPtr connect(Host& host, HttpProtocol protocol,
                                        ConnectionCallbacks& callbacks) = 0;
};

}  // namespace meshsim::core
