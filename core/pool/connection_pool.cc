#include "core/pool/connection_pool.h"

#include <algorithm>
#include <limits>

namespace meshsim::core {

namespace {
constexpr std::uint64_t kUnlimitedStreams = std::numeric_limits<std::uint64_t>::max();
// Envoy caps the connections opened by one newStream/connect-failure call (§3.2).
constexpr int kMaxConnectionsPerCall = 3;

std::uint64_t zeroIsUnlimited(std::uint64_t limit) {
  return limit == 0 ? kUnlimitedStreams : limit;
}
}  // namespace

// One connection of the pool (Envoy's ActiveClient).
class ConnectionPool::ActiveClient final : public ConnectionCallbacks {
 public:
  ActiveClient(ConnectionPool& pool, std::uint64_t lifetime_limit, std::uint64_t concurrent_limit)
      : pool_(pool),
        remaining_streams_(zeroIsUnlimited(lifetime_limit)),
        concurrent_limit_(zeroIsUnlimited(concurrent_limit)),
        created_(pool.loop_.now()) {}

  void onConnected() override { pool_.onClientConnected(*this); }
  void onConnectFailed(ConnectFailure failure) override {
    pool_.onClientClosed(*this, toResetReason(failure));
  }
  void onStreamClosed() override { pool_.onClientStreamClosed(*this); }
  void onConnectionClosed() override {
    pool_.onClientClosed(*this, ResetReason::kRemoteConnectionFailure);
  }

  void onConnectTimeout() {
    ++pool_.stats_.upstream_cx_connect_timeout;
    timed_out_ = true;
    pool_.closeClient(*this);
  }
  void onIdleTimeout() {
    ++pool_.stats_.upstream_cx_idle_timeout;
    pool_.closeClient(*this);
  }
  // Envoy drains a connection that reached max_connection_duration: it takes no new stream and
  // closes once its streams are done.
  void onDurationTimeout() {
    if (state_ != ClientState::kReady && state_ != ClientState::kBusy) {
      return;
    }
    ++pool_.stats_.upstream_cx_max_duration_reached;
    pool_.transition(*this, ClientState::kDraining);
    if (active_streams_ == 0) {
      pool_.closeClient(*this);
    }
  }

  std::uint64_t effectiveConcurrentStreamLimit() const {
    return std::min(remaining_streams_, concurrent_limit_);
  }
  std::uint64_t currentUnusedCapacity() const {
    const std::uint64_t free_slots =
        concurrent_limit_ > active_streams_ ? concurrent_limit_ - active_streams_ : 0;
    return std::min(remaining_streams_, free_slots);
  }
  void disableTimers() {
    for (TimerPtr* timer : {&connect_timer_, &idle_timer_, &duration_timer_}) {
      if (*timer) {
        (*timer)->disable();
      }
    }
  }

