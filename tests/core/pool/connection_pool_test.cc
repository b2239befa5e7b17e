#include "core/pool/connection_pool.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/common/manual_event_loop.h"
#include "tests/support/fake_upstream_transport.h"

namespace meshsim::core {
namespace {

using testing::FakeUpstreamTransport;

// Request path naming a requester, so the test can see which request a stream carries.
std::string pathFor(int id) {
  std::string path = std::to_string(id);
  path.insert(path.begin(), '/');
  return path;
}

// One requester: a router's upstream request as the pool sees it.
struct Requester : PoolCallbacks, StreamCallbacks {
  explicit Requester(int id_in, std::vector<int>* order_in = nullptr) : id(id_in), order(order_in) {
    request.path = pathFor(id);
  }
  void onPoolReady(UpstreamStream& s, Host& h, bool new_conn) override {
    stream = &s;
    host = &h;
    new_connection = new_conn;
    if (order != nullptr) {
      order->push_back(id);
    }
  }
  void onPoolFailure(ResetReason reason, Host& h) override {
    failure = reason;
    host = &h;
  }
  void onResponse(const Response& response) override { status = response.status; }
  void onReset(ResetReason reason) override { reset = reason; }

  bool ready() const { return stream != nullptr; }

  int id;
  std::vector<int>* order;
  Request request;
  UpstreamStream* stream = nullptr;
  Host* host = nullptr;
  bool new_connection = false;
  std::optional<ResetReason> failure;
  std::optional<std::uint32_t> status;
  std::optional<ResetReason> reset;
  PendingStream* pending = nullptr;
};

class ConnectionPoolTest : public ::testing::Test {
 protected:
  void setUp(HttpProtocol protocol, CircuitBreakerThresholds thresholds,
             ConnectionPoolSettings settings = ConnectionPoolSettings::envoyDefaults()) {
    resources_ = std::make_unique<ResourceManager>(thresholds, stats_, loop_);
    pool_ = std::make_unique<ConnectionPool>(host_, protocol, settings, *resources_, stats_,
                                             transport_, loop_);
  }
  void send(Requester& r) { r.pending = pool_->newStream(r.request, r, r); }
  std::vector<std::unique_ptr<Requester>> makeRequesters(int n, std::vector<int>* order = nullptr) {
    std::vector<std::unique_ptr<Requester>> out;
    for (int i = 0; i < n; ++i) {
      out.push_back(std::make_unique<Requester>(i, order));
    }
    return out;
  }
  // The transport-side stream the pool opened for `r`.
  testing::FakeUpstreamStream& streamOf(Requester& r) {
    return *static_cast<testing::FakeUpstreamStream*>(r.stream);
  }
  static CircuitBreakerThresholds limits(std::uint64_t cx, std::uint64_t pending,
                                         std::uint64_t requests) {
    CircuitBreakerThresholds t;
    t.max_connections = cx;
    t.max_pending_requests = pending;
    t.max_requests = requests;
    return t;
  }

