// The per-request state machine composed from the real components, driven through the ports only:
// a ManualEventLoop, a scripted random stream and a fake upstream transport the test answers.
#include "core/proxy/proxy.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/common/manual_event_loop.h"
#include "core/retry/istio_retry.h"
#include "tests/support/fake_upstream_transport.h"
#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using testing::FakeUpstreamTransport;
using testing::ScriptedRandom;

Endpoint endpoint(std::string address) {
  Endpoint e;
  e.address = std::move(address);
  return e;
}

struct Recorder final : DownstreamCallbacks {
  std::vector<RequestOutcome> outcomes;
  void onRequestComplete(const RequestOutcome& outcome) override { outcomes.push_back(outcome); }
};

ClusterPolicy istioCluster() {
  return ClusterPolicy::defaultsFor(ProxyProfile::kIstio);
}

RouteEntry routeTo(std::string cluster) {
  RouteEntry route;
  route.name = "default";
  route.clusters.push_back(WeightedCluster{std::move(cluster), 100});
  route.timeout = Duration::zero();  // Istio: no route timeout
  return route;
}

class RouterFilterTest : public ::testing::Test {
 protected:
  void build(RouteEntry route, ClusterPolicy policy, int hosts = 3) {
    ProxyConfig config;
    config.workers = 1;
    VirtualHost vhost;
    vhost.name = "backend";
    vhost.domains = {"*"};
    vhost.routes.push_back(std::move(route));
    config.routes = RouteConfiguration({vhost});
    ClusterDefinition cluster{"backend", policy, {}};
    for (int i = 0; i < hosts; ++i) {
      cluster.endpoints.push_back(endpoint("10.0.0." + std::to_string(i + 1) + ":9080"));
    }
    config.clusters.push_back(std::move(cluster));
    ASSERT_FALSE(hasErrors(config.validate()));
    proxy_ = std::make_unique<Proxy>(std::move(config), loop_, random_, transport_);
  }

  RouterFilter& send(std::string path = "/") {
    Request request;
    request.path = std::move(path);
    request.authority = "backend";
    return proxy_->startRequest(std::move(request), 0, recorder_);
  }

  testing::FakeUpstreamConnection& lastConnection() {
    return transport_.connection(transport_.attempts() - 1);
  }
  ClusterStats& stats() { return proxy_->clusters()[0]->stats(); }

  ManualEventLoop loop_;
  ScriptedRandom random_;
  FakeUpstreamTransport transport_;
  Recorder recorder_;
  std::unique_ptr<Proxy> proxy_;
};

TEST_F(RouterFilterTest, SuccessfulRequestTakesOneAttempt) {
  build(routeTo("backend"), istioCluster());
  send();
  ASSERT_EQ(transport_.attempts(), 1u);
  lastConnection().connect();
  ASSERT_EQ(lastConnection().streamCount(), 1u);
  lastConnection().stream(0).respond(200);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 200u);
  EXPECT_EQ(recorder_.outcomes[0].attempts, 1u);
  EXPECT_EQ(recorder_.outcomes[0].flags, 0u);
  EXPECT_FALSE(recorder_.outcomes[0].local_reply);
  EXPECT_EQ(stats().upstream_rq_2xx, 1u);
  EXPECT_EQ(stats().upstream_rq_total, 1u);
}

TEST_F(RouterFilterTest, IstioDefaultPolicyRetriesConnectFailureOnAnotherHost) {
  RouteEntry route = routeTo("backend");
  route.retry_policy = istioDefaultRetryPolicy();
  build(route, istioCluster(), 2);
  // Draws: stream id, then per pick one priority draw and two P2C choices (§5.1, §5.3).
  for (int i = 0; i < 4; ++i)
    random_.push(0);
  send();
  ASSERT_EQ(transport_.attempts(), 1u);
  EXPECT_EQ(transport_.connection(0).host().index(), 0u);
  transport_.connection(0).fail(ConnectFailure::kRemote);  // back-off draw comes from the tail
  EXPECT_TRUE(recorder_.outcomes.empty());
  EXPECT_EQ(stats().upstream_rq_retry, 1u);
  // The retry's first pick lands on host 0 again; previous_hosts rejects it and the second pick
  // (Istio allows 5 extra) lands on host 1.
  for (std::uint64_t draw : {0, 0, 0, 0, 1, 1})
    random_.push(draw);
  loop_.advance(25ms);
  ASSERT_EQ(transport_.attempts(), 2u);
  EXPECT_EQ(transport_.connection(1).host().index(), 1u) << "previous_hosts must avoid host 0";
  transport_.connection(1).connect();
  transport_.connection(1).stream(0).respond(200);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 200u);
  EXPECT_EQ(recorder_.outcomes[0].attempts, 2u);
  EXPECT_EQ(stats().upstream_rq_retry_success, 1u);
}

