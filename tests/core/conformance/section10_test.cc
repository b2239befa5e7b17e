// Conformance suite for proxy-semantics.md §10, "Things implementers typically get wrong": one test
// per checklist item. Each test pins the exact behaviour the spec requires and states the naive
// behaviour it rules out. Items about composition drive the whole Proxy (RouterFilter end to end)
// through the ports only: a ManualEventLoop, a ScriptedRandom and a FakeUpstreamTransport.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/circuit_breaker/resource_manager.h"
#include "core/common/manual_event_loop.h"
#include "core/fault/fault_injector.h"
#include "core/lb/least_request_load_balancer.h"
#include "core/lb/load_balancer_factory.h"
#include "core/lb/p2c_peak_ewma_balancer.h"
#include "core/lb/random_load_balancer.h"
#include "core/lb/round_robin_load_balancer.h"
#include "core/outlier/istio_outlier_detection.h"
#include "core/outlier/outlier_detector.h"
#include "core/pool/connection_pool.h"
#include "core/pool/istio_connection_pool.h"
#include "core/proxy/proxy.h"
#include "core/retry/backoff_strategy.h"
#include "core/retry/istio_retry.h"
#include "core/retry/linkerd_retry_policy.h"
#include "core/retry/retry_state.h"
#include "core/retry/tps_budget.h"
#include "tests/core/lb/lb_test_hosts.h"
#include "tests/support/fake_upstream_transport.h"
#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using testing::FakeUpstreamTransport;
using testing::ScriptedRandom;

// ---------------------------------------------------------------------------------------------
// Harness pieces
// ---------------------------------------------------------------------------------------------

struct Recorder final : DownstreamCallbacks {
  std::vector<RequestOutcome> outcomes;
  void onRequestComplete(const RequestOutcome& outcome) override { outcomes.push_back(outcome); }
};

// A retries resource with a settable maximum, for driving RetryState on its own.
class TestLimit final : public ResourceLimit {
 public:
  explicit TestLimit(std::uint64_t max) : max_(max) {}
  bool canCreate() const override { return count_ < max_; }
  void inc() override { ++count_; }
  void dec() override { --count_; }
  std::uint64_t max() const override { return max_; }
  std::uint64_t count() const override { return count_; }
  void setMax(std::uint64_t max) { max_ = max; }

 private:
  std::uint64_t max_;
  std::uint64_t count_ = 0;
};

// One requester as a connection pool sees it.
struct PoolRequester final : PoolCallbacks, StreamCallbacks {
  void onPoolReady(UpstreamStream& s, Host&, bool) override { stream = &s; }
  void onPoolFailure(ResetReason reason, Host&) override { failure = reason; }
  void onResponse(const Response& response) override { status = response.status; }
  void onReset(ResetReason reason) override { reset = reason; }

  Request request;
  UpstreamStream* stream = nullptr;
  std::optional<ResetReason> failure;
  std::optional<std::uint32_t> status;
  std::optional<ResetReason> reset;
};

Endpoint endpoint(std::string address) {
  Endpoint e;
  e.address = std::move(address);
  return e;
}

RouteEntry routeTo(std::string cluster) {
  RouteEntry route;
  route.name = "default";
  route.clusters.push_back(WeightedCluster{std::move(cluster), 100});
  route.timeout = Duration::zero();  // Istio: no route timeout (§2)
  return route;
}

RetryPolicy retryOn(std::uint32_t bits, std::uint32_t num_retries) {
  RetryPolicy policy;
  policy.retry_on = bits;
  policy.num_retries = num_retries;
  return policy;
}

ClusterPolicy istioCluster() {
  return ClusterPolicy::defaultsFor(ProxyProfile::kIstio);
}

// The fixture drives a whole Proxy: one virtual host "*", clusters as given, one worker.
class Section10 : public ::testing::Test {
 protected:
  void build(std::vector<RouteEntry> routes, std::vector<ClusterDefinition> clusters) {
    ProxyConfig config;
    config.workers = 1;
    VirtualHost vhost;
    vhost.name = "backend";
    vhost.domains = {"*"};
    vhost.routes = std::move(routes);
    config.routes = RouteConfiguration({vhost});
    config.clusters = std::move(clusters);
    ASSERT_FALSE(hasErrors(config.validate()));
    proxy_ = std::make_unique<Proxy>(std::move(config), loop_, random_, transport_);
  }
  void build(RouteEntry route, ClusterPolicy policy, int hosts) {
    ClusterDefinition cluster{"backend", policy, {}};
    for (int i = 0; i < hosts; ++i) {
      cluster.endpoints.push_back(endpoint("10.0.0." + std::to_string(i + 1) + ":9080"));
    }
    build(std::vector<RouteEntry>{std::move(route)}, std::vector<ClusterDefinition>{cluster});
  }

  RouterFilter& send() {
    Request request;
    request.path = "/";
    request.authority = "backend";
    return proxy_->startRequest(std::move(request), 0, recorder_);
  }

  testing::FakeUpstreamConnection& connection(std::size_t i) { return transport_.connection(i); }
  testing::FakeUpstreamConnection& lastConnection() {
    return transport_.connection(transport_.attempts() - 1);
  }
  Cluster& cluster(std::size_t i = 0) { return *proxy_->clusters()[i]; }
  ClusterStats& stats(std::size_t i = 0) { return cluster(i).stats(); }
  const RequestOutcome& outcome(std::size_t i) { return recorder_.outcomes.at(i); }

