#include "core/retry/retry_state.h"

#include <gtest/gtest.h>

#include <array>
#include <optional>

#include "core/common/callback.h"
#include "core/common/manual_event_loop.h"
#include "core/retry/retry_on.h"
#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using testing::ScriptedRandom;
using namespace std::chrono_literals;

// A static circuit-breaker resource: count() against a fixed max (proxy-semantics §3.1).
class CountingLimit final : public ResourceLimit {
 public:
  explicit CountingLimit(std::uint64_t max) : max_(max) {}
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

constexpr std::array<ResetReason, 9> kAllReasons{
    ResetReason::kLocalConnectionFailure,
    ResetReason::kRemoteConnectionFailure,
    ResetReason::kConnectionTimeout,
    ResetReason::kLocalReset,
    ResetReason::kRemoteReset,
    ResetReason::kRemoteRefusedStreamReset,
    ResetReason::kOverflow,
    ResetReason::kConnectionTermination,
    ResetReason::kProtocolError,
};

RetryPolicy policyOn(std::string_view retry_on, std::uint32_t num_retries = 1) {
  RetryPolicy policy;
  policy.retry_on = parseRetryOn(retry_on).bits;
  policy.num_retries = num_retries;
  return policy;
}

Response response(std::uint32_t status) {
  Response r;
  r.status = status;
  return r;
}

class RetryStateTest : public ::testing::Test {
 protected:
  RetryState& make(const RetryPolicy& policy, const RetryRequestHeaders* headers = nullptr) {
    policy_ = policy;
    state_.reset();
    state_.emplace(policy_, headers, limit_, stats_);
    return *state_;
  }

  RetryPolicy policy_;
  CountingLimit limit_{3};  // Envoy's default max_retries
  ClusterStats stats_;
  ScriptedRandom rng_;
  std::optional<RetryState> state_;
};

// ---- §1.2(a) response headers ----

TEST_F(RetryStateTest, RateLimitedHeaderShortCircuitsEvenA5xx) {
  RetryState& state = make(policyOn("5xx,gateway-error,retriable-status-codes"));
  Response r = response(503);
  r.headers.add("x-envoy-ratelimited", "true");
  EXPECT_EQ(state.wouldRetryFromHeaders(r), RetryDecision::kNoRetry);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(503)), RetryDecision::kRetryWithBackoff);
}

TEST_F(RetryStateTest, RateLimitedHeaderRetriedOnlyWithEnvoyRateLimitedWhateverTheStatus) {
  RetryState& state = make(policyOn("envoy-ratelimited"));
  Response r = response(200);
  r.headers.add("x-envoy-ratelimited", "true");
  EXPECT_EQ(state.wouldRetryFromHeaders(r), RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(429)), RetryDecision::kNoRetry);
}

TEST_F(RetryStateTest, FiveXxCoversTheWholeClass) {
  RetryState& state = make(policyOn("5xx"));
  EXPECT_EQ(state.wouldRetryFromHeaders(response(500)), RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(599)), RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(499)), RetryDecision::kNoRetry);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(409)), RetryDecision::kNoRetry);
}

TEST_F(RetryStateTest, GatewayErrorIsOnly502To504) {
  RetryState& state = make(policyOn("gateway-error"));
  EXPECT_EQ(state.wouldRetryFromHeaders(response(500)), RetryDecision::kNoRetry);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(501)), RetryDecision::kNoRetry);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(502)), RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(503)), RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(504)), RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(505)), RetryDecision::kNoRetry);
}

TEST_F(RetryStateTest, Retriable4xxIsOnly409) {
  RetryState& state = make(policyOn("retriable-4xx"));
  EXPECT_EQ(state.wouldRetryFromHeaders(response(409)), RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(429)), RetryDecision::kNoRetry);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(408)), RetryDecision::kNoRetry);
}

