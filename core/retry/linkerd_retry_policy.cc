#include "core/retry/linkerd_retry_policy.h"

#include <charconv>

#include "core/common/strings.h"
#include "core/retry/retry_on.h"
#include "core/retry/retry_policy.h"

namespace meshsim::core {

namespace {

std::optional<std::uint32_t> parseStatus(std::string_view s) {
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || value < 100 || value > 599) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::uint32_t> grpcStatusOf(const Response& response) {
  if (response.grpc_status) {
    return response.grpc_status;
  }
  if (auto v = response.headers.get("grpc-status")) {
    std::uint32_t value = 0;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), value);
    if (ec == std::errc() && end == v->data() + v->size()) {
      return value;
    }
  }
  return std::nullopt;
}

bool inRanges(const std::vector<StatusRange>& ranges, std::uint32_t status) {
  for (const StatusRange& range : ranges) {
    if (range.contains(status)) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<StatusRange> parseLinkerdHttpRetryConditions(std::string_view value,
                                                         std::vector<std::string>* diagnostics) {
  std::vector<StatusRange> ranges;
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    const std::string_view token = trimWhitespace(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    if (token.empty()) {
      continue;
    }
    if (token == "5xx") {
      ranges.push_back({500, 599});
      continue;
    }
    if (token == "gateway-error") {
      ranges.push_back({502, 504});
      continue;
    }
    const std::size_t dash = token.find('-');
    if (dash == std::string_view::npos) {
      if (auto code = parseStatus(token)) {
        ranges.push_back({*code, *code});
        continue;
      }
    } else {
      const auto low = parseStatus(trimWhitespace(token.substr(0, dash)));
      const auto high = parseStatus(trimWhitespace(token.substr(dash + 1)));
      if (low && high && *low <= *high) {
        ranges.push_back({*low, *high});
        continue;
      }
    }
    if (diagnostics != nullptr) {
      diagnostics->push_back("invalid retry.linkerd.io/http condition '" + std::string(token) +
                             "'");
    }
  }
  return ranges;
}

std::uint32_t parseLinkerdGrpcRetryConditions(std::string_view value,
                                              std::vector<std::string>* diagnostics) {
  RetryOnParseResult parsed = parseGrpcRetryOn(value);
  if (diagnostics != nullptr) {
    for (const std::string& token : parsed.unknown_tokens) {
      diagnostics->push_back("invalid retry.linkerd.io/grpc condition '" + token + "'");
    }
  }
  return parsed.bits;
}

bool LinkerdRouteRetryPolicy::retriesResponse(const Response& response) const {
  if (grpc_retry_on != 0) {
    if (const auto grpc = grpcStatusOf(response)) {
      const bool hit = (*grpc == 1 && (grpc_retry_on & kRetryOnGrpcCancelled) != 0) ||
                       (*grpc == 4 && (grpc_retry_on & kRetryOnGrpcDeadlineExceeded) != 0) ||
                       (*grpc == 8 && (grpc_retry_on & kRetryOnGrpcResourceExhausted) != 0) ||
                       (*grpc == 13 && (grpc_retry_on & kRetryOnGrpcInternal) != 0) ||
                       (*grpc == 14 && (grpc_retry_on & kRetryOnGrpcUnavailable) != 0);
      if (hit) {
        return true;
      }
    }
  }
  return inRanges(http_statuses, response.status);
}

bool LinkerdRouteRetryPolicy::retriesError(LinkerdAttemptError error) {
  switch (error) {
    case LinkerdAttemptError::kFailFast:
    case LinkerdAttemptError::kResponseHeadersTimeout:
    case LinkerdAttemptError::kRefusedStream:
      return true;
    case LinkerdAttemptError::kLoadShed:
    case LinkerdAttemptError::kRequestTimeout:
    case LinkerdAttemptError::kOther:
      return false;
  }
  return false;
}

LinkerdRouteRetryState::LinkerdRouteRetryState(const LinkerdRouteRetryPolicy& policy,
                                               std::uint64_t request_body_bytes)
    : policy_(&policy),
      backoff_(policy.backoff_min, policy.backoff_max, policy.backoff_jitter),
      body_replayable_(request_body_bytes <= policy.max_request_bytes) {}

std::optional<Duration> LinkerdRouteRetryState::retryIf(bool retryable, RandomGenerator& rng) {
  if (!retryable || !body_replayable_ || retries_done_ >= policy_->limit) {
    return std::nullopt;
  }
  ++retries_done_;
  // The sleep happens before each retry (LP: linkerd/http/retry).
  return backoff_.next(rng);
}

std::optional<Duration> LinkerdRouteRetryState::shouldRetryResponse(const Response& response,
                                                                    RandomGenerator& rng) {
  return retryIf(policy_->retriesResponse(response), rng);
}

std::optional<Duration> LinkerdRouteRetryState::shouldRetryError(LinkerdAttemptError error,
                                                                 RandomGenerator& rng) {
  return retryIf(LinkerdRouteRetryPolicy::retriesError(error), rng);
}

bool LinkerdProfileRoute::isFailure(const Response& response) const {
  if (failure_statuses.empty()) {
    return response.status >= 500 && response.status <= 599;
  }
  return inRanges(failure_statuses, response.status);
}

LinkerdProfileRetryResult linkerdProfileShouldRetry(const LinkerdProfileRoute& route,
                                                    const Response* response,
                                                    std::uint64_t request_body_bytes,
                                                    TpsBudget& budget, MonotonicTime now) {
  if (!route.is_retryable || request_body_bytes > kLinkerdMaxRetryBodyBytes) {
    return LinkerdProfileRetryResult::kNotReplayable;
  }
  // A transport error (response == nullptr) is never retried by profile retries.
  const bool retryable = response != nullptr && route.isFailure(*response);
  if (!retryable) {
    budget.deposit(now);
    return LinkerdProfileRetryResult::kNoRetryDeposited;
  }
  return budget.withdraw(now) ? LinkerdProfileRetryResult::kRetry
                              : LinkerdProfileRetryResult::kBudgetExhausted;
}

}  // namespace meshsim::core