  ManualEventLoop loop_;
  ScriptedRandom random_;
  FakeUpstreamTransport transport_;
  Recorder recorder_;
  std::unique_ptr<Proxy> proxy_;
};

// ---------------------------------------------------------------------------------------------
// §10 items
// ---------------------------------------------------------------------------------------------

// Item 1 (§1.4). Naive: the router documentation's `[0, (2^k − 1)·base)` (25, 75, 175, 375 ms...).
// Required: the bound doubles, `min(base·2^(k−1), max)`: 25, 50, 100, 200, 250, 250 ms, and the
// draw is `random() % bound`.
TEST_F(Section10, Item01_BackoffDoublesNotTwoToTheKMinusOne) {
  JitteredExponentialBackOff backoff(RetryPolicy{});  // 25 ms base, 250 ms max (§1.1)
  ScriptedRandom rng;
  const std::uint64_t expected_bounds[] = {25, 50, 100, 200, 250, 250, 250};
  for (std::uint64_t bound : expected_bounds) {
    ASSERT_EQ(backoff.currentBoundMs(), bound);
    // The largest value of the draw is bound − 1; a (2^k − 1)·base bound would return 74 for the
    // second retry instead of 74 % 50 = 24.
    rng.push(3 * bound - 1);
    EXPECT_EQ(backoff.nextBackOffMs(rng), bound - 1);
  }
  ScriptedRandom zero{0};
  backoff.reset();
  EXPECT_EQ(backoff.nextBackOffMs(zero), 0u) << "a 0 ms back-off is possible";
}

// Item 2 (§1.5). Naive: per-try timer armed when the attempt is queued (or the request arrives),
// route timer armed on arrival. Required: the route timer starts when the router runs (after the
// injected delay); the per-try timer starts at pool ready, so connecting escapes it.
TEST_F(Section10, Item02_PerTryTimeoutStartsAtPoolReadyRouteTimeoutAfterFaultDelay) {
  RouteEntry route = routeTo("backend");
  route.timeout = 10s;
  RetryPolicy policy = retryOn(kRetryOnConnectFailure, 2);
  policy.per_try_timeout = 4s;
  route.retry_policy = policy;
  HttpFault fault;
  fault.delay = FaultDelay{7s, FractionalPercent::hundred(100)};
  route.fault = fault;
  build(route, istioCluster(), 1);

  send();
  loop_.advance(7s);
  ASSERT_EQ(transport_.attempts(), 1u) << "the router starts after the 7 s delay";
  // A route timer armed on arrival would fire at t = 10 s; a per-try timer armed at dispatch at
  // t = 11 s. Neither may: the connection takes 5 s to come up.
  loop_.advance(5s);
  EXPECT_TRUE(recorder_.outcomes.empty());
  lastConnection().connect();  // pool ready at t = 12 s
  loop_.advance(3999ms);
  EXPECT_TRUE(recorder_.outcomes.empty());
  loop_.advance(1ms);  // t = 16 s = pool ready + 4 s, before the route timer (7 s + 10 s)
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(outcome(0).response.status, 504u);
  EXPECT_TRUE(hasFlag(outcome(0).flags, ResponseFlag::kUpstreamRequestTimeout));
  EXPECT_TRUE(hasFlag(outcome(0).flags, ResponseFlag::kDelayInjected));
  EXPECT_EQ(stats().upstream_rq_per_try_timeout, 1u);
  EXPECT_EQ(stats().upstream_rq_timeout, 0u);

  // Second request never connects: only the route timer can end it, 10 s after the delay ends.
  const MonotonicTime start = loop_.now();
  loop_.runReady();
  send();
  loop_.advance(7s);
  loop_.advance(9999ms);
  EXPECT_EQ(recorder_.outcomes.size(), 1u);
  loop_.advance(1ms);
  ASSERT_EQ(recorder_.outcomes.size(), 2u);
  EXPECT_EQ(loop_.now() - start, 17s);
  EXPECT_EQ(outcome(1).response.status, 504u);
  EXPECT_EQ(stats().upstream_rq_timeout, 1u);
  EXPECT_EQ(stats().upstream_rq_per_try_timeout, 1u) << "queueing is not bounded by per-try";
}