TEST_F(RetryStateTest, RetriableStatusCodesNeedTheBitAndTheList) {
  RetryPolicy without_bit = policyOn("connect-failure");
  without_bit.retriable_status_codes = {404};
  EXPECT_EQ(make(without_bit).wouldRetryFromHeaders(response(404)), RetryDecision::kNoRetry);

  RetryPolicy with_bit = policyOn("retriable-status-codes");
  with_bit.retriable_status_codes = {404};
  RetryState& state = make(with_bit);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(404)), RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(503)), RetryDecision::kNoRetry);

  // Istio's default list carries the bit with no codes: inert (§1.9 notes).
  EXPECT_EQ(make(policyOn("retriable-status-codes")).wouldRetryFromHeaders(response(503)),
            RetryDecision::kNoRetry);
}

TEST_F(RetryStateTest, TooEarlyIsRetriedImmediately) {
  RetryPolicy policy = policyOn("retriable-status-codes");
  policy.retriable_status_codes = {425};
  RetryState& state = make(policy);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(425)), RetryDecision::kRetryImmediately);
  const RetryOutcome outcome = state.shouldRetryHeaders(response(425), rng_);
  EXPECT_TRUE(outcome.retry());
  EXPECT_EQ(outcome.backoff, RetryBackOffKind::kNextIteration);
  EXPECT_EQ(outcome.delay, 0ns);
  EXPECT_EQ(rng_.draws(), 0u);
  EXPECT_EQ(stats_.upstream_rq_retry_backoff_exponential, 0u);
  EXPECT_EQ(limit_.count(), 1u);  // an immediate retry holds the resource too
}

TEST_F(RetryStateTest, RetriableHeadersMatchByPresence) {
  RetryPolicy policy = policyOn("retriable-headers");
  policy.retriable_header_names = {"X-Upstream-Retry"};
  RetryState& state = make(policy);
  Response r = response(200);
  r.headers.add("x-upstream-retry", "1");
  EXPECT_EQ(state.wouldRetryFromHeaders(r), RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(200)), RetryDecision::kNoRetry);
}

