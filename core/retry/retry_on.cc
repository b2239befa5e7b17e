#include "core/retry/retry_on.h"

#include <array>
#include <utility>

#include "core/common/strings.h"

namespace meshsim::core {

namespace {

struct Token {
  std::string_view name;
  std::uint32_t bit;
  bool grpc;
};

constexpr std::array<Token, 16> kTokens{{
    {"5xx", kRetryOn5xx, false},
    {"gateway-error", kRetryOnGatewayError, false},
    {"reset", kRetryOnReset, false},
    {"reset-before-request", kRetryOnResetBeforeRequest, false},
    {"connect-failure", kRetryOnConnectFailure, false},
    {"envoy-ratelimited", kRetryOnEnvoyRateLimited, false},
    {"retriable-4xx", kRetryOnRetriable4xx, false},
    {"refused-stream", kRetryOnRefusedStream, false},
    {"retriable-status-codes", kRetryOnRetriableStatusCodes, false},
    {"retriable-headers", kRetryOnRetriableHeaders, false},
    {"http3-post-connect-failure", kRetryOnHttp3PostConnectFailure, false},
    {"cancelled", kRetryOnGrpcCancelled, true},
    {"deadline-exceeded", kRetryOnGrpcDeadlineExceeded, true},
    {"resource-exhausted", kRetryOnGrpcResourceExhausted, true},
    {"unavailable", kRetryOnGrpcUnavailable, true},
    {"internal", kRetryOnGrpcInternal, true},
}};

enum class Accept { kHttp, kGrpc, kBoth };

RetryOnParseResult parse(std::string_view list, Accept accept) {
  RetryOnParseResult result;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view token = trimWhitespace(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (token.empty()) {
      continue;
    }
    bool known = false;
    for (const Token& t : kTokens) {
      const bool accepted = accept == Accept::kBoth || (accept == Accept::kGrpc) == t.grpc;
      if (accepted && t.name == token) {
        result.bits |= t.bit;
        known = true;
        break;
      }
    }
    if (!known) {
      result.unknown_tokens.emplace_back(token);
    }
  }
  return result;
}

}  // namespace

RetryOnParseResult parseRetryOn(std::string_view list) {
  return parse(list, Accept::kBoth);
}
RetryOnParseResult parseHttpRetryOn(std::string_view list) {
  return parse(list, Accept::kHttp);
}
RetryOnParseResult parseGrpcRetryOn(std::string_view list) {
  return parse(list, Accept::kGrpc);
}

std::string_view retryOnName(std::uint32_t bit) {
  for (const Token& t : kTokens) {
    if (t.bit == bit) {
      return t.name;
    }
  }
  return {};
}

std::string retryOnString(std::uint32_t bits) {
  std::string out;
  for (std::uint32_t i = 0; i < 32; ++i) {
    const std::uint32_t bit = 1u << i;
    if ((bits & bit) == 0) {
      continue;
    }
    const std::string_view name = retryOnName(bit);
    if (name.empty()) {
      continue;
    }
    if (!out.empty()) {
      out += ',';
    }
    out += name;
  }
  return out;
}

}  // namespace meshsim::core
