#include "core/retry/linkerd_retry_policy.h"

#include <gtest/gtest.h>

#include "core/retry/retry_policy.h"
#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using testing::ScriptedRandom;
using namespace std::chrono_literals;

Response response(std::uint32_t status) {
  Response r;
  r.status = status;
  return r;
}

TEST(LinkerdRetryTest, HttpAnnotationConditions) {
  std::vector<std::string> diagnostics;
  LinkerdRouteRetryPolicy policy;
  policy.http_statuses =
      parseLinkerdHttpRetryConditions("gateway-error, 429, 400-403, 5xx-, bogus", &diagnostics);
  EXPECT_EQ(diagnostics.size(), 2u);
  EXPECT_TRUE(policy.retriesResponse(response(502)));
  EXPECT_TRUE(policy.retriesResponse(response(504)));
  EXPECT_FALSE(policy.retriesResponse(response(500)));
  EXPECT_TRUE(policy.retriesResponse(response(429)));
  EXPECT_TRUE(policy.retriesResponse(response(401)));
  EXPECT_FALSE(policy.retriesResponse(response(404)));

  policy.http_statuses = parseLinkerdHttpRetryConditions("5xx", nullptr);
  EXPECT_TRUE(policy.retriesResponse(response(500)));
  EXPECT_TRUE(policy.retriesResponse(response(599)));
  EXPECT_FALSE(policy.retriesResponse(response(499)));
}

TEST(LinkerdRetryTest, GrpcAnnotationConditions) {
  std::vector<std::string> diagnostics;
  LinkerdRouteRetryPolicy policy;
  policy.grpc_retry_on = parseLinkerdGrpcRetryConditions("unavailable,internal,5xx", &diagnostics);
  EXPECT_EQ(diagnostics.size(), 1u);
  Response unavailable = response(200);
  unavailable.grpc_status = 14;
  Response internal = response(200);
  internal.headers.add("grpc-status", "13");
  Response cancelled = response(200);
  cancelled.grpc_status = 1;
  EXPECT_TRUE(policy.retriesResponse(unavailable));
  EXPECT_TRUE(policy.retriesResponse(internal));
  EXPECT_FALSE(policy.retriesResponse(cancelled));
}

TEST(LinkerdRetryTest, DefaultsMatchTheControlPlane) {
  const LinkerdRouteRetryPolicy policy;
  EXPECT_EQ(policy.limit, 1u);
  EXPECT_EQ(policy.backoff_min, 25ms);
  EXPECT_EQ(policy.backoff_max, 250ms);
  EXPECT_EQ(policy.backoff_jitter, 1.0);
  EXPECT_EQ(policy.max_request_bytes, 65536u);
}

TEST(LinkerdRetryTest, RouteRetriesAreLimitedAndBackedOff) {
  LinkerdRouteRetryPolicy policy;
  policy.limit = 2;
  policy.http_statuses = {{500, 599}};
  LinkerdRouteRetryState state(policy, 1024);
  ScriptedRandom rng{0, std::uint64_t{1} << 63};
  EXPECT_EQ(state.shouldRetryResponse(response(503), rng), std::optional<Duration>(25ms));
  EXPECT_EQ(state.shouldRetryResponse(response(503), rng), std::optional<Duration>(75ms));
  EXPECT_FALSE(state.shouldRetryResponse(response(503), rng));
  EXPECT_EQ(state.retriesDone(), 2u);
  EXPECT_EQ(rng.draws(), 2u);
}

TEST(LinkerdRetryTest, DefaultLimitIsOneRetry) {
  LinkerdRouteRetryPolicy policy;
  policy.http_statuses = {{500, 599}};
  LinkerdRouteRetryState state(policy, 0);
  ScriptedRandom rng;
  EXPECT_TRUE(state.shouldRetryResponse(response(500), rng));
  EXPECT_FALSE(state.shouldRetryResponse(response(500), rng));
}

TEST(LinkerdRetryTest, BodiesOver64KiBAreNeverRetried) {
  LinkerdRouteRetryPolicy policy;
  policy.http_statuses = {{500, 599}};
  ScriptedRandom rng;
  LinkerdRouteRetryState fits(policy, 64 * 1024);
  EXPECT_TRUE(fits.shouldRetryResponse(response(500), rng));
  LinkerdRouteRetryState too_big(policy, 64 * 1024 + 1);
  EXPECT_FALSE(too_big.shouldRetryResponse(response(500), rng));
}