TEST_F(RouterFilterTest, IstioDefaultPolicyDoesNotRetry503Responses) {
  RouteEntry route = routeTo("backend");
  route.retry_policy = istioDefaultRetryPolicy();
  build(route, istioCluster());
  send();
  lastConnection().connect();
  lastConnection().stream(0).respond(503);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 503u);
  EXPECT_EQ(recorder_.outcomes[0].attempts, 1u);
  EXPECT_EQ(stats().upstream_rq_retry, 0u);
}

TEST_F(RouterFilterTest, RetryLimitForwardsTheLastUpstreamResponseWithURX) {
  RouteEntry route = routeTo("backend");
  RetryPolicy policy;
  policy.retry_on = kRetryOn5xx;
  policy.num_retries = 2;
  route.retry_policy = policy;
  build(route, istioCluster(), 1);
  // Back-off draws: b=25 then b=50; scripted so the waits are 24 ms and 49 ms exactly. The first
  // two draws are the balancer seed and the stream id.
  random_.push(0);
  random_.push(0);
  send();
  lastConnection().connect();
  random_.push(24);
  lastConnection().stream(0).respond(503);
  loop_.advance(23ms);
  EXPECT_EQ(lastConnection().streamCount(), 1u) << "still backing off";
  loop_.advance(1ms);
  ASSERT_EQ(lastConnection().streamCount(), 2u);
  random_.push(49);
  lastConnection().stream(1).respond(503);
  loop_.advance(49ms);
  ASSERT_EQ(lastConnection().streamCount(), 3u);
  lastConnection().stream(2).respond(502);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 502u);
  EXPECT_EQ(recorder_.outcomes[0].attempts, 3u);
  EXPECT_TRUE(hasFlag(recorder_.outcomes[0].flags, ResponseFlag::kUpstreamRetryLimitExceeded));
  EXPECT_EQ(stats().upstream_rq_retry, 2u);
  EXPECT_EQ(stats().upstream_rq_retry_limit_exceeded, 1u);
  EXPECT_EQ(stats().upstream_rq_5xx, 3u);
}

TEST_F(RouterFilterTest, PerTryTimeoutIsNotRetriedByIstioDefaultsAndStartsAtPoolReady) {
  RouteEntry route = routeTo("backend");
  RetryPolicy policy = istioDefaultRetryPolicy();
  policy.per_try_timeout = 2s;
  route.retry_policy = policy;
  build(route, istioCluster());
  send();
  loop_.advance(5s);  // connecting does not count against the per-try timeout (§1.5)
  EXPECT_TRUE(recorder_.outcomes.empty());
  lastConnection().connect();
  loop_.advance(1999ms);
  EXPECT_TRUE(recorder_.outcomes.empty());
  loop_.advance(1ms);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 504u);
  EXPECT_TRUE(hasFlag(recorder_.outcomes[0].flags, ResponseFlag::kUpstreamRequestTimeout));
  EXPECT_EQ(stats().upstream_rq_per_try_timeout, 1u);
  EXPECT_EQ(stats().upstream_rq_retry, 0u);
}

