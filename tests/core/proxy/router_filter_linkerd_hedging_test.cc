// Linkerd retries (annotation and ServiceProfile), Linkerd failure accrual and Envoy hedging on
// per-try timeout, composed in the per-request state machine and driven through the ports only
// (proxy-semantics §1.5, §1.10, §4.7).
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "core/common/manual_event_loop.h"
#include "core/proxy/proxy.h"
#include "tests/support/fake_upstream_transport.h"
#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using testing::FakeUpstreamStream;
using testing::FakeUpstreamTransport;
using testing::ScriptedRandom;

struct Recorder final : DownstreamCallbacks {
  std::vector<RequestOutcome> outcomes;
  void onRequestComplete(const RequestOutcome& outcome) override { outcomes.push_back(outcome); }
};

RouteEntry routeTo(std::string cluster) {
  RouteEntry route;
  route.name = "default";
  route.clusters.push_back(WeightedCluster{std::move(cluster), 100});
  route.timeout = Duration::zero();
  return route;
}

// U = 0.5 for Linkerd's jitter: the top 53 bits of the draw are 2^52 (§1.10).
constexpr std::uint64_t kHalf = 1ull << 63;

class LinkerdHedgingTest : public ::testing::Test {
 protected:
  void build(RouteEntry route, ClusterPolicy policy, int hosts) {
    ProxyConfig config;
    config.workers = 1;
    VirtualHost vhost;
    vhost.name = "backend";
    vhost.domains = {"*"};
    vhost.routes.push_back(std::move(route));
    config.routes = RouteConfiguration({vhost});
    ClusterDefinition cluster{"backend", std::move(policy), {}};
    for (int i = 0; i < hosts; ++i) {
      Endpoint e;
      e.address = "10.0.0." + std::to_string(i + 1) + ":8080";
      cluster.endpoints.push_back(std::move(e));
    }
    config.clusters.push_back(std::move(cluster));
    ASSERT_FALSE(hasErrors(config.validate()));
    proxy_ = std::make_unique<Proxy>(std::move(config), loop_, random_, transport_);
  }

  RouterFilter& send(std::uint64_t body_bytes = 0) {
    Request request;
    request.authority = "backend";
    request.body_bytes = body_bytes;
    return proxy_->startRequest(std::move(request), 0, recorder_);
  }

  // Connects every connection still connecting, so queued requests get their streams.
  void connectAll() {
    for (std::size_t i = 0; i < transport_.attempts(); ++i) {
      auto& c = transport_.connection(i);
      if (!c.connected() && !c.closed()) {
        c.connect();
      }
    }
  }
  std::vector<FakeUpstreamStream*> openStreams() {
    connectAll();
    std::vector<FakeUpstreamStream*> open;
    for (std::size_t i = 0; i < transport_.attempts(); ++i) {
      auto& c = transport_.connection(i);
      for (std::size_t s = 0; s < c.streamCount(); ++s) {
        if (!c.stream(s).done()) {
          open.push_back(&c.stream(s));
        }
      }
    }
    return open;
  }
  std::vector<FakeUpstreamStream*> openStreamsOn(std::uint32_t host) {
    std::vector<FakeUpstreamStream*> on;
    for (FakeUpstreamStream* stream : openStreams()) {
      if (hostOf(*stream) == host) {
        on.push_back(stream);
      }
    }
    return on;
  }
  // The single open stream (fails the test otherwise).
  FakeUpstreamStream& onlyOpenStream() {
    auto open = openStreams();
    EXPECT_EQ(open.size(), 1u);
    return *open.at(0);
  }
  // Which host the stream's connection goes to.
  std::uint32_t hostOf(const FakeUpstreamStream& stream) {
    for (std::size_t i = 0; i < transport_.attempts(); ++i) {
      auto& c = transport_.connection(i);
      for (std::size_t s = 0; s < c.streamCount(); ++s) {
        if (&c.stream(s) == &stream) {
          return c.host().index();
        }
      }
    }
    ADD_FAILURE() << "unknown stream";
    return 0;
  }
  std::size_t totalStreams() {
    std::size_t n = 0;
    for (std::size_t i = 0; i < transport_.attempts(); ++i) {
      n += transport_.connection(i).streamCount();
    }
    return n;
  }
  ClusterStats& stats() { return proxy_->clusters()[0]->stats(); }
  Cluster& cluster() { return *proxy_->clusters()[0]; }

