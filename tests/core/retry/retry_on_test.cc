#include "core/retry/retry_on.h"

#include <gtest/gtest.h>

namespace meshsim::core {
namespace {

TEST(RetryOnTest, ParsesEveryEnvoyTokenInConfiguration) {
  const RetryOnParseResult r = parseRetryOn(
      "5xx,gateway-error,reset,reset-before-request,connect-failure,envoy-ratelimited,"
      "retriable-4xx,refused-stream,retriable-status-codes,retriable-headers,"
      "http3-post-connect-failure,cancelled,deadline-exceeded,resource-exhausted,unavailable,"
      "internal");
  EXPECT_TRUE(r.allValid());
  EXPECT_EQ(r.bits, (1u << 16) - 1);
}

TEST(RetryOnTest, TrimsWhitespaceSkipsEmptyTokensAndReportsUnknownOnes) {
  const RetryOnParseResult r = parseRetryOn(" 5xx , ,connect-failure,,bogus, 503 ");
  EXPECT_EQ(r.bits, kRetryOn5xx | kRetryOnConnectFailure);
  ASSERT_EQ(r.unknown_tokens.size(), 2u);
  EXPECT_EQ(r.unknown_tokens[0], "bogus");
  EXPECT_EQ(r.unknown_tokens[1], "503");
}

TEST(RetryOnTest, HeaderParsersAcceptOnlyTheirOwnFamily) {
  // x-envoy-retry-on is parsed with the HTTP parser only, x-envoy-retry-grpc-on with the gRPC one.
  const RetryOnParseResult http = parseHttpRetryOn("5xx,unavailable");
  EXPECT_EQ(http.bits, kRetryOn5xx);
  EXPECT_EQ(http.unknown_tokens, std::vector<std::string>{"unavailable"});
  const RetryOnParseResult grpc = parseGrpcRetryOn("unavailable,5xx,cancelled");
  EXPECT_EQ(grpc.bits, kRetryOnGrpcUnavailable | kRetryOnGrpcCancelled);
  EXPECT_EQ(grpc.unknown_tokens, std::vector<std::string>{"5xx"});
}

TEST(RetryOnTest, CaseSensitiveLikeEnvoy) {
  EXPECT_EQ(parseRetryOn("5XX").bits, 0u);
  EXPECT_EQ(parseRetryOn("Connect-Failure").unknown_tokens.size(), 1u);
}

TEST(RetryOnTest, StringRoundTrips) {
  const std::uint32_t bits = kRetryOnConnectFailure | kRetryOnRefusedStream |
                             kRetryOnGrpcUnavailable | kRetryOnGrpcCancelled |
                             kRetryOnRetriableStatusCodes;
  EXPECT_EQ(retryOnString(bits),
            "connect-failure,refused-stream,retriable-status-codes,cancelled,unavailable");
  EXPECT_EQ(parseRetryOn(retryOnString(bits)).bits, bits);
  EXPECT_EQ(retryOnName(kRetryOnGatewayError), "gateway-error");
}

}  // namespace
}  // namespace meshsim::core
