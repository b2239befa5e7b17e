// Implements proxy-semantics.md §3.2.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <vector>

#include "core/circuit_breaker/resource_manager.h"
#include "core/common/event_loop.h"
#include "core/pool/connection_pool_settings.h"
#include "core/stats/cluster_stats.h"
#include "core/upstream/transport.h"

namespace meshsim::core {

// What the pool reports to whoever asked for a stream. Exactly one of the two fires per request
// (unless the request is cancelled while pending), possibly from inside newStream().
class PoolCallbacks {
 public:
  virtual ~PoolCallbacks() = default;
  // The request is attached to a connection and sent. `new_connection` is true for the first stream
  // a connection carries: the caller accounts connection set-up (TCP, mTLS handshake, §7.4) to it.
  // The per-try timeout starts here (proxy-semantics §1.5).
  virtual void onPoolReady(UpstreamStream& stream, Host& host, bool new_connection) = 0;
  // kOverflow (pending or max_requests circuit breaker: 503 UO, never retried, not an outlier
  // signal, §10 item 6) or a connect failure of this pool (kConnectionTimeout,
  // kRemoteConnectionFailure, kLocalConnectionFailure).
  virtual void onPoolFailure(ResetReason reason, Host& host) = 0;
};

class ConnectionPool;
class PendingStream;

// An intrusive FIFO of pending requests: pushed at the front, served from the back (§3.2).
struct PendingList {
  PendingStream* front = nullptr;
  PendingStream* back = nullptr;
  bool empty() const { return front == nullptr; }
};

// A request waiting in a pool's pending queue. Owned and recycled by the pool; the handle is valid
// until the request's PoolCallbacks fire or cancel() returns.
class PendingStream {
 public:
  // The requester gives up (route timeout, downstream reset): upstream_rq_cancelled++. No callback
  // follows. Connections being opened for it keep connecting (Envoy's default cancel policy).
  void cancel();

 private:
  friend class ConnectionPool;
  ConnectionPool* pool_ = nullptr;
  const Request* request_ = nullptr;
  StreamCallbacks* stream_callbacks_ = nullptr;
  PoolCallbacks* pool_callbacks_ = nullptr;
  PendingList* list_ = nullptr;
  PendingStream* prev_ = nullptr;  // toward the front (newest)
  PendingStream* next_ = nullptr;  // toward the back (oldest)
};

// The connection pool of one (worker, host, protocol), Envoy's ConnPoolImplBase algorithm
// (proxy-semantics §3.2, E: source/common/conn_pool/conn_pool_base.cc) with a preconnect ratio of
// 1. Circuit breakers are the cluster's ResourceManager, shared by every pool of the cluster.
//
// Per request nothing is allocated: pending entries come from a free list, connection state lives
// in per-connection clients, and timers are per connection, not per request.
class ConnectionPool {
 public:
  ConnectionPool(Host& host, HttpProtocol protocol, const ConnectionPoolSettings& settings,
                 ResourceManager& resources, ClusterStats& stats, UpstreamTransport& transport,
                 EventLoop& loop);
  // Closes every connection. Pending requests are dropped without callbacks: the owner tears down
  // its requesters first.
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Attaches `request` to a ready connection, or queues it. Returns the pending handle if queued,
  // nullptr if PoolCallbacks already fired. `request`, `stream_callbacks` and `pool_callbacks` must
  // stay valid until then.
  PendingStream* newStream(const Request& request, StreamCallbacks& stream_callbacks,
                           PoolCallbacks& pool_callbacks);

  // The host became unavailable (outlier ejection, failed health check, §3.2): idle connections
  // close now, connecting ones too if nothing waits for them, busy ones finish their streams and
  // then close; none takes a new stream (Envoy drainConnections, DrainExistingConnections).
  void drainConnections();

  Host& host() { return host_; }
  HttpProtocol protocol() const { return protocol_; }
  std::size_t pendingRequests() const { return pending_count_; }
  std::uint64_t activeStreams() const { return active_streams_; }
  std::size_t connectingConnections() const { return connecting_.size(); }
  std::size_t readyConnections() const { return ready_.size(); }
  // Busy (full) and draining connections.
  std::size_t busyConnections() const { return busy_.size(); }
  std::size_t connections() const { return connecting_.size() + ready_.size() + busy_.size(); }

 private:
  class ActiveClient;
  using ClientList = std::list<std::unique_ptr<ActiveClient>>;
  friend class PendingStream;
  friend class ActiveClient;

  enum class ClientState : std::uint8_t { kConnecting, kReady, kBusy, kDraining, kClosed };

  static void pushFront(PendingList& list, PendingStream* pending);
  static void unlink(PendingStream* pending);
  PendingStream* allocatePending();
  // Takes `pending` off its list, releases its pending-request accounting and recycles it.
  void retirePending(PendingStream* pending);
  void onPendingCancel(PendingStream& pending);

  void attach(ActiveClient& client, const Request& request, StreamCallbacks& stream_callbacks,
              PoolCallbacks& pool_callbacks);
  void onUpstreamReady();
  void tryCreateNewConnections();
  bool tryCreateNewConnection();
  void purgePendingStreams(ResetReason reason);

  void onClientConnected(ActiveClient& client);
  void onClientStreamClosed(ActiveClient& client);
  // The client's connection is gone (closed by us, failed, or closed by the peer);
  // `connect_failure` is what pending requests fail with if it never connected.
  void onClientClosed(ActiveClient& client, ResetReason connect_failure);
  void closeClient(ActiveClient& client);
  void armIdleTimerIfIdle(ActiveClient& client);
  void onDeferredDelete();

  ClientList& owningList(const ActiveClient& client);
  void transition(ActiveClient& client, ClientState new_state);

  Host& host_;
  const HttpProtocol protocol_;
  const ConnectionPoolSettings settings_;
  ResourceManager& resources_;
  ClusterStats& stats_;
  UpstreamTransport& transport_;
  EventLoop& loop_;

  ClientList connecting_;
  ClientList ready_;
  ClientList busy_;  // Busy and Draining, as in Envoy
  // Clients whose connection is gone; destroyed on a later loop turn so no transport or timer
  // callback returns into a destroyed object.
  ClientList graveyard_;
  TimerPtr deferred_delete_timer_;

  PendingList pending_;
  // The batch purgePendingStreams() is failing: requests submitted from a failure callback join
  // pending_ and are not failed with it.
  PendingList purging_;
  std::size_t pending_count_ = 0;
  std::vector<std::unique_ptr<PendingStream>> pending_storage_;
  std::vector<PendingStream*> pending_free_;

  std::uint64_t connecting_capacity_ = 0;
  std::uint64_t active_streams_ = 0;
};

}  // namespace meshsim::core