  ManualEventLoop loop_;
  ScriptedRandom random_;
  FakeUpstreamTransport transport_;
  Recorder recorder_;
  std::unique_ptr<Proxy> proxy_;
};

ClusterPolicy linkerdCluster() {
  return ClusterPolicy::defaultsFor(ProxyProfile::kLinkerd);
}

LinkerdRouteRetryPolicy retry503(std::uint32_t limit) {
  LinkerdRouteRetryPolicy policy;
  policy.limit = limit;
  policy.http_statuses = {{503, 503}};
  return policy;
}

// ---------------------------------------------------------------------------------------------
// Linkerd annotation retries (§1.10a)
// ---------------------------------------------------------------------------------------------

// retry.linkerd.io/limit: 1 and http: 503. The retry waits 25 ms + U·25 ms (additive jitter 1.0,
// so within [25, 50) ms), and the second 503 is forwarded: two attempts in all.
TEST_F(LinkerdHedgingTest, AnnotationRetryLimitOneWaitsTwentyFiveToFiftyMs) {
  RouteEntry route = routeTo("backend");
  route.linkerd_retry = retry503(1);
  build(route, linkerdCluster(), 1);
  random_.push(0);  // stream id
  send();
  random_.push(kHalf);  // back-off jitter U = 0.5: 25 + 12.5 ms
  onlyOpenStream().respond(503);
  EXPECT_TRUE(recorder_.outcomes.empty());
  EXPECT_EQ(stats().upstream_rq_retry, 1u);
  loop_.advance(37ms);
  EXPECT_EQ(totalStreams(), 1u) << "still backing off";
  loop_.advance(500us);
  ASSERT_EQ(totalStreams(), 2u);
  onlyOpenStream().respond(503);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 503u);
  EXPECT_EQ(recorder_.outcomes[0].attempts, 2u);
  EXPECT_TRUE(hasFlag(recorder_.outcomes[0].flags, ResponseFlag::kUpstreamRetryLimitExceeded));
  EXPECT_EQ(stats().upstream_rq_retry, 1u);
  EXPECT_EQ(stats().upstream_rq_retry_limit_exceeded, 1u);

  // The largest draw stays below the 50 ms bound.
  random_.push(0);
  send();
  random_.push(std::numeric_limits<std::uint64_t>::max());
  onlyOpenStream().respond(503);
  loop_.advance(49ms);
  EXPECT_EQ(totalStreams(), 3u);
  loop_.advance(1ms);
  EXPECT_EQ(totalStreams(), 4u);
  onlyOpenStream().respond(200);
  ASSERT_EQ(recorder_.outcomes.size(), 2u);
  EXPECT_EQ(recorder_.outcomes[1].response.status, 200u);
  EXPECT_EQ(recorder_.outcomes[1].attempts, 2u);
}

TEST_F(LinkerdHedgingTest, AnnotationRetriesSkipNonMatchingStatusesAndLargeBodies) {
  RouteEntry route = routeTo("backend");
  route.linkerd_retry = retry503(3);
  build(route, linkerdCluster(), 1);
  send();
  onlyOpenStream().respond(500);  // not in retry.linkerd.io/http
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].attempts, 1u);
  EXPECT_EQ(recorder_.outcomes[0].flags, 0u);

  send(kLinkerdMaxRetryBodyBytes + 1);  // larger than the 64 KiB replay buffer
  onlyOpenStream().respond(503);
  ASSERT_EQ(recorder_.outcomes.size(), 2u);
  EXPECT_EQ(recorder_.outcomes[1].response.status, 503u);
  EXPECT_EQ(recorder_.outcomes[1].attempts, 1u);
  EXPECT_EQ(stats().upstream_rq_retry, 0u);
}

// retry.linkerd.io/timeout: a timed-out attempt is retryable, and the timer runs per attempt.
TEST_F(LinkerdHedgingTest, AnnotationPerAttemptTimeoutIsRetried) {
  RouteEntry route = routeTo("backend");
  route.linkerd_retry = retry503(1);
  route.linkerd_retry->per_attempt_timeout = 1s;
  build(route, linkerdCluster(), 1);
  random_.push(0);
  send();
  FakeUpstreamStream& first = onlyOpenStream();
  random_.push(0);  // U = 0: exactly 25 ms
  loop_.advance(1s);
  EXPECT_TRUE(first.done()) << "a non-hedged timeout resets the attempt";
  EXPECT_EQ(stats().upstream_rq_per_try_timeout, 1u);
  EXPECT_EQ(stats().upstream_rq_retry, 1u);
  loop_.advance(24ms);
  EXPECT_EQ(transport_.attempts(), 1u);
  loop_.advance(1ms);
  ASSERT_EQ(transport_.attempts(), 2u) << "the reset HTTP/1 connection is gone: a new one opens";
  connectAll();
  ASSERT_EQ(totalStreams(), 2u);
  loop_.advance(999ms);
  onlyOpenStream().respond(200);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 200u);
  EXPECT_EQ(recorder_.outcomes[0].attempts, 2u);
}