TEST_F(RouterFilterTest, PerTryTimeoutIsRetriedWith5xx) {
  RouteEntry route = routeTo("backend");
  RetryPolicy policy;
  policy.retry_on = kRetryOn5xx;
  policy.num_retries = 1;
  policy.per_try_timeout = 1s;
  route.retry_policy = policy;
  build(route, istioCluster(), 2);
  send();
  transport_.connection(0).connect();
  loop_.advance(1s);
  EXPECT_EQ(stats().upstream_rq_per_try_timeout, 1u);
  loop_.advance(25ms);
  ASSERT_EQ(transport_.attempts(), 2u);
  transport_.connection(1).connect();
  transport_.connection(1).stream(0).respond(200);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 200u);
}

TEST_F(RouterFilterTest, RouteTimeoutCoversRetriesAndCancelsTheAttempt) {
  RouteEntry route = routeTo("backend");
  route.timeout = 3s;
  build(route, ClusterPolicy::defaultsFor(ProxyProfile::kEnvoy), 1);
  send();
  loop_.advance(3s);  // never connected: the pending request is cancelled
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 504u);
  EXPECT_EQ(stats().upstream_rq_timeout, 1u);
  EXPECT_EQ(stats().upstream_rq_cancelled, 1u);
}

TEST_F(RouterFilterTest, PendingOverflowIsA503UOThatIsNeverRetried) {
  RouteEntry route = routeTo("backend");
  RetryPolicy policy;
  policy.retry_on = kRetryOn5xx | kRetryOnReset;
  policy.num_retries = 3;
  route.retry_policy = policy;
  ClusterPolicy cluster = istioCluster();
  cluster.circuit_breakers.max_connections = 1;
  cluster.circuit_breakers.max_pending_requests = 1;
  build(route, cluster, 1);
  send();  // opens the only connection, waits in pending
  send();  // second pending: overflows the pending limit of 1
  loop_.runReady();
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 503u);
  EXPECT_TRUE(hasFlag(recorder_.outcomes[0].flags, ResponseFlag::kUpstreamOverflow));
  EXPECT_TRUE(recorder_.outcomes[0].response.headers.has("x-envoy-overloaded"));
  EXPECT_EQ(stats().upstream_rq_pending_overflow, 1u);
  EXPECT_EQ(stats().upstream_rq_retry, 0u);
}

TEST_F(RouterFilterTest, LocalRepliesAreNeverDeliveredInsideStartRequest) {
  RouteEntry route = routeTo("backend");
  route.match.path = StringMatcher::exact("/only");
  build(route, istioCluster());
  send("/other");
  EXPECT_TRUE(recorder_.outcomes.empty());
  loop_.runReady();
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 404u);
  EXPECT_TRUE(hasFlag(recorder_.outcomes[0].flags, ResponseFlag::kNoRouteFound));
  EXPECT_EQ(transport_.attempts(), 0u);
}

TEST_F(RouterFilterTest, FaultAbortNeverReachesTheUpstream) {
  RouteEntry route = routeTo("backend");
  HttpFault fault;
  fault.abort = FaultAbort{};
  fault.abort->http_status = 503;
  fault.abort->percentage = FractionalPercent::hundred(100);
  route.fault = fault;
  route.retry_policy = istioDefaultRetryPolicy();
  build(route, istioCluster());
  send();
  loop_.runReady();
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 503u);
  EXPECT_TRUE(hasFlag(recorder_.outcomes[0].flags, ResponseFlag::kFaultInjected));
  EXPECT_EQ(recorder_.outcomes[0].attempts, 0u);
  EXPECT_EQ(transport_.attempts(), 0u);
  EXPECT_EQ(proxy_->faults().stats().aborts_injected, 1u);
}

TEST_F(RouterFilterTest, FaultDelayHappensBeforeTheRouteTimeoutStarts) {
  RouteEntry route = routeTo("backend");
  route.timeout = 1s;
  HttpFault fault;
  fault.delay = FaultDelay{};
  fault.delay->fixed_delay = 7s;
  fault.delay->percentage = FractionalPercent::hundred(100);
  route.fault = fault;
  build(route, ClusterPolicy::defaultsFor(ProxyProfile::kEnvoy), 1);
  send();
  loop_.advance(7s);
  ASSERT_EQ(transport_.attempts(), 1u) << "the request reaches the router after the delay";
  lastConnection().connect();
  loop_.advance(500ms);
  lastConnection().stream(0).respond(200);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 200u);
  EXPECT_TRUE(hasFlag(recorder_.outcomes[0].flags, ResponseFlag::kDelayInjected));
}