TEST_F(RetryStateTest, GrpcStatusInResponseHeaders) {
  RetryState& state = make(policyOn("unavailable,cancelled"));
  Response unavailable = response(200);
  unavailable.grpc_status = 14;
  Response cancelled = response(200);
  cancelled.headers.add("grpc-status", "1");
  Response internal = response(200);
  internal.grpc_status = 13;
  EXPECT_EQ(state.wouldRetryFromHeaders(unavailable), RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(state.wouldRetryFromHeaders(cancelled), RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(state.wouldRetryFromHeaders(internal), RetryDecision::kNoRetry);
  EXPECT_EQ(state.wouldRetryFromHeaders(response(503)), RetryDecision::kNoRetry);

  RetryState& all = make(policyOn("deadline-exceeded,resource-exhausted,internal"));
  for (const std::uint32_t code : {4u, 8u, 13u}) {
    Response r = response(200);
    r.grpc_status = code;
    EXPECT_EQ(all.wouldRetryFromHeaders(r), RetryDecision::kRetryWithBackoff) << code;
  }
}

// ---- §1.2(b) resets ----

TEST_F(RetryStateTest, OverflowIsNeverRetried) {
  RetryState& state =
      make(policyOn("5xx,gateway-error,reset,reset-before-request,connect-failure,refused-stream,"
                    "retriable-status-codes"));
  EXPECT_EQ(state.wouldRetryFromReset(ResetReason::kOverflow, false), RetryDecision::kNoRetry);
  EXPECT_EQ(state.wouldRetryFromReset(ResetReason::kOverflow, true), RetryDecision::kNoRetry);
}

TEST_F(RetryStateTest, GatewayErrorAnd5xxRetryEveryNonOverflowReset) {
  for (const std::string_view on : {"gateway-error", "5xx", "reset"}) {
    RetryState& state = make(policyOn(on));
    for (const ResetReason reason : kAllReasons) {
      const RetryDecision expected = reason == ResetReason::kOverflow
                                         ? RetryDecision::kNoRetry
                                         : RetryDecision::kRetryWithBackoff;
      EXPECT_EQ(state.wouldRetryFromReset(reason, true), expected)
          << on << " " << resetReasonName(reason);
    }
  }
}

TEST_F(RetryStateTest, PerTryTimeoutIsALocalResetRetriedOnlyBy5xxGatewayErrorOrReset) {
  // §1.2 / §10 item 3: the per-try timeout arrives as LocalReset after the request was sent.
  for (const std::string_view on : {"5xx", "gateway-error", "reset"}) {
    EXPECT_EQ(make(policyOn(on)).wouldRetryFromReset(ResetReason::kLocalReset, true),
              RetryDecision::kRetryWithBackoff)
        << on;
  }
  RetryPolicy codes = policyOn("retriable-status-codes");
  codes.retriable_status_codes = {504};
  EXPECT_EQ(make(codes).wouldRetryFromReset(ResetReason::kLocalReset, true),
            RetryDecision::kNoRetry);
  EXPECT_EQ(make(policyOn("connect-failure")).wouldRetryFromReset(ResetReason::kLocalReset, true),
            RetryDecision::kNoRetry);
  // Istio's default list does not retry it either.
  EXPECT_EQ(make(policyOn("connect-failure,refused-stream,unavailable,cancelled,"
                          "retriable-status-codes"))
                .wouldRetryFromReset(ResetReason::kLocalReset, true),
            RetryDecision::kNoRetry);
  // reset-before-request only while nothing was sent.
  RetryState& rbr = make(policyOn("reset-before-request"));
  EXPECT_EQ(rbr.wouldRetryFromReset(ResetReason::kLocalReset, true), RetryDecision::kNoRetry);
  EXPECT_EQ(rbr.wouldRetryFromReset(ResetReason::kLocalReset, false),
            RetryDecision::kRetryWithBackoff);
}

TEST_F(RetryStateTest, ConnectFailureCoversTheThreeConnectReasonsOnly) {
  RetryState& state = make(policyOn("connect-failure"));
  EXPECT_EQ(state.wouldRetryFromReset(ResetReason::kLocalConnectionFailure, false),
            RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(state.wouldRetryFromReset(ResetReason::kRemoteConnectionFailure, false),
            RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(state.wouldRetryFromReset(ResetReason::kConnectionTimeout, false),
            RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(state.wouldRetryFromReset(ResetReason::kRemoteReset, false), RetryDecision::kNoRetry);
  EXPECT_EQ(state.wouldRetryFromReset(ResetReason::kConnectionTermination, false),
            RetryDecision::kNoRetry);
}

TEST_F(RetryStateTest, ConnectFailureWithoutTheBitFallsThroughToGenericChecks) {
  RetryState& state = make(policyOn("reset-before-request"));
  EXPECT_EQ(state.wouldRetryFromReset(ResetReason::kRemoteConnectionFailure, false),
            RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(
      make(policyOn("refused-stream")).wouldRetryFromReset(ResetReason::kConnectionTimeout, false),
      RetryDecision::kNoRetry);
}

TEST_F(RetryStateTest, RefusedStreamOnlyForRefusedStreamResets) {
  RetryState& state = make(policyOn("refused-stream"));
  EXPECT_EQ(state.wouldRetryFromReset(ResetReason::kRemoteRefusedStreamReset, true),
            RetryDecision::kRetryWithBackoff);
  EXPECT_EQ(state.wouldRetryFromReset(ResetReason::kRemoteReset, true), RetryDecision::kNoRetry);
}

// ---- §1.3 shouldRetry ----

TEST_F(RetryStateTest, RetriesUntilTheLimitThenUrx) {
  RetryState& state = make(policyOn("5xx", 2));
  const RetryOutcome first = state.shouldRetryHeaders(response(503), rng_);
  EXPECT_EQ(first.status, RetryStatus::kYes);
  EXPECT_EQ(first.backoff, RetryBackOffKind::kExponential);
  EXPECT_EQ(state.retriesRemaining(), 1u);
  EXPECT_EQ(limit_.count(), 1u);
  const RetryOutcome second = state.shouldRetryHeaders(response(503), rng_);
  EXPECT_EQ(second.status, RetryStatus::kYes);
  EXPECT_EQ(limit_.count(), 1u);  // released and re-taken
  const RetryOutcome third = state.shouldRetryHeaders(response(503), rng_);
  EXPECT_EQ(third.status, RetryStatus::kNoRetryLimitExceeded);
  EXPECT_TRUE(hasFlag(third.responseFlags(), ResponseFlag::kUpstreamRetryLimitExceeded));
  EXPECT_EQ(limit_.count(), 0u);
  EXPECT_EQ(stats_.upstream_rq_retry, 2u);
  EXPECT_EQ(stats_.upstream_rq_retry_limit_exceeded, 1u);
  EXPECT_EQ(stats_.upstream_rq_retry_success, 0u);
  EXPECT_EQ(stats_.upstream_rq_retry_backoff_exponential, 2u);
  EXPECT_EQ(rng_.draws(), 2u);
}

TEST_F(RetryStateTest, RetrySuccessCountedWhenTheRetriedAttemptIsNotRetriable) {
  RetryState& state = make(policyOn("5xx", 3));
  ASSERT_TRUE(state.shouldRetryHeaders(response(503), rng_).retry());
  const RetryOutcome done = state.shouldRetryHeaders(response(404), rng_);
  EXPECT_EQ(done.status, RetryStatus::kNo);
  EXPECT_EQ(done.responseFlags(), static_cast<ResponseFlags>(ResponseFlag::kNone));
  EXPECT_EQ(stats_.upstream_rq_retry_success, 1u);
  EXPECT_EQ(limit_.count(), 0u);
  // A first attempt that succeeds is not a retry success.
  RetryState& fresh = make(policyOn("5xx", 3));
  fresh.shouldRetryHeaders(response(200), rng_);
  EXPECT_EQ(stats_.upstream_rq_retry_success, 1u);
}

TEST_F(RetryStateTest, RemainingIsDecrementedBeforeTheCircuitBreakerCheck) {
  limit_.setMax(0);
  RetryState& state = make(policyOn("5xx", 1));
  const RetryOutcome refused = state.shouldRetryHeaders(response(503), rng_);
  EXPECT_EQ(refused.status, RetryStatus::kNoOverflow);
  EXPECT_TRUE(hasFlag(refused.responseFlags(), ResponseFlag::kUpstreamOverflow));
  EXPECT_EQ(state.retriesRemaining(), 0u);
  EXPECT_EQ(stats_.upstream_rq_retry_overflow, 1u);
  EXPECT_EQ(stats_.upstream_rq_retry, 0u);
  EXPECT_EQ(rng_.draws(), 0u);
  // Even with the breaker open again, the spent retry is gone.
  limit_.setMax(3);
  EXPECT_EQ(state.shouldRetryHeaders(response(503), rng_).status,
            RetryStatus::kNoRetryLimitExceeded);
}

TEST_F(RetryStateTest, NonRetriableResultTouchesNothing) {
  RetryState& state = make(policyOn("5xx", 1));
  EXPECT_EQ(state.shouldRetryReset(ResetReason::kOverflow, false, rng_).status, RetryStatus::kNo);
  EXPECT_EQ(state.retriesRemaining(), 1u);
  EXPECT_EQ(stats_.upstream_rq_retry_limit_exceeded, 0u);
}

TEST_F(RetryStateTest, ResourceHeldAcrossBackOffAndTheRetriedAttempt) {
  // The caller arms its own timer with the returned delay (see RetryState's class comment).
  struct Request {
    bool retried = false;
    void onBackOff() { retried = true; }
  } request;
  ManualEventLoop loop;
  TimerPtr timer = loop.createTimer(Callback::member<&Request::onBackOff>(&request));
  RetryState& state = make(policyOn("5xx", 1));

  rng_.push(17);  // back-off 17 ms out of [0,25)
  const RetryOutcome outcome = state.shouldRetryHeaders(response(503), rng_);
  ASSERT_TRUE(outcome.retry());
  EXPECT_EQ(outcome.delay, 17ms);
  timer->enable(outcome.delay);
  EXPECT_EQ(limit_.count(), 1u);
  loop.advance(16ms);
  EXPECT_FALSE(request.retried);
  EXPECT_EQ(limit_.count(), 1u);  // during the back-off
  loop.advance(1ms);
  EXPECT_TRUE(request.retried);
  EXPECT_EQ(limit_.count(), 1u);  // during the retried attempt
  EXPECT_TRUE(state.retryPending());
  state.shouldRetryHeaders(response(200), rng_);  // the retried attempt's result
  EXPECT_EQ(limit_.count(), 0u);
}

TEST_F(RetryStateTest, RequestEndReleasesAPendingRetry) {
  {
    const RetryPolicy policy = policyOn("5xx", 1);  // RetryState keeps a pointer to it
    RetryState state(policy, nullptr, limit_, stats_);
    ASSERT_TRUE(state.shouldRetryHeaders(response(503), rng_).retry());
    EXPECT_EQ(limit_.count(), 1u);
  }
  EXPECT_EQ(limit_.count(), 0u);  // destructor
  RetryState& state = make(policyOn("5xx", 1));
  ASSERT_TRUE(state.shouldRetryHeaders(response(503), rng_).retry());
  state.resetRetry();  // e.g. route timeout during back-off
  EXPECT_EQ(limit_.count(), 0u);
  state.resetRetry();
  EXPECT_EQ(limit_.count(), 0u);
  EXPECT_EQ(stats_.upstream_rq_retry_success, 0u);
}

TEST_F(RetryStateTest, SharedBreakerRefusesTheFourthConcurrentRetry) {
  RetryPolicy policy = policyOn("5xx", 2);
  std::array<std::optional<RetryState>, 4> requests;
  for (auto& r : requests) {
    r.emplace(policy, nullptr, limit_, stats_);
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(requests[i]->shouldRetryHeaders(response(503), rng_).retry());
  }
  EXPECT_EQ(requests[3]->shouldRetryHeaders(response(503), rng_).status, RetryStatus::kNoOverflow);
  EXPECT_EQ(limit_.count(), 3u);
  requests[0].reset();
  EXPECT_EQ(limit_.count(), 2u);
}

TEST_F(RetryStateTest, BackOffDrawsFollowTheDoublingSequence) {
  RetryState& state = make(policyOn("5xx", 6));
  const std::array<std::uint64_t, 6> bounds{25, 50, 100, 200, 250, 250};
  for (const std::uint64_t bound : bounds) {
    rng_.push(bound - 1);
  }
  for (const std::uint64_t bound : bounds) {
    const RetryOutcome outcome = state.shouldRetryHeaders(response(503), rng_);
    ASSERT_TRUE(outcome.retry());
    EXPECT_EQ(outcome.delay, std::chrono::milliseconds(bound - 1));
  }
}

TEST_F(RetryStateTest, HedgeOnPerTryTimeoutAlwaysRetriesButConsumesBudget) {
  // connect-failure would never retry the per-try timeout as a reset...
  RetryState& state = make(policyOn("connect-failure", 1));
  EXPECT_EQ(state.wouldRetryFromReset(ResetReason::kLocalReset, true), RetryDecision::kNoRetry);
  // ...but a hedged per-try timeout is RETRY_WITH_BACKOFF regardless of retry_on.
  rng_.push(3);
  const RetryOutcome hedge = state.shouldHedgeRetryPerTryTimeout(rng_);
  EXPECT_TRUE(hedge.retry());
  EXPECT_EQ(hedge.backoff, RetryBackOffKind::kExponential);
  EXPECT_EQ(hedge.delay, 3ms);
  EXPECT_EQ(state.retriesRemaining(), 0u);
  EXPECT_EQ(limit_.count(), 1u);
  EXPECT_EQ(state.shouldHedgeRetryPerTryTimeout(rng_).status, RetryStatus::kNoRetryLimitExceeded);

  limit_.setMax(0);
  RetryState& refused = make(policyOn("connect-failure", 1));
  EXPECT_EQ(refused.shouldHedgeRetryPerTryTimeout(rng_).status, RetryStatus::kNoOverflow);
}

// ---- §1.4 rate-limited back-off ----

TEST_F(RetryStateTest, RetryAfterGivesARateLimitedBackOffOnce) {
  RetryPolicy policy = policyOn("5xx", 3);
  policy.rate_limited_reset_headers = {"Retry-After"};
  RetryState& state = make(policy);
  Response r = response(503);
  r.headers.add("retry-after", "2");
  rng_.push(999);
  const RetryOutcome limited = state.shouldRetryHeaders(r, rng_);
  ASSERT_TRUE(limited.retry());
  EXPECT_EQ(limited.backoff, RetryBackOffKind::kRateLimited);
  EXPECT_EQ(limited.delay, 2999ms);  // [2000, 3000)
  EXPECT_EQ(stats_.upstream_rq_retry_backoff_ratelimited, 1u);
  EXPECT_EQ(stats_.upstream_rq_retry_backoff_exponential, 0u);
  // The exponential state was not advanced: the next plain retry draws from [0,25).
  rng_.push(24);
  const RetryOutcome plain = state.shouldRetryHeaders(response(503), rng_);
  EXPECT_EQ(plain.backoff, RetryBackOffKind::kExponential);
  EXPECT_EQ(plain.delay, 24ms);
  EXPECT_EQ(state.backOff().currentBoundMs(), 50u);
}

TEST_F(RetryStateTest, RateLimitedIntervalMustBeWithinMaxAndAboveOneMs) {
  RetryPolicy policy = policyOn("5xx", 5);
  policy.rate_limited_reset_headers = {"retry-after"};
  policy.rate_limited_max_interval = 10s;
  RetryState& state = make(policy);
  Response too_long = response(503);
  too_long.headers.add("retry-after", "11");
  EXPECT_EQ(state.shouldRetryHeaders(too_long, rng_).backoff, RetryBackOffKind::kExponential);
  Response zero = response(503);
  zero.headers.add("retry-after", "0");
  EXPECT_EQ(state.shouldRetryHeaders(zero, rng_).backoff, RetryBackOffKind::kExponential);
  Response junk = response(503);
  junk.headers.add("retry-after", "soon");
  EXPECT_EQ(state.shouldRetryHeaders(junk, rng_).backoff, RetryBackOffKind::kExponential);
  Response ok = response(503);
  ok.headers.add("retry-after", "10");
  EXPECT_EQ(state.shouldRetryHeaders(ok, rng_).backoff, RetryBackOffKind::kRateLimited);
  // A non-retriable response with the header does not arm anything.
  EXPECT_EQ(stats_.upstream_rq_retry_backoff_ratelimited, 1u);
}

TEST_F(RetryStateTest, UnixTimestampResetHeaderNeedsTheWallClock) {
  RetryPolicy policy = policyOn("5xx", 3);
  policy.rate_limited_reset_headers = {"x-ratelimit-reset", "retry-after"};
  policy.rate_limited_reset_header_formats = {ResetHeaderFormat::kUnixTimestamp};
  RetryState& state = make(policy);
  Response r = response(503);
  r.headers.add("x-ratelimit-reset", "1700000004");
  r.headers.add("retry-after", "60");
  rng_.push(0);
  const RetryOutcome outcome = state.shouldRetryHeaders(r, rng_, std::chrono::seconds(1700000000));
  EXPECT_EQ(outcome.backoff, RetryBackOffKind::kRateLimited);
  EXPECT_EQ(outcome.delay, 4000ms);  // first header wins
  // Without a wall clock the timestamp is skipped and the next header is used.
  rng_.push(0);
  EXPECT_EQ(state.shouldRetryHeaders(r, rng_).delay, 60000ms);
}

// ---- request headers ----

TEST_F(RetryStateTest, RequestHeadersAreConsumedAndOverrideThePolicy) {
  HeaderList headers;
  headers.add("x-envoy-retry-on", "5xx, bogus");
  headers.add("x-envoy-retry-grpc-on", "unavailable");
  headers.add("x-envoy-max-retries", "4");
  headers.add("x-envoy-retriable-status-codes", "418, 420,x");
  headers.add("x-envoy-retriable-header-names", "x-a, x-b");
  headers.add("x-envoy-upstream-rq-per-try-timeout-ms", "250");
  headers.add("x-envoy-hedge-on-per-try-timeout", "true");
  headers.add("x-request-id", "abc");
  const RetryRequestHeaders parsed = RetryRequestHeaders::consume(headers);
  ASSERT_EQ(headers.fields().size(), 1u);
  EXPECT_EQ(headers.fields()[0].first, "x-request-id");
  EXPECT_TRUE(parsed.retry_on_present);
  EXPECT_EQ(parsed.retry_on, kRetryOn5xx | kRetryOnGrpcUnavailable);
  EXPECT_EQ(parsed.max_retries, 4u);
  EXPECT_EQ(parsed.retriable_status_codes, (std::vector<std::uint32_t>{418, 420}));
  EXPECT_EQ(parsed.retriable_header_names, (std::vector<std::string>{"x-a", "x-b"}));
  EXPECT_EQ(parsed.per_try_timeout, std::optional<Duration>(250ms));
  EXPECT_EQ(parsed.hedge_on_per_try_timeout, std::optional<bool>(true));

  const RetryPolicy no_policy;
  ASSERT_TRUE(RetryState::wouldCreate(no_policy, &parsed));
  RetryState& state = make(no_policy, &parsed);
  EXPECT_EQ(state.retryOn(), kRetryOn5xx | kRetryOnGrpcUnavailable);
  EXPECT_EQ(state.retriesRemaining(), 4u);
  Response r = response(418);
  EXPECT_EQ(state.wouldRetryFromHeaders(r), RetryDecision::kNoRetry);  // bit not set
  HeaderList codes_on;
  codes_on.add("x-envoy-retry-on", "retriable-status-codes,retriable-headers");
  codes_on.add("x-envoy-retriable-status-codes", "418");
  codes_on.add("x-envoy-retriable-header-names", "x-a");
  const RetryRequestHeaders parsed2 = RetryRequestHeaders::consume(codes_on);
  RetryState& state2 = make(no_policy, &parsed2);
  EXPECT_EQ(state2.wouldRetryFromHeaders(r), RetryDecision::kRetryWithBackoff);
  Response with_header = response(200);
  with_header.headers.add("x-a", "");
  EXPECT_EQ(state2.wouldRetryFromHeaders(with_header), RetryDecision::kRetryWithBackoff);
}

TEST_F(RetryStateTest, MaxRetriesHeaderIgnoredWithoutAnyRetryCondition) {
  HeaderList headers;
  headers.add("x-envoy-retry-on", "unavailable");  // a gRPC name: unknown to the HTTP parser
  headers.add("x-envoy-max-retries", "7");
  const RetryRequestHeaders parsed = RetryRequestHeaders::consume(headers);
  const RetryPolicy no_policy;
  // The header's presence alone creates retry state, as in Envoy.
  ASSERT_TRUE(RetryState::wouldCreate(no_policy, &parsed));
  RetryState& state = make(no_policy, &parsed);
  EXPECT_EQ(state.retryOn(), 0u);
  EXPECT_EQ(state.retriesRemaining(), 1u);
  EXPECT_FALSE(RetryState::wouldCreate(no_policy, nullptr));
}

TEST_F(RetryStateTest, ValidateRetryPolicy) {
  RetryPolicy policy;
  EXPECT_TRUE(validateRetryPolicy(policy).empty());
  policy.backoff_max_interval = 10ms;
  EXPECT_EQ(validateRetryPolicy(policy).size(), 1u);
}

}  // namespace
}  // namespace meshsim::core