// ---------------------------------------------------------------------------------------------
// Linkerd ServiceProfile retries and the TpsBudget (§1.10b)
// ---------------------------------------------------------------------------------------------

// ratio 0.2 ⇒ withdraw 5, deposit 1; reserve = 10/s · 10 s · 5 = 500 ⇒ 100 retries before any
// deposit. Retries are immediate and unlimited in count, so one failing request spends the
// whole reserve; then nothing is retried until non-retried responses deposit 5 again.
TEST_F(LinkerdHedgingTest, ProfileRetriesSpendTheSharedBudgetAndDepositsRefillIt) {
  RouteEntry route = routeTo("backend");
  route.linkerd_profile_retry = LinkerdProfileRoute{true, {}};
  ClusterPolicy policy = linkerdCluster();
  policy.linkerd_retry_budget.retry_ratio = 0.2f;
  policy.linkerd_retry_budget.min_retries_per_second = 10;
  policy.linkerd_retry_budget.ttl = 10s;
  build(route, policy, 1);
  TpsBudget& budget = cluster().linkerdRetryBudget();
  ASSERT_EQ(budget.balance(loop_.now()), 500);

  send();
  for (int attempt = 0; attempt < 101; ++attempt) {
    ASSERT_TRUE(recorder_.outcomes.empty()) << "attempt " << attempt;
    onlyOpenStream().respond(503);
    loop_.runReady();  // no back-off: the retry starts on the next loop turn
  }
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 503u);
  EXPECT_EQ(recorder_.outcomes[0].attempts, 101u);
  EXPECT_EQ(stats().upstream_rq_retry, 100u);
  EXPECT_EQ(stats().upstream_rq_retry_overflow, 1u);
  EXPECT_EQ(budget.balance(loop_.now()), 0);

  // Exhausted: the next failure is returned at once, and refused retries deposit nothing.
  send();
  onlyOpenStream().respond(503);
  ASSERT_EQ(recorder_.outcomes.size(), 2u);
  EXPECT_EQ(recorder_.outcomes[1].attempts, 1u);
  EXPECT_EQ(budget.balance(loop_.now()), 0);

  // Five non-retried responses (successes, and transport errors alike) deposit one each.
  for (int i = 0; i < 4; ++i) {
    send();
    onlyOpenStream().respond(200);
  }
  send();
  onlyOpenStream().remoteReset(ResetReason::kRemoteReset);  // never retried, still deposits
  ASSERT_EQ(recorder_.outcomes.size(), 7u);
  EXPECT_EQ(recorder_.outcomes[6].response.status, 503u);
  EXPECT_EQ(recorder_.outcomes[6].attempts, 1u);
  EXPECT_EQ(budget.balance(loop_.now()), 5);

  send();
  onlyOpenStream().respond(503);  // withdraws 5: retried
  loop_.runReady();
  onlyOpenStream().respond(503);  // balance 0: returned
  ASSERT_EQ(recorder_.outcomes.size(), 8u);
  EXPECT_EQ(recorder_.outcomes[7].attempts, 2u);
  EXPECT_EQ(stats().upstream_rq_retry, 101u);
  EXPECT_EQ(budget.balance(loop_.now()), 0);
}

// ---------------------------------------------------------------------------------------------
// Linkerd failure accrual (§4.7)
// ---------------------------------------------------------------------------------------------