// Item 3 (§1.2b, §1.9). Naive: a per-try timeout counts as a retriable failure for any policy (or
// as a 504 for retriable-status-codes, or as a connect failure). Required: it is a LocalReset,
// retried only with 5xx, gateway-error or reset; Istio's default retryOn returns 504 at once.
TEST_F(Section10, Item03_PerTryTimeoutRetriedOnlyWith5xxGatewayErrorOrReset) {
  RouteEntry route = routeTo("backend");
  RetryPolicy istio = istioDefaultRetryPolicy();
  istio.per_try_timeout = 1s;
  route.retry_policy = istio;
  RouteEntry gateway = routeTo("backend");
  gateway.match.path = StringMatcher::prefix("/gw");
  RetryPolicy gateway_policy = retryOn(kRetryOnGatewayError, 1);
  gateway_policy.per_try_timeout = 1s;
  gateway.retry_policy = gateway_policy;
  ClusterDefinition cluster{"backend", istioCluster(), {endpoint("a:1"), endpoint("b:1")}};
  build({gateway, route}, {cluster});

  send();
  connection(0).connect();
  loop_.advance(1s);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(outcome(0).response.status, 504u);
  EXPECT_EQ(outcome(0).attempts, 1u) << "Istio's default retryOn must not retry a per-try timeout";
  EXPECT_EQ(stats().upstream_rq_retry, 0u);

  Request request;
  request.path = "/gw";
  request.authority = "backend";
  proxy_->startRequest(std::move(request), 0, recorder_);
  const std::size_t first = transport_.attempts() - 1;
  connection(first).connect();
  loop_.advance(1s);
  EXPECT_EQ(stats().upstream_rq_retry, 1u) << "gateway-error retries a per-try timeout";
  loop_.advance(25ms);  // the first back-off is below 25 ms
  ASSERT_GT(transport_.attempts(), first + 1);
  lastConnection().connect();
  lastConnection().stream(0).respond(200);
  ASSERT_EQ(recorder_.outcomes.size(), 2u);
  EXPECT_EQ(outcome(1).response.status, 200u);
  EXPECT_EQ(outcome(1).attempts, 2u);

  // The classification itself, per condition (a per-try timeout reaches it as LocalReset with
  // request bytes already sent).
  ClusterStats component_stats;
  TestLimit retries(CircuitBreakerThresholds::kUnlimited);
  auto decides = [&](std::uint32_t bits) {
    RetryPolicy p = retryOn(bits, 1);
    p.retriable_status_codes = {504};
    RetryState state(p, nullptr, retries, component_stats);
    return state.wouldRetryFromReset(ResetReason::kLocalReset, true);
  };
  EXPECT_EQ(decides(kRetryOn5xx), RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(decides(kRetryOnGatewayError), RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(decides(kRetryOnReset), RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(decides(kRetryOnRetriableStatusCodes), RetryDecision::kNoRetry) << "not a 504";
  EXPECT_EQ(decides(kRetryOnConnectFailure), RetryDecision::kNoRetry);
  EXPECT_EQ(decides(kRetryOnRefusedStream), RetryDecision::kNoRetry);
  EXPECT_EQ(decides(kRetryOnResetBeforeRequest), RetryDecision::kNoRetry) << "bytes were sent";
  EXPECT_EQ(decides(istioDefaultRetryPolicy().retry_on), RetryDecision::kNoRetry);
}

// Item 4 (§1.3). Naive: the retry circuit breaker is checked first (a refusal keeps the retry
// budget) and a refusal synthesises a local 503. Required: retries_remaining is decremented
// before the check; the refusal forwards the upstream's own response flagged UO and ends the
// sequence although retries remain.
TEST_F(Section10, Item04_RetryCountDecrementedBeforeCircuitBreakerAndUOReturnsOriginal) {
  RouteEntry route = routeTo("backend");
  route.retry_policy = retryOn(kRetryOn5xx, 3);
  ClusterPolicy policy = istioCluster();
  policy.circuit_breakers.max_retries = 0;
  build(route, policy, 1);

  send();
  connection(0).connect();
  connection(0).stream(0).respond(502);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(outcome(0).response.status, 502u) << "the upstream's response, not a local 503";
  EXPECT_FALSE(outcome(0).local_reply);
  EXPECT_TRUE(hasFlag(outcome(0).flags, ResponseFlag::kUpstreamOverflow));
  EXPECT_FALSE(hasFlag(outcome(0).flags, ResponseFlag::kUpstreamRetryLimitExceeded));
  EXPECT_EQ(outcome(0).attempts, 1u);
  EXPECT_EQ(stats().upstream_rq_retry_overflow, 1u);
  EXPECT_EQ(stats().upstream_rq_retry, 0u);
  loop_.advance(1s);
  EXPECT_EQ(connection(0).streamCount(), 1u) << "the sequence ended";

  // The decrement: num_retries 1, refused by the breaker; once the breaker has room, the next
  // retriable failure of the same request meets the limit (URX), not a retry.
  ClusterStats component_stats;
  TestLimit retries(0);
  RetryPolicy one = retryOn(kRetryOn5xx, 1);
  RetryState state(one, nullptr, retries, component_stats);
  ScriptedRandom rng;
  EXPECT_EQ(state.shouldRetry(RetryDecision::kRetryWithBackoff, rng).status,
            RetryStatus::kNoOverflow);
  EXPECT_EQ(state.retriesRemaining(), 0u);
  retries.setMax(10);
  EXPECT_EQ(state.shouldRetry(RetryDecision::kRetryWithBackoff, rng).status,
            RetryStatus::kNoRetryLimitExceeded);
  EXPECT_EQ(component_stats.upstream_rq_retry_overflow, 1u);
  EXPECT_EQ(component_stats.upstream_rq_retry_limit_exceeded, 1u);
}

// Item 5 (§1.3). Naive: the retry unit is released when the retried attempt is dispatched (or
// only held during back-off). Required: held from scheduling through the back-off and the whole
// retried attempt, until its result is evaluated — so a concurrent request's retry is refused.
TEST_F(Section10, Item05_RetryHoldsResourceUntilRetriedAttemptEvaluated) {
  RouteEntry route = routeTo("backend");
  route.retry_policy = retryOn(kRetryOn5xx, 2);
  ClusterPolicy policy = istioCluster();
  policy.circuit_breakers.max_retries = 1;
  build(route, policy, 1);
  ResourceLimit& retries = cluster().resources().retries();

  send();  // request A
  connection(0).connect();
  connection(0).stream(0).respond(503);
  EXPECT_EQ(retries.count(), 1u) << "held during the back-off";
  loop_.advance(25ms);
  ASSERT_EQ(connection(0).streamCount(), 2u) << "the retried attempt is on the wire";
  EXPECT_EQ(retries.count(), 1u) << "still held while the retried attempt is in flight";

  send();  // request B: connection 0 is busy (HTTP/1), so it opens connection 1
  ASSERT_EQ(transport_.attempts(), 2u);
  connection(1).connect();
  connection(1).stream(0).respond(503);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(outcome(0).response.status, 503u);
  EXPECT_TRUE(hasFlag(outcome(0).flags, ResponseFlag::kUpstreamOverflow))
      << "A's retry still holds the only unit";
  EXPECT_EQ(stats().upstream_rq_retry_overflow, 1u);

  connection(0).stream(1).respond(200);
  EXPECT_EQ(retries.count(), 0u) << "released when the retried attempt's result is evaluated";
  ASSERT_EQ(recorder_.outcomes.size(), 2u);
  EXPECT_EQ(outcome(1).response.status, 200u);
  EXPECT_EQ(stats().upstream_rq_retry_success, 1u);
}

// Item 6 (§1.2b, §3.1, §4.2). Naive: overflow is a 503 like any other (retried under 5xx/reset,
// fed to outlier detection as a failure), and max-requests overflow has its own counter.
// Required: 503 UO, no retry, no outlier result, counted in upstream_rq_pending_overflow.
TEST_F(Section10, Item06_OverflowNeverRetriedNorSeenByOutlierDetection) {
  RouteEntry route = routeTo("backend");
  route.retry_policy = retryOn(kRetryOn5xx | kRetryOnReset | kRetryOnConnectFailure, 3);
  ClusterPolicy policy = istioCluster();
  policy.protocol = HttpProtocol::kHttp2;  // B attaches to A's connection and meets max_requests
  policy.circuit_breakers.max_requests = 1;
  OutlierDetectionConfig outlier;
  outlier.consecutive_5xx = 1;  // a single counted failure would eject
  outlier.max_ejection_percent = 100;
  policy.outlier_detection = outlier;
  build(route, policy, 1);

  send();  // A
  connection(0).connect();
  ASSERT_EQ(connection(0).streamCount(), 1u);
  send();  // B
  loop_.runReady();
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(outcome(0).response.status, 503u);
  EXPECT_TRUE(hasFlag(outcome(0).flags, ResponseFlag::kUpstreamOverflow));
  EXPECT_TRUE(outcome(0).response.headers.has("x-envoy-overloaded"));
  EXPECT_EQ(stats().upstream_rq_pending_overflow, 1u) << "max_requests overflow counts here";
  EXPECT_EQ(stats().upstream_rq_retry, 0u);
  loop_.advance(1s);
  EXPECT_EQ(connection(0).streamCount(), 1u) << "never retried";
  const Host& host = *cluster().hosts()[0];
  EXPECT_FALSE(host.outlierEjected());
  EXPECT_EQ(cluster().outlierDetector()->monitor(host).consecutive_5xx, 0u);
  EXPECT_EQ(stats().outlier_ejections_detected_consecutive_5xx, 0u);
  connection(0).stream(0).respond(200);
  ASSERT_EQ(recorder_.outcomes.size(), 2u);
}

// Item 7 (§3.1, §3.2). Naive: max_connections is a hard cap, so a host whose pool is empty waits
// forever once other hosts hold all connections. Required: it opens one anyway (counting
// upstream_cx_overflow); a pool that already has a connection does wait.
TEST_F(Section10, Item07_EmptyPoolOpensConnectionDespiteMaxConnections) {
  ClusterStats stats;
  CircuitBreakerThresholds thresholds;
  thresholds.max_connections = 1;
  ResourceManager resources(thresholds, stats, loop_);
  Host a(0, "a:1");
  Host b(1, "b:1");
  const ConnectionPoolSettings settings;
  ConnectionPool pool_a(a, HttpProtocol::kHttp11, settings, resources, stats, transport_, loop_);
  ConnectionPool pool_b(b, HttpProtocol::kHttp11, settings, resources, stats, transport_, loop_);
  PoolRequester r1;
  PoolRequester r2;
  PoolRequester r3;

  pool_a.newStream(r1.request, r1, r1);
  EXPECT_EQ(transport_.attempts(), 1u);
  pool_b.newStream(r2.request, r2, r2);
  EXPECT_EQ(transport_.attempts(), 2u) << "host b has no connection: one is opened anyway";
  EXPECT_EQ(stats.upstream_cx_overflow, 1u);
  EXPECT_EQ(resources.connections().count(), 2u);
  pool_a.newStream(r3.request, r3, r3);
  EXPECT_EQ(transport_.attempts(), 2u) << "host a already has one: the request waits";
  EXPECT_EQ(stats.upstream_cx_overflow, 2u);
  EXPECT_EQ(pool_a.pendingRequests(), 2u);
}

// Item 8 (§3.2). Naive: a failed connect fails only the request it was opened for; the others wait
// for the connections still connecting. Required: every pending request of that pool fails.
TEST_F(Section10, Item08_ConnectFailureFailsEveryPendingRequestOfThePool) {
  build(routeTo("backend"), istioCluster(), 1);
  send();
  send();
  send();
  ASSERT_EQ(transport_.attempts(), 3u) << "HTTP/1: one connection per queued request";
  connection(0).fail(ConnectFailure::kRemote);
  ASSERT_EQ(recorder_.outcomes.size(), 3u) << "all three fail, though two connections connect";
  for (const RequestOutcome& o : recorder_.outcomes) {
    EXPECT_EQ(o.response.status, 503u);
    EXPECT_TRUE(hasFlag(o.flags, ResponseFlag::kUpstreamConnectionFailure));
  }
  EXPECT_EQ(stats().upstream_rq_pending_failure_eject, 3u);
  EXPECT_EQ(stats().upstream_cx_connect_fail, 1u);
  EXPECT_FALSE(connection(1).closed());
}

// Item 9 (§3.2, §5.3, §5.4). Naive: least request counts queued requests too, P2C draws two
// distinct hosts and breaks ties toward the second draw, RANDOM honours weights. Required: only
// attached requests count; draws with replacement; a tie keeps the first draw; RANDOM ignores
// weights.
TEST_F(Section10, Item09_LeastRequestAttachedOnlyP2CWithReplacementRandomIgnoresWeights) {
  // Attached-only: a request queued in the pool does not raise rq_active.
  {
    ClusterStats stats;
    ResourceManager resources(CircuitBreakerThresholds{}, stats, loop_);
    Host host(0, "a:1");
    ConnectionPool pool(host, HttpProtocol::kHttp11, ConnectionPoolSettings{}, resources, stats,
                        transport_, loop_);
    PoolRequester r;
    pool.newStream(r.request, r, r);
    EXPECT_EQ(host.activeRequests(), 0u) << "pending requests are not active";
    transport_.connection(0).connect();
    ASSERT_NE(r.stream, nullptr);
    EXPECT_EQ(host.activeRequests(), 1u);
    transport_.connection(0).stream(0).respond(200);
    EXPECT_EQ(host.activeRequests(), 0u);
  }

  LoadBalancerConfig config;
  config.policy = LoadBalancerConfig::Policy::LeastRequest;
  TestHosts hosts = TestHosts::equal(2);
  ClusterStats stats;
  // Draws: the seed at construction; per pick one priority draw, then two choices.
  ScriptedRandom rng{7};
  LeastRequestLoadBalancer lb(hosts.priorities, stats, config, rng);
  hosts[0].incActiveRequests();
  for (std::uint64_t draw : {0u, 0u, 0u}) {
    rng.push(draw);
  }
  EXPECT_EQ(lb.chooseHost(nullptr, rng), &hosts[0])
      << "host 0 drawn twice: with replacement the idle host 1 is never compared";
  hosts[0].decActiveRequests();
  for (std::uint64_t draw : {0u, 1u, 0u}) {
    rng.push(draw);
  }
  EXPECT_EQ(lb.chooseHost(nullptr, rng), &hosts[1]) << "tie: the first draw (host 1) wins";

  // RANDOM: even draws pick host 0 although its weight is 1 against 99.
  TestHosts weighted({1, 99});
  RandomLoadBalancer random_lb(weighted.priorities, stats, LoadBalancerConfig{});
  ScriptedRandom draws{0, 2, 4, 6, 1};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(random_lb.chooseHost(nullptr, draws), &weighted[0]);
  }
  EXPECT_EQ(random_lb.chooseHost(nullptr, draws), &weighted[1]);
}

// Item 10 (§6.2, §0.1). Naive: a fresh draw per attempt for the weighted split, so retries may
// move to another cluster. Required: the stream id is drawn once per request; every retry stays on
// the chosen cluster.
TEST_F(Section10, Item10_WeightedClusterChosenOncePerRequestRetriesStay) {
  RouteEntry route;
  route.name = "split";
  route.clusters = {WeightedCluster{"v1", 50}, WeightedCluster{"v2", 50}};
  route.timeout = Duration::zero();
  route.retry_policy = retryOn(kRetryOn5xx, 2);
  build(std::vector<RouteEntry>{route},
        std::vector<ClusterDefinition>{{"v1", istioCluster(), {endpoint("a:1")}},
                                       {"v2", istioCluster(), {endpoint("b:1")}}});
  random_.push(0);  // stream id: 0 % 100 = 0 ⇒ v1
  // Every later draw is 99: a stream id re-drawn from it would pick v2 (99 ≥ 50).
  for (int i = 0; i < 64; ++i) {
    random_.push(99);
  }
  send();
  ASSERT_EQ(transport_.attempts(), 1u);
  EXPECT_EQ(connection(0).host().address(), "a:1");
  connection(0).connect();
  for (std::size_t attempt = 0; attempt < 2; ++attempt) {
    connection(0).stream(attempt).respond(503);
    loop_.advance(250ms);
  }
  ASSERT_EQ(transport_.attempts(), 1u) << "no connection to v2 was ever opened";
  ASSERT_EQ(connection(0).streamCount(), 3u);
  connection(0).stream(2).respond(200);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(outcome(0).attempts, 3u);
  EXPECT_EQ(outcome(0).cluster->name(), "v1");
  EXPECT_EQ(stats(0).upstream_rq_retry, 2u);
  EXPECT_EQ(stats(1).upstream_rq_total, 0u);
}

// Item 11 (§3.5). Naive: Istio leaves Envoy's 1024/1024/1024/3 in place, and tcp.maxConnections
// limits each destination host. Required: 2^32−1 for every breaker including retries, and
// maxConnections is one cluster-wide count shared by all hosts' pools.
TEST_F(Section10, Item11_IstioUnlimitedBreakersAndMaxConnectionsPerCluster) {
  const IstioClusterLimits none = translateIstioConnectionPool(nullptr, nullptr);
  constexpr std::uint64_t kMax32 = 4294967295u;
  EXPECT_EQ(none.thresholds.max_connections, kMax32);
  EXPECT_EQ(none.thresholds.max_pending_requests, kMax32);
  EXPECT_EQ(none.thresholds.max_requests, kMax32);
  EXPECT_EQ(none.thresholds.max_retries, kMax32);

  IstioConnectionPoolSettings dr;
  dr.tcp = IstioConnectionPoolSettings::Tcp{};
  dr.tcp->max_connections = 2;
  const IstioClusterLimits limits = translateIstioConnectionPool(&dr, nullptr);
  ASSERT_EQ(limits.thresholds.max_connections, 2u);
  ClusterStats stats;
  ResourceManager resources(limits.thresholds, stats, loop_);
  Host a(0, "a:1");
  Host b(1, "b:1");
  ConnectionPool pool_a(a, HttpProtocol::kHttp11, limits.pool, resources, stats, transport_, loop_);
  ConnectionPool pool_b(b, HttpProtocol::kHttp11, limits.pool, resources, stats, transport_, loop_);
  PoolRequester r[3];
  pool_a.newStream(r[0].request, r[0], r[0]);
  pool_b.newStream(r[1].request, r[1], r[1]);
  ASSERT_EQ(transport_.attempts(), 2u);
  pool_a.newStream(r[2].request, r[2], r[2]);
  EXPECT_EQ(transport_.attempts(), 2u)
      << "host a holds 1 < 2 connections, but the cluster already holds 2";
  EXPECT_EQ(stats.upstream_cx_overflow, 1u);
}

// Item 12 (§4.4, §4.6). Naive: the pre-2023 gate `100·active/total < max%` lets the first host go
// whatever the cluster size. Required: strict `100·(active+1)/total ≤ max%`; Istio's 10 % never
// ejects with fewer than 10 endpoints unless always_eject_one_host.
TEST_F(Section10, Item12_StrictMaxEjectionPercentGate) {
  auto ejectedAfterFive5xx = [&](std::size_t n, bool always_eject_one) {
    TestHosts hosts = TestHosts::equal(n);
    OutlierDetectionConfig config = translateIstioOutlierDetection({}).outlier;  // 10 %
    config.always_eject_one_host = always_eject_one;
    ClusterStats stats;
    ScriptedRandom rng;
    OutlierDetector detector(loop_, rng, config, stats, hosts.priorities[0]);
    for (int i = 0; i < 5; ++i) {
      detector.putHttpResponseCode(hosts[0], 500);  // 500: not a gateway error
    }
    EXPECT_EQ(stats.outlier_ejections_overflow, hosts[0].outlierEjected() ? 0u : 1u);
    return hosts[0].outlierEjected();
  };
  EXPECT_FALSE(ejectedAfterFive5xx(9, false)) << "100·1/9 = 11.1 > 10";
  EXPECT_FALSE(ejectedAfterFive5xx(2, false));
  EXPECT_TRUE(ejectedAfterFive5xx(10, false)) << "100·1/10 = 10 ≤ 10";
  EXPECT_TRUE(ejectedAfterFive5xx(2, true)) << "always_eject_one_host re-enables the first";
}

// Item 13 (§4.4, §4.6). Naive: a host returns exactly base·n after ejection, the ejection time
// is always `base`, and Istio keeps success-rate ejection on. Required: unejection only on interval
// ticks; the multiplier grows per ejection and shrinks by 1 per healthy interval; Istio sets
// enforcing_success_rate to 0.
TEST_F(Section10, Item13_UnejectOnTicksMultiplierGrowsAndDecays) {
  TestHosts hosts = TestHosts::equal(1);
  OutlierDetectionConfig config;  // interval 10 s, base 30 s
  config.max_ejection_percent = 100;
  ClusterStats stats;
  ScriptedRandom rng;
  OutlierDetector detector(loop_, rng, config, stats, hosts.priorities[0]);
  Host& host = hosts[0];
  auto fiveErrors = [&] {
    for (int i = 0; i < 5; ++i) {
      detector.putHttpResponseCode(host, 500);
    }
  };

  loop_.advance(5s);
  fiveErrors();
  ASSERT_TRUE(host.outlierEjected());
  EXPECT_EQ(detector.monitor(host).eject_time_backoff, 1u);
  loop_.advance(30s);  // t = 35 s: 30 s elapsed, but no tick yet
  EXPECT_TRUE(host.outlierEjected()) << "unejection waits for the tick at 40 s";
  loop_.advance(5s);  // t = 40 s
  EXPECT_FALSE(host.outlierEjected());

  loop_.advance(5s);  // t = 45 s
  fiveErrors();
  ASSERT_TRUE(host.outlierEjected());
  EXPECT_EQ(detector.monitor(host).eject_time_backoff, 2u) << "second ejection lasts 2 × base";
  loop_.advance(55s);  // t = 100 s: 55 s < 60 s
  EXPECT_TRUE(host.outlierEjected());
  loop_.advance(10s);  // t = 110 s
  EXPECT_FALSE(host.outlierEjected());

  loop_.advance(10s);  // t = 120 s: one healthy interval
  EXPECT_EQ(detector.monitor(host).eject_time_backoff, 1u);
  loop_.advance(10s);  // t = 130 s
  EXPECT_EQ(detector.monitor(host).eject_time_backoff, 0u);
  loop_.advance(5s);
  fiveErrors();
  EXPECT_EQ(detector.monitor(host).eject_time_backoff, 1u) << "decayed: back to 1 × base";

  EXPECT_EQ(translateIstioOutlierDetection({}).outlier.enforcing_success_rate, 0u);
}

// Item 14 (§4.6, §5.1). Naive: Istio's outlier block keeps Envoy's 50 % panic threshold, so with
// most hosts ejected traffic spills back onto them. Required: minHealthPercent (default 0)
// becomes the panic threshold — never panic, only healthy hosts. Locality failover priorities
// are not modelled by the core (single priority), so only the panic half is checked.
TEST_F(Section10, Item14_IstioOutlierBlockDisablesPanic) {
  const IstioOutlierTranslation translated = translateIstioOutlierDetection({});
  EXPECT_EQ(translated.healthy_panic_threshold_percent, 0.0);

  auto picksOfEjected = [](std::uint32_t panic_threshold) {
    TestHosts hosts = TestHosts::equal(3);
    hosts[0].setOutlierEjected(true);
    hosts[1].setOutlierEjected(true);  // 33 % healthy
    LoadBalancerConfig config;
    config.healthy_panic_threshold = panic_threshold;
    ClusterStats stats;
    ScriptedRandom rng;
    RoundRobinLoadBalancer lb(hosts.priorities, stats, config, rng);
    int ejected = 0;
    for (int i = 0; i < 30; ++i) {
      ejected += lb.chooseHost(nullptr, rng)->outlierEjected() ? 1 : 0;
    }
    return ejected;
  };
  EXPECT_EQ(picksOfEjected(static_cast<std::uint32_t>(translated.healthy_panic_threshold_percent)),
            0);
  EXPECT_EQ(picksOfEjected(50), 20) << "Envoy's 50 % would round-robin over all three";
}

// Item 15 (§3.2). Naive: the old 2^31−1 default, one HTTP/2 connection for any concurrency.
// Required: 1024 streams per connection; the 1025th concurrent request opens a second one.
TEST_F(Section10, Item15_Http2DefaultsTo1024StreamsPerConnection) {
  ClusterStats stats;
  ResourceManager resources(CircuitBreakerThresholds::istioDefaults(), stats, loop_);
  Host host(0, "a:1");
  const ConnectionPoolSettings settings;
  EXPECT_EQ(settings.max_concurrent_streams, 1024u);
  ConnectionPool pool(host, HttpProtocol::kHttp2, settings, resources, stats, transport_, loop_);
  std::vector<PoolRequester> requesters(1025);
  for (std::size_t i = 0; i < 1024; ++i) {
    pool.newStream(requesters[i].request, requesters[i], requesters[i]);
  }
  EXPECT_EQ(transport_.attempts(), 1u);
  transport_.connection(0).connect();
  EXPECT_EQ(transport_.connection(0).streamCount(), 1024u);
  pool.newStream(requesters[1024].request, requesters[1024], requesters[1024]);
  EXPECT_EQ(transport_.attempts(), 2u) << "the 1025th stream needs a second connection";
}

// Item 16 (§1.10b). Naive: ServiceProfile retries with a back-off and a count limit, a budget
// that refills 10 tokens every second, and ratio 0.3 meaning 0.3 retries per request. Required:
// immediate retries gated only by the budget; the floor is a constant per-ttl reserve; the
// withdrawal cost is trunc(1/ratio).
TEST_F(Section10, Item16_LinkerdProfileRetriesBudgetOnly) {
  const MonotonicTime t0 = loop_.now();
  TpsBudget budget(TpsBudget::Config{}, t0);  // 10 s ttl, 10/s, 20 %
  LinkerdProfileRoute route;
  route.is_retryable = true;
  Response failure;
  failure.status = 503;
  // 10/s · 10 s = 100 retries at once, none of them delayed or counted against a limit.
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(linkerdProfileShouldRetry(route, &failure, 0, budget, t0),
              LinkerdProfileRetryResult::kRetry)
        << i;
  }
  EXPECT_EQ(linkerdProfileShouldRetry(route, &failure, 0, budget, t0),
            LinkerdProfileRetryResult::kBudgetExhausted);
  // A per-second refill would allow 10 more after one second; the reserve never refills, only
  // the withdrawals age out of the 10 s window.
  EXPECT_FALSE(budget.withdraw(t0 + 1s));
  EXPECT_FALSE(budget.withdraw(t0 + 9s));
  EXPECT_TRUE(budget.withdraw(t0 + 21s));
  // Transport errors are never retried (no response).
  EXPECT_NE(linkerdProfileShouldRetry(route, nullptr, 0, budget, t0 + 21s),
            LinkerdProfileRetryResult::kRetry);

  TpsBudget::Config third;
  third.min_retries_per_second = 0;
  third.retry_ratio = 0.3f;
  TpsBudget truncated(third, t0);
  EXPECT_EQ(truncated.withdrawAmount(), 3) << "1/0.3 = 3.33 truncated";
  truncated.deposit(t0);
  truncated.deposit(t0);
  truncated.deposit(t0);
  EXPECT_TRUE(truncated.withdraw(t0)) << "3 requests earn a retry: effective ratio 1/3, not 0.3";
}

// Item 17 (§5.8). Naive: two draws with replacement (a host compared with itself), and an EWMA
// that decays only when a new sample arrives. Required: two distinct endpoints; reading the load
// decays the estimate toward 0.
TEST_F(Section10, Item17_LinkerdP2CDistinctAndEwmaDecaysOnRead) {
  TestHosts hosts = TestHosts::equal(2);
  const MonotonicTime t0 = loop_.now();
  P2cPeakEwmaBalancer balancer(hosts.priorities[0], t0);
  balancer.onRequestStart(hosts[0]);  // host 0 costs 2 × 30 ms, host 1 costs 30 ms
  ScriptedRandom rng{0, 0};           // a = 0 % 2, b = 0 % 1 shifted past a ⇒ 1
  EXPECT_EQ(balancer.chooseHost(t0, rng), &hosts[1]);

  PeakEwma ewma(t0);  // 30 ms, τ = 10 s
  ewma.load(t0 + 10s);
  EXPECT_NEAR(ewma.rttEstimateNanos(), 30e6 * std::exp(-1.0), 1.0);
  ewma.load(t0 + 20s);
  EXPECT_NEAR(ewma.rttEstimateNanos(), 30e6 * std::exp(-2.0), 1.0);
}

// Item 18 (§6.3). Naive: an abort without percentage means 100 %, one draw decides both delay and
// abort, and an aborted request goes through the retry policy. Required: no percentage ⇒ never;
// two independent draws; aborts never reach the router.
TEST_F(Section10, Item18_FaultAbortPercentageDrawsAndNoRetry) {
  FaultInjector injector;
  HttpFault no_percentage;
  no_percentage.abort = FaultAbort{};
  no_percentage.abort->http_status = 503;
  FaultStreamState state;
  ScriptedRandom zeros{0, 0, 0};
  EXPECT_EQ(injector.onRequestHeaders(no_percentage, zeros, state).action, FaultAction::kContinue);

  HttpFault both;
  both.delay = FaultDelay{1s, FractionalPercent::hundred(50)};
  both.abort = FaultAbort{};
  both.abort->http_status = 503;
  both.abort->percentage = FractionalPercent::hundred(50);
  {
    ScriptedRandom rng{0, 99};  // delay passes, abort fails: a shared draw would abort too
    FaultStreamState s;
    EXPECT_EQ(injector.onRequestHeaders(both, rng, s).action, FaultAction::kDelay);
    EXPECT_EQ(injector.onDelayElapsed(both, rng, s).action, FaultAction::kContinue);
    EXPECT_EQ(rng.draws(), 2u);
    injector.onStreamDestroyed(s);
  }
  {
    ScriptedRandom rng{99, 0};  // delay fails, abort passes: a shared draw would not abort
    FaultStreamState s;
    EXPECT_EQ(injector.onRequestHeaders(both, rng, s).action, FaultAction::kAbort);
    EXPECT_EQ(rng.draws(), 2u);
    injector.onStreamDestroyed(s);
  }

  RouteEntry route = routeTo("backend");
  route.retry_policy = retryOn(kRetryOn5xx | kRetryOnGatewayError | kRetryOnReset, 3);
  HttpFault abort;
  abort.abort = FaultAbort{};
  abort.abort->http_status = 503;
  abort.abort->percentage = FractionalPercent::hundred(100);
  route.fault = abort;
  build(route, istioCluster(), 1);
  send();
  loop_.advance(1s);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(outcome(0).response.status, 503u);
  EXPECT_TRUE(hasFlag(outcome(0).flags, ResponseFlag::kFaultInjected));
  EXPECT_EQ(outcome(0).attempts, 0u);
  EXPECT_EQ(transport_.attempts(), 0u);
  EXPECT_EQ(stats().upstream_rq_retry, 0u);
}

// Item 19 (§5.2, §3.4). Naive: one round-robin cursor per cluster starting at host 0. Required:
// one cursor per worker balancer, started at that balancer's random seed; two workers interleave
// two independent sequences.
TEST_F(Section10, Item19_RoundRobinStatePerWorkerAndRandomlySeeded) {
  TestHosts hosts = TestHosts::equal(3);
  ClusterStats stats;
  ScriptedRandom rng{0, 1};  // worker 0 seed 0, worker 1 seed 1
  auto worker0 = createLoadBalancer(LoadBalancerConfig{}, hosts.priorities, stats, rng);
  auto worker1 = createLoadBalancer(LoadBalancerConfig{}, hosts.priorities, stats, rng);
  std::vector<std::uint32_t> picks;
  for (int i = 0; i < 3; ++i) {
    picks.push_back(worker0->chooseHost(nullptr, rng)->index());
    picks.push_back(worker1->chooseHost(nullptr, rng)->index());
  }
  // A shared cursor would give 0 1 2 0 1 2.
  EXPECT_EQ(picks, (std::vector<std::uint32_t>{0, 1, 1, 2, 2, 0}));
}

// Item 20 (§7.4). Naive: a handshake per request (or per cluster) regardless of pooling. Required:
// one per new connection — N sequential requests reuse one connection by default, and
// max_requests_per_connection = 1 makes it N connections, i.e. N handshakes.
TEST_F(Section10, Item20_HandshakePerNewConnection) {
  constexpr int kRequests = 5;
  auto connectionsFor = [&](std::uint64_t max_requests_per_connection) -> std::size_t {
    ClusterPolicy policy = istioCluster();
    policy.connection_pool.max_requests_per_connection = max_requests_per_connection;
    recorder_.outcomes.clear();
    build(routeTo("backend"), policy, 1);
    const std::size_t before = transport_.attempts();
    std::size_t connected = before;
    for (int i = 0; i < kRequests; ++i) {
      send();
      if (transport_.attempts() > connected) {
        lastConnection().connect();
        connected = transport_.attempts();
      }
      testing::FakeUpstreamConnection& c = lastConnection();
      c.stream(c.streamCount() - 1).respond(200);
      loop_.runReady();
    }
    EXPECT_EQ(recorder_.outcomes.size(), static_cast<std::size_t>(kRequests));
    EXPECT_EQ(stats().upstream_cx_total, transport_.attempts() - before);
    return transport_.attempts() - before;
  };
  EXPECT_EQ(connectionsFor(0), 1u) << "default pooling: one connection, one handshake";
  proxy_.reset();
  EXPECT_EQ(connectionsFor(1), static_cast<std::size_t>(kRequests))
      << "max_requests_per_connection = 1: one handshake per request";
}

}  // namespace
}  // namespace meshsim::core