  ManualEventLoop loop_;
  ClusterStats stats_;
  Host host_{0, "10.0.0.1:8080"};
  FakeUpstreamTransport transport_;
  std::unique_ptr<ResourceManager> resources_;
  std::unique_ptr<ConnectionPool> pool_;
};

// §3.2 consequence: HTTP/1.1 opens one connection per concurrent request up to max_connections;
// the rest wait in the pending queue.
TEST_F(ConnectionPoolTest, Http1OneConnectionPerConcurrentRequestThenPending) {
  setUp(HttpProtocol::kHttp11, limits(2, 10, 100));
  auto rs = makeRequesters(3);
  for (auto& r : rs) {
    send(*r);
    EXPECT_NE(r->pending, nullptr);
  }
  EXPECT_EQ(transport_.attempts(), 2u);
  EXPECT_EQ(stats_.upstream_cx_overflow, 1u);
  EXPECT_EQ(stats_.upstream_cx_total, 2u);
  EXPECT_EQ(stats_.upstream_cx_active, 2u);
  EXPECT_EQ(stats_.cb_cx_open, 1u);
  EXPECT_EQ(stats_.upstream_rq_pending_total, 3u);
  EXPECT_EQ(stats_.upstream_rq_pending_active, 3u);
  EXPECT_EQ(transport_.connection(0).protocol(), HttpProtocol::kHttp11);

  transport_.connection(0).connect();
  ASSERT_TRUE(rs[0]->ready());
  EXPECT_TRUE(rs[0]->new_connection);
  EXPECT_EQ(rs[0]->host, &host_);
  transport_.connection(1).connect();
  ASSERT_TRUE(rs[1]->ready());
  EXPECT_FALSE(rs[2]->ready());
  // Least-request reads rq_active: only attached requests count (§3.2).
  EXPECT_EQ(host_.activeRequests(), 2u);
  EXPECT_EQ(stats_.upstream_rq_active, 2u);
  EXPECT_EQ(stats_.upstream_rq_pending_active, 1u);

  streamOf(*rs[0]).respond(200);
  EXPECT_EQ(rs[0]->status, 200u);
  ASSERT_TRUE(rs[2]->ready());
  EXPECT_FALSE(rs[2]->new_connection);
  EXPECT_EQ(&streamOf(*rs[2]), &transport_.connection(0).stream(1));
  EXPECT_EQ(transport_.attempts(), 2u);
  EXPECT_EQ(stats_.upstream_rq_total, 3u);
  EXPECT_EQ(host_.stats().rq_total, 3u);
  EXPECT_EQ(host_.activeRequests(), 2u);
  EXPECT_EQ(stats_.upstream_rq_pending_active, 0u);
}

TEST_F(ConnectionPoolTest, ReadyConnectionIsReusedWithoutConnecting) {
  setUp(HttpProtocol::kHttp11, CircuitBreakerThresholds::envoyDefaults());
  Requester a(0), b(1);
  send(a);
  transport_.connection(0).connect();
  streamOf(a).respond(200);
  send(b);
  EXPECT_EQ(b.pending, nullptr);  // attached synchronously
  ASSERT_TRUE(b.ready());
  EXPECT_FALSE(b.new_connection);
  EXPECT_EQ(transport_.attempts(), 1u);
  EXPECT_EQ(stats_.upstream_rq_pending_total, 1u);
}

// §3.2: an HTTP/2 connecting client offers its stream limit, so one connection absorbs that many.
TEST_F(ConnectionPoolTest, Http2OneConnectionAbsorbsUpToStreamLimit) {
  ConnectionPoolSettings settings;
  settings.max_concurrent_streams = 3;
  setUp(HttpProtocol::kHttp2, CircuitBreakerThresholds::envoyDefaults(), settings);
  auto rs = makeRequesters(4);
  for (int i = 0; i < 3; ++i) {
    send(*rs[i]);
  }
  EXPECT_EQ(transport_.attempts(), 1u);
  send(*rs[3]);
  EXPECT_EQ(transport_.attempts(), 2u);
  transport_.connection(0).connect();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(rs[i]->ready());
    EXPECT_EQ(rs[i]->new_connection, i == 0);
  }
  EXPECT_FALSE(rs[3]->ready());
  EXPECT_EQ(pool_->busyConnections(), 1u);
  // A freed slot on the busy connection serves the waiting request before the second connects.
  streamOf(*rs[1]).respond(200);
  ASSERT_TRUE(rs[3]->ready());
  EXPECT_EQ(transport_.connection(0).streamCount(), 4u);
}

// §10 item 15: 1024 concurrent streams per HTTP/2 connection by default.
TEST_F(ConnectionPoolTest, Http2DefaultStreamLimitIs1024) {
  EXPECT_EQ(ConnectionPoolSettings{}.max_concurrent_streams, 1024u);
  CircuitBreakerThresholds t = CircuitBreakerThresholds::istioDefaults();
  setUp(HttpProtocol::kHttp2, t, ConnectionPoolSettings::istioDefaults());
  auto rs = makeRequesters(1025);
  for (int i = 0; i < 1024; ++i) {
    send(*rs[i]);
  }
  EXPECT_EQ(transport_.attempts(), 1u);
  send(*rs[1024]);
  EXPECT_EQ(transport_.attempts(), 2u);
  transport_.connection(0).connect();
  EXPECT_EQ(pool_->activeStreams(), 1024u);
  EXPECT_EQ(pool_->pendingRequests(), 1u);
  EXPECT_EQ(host_.activeRequests(), 1024u);
}

// §3.1 / §10 item 6: pending overflow fails at once with Overflow (503 UO, never retried).
TEST_F(ConnectionPoolTest, PendingOverflowFailsImmediately) {
  setUp(HttpProtocol::kHttp11, limits(1, 1, 100));
  Requester a(0), b(1);
  send(a);
  send(b);
  EXPECT_EQ(b.pending, nullptr);
  ASSERT_TRUE(b.failure.has_value());
  EXPECT_EQ(*b.failure, ResetReason::kOverflow);
  EXPECT_EQ(b.host, &host_);
  EXPECT_EQ(stats_.upstream_rq_pending_overflow, 1u);
  EXPECT_EQ(stats_.upstream_rq_pending_total, 1u);
  EXPECT_EQ(stats_.cb_rq_pending_open, 1u);
  EXPECT_EQ(transport_.attempts(), 1u);
  EXPECT_EQ(stats_.upstream_cx_connect_fail, 0u);
  EXPECT_EQ(host_.stats().cx_connect_fail, 0u);
}

// §3.1: max_requests is checked on attach; its overflow is counted as a pending overflow.
TEST_F(ConnectionPoolTest, MaxRequestsOverflowCountsAsPendingOverflow) {
  setUp(HttpProtocol::kHttp2, limits(10, 10, 1));
  Requester a(0), b(1);
  send(a);
  transport_.connection(0).connect();
  ASSERT_TRUE(a.ready());
  EXPECT_EQ(stats_.cb_rq_open, 1u);
  send(b);
  ASSERT_TRUE(b.failure.has_value());
  EXPECT_EQ(*b.failure, ResetReason::kOverflow);
  EXPECT_EQ(stats_.upstream_rq_pending_overflow, 1u);
  EXPECT_EQ(stats_.upstream_rq_total, 1u);
  EXPECT_EQ(host_.activeRequests(), 1u);
  // Also when a queued request reaches a connection: it leaves the queue and fails.
  streamOf(a).respond(200);
  resources_->requests().inc();  // another pool of the cluster holds the only request slot
  Requester d(3);
  pool_->drainConnections();  // nothing ready: d must queue
  send(d);
  ASSERT_NE(d.pending, nullptr);
  transport_.connection(1).connect();
  ASSERT_TRUE(d.failure.has_value());
  EXPECT_EQ(*d.failure, ResetReason::kOverflow);
  EXPECT_EQ(stats_.upstream_rq_pending_overflow, 2u);
  EXPECT_EQ(stats_.upstream_rq_pending_active, 0u);
  resources_->requests().dec();
}

// §10 item 7: a pool with no connection opens one even with max_connections exhausted by others.
TEST_F(ConnectionPoolTest, ZeroConnectionPoolOpensOneDespiteMaxConnections) {
  setUp(HttpProtocol::kHttp11, limits(1, 100, 100));
  Host other{1, "10.0.0.2:8080"};
  ConnectionPool other_pool(other, HttpProtocol::kHttp11, ConnectionPoolSettings{}, *resources_,
                            stats_, transport_, loop_);
  Requester a(0), b(1), c(2);
  a.pending = other_pool.newStream(a.request, a, a);
  EXPECT_EQ(stats_.upstream_cx_overflow, 0u);
  send(b);
  EXPECT_EQ(stats_.upstream_cx_overflow, 1u);
  EXPECT_EQ(transport_.attempts(), 2u);
  EXPECT_EQ(&transport_.connection(1).host(), &host_);
  EXPECT_EQ(resources_->connections().count(), 2u);
  // The pool now has a connection: a second queued request waits instead.
  send(c);
  EXPECT_EQ(stats_.upstream_cx_overflow, 2u);
  EXPECT_EQ(transport_.attempts(), 2u);
  transport_.connection(1).connect();
  ASSERT_TRUE(b.ready());
  streamOf(b).respond(200);
  ASSERT_TRUE(c.ready());
  EXPECT_FALSE(c.new_connection);
}

// §3.2 / §10 item 8: a connect failure fails EVERY pending request of the pool, even while other
// connections are still connecting.
TEST_F(ConnectionPoolTest, ConnectFailureFailsAllPending) {
  setUp(HttpProtocol::kHttp11, CircuitBreakerThresholds::envoyDefaults());
  auto rs = makeRequesters(3);
  for (auto& r : rs) {
    send(*r);
  }
  ASSERT_EQ(transport_.attempts(), 3u);
  transport_.connection(1).fail(ConnectFailure::kRemote);
  for (auto& r : rs) {
    ASSERT_TRUE(r->failure.has_value());
    EXPECT_EQ(*r->failure, ResetReason::kRemoteConnectionFailure);
  }
  EXPECT_EQ(stats_.upstream_cx_connect_fail, 1u);
  EXPECT_EQ(host_.stats().cx_connect_fail, 1u);
  EXPECT_EQ(stats_.upstream_rq_pending_failure_eject, 3u);
  EXPECT_EQ(stats_.upstream_rq_pending_active, 0u);
  EXPECT_EQ(pool_->pendingRequests(), 0u);
  EXPECT_EQ(resources_->pendingRequests().count(), 0u);
  EXPECT_EQ(stats_.upstream_cx_active, 2u);
  EXPECT_EQ(resources_->connections().count(), 2u);
  EXPECT_EQ(transport_.attempts(), 3u);  // nothing left to connect for
  // The survivors connect into idle connections and serve the next request.
  transport_.connection(0).connect();
  transport_.connection(2).connect();
  EXPECT_EQ(pool_->readyConnections(), 2u);
  Requester late(9);
  send(late);
  EXPECT_TRUE(late.ready());
  EXPECT_FALSE(late.failure.has_value());
  // The failed connection's handle is released on a later loop turn.
  EXPECT_FALSE(transport_.connection(1).released());
  loop_.runReady();
  EXPECT_TRUE(transport_.connection(1).released());
}

TEST_F(ConnectionPoolTest, LocalConnectFailureReason) {
  setUp(HttpProtocol::kHttp2, CircuitBreakerThresholds::envoyDefaults());
  Requester a(0);
  send(a);
  transport_.connection(0).fail(ConnectFailure::kLocal);
  ASSERT_TRUE(a.failure.has_value());
  EXPECT_EQ(*a.failure, ResetReason::kLocalConnectionFailure);
}

// A retry submitted from inside a failure callback is queued, not failed with the batch.
TEST_F(ConnectionPoolTest, RequestSubmittedDuringPurgeSurvives) {
  setUp(HttpProtocol::kHttp11, CircuitBreakerThresholds::envoyDefaults());
  struct Retrier : Requester {
    Retrier(ConnectionPool& p, Requester& r) : Requester(0), pool(p), retry(r) {}
    void onPoolFailure(ResetReason reason, Host& h) override {
      Requester::onPoolFailure(reason, h);
      retry.pending = pool.newStream(retry.request, retry, retry);
    }
    ConnectionPool& pool;
    Requester& retry;
  };
  Requester retry(1);
  Retrier first(*pool_, retry);
  first.pending = pool_->newStream(first.request, first, first);
  transport_.connection(0).fail(ConnectFailure::kRemote);
  ASSERT_TRUE(first.failure.has_value());
  EXPECT_FALSE(retry.failure.has_value());
  ASSERT_NE(retry.pending, nullptr);
  EXPECT_EQ(transport_.attempts(), 2u);
  transport_.connection(1).connect();
  EXPECT_TRUE(retry.ready());
}

// §2: connect_timeout fires from the pool's own timer: counted, closed, then a connect failure.
TEST_F(ConnectionPoolTest, ConnectTimeoutIstioTenSeconds) {
  setUp(HttpProtocol::kHttp11, CircuitBreakerThresholds::istioDefaults(),
        ConnectionPoolSettings::istioDefaults());
  Requester a(0), b(1);
  send(a);
  send(b);
  loop_.advance(std::chrono::milliseconds(9999));
  EXPECT_FALSE(a.failure.has_value());
  loop_.advance(std::chrono::milliseconds(1));
  EXPECT_EQ(loop_.now(), MonotonicTime(std::chrono::seconds(10)));
  ASSERT_TRUE(a.failure.has_value());
  EXPECT_EQ(*a.failure, ResetReason::kConnectionTimeout);
  ASSERT_TRUE(b.failure.has_value());
  EXPECT_EQ(*b.failure, ResetReason::kConnectionTimeout);
  // Both connections were connecting with the same deadline: the first timeout purged both
  // requests, the second only counts.
  EXPECT_EQ(stats_.upstream_cx_connect_timeout, 2u);
  EXPECT_EQ(stats_.upstream_cx_connect_fail, 2u);
  EXPECT_EQ(stats_.upstream_rq_pending_failure_eject, 2u);
  EXPECT_TRUE(transport_.connection(0).closed());
  EXPECT_TRUE(transport_.connection(1).closed());
  EXPECT_EQ(stats_.upstream_cx_active, 0u);
}

TEST_F(ConnectionPoolTest, ConnectTimeoutEnvoyFiveSeconds) {
  setUp(HttpProtocol::kHttp2, CircuitBreakerThresholds::envoyDefaults());
  Requester a(0);
  send(a);
  loop_.advance(std::chrono::milliseconds(4999));
  EXPECT_FALSE(a.failure.has_value());
  loop_.advance(std::chrono::milliseconds(1));
  ASSERT_TRUE(a.failure.has_value());
  EXPECT_EQ(*a.failure, ResetReason::kConnectionTimeout);
  EXPECT_EQ(stats_.upstream_cx_connect_timeout, 1u);
}

TEST_F(ConnectionPoolTest, ConnectedConnectionDoesNotTimeOut) {
  setUp(HttpProtocol::kHttp11, CircuitBreakerThresholds::envoyDefaults());
  Requester a(0);
  send(a);
  loop_.advance(std::chrono::seconds(1));
  transport_.connection(0).connect();
  loop_.advance(std::chrono::seconds(10));
  EXPECT_EQ(stats_.upstream_cx_connect_timeout, 0u);
  EXPECT_EQ(stats_.upstream_cx_connect_ms_total, 1000u);
  EXPECT_TRUE(a.ready());
}

// §7.4 / §10 item 20: max_requests_per_connection = 1 means a new connection (and handshake) per
// request.
TEST_F(ConnectionPoolTest, OneRequestPerConnectionOpensConnectionPerRequest) {
  ConnectionPoolSettings settings;
  settings.max_requests_per_connection = 1;
  setUp(HttpProtocol::kHttp11, CircuitBreakerThresholds::envoyDefaults(), settings);
  for (int i = 0; i < 3; ++i) {
    Requester r(i);
    send(r);
    ASSERT_EQ(transport_.attempts(), static_cast<std::size_t>(i + 1));
    transport_.connection(i).connect();
    ASSERT_TRUE(r.ready());
    EXPECT_TRUE(r.new_connection);
    EXPECT_EQ(stats_.upstream_cx_max_requests, static_cast<std::uint64_t>(i + 1));
    streamOf(r).respond(200);
    EXPECT_TRUE(transport_.connection(i).closed());
  }
  EXPECT_EQ(stats_.upstream_cx_total, 3u);
  EXPECT_EQ(stats_.upstream_cx_destroy, 3u);
  EXPECT_EQ(stats_.upstream_cx_active, 0u);
}

TEST_F(ConnectionPoolTest, Http2OneRequestPerConnectionHasCapacityOne) {
  ConnectionPoolSettings settings;
  settings.max_requests_per_connection = 1;
  setUp(HttpProtocol::kHttp2, CircuitBreakerThresholds::envoyDefaults(), settings);
  auto rs = makeRequesters(3);
  for (auto& r : rs) {
    send(*r);
  }
  EXPECT_EQ(transport_.attempts(), 3u);
}

TEST_F(ConnectionPoolTest, MaxRequestsPerConnectionDrainsAfterLimit) {
  ConnectionPoolSettings settings;
  settings.max_requests_per_connection = 2;
  setUp(HttpProtocol::kHttp11, CircuitBreakerThresholds::envoyDefaults(), settings);
  Requester a(0), b(1), c(2);
  send(a);
  transport_.connection(0).connect();
  streamOf(a).respond(200);
  send(b);
  EXPECT_FALSE(b.new_connection);
  EXPECT_EQ(stats_.upstream_cx_max_requests, 1u);
  streamOf(b).respond(200);
  EXPECT_TRUE(transport_.connection(0).closed());
  send(c);
  EXPECT_EQ(transport_.attempts(), 2u);
}

// §3.2: pending requests are served first in, first out.
TEST_F(ConnectionPoolTest, PendingServedInFifoOrder) {
  setUp(HttpProtocol::kHttp11, limits(1, 100, 100));
  std::vector<int> order;
  auto rs = makeRequesters(5, &order);
  for (auto& r : rs) {
    send(*r);
  }
  EXPECT_EQ(transport_.attempts(), 1u);
  transport_.connection(0).connect();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(rs[i]->ready());
    EXPECT_EQ(streamOf(*rs[i]).request().path, pathFor(i));
    streamOf(*rs[i]).respond(200);
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST_F(ConnectionPoolTest, CancelledPendingRequestIsSkipped) {
  setUp(HttpProtocol::kHttp11, limits(1, 100, 100));
  std::vector<int> order;
  auto rs = makeRequesters(3, &order);
  for (auto& r : rs) {
    send(*r);
  }
  rs[1]->pending->cancel();
  EXPECT_EQ(stats_.upstream_rq_cancelled, 1u);
  EXPECT_EQ(stats_.upstream_rq_pending_active, 2u);
  EXPECT_EQ(resources_->pendingRequests().count(), 2u);
  transport_.connection(0).connect();
  streamOf(*rs[0]).respond(200);
  EXPECT_EQ(order, (std::vector<int>{0, 2}));
  EXPECT_FALSE(rs[1]->failure.has_value());
}

// A route timeout cancels the only pending request: the connection still completes and idles.
TEST_F(ConnectionPoolTest, CancelKeepsConnectingConnection) {
  setUp(HttpProtocol::kHttp11, CircuitBreakerThresholds::envoyDefaults());
  Requester a(0);
  send(a);
  a.pending->cancel();
  EXPECT_FALSE(transport_.connection(0).closed());
  transport_.connection(0).connect();
  EXPECT_FALSE(a.ready());
  EXPECT_EQ(pool_->readyConnections(), 1u);
  EXPECT_EQ(stats_.upstream_rq_total, 0u);
}

// §2: a connection with no stream for idle_timeout (1 h by default) is closed.
TEST_F(ConnectionPoolTest, IdleTimeoutClosesIdleConnection) {
  setUp(HttpProtocol::kHttp11, CircuitBreakerThresholds::envoyDefaults());
  Requester a(0), b(1);
  send(a);
  transport_.connection(0).connect();
  streamOf(a).respond(200);
  loop_.advance(std::chrono::minutes(30));
  send(b);  // re-arms the idle timer when it finishes
  loop_.advance(std::chrono::minutes(40));
  streamOf(b).respond(200);
  loop_.advance(std::chrono::hours(1) - std::chrono::nanoseconds(1));
  EXPECT_EQ(stats_.upstream_cx_idle_timeout, 0u);
  EXPECT_FALSE(transport_.connection(0).closed());
  loop_.advance(std::chrono::nanoseconds(1));
  EXPECT_EQ(stats_.upstream_cx_idle_timeout, 1u);
  EXPECT_TRUE(transport_.connection(0).closed());
  EXPECT_EQ(pool_->connections(), 0u);
}

TEST_F(ConnectionPoolTest, MaxConnectionDurationDrains) {
  ConnectionPoolSettings settings;
  settings.max_connection_duration = std::chrono::seconds(60);
  setUp(HttpProtocol::kHttp2, CircuitBreakerThresholds::envoyDefaults(), settings);
  Requester a(0), b(1);
  send(a);
  transport_.connection(0).connect();
  loop_.advance(std::chrono::seconds(60));
  EXPECT_EQ(stats_.upstream_cx_max_duration_reached, 1u);
  EXPECT_FALSE(transport_.connection(0).closed());  // still carries a
  send(b);
  EXPECT_EQ(transport_.attempts(), 2u);
  streamOf(a).respond(200);
  EXPECT_TRUE(transport_.connection(0).closed());
}

// §3.2: ejection drains the host's connections: idle ones close now, busy ones after their
// streams; nothing new goes to them.
TEST_F(ConnectionPoolTest, DrainConnectionsOnEjection) {
  setUp(HttpProtocol::kHttp11, CircuitBreakerThresholds::envoyDefaults());
  Requester a(0), b(1), c(2);
  send(a);
  send(b);
  transport_.connection(0).connect();
  transport_.connection(1).connect();
  streamOf(b).respond(200);  // connection 1 idle, connection 0 busy with a
  pool_->drainConnections();
  EXPECT_TRUE(transport_.connection(1).closed());
  EXPECT_FALSE(transport_.connection(0).closed());
  send(c);
  EXPECT_EQ(transport_.attempts(), 3u);
  streamOf(a).respond(200);
  EXPECT_TRUE(transport_.connection(0).closed());
  EXPECT_EQ(a.status, 200u);
  EXPECT_EQ(pool_->connections(), 1u);
}

TEST_F(ConnectionPoolTest, DrainClosesConnectingOnlyWithoutPending) {
  setUp(HttpProtocol::kHttp11, CircuitBreakerThresholds::envoyDefaults());
  Requester a(0);
  send(a);
  pool_->drainConnections();
  EXPECT_FALSE(transport_.connection(0).closed());  // a still waits for it
  a.pending->cancel();
  pool_->drainConnections();
  EXPECT_TRUE(transport_.connection(0).closed());
  // Envoy closes it as a connecting client: a connect failure with nobody left to fail.
  EXPECT_EQ(stats_.upstream_cx_connect_fail, 1u);
}

TEST_F(ConnectionPoolTest, PeerCloseResetsStreamsAndReconnectsForPending) {
  setUp(HttpProtocol::kHttp11, limits(1, 100, 100));
  Requester a(0), b(1);
  send(a);
  send(b);
  transport_.connection(0).connect();
  ASSERT_TRUE(a.ready());
  transport_.connection(0).remoteClose();
  ASSERT_TRUE(a.reset.has_value());
  EXPECT_EQ(*a.reset, ResetReason::kConnectionTermination);
  EXPECT_EQ(host_.activeRequests(), 0u);
  EXPECT_EQ(stats_.upstream_rq_active, 0u);
  EXPECT_EQ(stats_.upstream_cx_connect_fail, 0u);
  EXPECT_FALSE(b.failure.has_value());
  EXPECT_EQ(transport_.attempts(), 2u);
  transport_.connection(1).connect();
  EXPECT_TRUE(b.ready());
  EXPECT_TRUE(b.new_connection);
}

TEST_F(ConnectionPoolTest, LocalResetFreesTheSlot) {
  setUp(HttpProtocol::kHttp2, limits(10, 10, 10));
  Requester a(0);
  send(a);
  transport_.connection(0).connect();
  a.stream->reset();
  EXPECT_EQ(host_.activeRequests(), 0u);
  EXPECT_EQ(resources_->requests().count(), 0u);
  EXPECT_FALSE(a.status.has_value());
}

TEST_F(ConnectionPoolTest, Http1LocalResetDropsTheConnection) {
  setUp(HttpProtocol::kHttp11, limits(1, 10, 10));
  Requester a(0), b(1);
  send(a);
  send(b);
  transport_.connection(0).connect();
  a.stream->reset();  // per-try timeout
  EXPECT_TRUE(transport_.connection(0).closed());
  EXPECT_EQ(host_.activeRequests(), 0u);
  EXPECT_EQ(stats_.upstream_cx_connect_fail, 0u);
  // b was not attached to the dying connection; a fresh one is opened for it.
  EXPECT_FALSE(b.ready());
  ASSERT_EQ(transport_.attempts(), 2u);
  transport_.connection(1).connect();
  EXPECT_TRUE(b.ready());
}

// Envoy fails the purged batch newest first; a request cancelled from a failure callback while
// still in the batch gets no callback.
TEST_F(ConnectionPoolTest, CancelFromFailureCallbackDuringPurge) {
  setUp(HttpProtocol::kHttp11, CircuitBreakerThresholds::envoyDefaults());
  struct Canceller : Requester {
    using Requester::Requester;
    void onPoolFailure(ResetReason reason, Host& h) override {
      Requester::onPoolFailure(reason, h);
      victim->pending->cancel();
    }
    Requester* victim = nullptr;
  };
  Requester oldest(0);
  Canceller newest(1);
  newest.victim = &oldest;
  send(oldest);
  send(newest);
  transport_.connection(0).fail(ConnectFailure::kRemote);
  EXPECT_TRUE(newest.failure.has_value());
  EXPECT_FALSE(oldest.failure.has_value());
  EXPECT_EQ(stats_.upstream_rq_pending_failure_eject, 1u);
  EXPECT_EQ(stats_.upstream_rq_cancelled, 1u);
  EXPECT_EQ(stats_.upstream_rq_pending_active, 0u);
  EXPECT_EQ(resources_->pendingRequests().count(), 0u);
}

TEST_F(ConnectionPoolTest, DestroyingPoolReleasesCircuitBreakers) {
  setUp(HttpProtocol::kHttp11, limits(10, 10, 10));
  Requester a(0), b(1);
  send(a);
  send(b);
  transport_.connection(0).connect();
  pool_.reset();
  EXPECT_EQ(resources_->connections().count(), 0u);
  EXPECT_EQ(resources_->pendingRequests().count(), 0u);
  EXPECT_EQ(resources_->requests().count(), 0u);
  EXPECT_EQ(host_.activeRequests(), 0u);
  EXPECT_TRUE(transport_.connection(0).released());
}

}  // namespace
}  // namespace meshsim::core