// Every draw is 0: P2C's first index is endpoint 0 and ties keep it (§5.8), and the breaker's
// jitter is 0, so the penalty is exactly min-penalty (1 s), then 2 s after a failed probe. The
// requests sent to endpoint 1 stay open, so its peak-EWMA load stays higher and P2C prefers
// endpoint 0 whenever failure accrual lets it be picked.
TEST_F(LinkerdHedgingTest, SevenConsecutiveFailuresShutTheEndpointThenOneProbe) {
  ClusterPolicy policy = linkerdCluster();
  policy.failure_accrual = FailureAccrualConfig{};  // 7 failures, 1 s .. 1 min, jitter 0.5
  build(routeTo("backend"), policy, 2);
  for (int i = 0; i < 400; ++i) {
    random_.push(0);
  }
  for (int i = 0; i < 7; ++i) {
    send();
    FakeUpstreamStream& stream = onlyOpenStream();
    ASSERT_EQ(hostOf(stream), 0u) << "request " << i;
    stream.respond(503);
  }
  const Host& host0 = *cluster().hosts()[0];
  FailureAccrual& accrual = *cluster().failureAccrual();
  EXPECT_EQ(accrual.state(host0, loop_.now()), FailureAccrual::State::Shut);
  EXPECT_EQ(accrual.shutUntil(host0), loop_.now() + 1s);
  EXPECT_FALSE(host0.outlierEjected()) << "failure accrual is not Envoy's outlier ejection";

  // The 8th request goes to the other endpoint, and so does every request during the penalty.
  send();
  EXPECT_EQ(openStreamsOn(1).size(), 1u);
  EXPECT_TRUE(openStreamsOn(0).empty());
  loop_.advance(999ms);
  send();
  EXPECT_EQ(openStreamsOn(1).size(), 2u);
  EXPECT_TRUE(openStreamsOn(0).empty());

  // After the penalty: probation admits exactly one request; while it is out, others avoid it.
  loop_.advance(1ms);
  send();
  ASSERT_EQ(openStreamsOn(0).size(), 1u);
  FakeUpstreamStream& probe = *openStreamsOn(0)[0];
  send();
  EXPECT_EQ(openStreamsOn(1).size(), 3u);
  EXPECT_EQ(openStreamsOn(0).size(), 1u);

  // A failed probe shuts it again for the next back-off step: 2 s.
  probe.respond(503);
  EXPECT_EQ(accrual.state(host0, loop_.now()), FailureAccrual::State::Shut);
  EXPECT_EQ(accrual.shutUntil(host0), loop_.now() + 2s);
  loop_.advance(1999ms);
  send();
  EXPECT_EQ(openStreamsOn(1).size(), 4u);
  EXPECT_TRUE(openStreamsOn(0).empty());
  loop_.advance(1ms);
  send();
  ASSERT_EQ(openStreamsOn(0).size(), 1u);
  openStreamsOn(0)[0]->respond(200);
  EXPECT_EQ(accrual.state(host0, loop_.now()), FailureAccrual::State::Available);
  EXPECT_EQ(accrual.consecutiveFailures(host0), 0u);
  EXPECT_EQ(recorder_.outcomes.size(), 9u);
}

TEST_F(LinkerdHedgingTest, FailureAccrualIsRejectedWithAnEnvoyBalancer) {
  ClusterPolicy policy = ClusterPolicy::defaultsFor(ProxyProfile::kIstio);
  policy.failure_accrual = FailureAccrualConfig{};
  EXPECT_TRUE(hasErrors(policy.validate("clusters[backend]")));
  EXPECT_FALSE(hasErrors(linkerdCluster().validate("clusters[backend]")));
}

// ---------------------------------------------------------------------------------------------
// Hedging on per-try timeout (§1.5)
// ---------------------------------------------------------------------------------------------

class HedgingTest : public LinkerdHedgingTest {
 protected:
  // Envoy round robin over two hosts: the hedge goes to the other host. Draws: the balancer's
  // seed, the stream id, then the hedge's back-off (random() % 25).
  void buildHedging(std::uint32_t num_retries = 1) {
    RouteEntry route = routeTo("backend");
    RetryPolicy retry;
    retry.retry_on = kRetryOn5xx;
    retry.num_retries = num_retries;
    retry.per_try_timeout = 1s;
    retry.hedge_on_per_try_timeout = true;
    route.retry_policy = retry;
    build(route, ClusterPolicy::defaultsFor(ProxyProfile::kEnvoy), 2);
    random_.push(0);  // stream id
  }

