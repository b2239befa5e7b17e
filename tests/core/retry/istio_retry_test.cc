#include "core/retry/istio_retry.h"

#include <gtest/gtest.h>

#include "core/retry/retry_on.h"

namespace meshsim::core {
namespace {

using namespace std::chrono_literals;

constexpr std::uint32_t kIstioDefaultBits = kRetryOnConnectFailure | kRetryOnRefusedStream |
                                            kRetryOnGrpcUnavailable | kRetryOnGrpcCancelled |
                                            kRetryOnRetriableStatusCodes;

IstioHttpRetry attempts(std::int32_t n) {
  IstioHttpRetry r;
  r.attempts = n;
  return r;
}

TEST(IstioRetryTest, NoRetriesBlockGivesTheOutboundDefault) {
  const std::optional<RetryPolicy> p = translateIstioRetries(std::nullopt);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->num_retries, 2u);
  EXPECT_EQ(p->retry_on, kIstioDefaultBits);
  EXPECT_EQ(retryOnString(p->retry_on),
            "connect-failure,refused-stream,retriable-status-codes,cancelled,unavailable");
  EXPECT_TRUE(p->retriable_status_codes.empty());  // the bit is inert
  EXPECT_TRUE(p->previous_hosts_predicate);
  EXPECT_EQ(p->host_selection_retry_max_attempts, 5u);
  EXPECT_EQ(p->per_try_timeout, 0ns);
  EXPECT_EQ(p->backoff_base_interval, 25ms);
  EXPECT_EQ(p->backoffMax(), 250ms);
  EXPECT_EQ(p->previous_priorities_update_frequency, 0u);
}

TEST(IstioRetryTest, ConsistentHashDropsPreviousHosts) {
  IstioRetryOptions options;
  options.consistent_hash = true;
  const std::optional<RetryPolicy> p = translateIstioRetries(std::nullopt, options);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->previous_hosts_predicate);
  EXPECT_EQ(p->host_selection_retry_max_attempts, 5u);
  EXPECT_EQ(p->num_retries, 2u);
}

TEST(IstioRetryTest, Unsafe503OnlyWhenTheExclusionIsTurnedOff) {
  IstioRetryOptions options;
  options.exclude_503_from_default_retries = false;
  EXPECT_EQ(istioDefaultRetryPolicy(options).retriable_status_codes,
            std::vector<std::uint32_t>{503});
}

TEST(IstioRetryTest, ZeroOrNegativeOrUnsetAttemptsDisableRetries) {
  EXPECT_FALSE(translateIstioRetries(attempts(0)));
  EXPECT_FALSE(translateIstioRetries(attempts(-1)));
  IstioHttpRetry only_timeout;  // attempts unset reads as 0 in proto3
  only_timeout.per_try_timeout = 2s;
  EXPECT_FALSE(translateIstioRetries(only_timeout));
}

TEST(IstioRetryTest, AttemptsOverrideOnlyTheCount) {
  const std::optional<RetryPolicy> p = translateIstioRetries(attempts(3));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->num_retries, 3u);
  EXPECT_EQ(p->retry_on, kIstioDefaultBits);
  EXPECT_TRUE(p->previous_hosts_predicate);
}

TEST(IstioRetryTest, RetryOnIntegersBecomeStatusCodes) {
  IstioHttpRetry r = attempts(2);
  r.retry_on = " 5xx, 404 , ,503,gateway-error";
  const std::optional<RetryPolicy> p = translateIstioRetries(r);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->retry_on, kRetryOn5xx | kRetryOnGatewayError | kRetryOnRetriableStatusCodes);
  EXPECT_EQ(p->retriable_status_codes, (std::vector<std::uint32_t>{404, 503}));
}

TEST(IstioRetryTest, RetryOnReplacesTheDefaultList) {
  IstioHttpRetry r = attempts(2);
  r.retry_on = "connect-failure";
  const std::optional<RetryPolicy> p = translateIstioRetries(r);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->retry_on, kRetryOnConnectFailure);
  EXPECT_TRUE(p->retriable_status_codes.empty());
}

TEST(IstioRetryTest, UnknownStatusNumbersAreNotCodes) {
  IstioHttpRetry r = attempts(1);
  r.retry_on = "5xx,999,306";  // Go has no reason phrase for 999 or 306
  std::vector<std::string> diagnostics;
  const std::optional<RetryPolicy> p = translateIstioRetries(r, {}, std::nullopt, &diagnostics);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->retry_on, kRetryOn5xx);
  EXPECT_TRUE(p->retriable_status_codes.empty());
  EXPECT_EQ(diagnostics.size(), 2u);
  EXPECT_TRUE(isGoKnownHttpStatus(418));
  EXPECT_TRUE(isGoKnownHttpStatus(425));
  EXPECT_FALSE(isGoKnownHttpStatus(509));
}

TEST(IstioRetryTest, PerTryTimeoutBackoffAndLocalities) {
  IstioHttpRetry r = attempts(2);
  r.per_try_timeout = 2s;
  r.backoff = 100ms;
  r.retry_remote_localities = true;
  const std::optional<RetryPolicy> p = translateIstioRetries(r);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->per_try_timeout, 2s);
  EXPECT_EQ(p->backoff_base_interval, 100ms);
  EXPECT_FALSE(p->backoff_max_interval);
  EXPECT_EQ(p->backoffMax(), 1s);  // Envoy's 10 × base
  EXPECT_EQ(p->previous_priorities_update_frequency, 2u);
}

TEST(IstioRetryTest, RetryIgnorePreviousHostsIsHonouredBothWays) {
  IstioHttpRetry off = attempts(2);
  off.retry_ignore_previous_hosts = false;
  EXPECT_FALSE(translateIstioRetries(off)->previous_hosts_predicate);

  IstioHttpRetry on = attempts(2);
  on.retry_ignore_previous_hosts = true;
  IstioRetryOptions hashed;
  hashed.consistent_hash = true;
  EXPECT_TRUE(translateIstioRetries(on, hashed)->previous_hosts_predicate);
}

TEST(IstioRetryTest, MeshDefaultReplacesOnlyAnAbsentRetriesBlock) {
  IstioHttpRetry mesh = attempts(5);
  mesh.retry_on = "5xx";
  const std::optional<RetryPolicy> from_mesh = translateIstioRetries(std::nullopt, {}, mesh);
  ASSERT_TRUE(from_mesh);
  EXPECT_EQ(from_mesh->num_retries, 5u);
  EXPECT_EQ(from_mesh->retry_on, kRetryOn5xx);

  const std::optional<RetryPolicy> from_vs = translateIstioRetries(attempts(1), {}, mesh);
  ASSERT_TRUE(from_vs);
  EXPECT_EQ(from_vs->num_retries, 1u);
  EXPECT_EQ(from_vs->retry_on, kIstioDefaultBits);

  EXPECT_FALSE(translateIstioRetries(std::nullopt, {}, attempts(0)));
}

TEST(IstioRetryTest, InboundDefault) {
  const RetryPolicy p = istioInboundDefaultRetryPolicy();
  EXPECT_EQ(p.num_retries, 2u);
  EXPECT_EQ(p.retry_on, kRetryOnResetBeforeRequest);
  EXPECT_FALSE(p.previous_hosts_predicate);
}

}  // namespace
}  // namespace meshsim::core