TEST_F(RouterFilterTest, OutlierEjectionRemovesTheHostAndPanicThresholdZeroGivesUH) {
  ClusterPolicy cluster = istioCluster();
  OutlierDetectionConfig outlier;
  outlier.consecutive_5xx = 1;
  outlier.max_ejection_percent = 100;
  cluster.outlier_detection = outlier;
  cluster.load_balancer.healthy_panic_threshold = 0;
  build(routeTo("backend"), cluster, 1);
  send();
  lastConnection().connect();
  lastConnection().stream(0).respond(500);
  EXPECT_TRUE(proxy_->clusters()[0]->hosts()[0]->outlierEjected());
  EXPECT_EQ(stats().outlier_ejections_enforced_total, 1u);
  send();
  loop_.runReady();
  ASSERT_EQ(recorder_.outcomes.size(), 2u);
  EXPECT_EQ(recorder_.outcomes[1].response.status, 503u);
  EXPECT_TRUE(hasFlag(recorder_.outcomes[1].flags, ResponseFlag::kNoHealthyUpstream));
}

TEST_F(RouterFilterTest, WeightedSplitUsesTheStreamIdOnce) {
  RouteEntry route;
  route.name = "split";
  route.clusters = {WeightedCluster{"v1", 80}, WeightedCluster{"v2", 20}};
  route.timeout = Duration::zero();
  ProxyConfig config;
  config.workers = 1;
  VirtualHost vhost{"reviews", {"*"}, {route}};
  config.routes = RouteConfiguration({vhost});
  config.clusters.push_back({"v1", istioCluster(), {endpoint("a:1")}});
  config.clusters.push_back({"v2", istioCluster(), {endpoint("b:1")}});
  Proxy proxy(std::move(config), loop_, random_, transport_);
  // Each cluster's balancer draws a seed at construction; then per request: the stream id.
  for (std::uint64_t stream_id : {79u, 80u, 199u}) {
    random_.push(stream_id);
    Request request;
    request.authority = "reviews";
    proxy.startRequest(std::move(request), 0, recorder_);
  }
  ASSERT_EQ(transport_.attempts(), 3u);
  EXPECT_EQ(transport_.connection(0).host().address(), "a:1");
  EXPECT_EQ(transport_.connection(1).host().address(), "b:1");
  EXPECT_EQ(transport_.connection(2).host().address(), "b:1");
}

TEST_F(RouterFilterTest, InboundRbacDeniesWith403) {
  ProxyConfig config;
  config.workers = 1;
  VirtualHost vhost{"inbound", {"*"}, {routeTo("local")}};
  config.routes = RouteConfiguration({vhost});
  config.clusters.push_back({"local", istioCluster(), {endpoint("127.0.0.1:9080")}});
  AuthorizationPolicy allow_productpage;
  allow_productpage.name = "allow-productpage";
  allow_productpage.action = AuthzAction::kAllow;
  AuthzRule rule;
  AuthzSource source;
  source.principals = {"cluster.local/ns/default/sa/productpage"};
  rule.from.push_back(source);
  allow_productpage.rules.push_back(rule);
  config.authorization = std::vector<AuthorizationPolicy>{allow_productpage};
  Proxy proxy(std::move(config), loop_, random_, transport_);

  Request denied;
  proxy.startRequest(std::move(denied), 0, recorder_, "spiffe://cluster.local/ns/default/sa/other");
  Request allowed;
  proxy.startRequest(std::move(allowed), 0, recorder_,
                     "spiffe://cluster.local/ns/default/sa/productpage");
  loop_.runReady();
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 403u);
  EXPECT_TRUE(hasFlag(recorder_.outcomes[0].flags, ResponseFlag::kRbacAccessDenied));
  EXPECT_EQ(transport_.attempts(), 1u) << "the allowed request was routed";
}

}  // namespace
}  // namespace meshsim::core