TEST(LinkerdRetryTest, RetryableErrors) {
  LinkerdRouteRetryPolicy policy;
  ScriptedRandom rng;
  {
    LinkerdRouteRetryState s(policy, 0);
    EXPECT_TRUE(s.shouldRetryError(LinkerdAttemptError::kResponseHeadersTimeout, rng));
  }
  {
    LinkerdRouteRetryState s(policy, 0);
    EXPECT_TRUE(s.shouldRetryError(LinkerdAttemptError::kRefusedStream, rng));
  }
  {
    LinkerdRouteRetryState s(policy, 0);
    EXPECT_TRUE(s.shouldRetryError(LinkerdAttemptError::kFailFast, rng));
  }
  for (const LinkerdAttemptError e :
       {LinkerdAttemptError::kLoadShed, LinkerdAttemptError::kRequestTimeout,
        LinkerdAttemptError::kOther}) {
    LinkerdRouteRetryState s(policy, 0);
    EXPECT_FALSE(s.shouldRetryError(e, rng));
  }
}

TEST(LinkerdProfileRetryTest, BudgetOnlyNoBackOffNoCount) {
  // Reserve 0 so only deposits fund retries: ratio 0.2 -> 5 deposits per retry.
  TpsBudget::Config config;
  config.min_retries_per_second = 0;
  TpsBudget budget(config, kTimeZero);
  LinkerdProfileRoute route;
  route.is_retryable = true;
  const Response failure = response(503);
  const Response ok = response(200);
  EXPECT_EQ(linkerdProfileShouldRetry(route, &failure, 0, budget, kTimeZero),
            LinkerdProfileRetryResult::kBudgetExhausted);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(linkerdProfileShouldRetry(route, &ok, 0, budget, kTimeZero),
              LinkerdProfileRetryResult::kNoRetryDeposited);
  }
  // No count limit: the same request may retry as long as the budget allows.
  EXPECT_EQ(linkerdProfileShouldRetry(route, &failure, 0, budget, kTimeZero),
            LinkerdProfileRetryResult::kRetry);
  EXPECT_EQ(linkerdProfileShouldRetry(route, &failure, 0, budget, kTimeZero),
            LinkerdProfileRetryResult::kRetry);
  EXPECT_EQ(linkerdProfileShouldRetry(route, &failure, 0, budget, kTimeZero),
            LinkerdProfileRetryResult::kBudgetExhausted);
}

TEST(LinkerdProfileRetryTest, TransportErrorsAndLargeBodiesAreNotRetried) {
  TpsBudget budget(TpsBudget::Config{}, kTimeZero);
  LinkerdProfileRoute route;
  route.is_retryable = true;
  EXPECT_EQ(linkerdProfileShouldRetry(route, nullptr, 0, budget, kTimeZero),
            LinkerdProfileRetryResult::kNoRetryDeposited);
  const Response failure = response(500);
  EXPECT_EQ(linkerdProfileShouldRetry(route, &failure, 64 * 1024 + 1, budget, kTimeZero),
            LinkerdProfileRetryResult::kNotReplayable);
  LinkerdProfileRoute not_retryable;
  EXPECT_EQ(linkerdProfileShouldRetry(not_retryable, &failure, 0, budget, kTimeZero),
            LinkerdProfileRetryResult::kNotReplayable);
  // Default classification: 5xx only.
  const Response not_found = response(404);
  EXPECT_EQ(linkerdProfileShouldRetry(route, &not_found, 0, budget, kTimeZero),
            LinkerdProfileRetryResult::kNoRetryDeposited);
  EXPECT_EQ(linkerdProfileShouldRetry(route, &failure, 0, budget, kTimeZero),
            LinkerdProfileRetryResult::kRetry);
}

TEST(LinkerdProfileRetryTest, CustomResponseClasses) {
  LinkerdProfileRoute route;
  EXPECT_TRUE(route.isFailure(response(500)));
  EXPECT_FALSE(route.isFailure(response(429)));
  route.failure_statuses = {{429, 429}};
  EXPECT_TRUE(route.isFailure(response(429)));
  EXPECT_FALSE(route.isFailure(response(500)));
}

}  // namespace
}  // namespace meshsim::core