  ConnectionPool& pool_;
  UpstreamConnectionPtr connection_;
  ClientState state_ = ClientState::kConnecting;
  std::uint64_t remaining_streams_;
  const std::uint64_t concurrent_limit_;
  std::uint64_t active_streams_ = 0;
  std::uint64_t streams_started_ = 0;
  const MonotonicTime created_;
  bool timed_out_ = false;
  bool resources_released_ = false;
  TimerPtr connect_timer_;
  TimerPtr idle_timer_;
  TimerPtr duration_timer_;
  ClientList::iterator self_;
};

void PendingStream::cancel() {
  pool_->onPendingCancel(*this);
}

ConnectionPool::ConnectionPool(Host& host, HttpProtocol protocol,
                               const ConnectionPoolSettings& settings, ResourceManager& resources,
                               ClusterStats& stats, UpstreamTransport& transport, EventLoop& loop)
    : host_(host),
      protocol_(protocol),
      settings_(settings),
      resources_(resources),
      stats_(stats),
      transport_(transport),
      loop_(loop),
      deferred_delete_timer_(
          loop.createTimer(Callback::member<&ConnectionPool::onDeferredDelete>(this))) {}

ConnectionPool::~ConnectionPool() {
  // Leave the cluster-wide circuit breakers and gauges as if every connection had closed.
  for (ClientList* list : {&connecting_, &ready_, &busy_}) {
    for (auto& client : *list) {
      client->disableTimers();
      client->connection_->close();
      for (; client->active_streams_ > 0; --client->active_streams_) {
        resources_.requests().dec();
        host_.decActiveRequests();
        --stats_.upstream_rq_active;
      }
      --stats_.upstream_cx_active;
      resources_.connections().dec();
    }
  }
  for (PendingList* list : {&pending_, &purging_}) {
    while (!list->empty()) {
      PendingStream* pending = list->back;
      unlink(pending);
      --stats_.upstream_rq_pending_active;
      resources_.pendingRequests().dec();
    }
  }
}

// ---- pending queue ----

void ConnectionPool::pushFront(PendingList& list, PendingStream* pending) {
  pending->list_ = &list;
  pending->prev_ = nullptr;
  pending->next_ = list.front;
  if (list.front != nullptr) {
    list.front->prev_ = pending;
  } else {
    list.back = pending;
  }
  list.front = pending;
}

void ConnectionPool::unlink(PendingStream* pending) {
  PendingList& list = *pending->list_;
  (pending->prev_ != nullptr ? pending->prev_->next_ : list.front) = pending->next_;
  (pending->next_ != nullptr ? pending->next_->prev_ : list.back) = pending->prev_;
  pending->list_ = nullptr;
  pending->prev_ = pending->next_ = nullptr;
}

PendingStream* ConnectionPool::allocatePending() {
  if (pending_free_.empty()) {
    pending_storage_.push_back(std::make_unique<PendingStream>());
    pending_free_.push_back(pending_storage_.back().get());
  }
  PendingStream* pending = pending_free_.back();
  pending_free_.pop_back();
  pending->pool_ = this;
  return pending;
}

void ConnectionPool::retirePending(PendingStream* pending) {
  unlink(pending);
  --pending_count_;
  --stats_.upstream_rq_pending_active;
  resources_.pendingRequests().dec();
  pending_free_.push_back(pending);
}

void ConnectionPool::onPendingCancel(PendingStream& pending) {
  retirePending(&pending);
  ++stats_.upstream_rq_cancelled;
}

// ---- streams ----

PendingStream* ConnectionPool::newStream(const Request& request, StreamCallbacks& stream_callbacks,
                                         PoolCallbacks& pool_callbacks) {
  if (!ready_.empty()) {
    attach(*ready_.front(), request, stream_callbacks, pool_callbacks);
    tryCreateNewConnections();
    return nullptr;
  }
  if (!resources_.pendingRequests().canCreate()) {
    ++stats_.upstream_rq_pending_overflow;
    pool_callbacks.onPoolFailure(ResetReason::kOverflow, host_);
    return nullptr;
  }
  PendingStream* pending = allocatePending();
  pending->request_ = &request;
  pending->stream_callbacks_ = &stream_callbacks;
  pending->pool_callbacks_ = &pool_callbacks;
  pushFront(pending_, pending);
  ++pending_count_;
  ++stats_.upstream_rq_pending_total;
  ++stats_.upstream_rq_pending_active;
  resources_.pendingRequests().inc();
  // After queueing: the queue length is what decides whether to connect.
  tryCreateNewConnections();
  return pending;
}

void ConnectionPool::attach(ActiveClient& client, const Request& request,
                            StreamCallbacks& stream_callbacks, PoolCallbacks& pool_callbacks) {
  // max_requests overflow has no stat of its own: Envoy counts it as a pending overflow (§3.1).
  if (!resources_.requests().canCreate()) {
    ++stats_.upstream_rq_pending_overflow;
    pool_callbacks.onPoolFailure(ResetReason::kOverflow, host_);
    return;
  }
  const std::uint64_t capacity = client.currentUnusedCapacity();
  if (client.remaining_streams_ != kUnlimitedStreams) {
    --client.remaining_streams_;
  }
  if (client.remaining_streams_ == 0) {
    ++stats_.upstream_cx_max_requests;
    transition(client, ClientState::kDraining);
  } else if (capacity == 1) {
    transition(client, ClientState::kBusy);
  }
  if (client.idle_timer_) {
    client.idle_timer_->disable();
  }
  ++client.active_streams_;
  ++active_streams_;
  host_.incActiveRequests();
  ++host_.stats().rq_total;
  ++stats_.upstream_rq_total;
  ++stats_.upstream_rq_active;
  resources_.requests().inc();
  const bool new_connection = client.streams_started_++ == 0;
  UpstreamStream& stream = client.connection_->newStream(request, stream_callbacks);
  pool_callbacks.onPoolReady(stream, host_, new_connection);
}

void ConnectionPool::onUpstreamReady() {
  while (!pending_.empty() && !ready_.empty()) {
    PendingStream* oldest = pending_.back;
    const Request& request = *oldest->request_;
    StreamCallbacks& stream_callbacks = *oldest->stream_callbacks_;
    PoolCallbacks& pool_callbacks = *oldest->pool_callbacks_;
    retirePending(oldest);
    attach(*ready_.front(), request, stream_callbacks, pool_callbacks);
  }
}

// ---- connections ----

void ConnectionPool::tryCreateNewConnections() {
  for (int i = 0; i < kMaxConnectionsPerCall; ++i) {
    if (!tryCreateNewConnection()) {
      break;
    }
  }
}

// Returns true only when a connection was opened within the circuit breaker, so that a
// zero-connection pool opening one beyond max_connections does not go on to open more.
bool ConnectionPool::tryCreateNewConnection() {
  // Preconnect ratio 1: connect while the queue exceeds what connecting clients will absorb.
  if (pending_count_ <= connecting_capacity_) {
    return false;
  }
  const bool can_create = resources_.connections().canCreate();
  if (!can_create) {
    ++stats_.upstream_cx_overflow;
  }
  // §3.1, §10 item 7: a pool with no connection at all opens one anyway, or its pending requests
  // would wait for a connection that never comes.
  if (!can_create && connections() != 0) {
    return false;
  }
  const std::uint64_t concurrent_limit =
      protocol_ == HttpProtocol::kHttp11 ? 1 : settings_.max_concurrent_streams;
  auto owned = std::make_unique<ActiveClient>(*this, settings_.max_requests_per_connection,
                                              concurrent_limit);
  ActiveClient& client = *owned;
  connecting_.push_front(std::move(owned));
  client.self_ = connecting_.begin();
  connecting_capacity_ += client.effectiveConcurrentStreamLimit();
  ++stats_.upstream_cx_total;
  ++stats_.upstream_cx_active;
  ++host_.stats().cx_total;
  resources_.connections().inc();
  client.connect_timer_ =
      loop_.createTimer(Callback::member<&ActiveClient::onConnectTimeout>(&client));
  client.connect_timer_->enable(settings_.connect_timeout);
  if (settings_.max_connection_duration > Duration::zero()) {
    client.duration_timer_ =
        loop_.createTimer(Callback::member<&ActiveClient::onDurationTimeout>(&client));
    client.duration_timer_->enable(settings_.max_connection_duration);
  }
  client.connection_ = transport_.connect(host_, protocol_, client);
  return can_create;
}

void ConnectionPool::onClientConnected(ActiveClient& client) {
  client.connect_timer_->disable();
  connecting_capacity_ -= client.effectiveConcurrentStreamLimit();
  stats_.upstream_cx_connect_ms_total +=
      static_cast<std::uint64_t>(toMilliseconds(loop_.now() - client.created_));
  transition(client, ClientState::kReady);
  onUpstreamReady();
  armIdleTimerIfIdle(client);
}

void ConnectionPool::onClientStreamClosed(ActiveClient& client) {
  --client.active_streams_;
  --active_streams_;
  host_.decActiveRequests();
  --stats_.upstream_rq_active;
  resources_.requests().dec();
  if (client.state_ == ClientState::kDraining && client.active_streams_ == 0) {
    closeClient(client);
    return;
  }
  if (client.state_ == ClientState::kBusy && client.currentUnusedCapacity() > 0) {
    transition(client, ClientState::kReady);
    onUpstreamReady();
  }
  armIdleTimerIfIdle(client);
}

void ConnectionPool::armIdleTimerIfIdle(ActiveClient& client) {
  // An idle connection closes after idle_timeout with no stream on it (§2).
  if (client.state_ != ClientState::kReady || client.active_streams_ != 0 ||
      settings_.idle_timeout <= Duration::zero()) {
    return;
  }
  if (!client.idle_timer_) {
    client.idle_timer_ = loop_.createTimer(Callback::member<&ActiveClient::onIdleTimeout>(&client));
  }
  client.idle_timer_->enable(settings_.idle_timeout);
}

void ConnectionPool::closeClient(ActiveClient& client) {
  client.connection_->close();
  onClientClosed(client, client.timed_out_ ? ResetReason::kConnectionTimeout
                                           : ResetReason::kLocalConnectionFailure);
}

// Envoy onConnectionEvent(close). A client that never connected is a connect failure, and a
// connect failure fails EVERY pending request of the pool, even while other connections are
// still connecting (§3.2, §10 item 8).
void ConnectionPool::onClientClosed(ActiveClient& client, ResetReason connect_failure) {
  if (client.state_ == ClientState::kClosed) {
    return;
  }
  client.disableTimers();
  const bool was_connecting = client.state_ == ClientState::kConnecting;
  if (was_connecting) {
    connecting_capacity_ -= client.effectiveConcurrentStreamLimit();
    ++stats_.upstream_cx_connect_fail;
    ++host_.stats().cx_connect_fail;
    purgePendingStreams(connect_failure);
    tryCreateNewConnections();
  }
  // Streams still open on a lost connection end with it; the transport resets them on the
  // requester's side after this returns (transport.h).
  for (; client.active_streams_ > 0; --client.active_streams_) {
    --active_streams_;
    host_.decActiveRequests();
    --stats_.upstream_rq_active;
    resources_.requests().dec();
  }
  ++stats_.upstream_cx_destroy;
  --stats_.upstream_cx_active;
  resources_.connections().dec();
  ClientList& list = owningList(client);
  graveyard_.splice(graveyard_.end(), list, client.self_);
  client.state_ = ClientState::kClosed;
  deferred_delete_timer_->enable(Duration::zero());
  // A lost connection may leave queued requests without capacity.
  if (!pending_.empty()) {
    tryCreateNewConnections();
  }
}

void ConnectionPool::purgePendingStreams(ResetReason reason) {
  // Detach the batch first so a request submitted from a failure callback (an immediate retry) is
  // queued normally rather than failed with it.
  purging_ = pending_;
  pending_ = PendingList{};
  for (PendingStream* p = purging_.front; p != nullptr; p = p->next_) {
    p->list_ = &purging_;
  }
  // Envoy fails the batch from the front of its list, i.e. newest first.
  while (!purging_.empty()) {
    PendingStream* pending = purging_.front;
    PoolCallbacks& callbacks = *pending->pool_callbacks_;
    retirePending(pending);
    ++stats_.upstream_rq_pending_failure_eject;
    callbacks.onPoolFailure(reason, host_);
  }
}

void ConnectionPool::drainConnections() {
  std::vector<ActiveClient*> to_close;
  for (auto& client : ready_) {
    if (client->active_streams_ == 0) {
      to_close.push_back(client.get());
    }
  }
  if (pending_.empty()) {
    for (auto& client : connecting_) {
      to_close.push_back(client.get());
    }
  }
  for (ActiveClient* client : to_close) {
    closeClient(*client);
  }
  while (!ready_.empty()) {
    transition(*ready_.front(), ClientState::kDraining);
  }
  for (auto& client : busy_) {
    client->state_ = ClientState::kDraining;
  }
}

void ConnectionPool::onDeferredDelete() {
  graveyard_.clear();
}

ConnectionPool::ClientList& ConnectionPool::owningList(const ActiveClient& client) {
  switch (client.state_) {
    case ClientState::kConnecting:
      return connecting_;
    case ClientState::kReady:
      return ready_;
    case ClientState::kBusy:
    case ClientState::kDraining:
      return busy_;
    case ClientState::kClosed:
      break;
  }
  return graveyard_;
}

void ConnectionPool::transition(ActiveClient& client, ClientState new_state) {
  ClientList& from = owningList(client);
  client.state_ = new_state;
  ClientList& to = owningList(client);
  // Envoy moves a client to the front of its new list: the most recently freed connection serves
  // the next request.
  if (&from != &to) {
    to.splice(to.begin(), from, client.self_);
  }
}

}  // namespace meshsim::core