  // Starts a request, lets its first attempt time out on the slow host and the hedge start after
  // a 10 ms back-off. Returns {original, hedge}.
  std::pair<FakeUpstreamStream*, FakeUpstreamStream*> hedge(RouterFilter*& filter) {
    filter = &send();
    FakeUpstreamStream* original = &onlyOpenStream();
    random_.push(10);  // back-off: 10 % 25 = 10 ms
    loop_.advance(1s);
    EXPECT_FALSE(original->done()) << "a soft per-try timeout does not reset the attempt";
    EXPECT_EQ(stats().upstream_rq_retry, 1u);
    loop_.advance(9ms);
    EXPECT_EQ(filter->attemptsInFlight(), 1u);
    loop_.advance(1ms);
    auto open = openStreams();
    EXPECT_EQ(open.size(), 2u);
    EXPECT_EQ(filter->attemptsInFlight(), 2u);
    FakeUpstreamStream* second = open.at(0) == original ? open.at(1) : open.at(0);
    EXPECT_NE(hostOf(*second), hostOf(*original));
    return {original, second};
  }
};

TEST_F(HedgingTest, HedgeAnswersFirstAndTheOriginalIsReset) {
  buildHedging();
  RouterFilter* filter = nullptr;
  auto [original, second] = hedge(filter);
  second->respond(200);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 200u);
  EXPECT_EQ(recorder_.outcomes[0].attempts, 2u);
  EXPECT_EQ(recorder_.outcomes[0].last_host->index(), hostOf(*second));
  EXPECT_TRUE(original->done()) << "the losing attempt is reset";
  // Envoy's onSoftPerTryTimeout counts neither upstream_rq_per_try_timeout nor the host's
  // rq_timeout (code, §1.5): only the hedge itself shows, as a retry.
  EXPECT_EQ(stats().upstream_rq_per_try_timeout, 0u);
  EXPECT_EQ(cluster().hosts()[hostOf(*original)]->stats().rq_timeout, 0u);
  EXPECT_EQ(stats().upstream_rq_retry, 1u);
  EXPECT_EQ(stats().upstream_rq_retry_success, 1u);
  EXPECT_EQ(stats().upstream_rq_2xx, 1u);
}

TEST_F(HedgingTest, OriginalAnswersFirstAndTheHedgeIsReset) {
  buildHedging();
  RouterFilter* filter = nullptr;
  auto [original, second] = hedge(filter);
  loop_.advance(300ms);
  original->respond(200);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 200u);
  EXPECT_EQ(recorder_.outcomes[0].last_host->index(), hostOf(*original));
  EXPECT_TRUE(second->done());
  EXPECT_EQ(stats().upstream_rq_retry, 1u);
}

// A retriable error from one attempt while another may still answer is dropped; the retry limit
// (num_retries 1, spent by the hedge) flags URX, as in Envoy.
TEST_F(HedgingTest, ErrorWhileAnotherAttemptIsOpenIsDiscarded) {
  buildHedging();
  RouterFilter* filter = nullptr;
  auto [original, second] = hedge(filter);
  second->respond(503);
  EXPECT_TRUE(recorder_.outcomes.empty()) << "the original may still answer";
  EXPECT_FALSE(original->done());
  EXPECT_EQ(stats().upstream_rq_retry_limit_exceeded, 1u);
  original->respond(200);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 200u);
  EXPECT_EQ(recorder_.outcomes[0].attempts, 2u);
}

TEST_F(HedgingTest, LastErrorIsForwardedWhenNothingElseCanAnswer) {
  buildHedging();
  RouterFilter* filter = nullptr;
  auto [original, second] = hedge(filter);
  second->respond(503);
  original->respond(502);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_EQ(recorder_.outcomes[0].response.status, 502u);
  EXPECT_TRUE(hasFlag(recorder_.outcomes[0].flags, ResponseFlag::kUpstreamRetryLimitExceeded));
  EXPECT_EQ(stats().upstream_rq_5xx, 2u);
}

// The hedge's own per-try timeout finds no retries left: nothing new starts, both keep running.
TEST_F(HedgingTest, NoHedgeBeyondNumRetries) {
  buildHedging();
  RouterFilter* filter = nullptr;
  auto [original, second] = hedge(filter);
  loop_.advance(1s);
  EXPECT_EQ(filter->attemptsInFlight(), 2u);
  EXPECT_EQ(transport_.attempts(), 2u);
  EXPECT_EQ(stats().upstream_rq_retry, 1u);
  EXPECT_EQ(stats().upstream_rq_retry_limit_exceeded, 1u);
  original->respond(200);
  ASSERT_EQ(recorder_.outcomes.size(), 1u);
  EXPECT_TRUE(second->done());
}

}  // namespace
}  // namespace meshsim::core
