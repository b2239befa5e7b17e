#include "core/retry/retry_state.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "core/common/strings.h"
#include "core/retry/retry_on.h"

namespace meshsim::core {

namespace {

constexpr std::string_view kEnvoyRateLimited = "x-envoy-ratelimited";
constexpr std::string_view kGrpcStatus = "grpc-status";
constexpr std::uint32_t kTooEarly = 425;

// absl::SimpleAtoi-like: surrounding whitespace allowed, the rest must be digits.
std::optional<std::uint64_t> parseUnsigned(std::string_view s) {
  s = trimWhitespace(s);
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
  }
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return value;
}

template <class Fn>
void forEachToken(std::string_view list, Fn&& fn) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view token = trimWhitespace(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (!token.empty()) {
      fn(token);
    }
  }
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

// HeaderList stores lower-case names; configured names may not be.
std::optional<std::string_view> findHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [field, value] : headers.fields()) {
    if (equalsIgnoreCase(field, name)) {
      return std::string_view(value);
    }
  }
  return std::nullopt;
}

}  // namespace

RetryRequestHeaders RetryRequestHeaders::consume(HeaderList& headers) {
  RetryRequestHeaders out;
  if (headers.empty()) {
    return out;
  }
  if (auto v = headers.get(kRetryOn)) {
    out.retry_on_present = true;
    out.retry_on |= parseHttpRetryOn(*v).bits;
  }
  if (auto v = headers.get(kRetryGrpcOn)) {
    out.retry_on_present = true;
    out.retry_on |= parseGrpcRetryOn(*v).bits;
  }
  if (auto v = headers.get(kMaxRetries)) {
    if (auto n = parseUnsigned(*v)) {
      out.max_retries = static_cast<std::uint32_t>(
          std::min<std::uint64_t>(*n, std::numeric_limits<std::uint32_t>::max()));
    }
  }
  if (auto v = headers.get(kRetriableStatusCodes)) {
    forEachToken(*v, [&out](std::string_view token) {
      if (auto code = parseUnsigned(token);
          code && *code <= std::numeric_limits<std::uint32_t>::max()) {
        out.retriable_status_codes.push_back(static_cast<std::uint32_t>(*code));
      }
    });
  }
  if (auto v = headers.get(kRetriableHeaderNames)) {
    forEachToken(
        *v, [&out](std::string_view token) { out.retriable_header_names.emplace_back(token); });
  }
  if (auto v = headers.get(kPerTryTimeoutMs)) {
    if (auto ms = parseUnsigned(*v)) {
      out.per_try_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(
          std::min<std::uint64_t>(*ms, std::numeric_limits<std::int64_t>::max() / 1'000'000)));
    }
  }
  if (auto v = headers.get(kHedgeOnPerTryTimeout)) {
    if (*v == "true") {
      out.hedge_on_per_try_timeout = true;
    } else if (*v == "false") {
      out.hedge_on_per_try_timeout = false;
    }
  }
  for (std::string_view name : {kRetryOn, kRetryGrpcOn, kMaxRetries, kRetriableStatusCodes,
                                kRetriableHeaderNames, kPerTryTimeoutMs, kHedgeOnPerTryTimeout}) {
    headers.remove(name);
  }
  return out;
}

ResponseFlags RetryOutcome::responseFlags() const {
  switch (status) {
    case RetryStatus::kNoOverflow:
      return static_cast<ResponseFlags>(ResponseFlag::kUpstreamOverflow);
    case RetryStatus::kNoRetryLimitExceeded:
      return static_cast<ResponseFlags>(ResponseFlag::kUpstreamRetryLimitExceeded);
    case RetryStatus::kNo:
    case RetryStatus::kYes:
      break;
  }
  return static_cast<ResponseFlags>(ResponseFlag::kNone);
}

RetryState::RetryState(const RetryPolicy& policy, const RetryRequestHeaders* request_headers,
                       ResourceLimit& retries, ClusterStats& stats)
    : policy_(&policy),
      retries_(&retries),
      stats_(&stats),
      retry_on_(policy.retry_on),
      retries_remaining_(policy.num_retries),
      backoff_(policy) {
  if (request_headers == nullptr) {
    return;
  }
  retry_on_ |= request_headers->retry_on;
  // Envoy honours x-envoy-max-retries only once some retry condition is in force (§1.1).
  if (retry_on_ != 0 && request_headers->max_retries) {
    retries_remaining_ = *request_headers->max_retries;
  }
  extra_status_codes_ = request_headers->retriable_status_codes;
  extra_header_names_ = request_headers->retriable_header_names;
}

RetryState::~RetryState() {
  resetRetry();
}

void RetryState::resetRetry() {
  if (retry_pending_) {
    retries_->dec();
    retry_pending_ = false;
  }
}

bool RetryState::headersRetriable(const HeaderList& headers) const {
  for (const std::string& name : policy_->retriable_header_names) {
    if (findHeader(headers, name)) {
      return true;
    }
  }
  for (const std::string& name : extra_header_names_) {
    if (findHeader(headers, name)) {
      return true;
    }
  }
  return false;
}

RetryDecision RetryState::wouldRetryFromHeaders(const Response& response) const {
  // §1.2(a)1: a response an upstream Envoy rate-limited is retried only under envoy-ratelimited,
  // whatever its status — even 5xx.
  if (response.headers.has(kEnvoyRateLimited)) {
    return (retry_on_ & kRetryOnEnvoyRateLimited) != 0 ? RetryDecision::kRetryWithBackoff
                                                       : RetryDecision::kNoRetry;
  }
  const std::uint32_t status = response.status;
  if ((retry_on_ & kRetryOn5xx) != 0 && status >= 500 && status <= 599) {
    return RetryDecision::kRetryWithBackoff;
  }
  if ((retry_on_ & kRetryOnGatewayError) != 0 && status >= 502 && status <= 504) {
    return RetryDecision::kRetryWithBackoff;
  }
  if ((retry_on_ & kRetryOnRetriable4xx) != 0 && status == 409) {
    return RetryDecision::kRetryWithBackoff;
  }
  if ((retry_on_ & kRetryOnRetriableStatusCodes) != 0) {
    const auto listed = [status](const std::vector<std::uint32_t>& codes) {
      return std::find(codes.begin(), codes.end(), status) != codes.end();
    };
    if (listed(policy_->retriable_status_codes) || listed(extra_status_codes_)) {
      return status == kTooEarly ? RetryDecision::kRetryImmediately
                                 : RetryDecision::kRetryWithBackoff;
    }
  }
  if ((retry_on_ & kRetryOnRetriableHeaders) != 0 && headersRetriable(response.headers)) {
    return RetryDecision::kRetryWithBackoff;
  }
  constexpr std::uint32_t kGrpcBits = kRetryOnGrpcCancelled | kRetryOnGrpcDeadlineExceeded |
                                      kRetryOnGrpcResourceExhausted | kRetryOnGrpcUnavailable |
                                      kRetryOnGrpcInternal;
  if ((retry_on_ & kGrpcBits) != 0) {
    // Only a grpc-status in the response headers counts (trailers-only responses, §1.2(a)7).
    std::optional<std::uint64_t> grpc = response.grpc_status;
    if (!grpc) {
      if (auto v = response.headers.get(kGrpcStatus)) {
        grpc = parseUnsigned(*v);
      }
    }
    if (grpc) {
      const bool hit = (*grpc == 1 && (retry_on_ & kRetryOnGrpcCancelled) != 0) ||
                       (*grpc == 4 && (retry_on_ & kRetryOnGrpcDeadlineExceeded) != 0) ||
                       (*grpc == 8 && (retry_on_ & kRetryOnGrpcResourceExhausted) != 0) ||
                       (*grpc == 14 && (retry_on_ & kRetryOnGrpcUnavailable) != 0) ||
                       (*grpc == 13 && (retry_on_ & kRetryOnGrpcInternal) != 0);
      if (hit) {
        return RetryDecision::kRetryWithBackoff;
      }
    }
  }
  return RetryDecision::kNoRetry;
}

RetryDecision RetryState::wouldRetryFromReset(ResetReason reason,
                                              bool upstream_request_started) const {
  // §1.2(b): overflow is never retried, whatever retry_on says.
  if (reason == ResetReason::kOverflow) {
    return RetryDecision::kNoRetry;
  }
  // A connect failure without connect-failure falls through to the generic reset checks.
  if (isConnectFailure(reason) && (retry_on_ & kRetryOnConnectFailure) != 0) {
    return RetryDecision::kRetryWithBackoff;
  }
  if ((retry_on_ & kRetryOnResetBeforeRequest) != 0 && !upstream_request_started) {
    return RetryDecision::kRetryWithBackoff;
  }
  if ((retry_on_ & kRetryOnReset) != 0) {
    return RetryDecision::kRetryWithBackoff;
  }
  // Envoy counts any non-overflow reset as a "5xx" (it will become a 503/504), so 5xx and
  // gateway-error retry per-try timeouts and every other reset (§10 item 3).
  if ((retry_on_ & (kRetryOn5xx | kRetryOnGatewayError)) != 0) {
    return RetryDecision::kRetryWithBackoff;
  }
  if ((retry_on_ & kRetryOnRefusedStream) != 0 &&
      reason == ResetReason::kRemoteRefusedStreamReset) {
    return RetryDecision::kRetryWithBackoff;
  }
  return RetryDecision::kNoRetry;
}

RetryOutcome RetryState::shouldRetry(RetryDecision decision, RandomGenerator& rng) {
  // A pending retry whose attempt now ends non-retriably is a successful retry (§1.3).
  if (retry_pending_ && decision == RetryDecision::kNoRetry) {
    ++stats_->upstream_rq_retry_success;
  }
  resetRetry();

  RetryOutcome outcome;
  if (decision == RetryDecision::kNoRetry) {
    return outcome;
  }
  if (retries_remaining_ == 0) {
    ++stats_->upstream_rq_retry_limit_exceeded;
    outcome.status = RetryStatus::kNoRetryLimitExceeded;
    return outcome;
  }
  // Decremented before the circuit-breaker check: a refused retry still uses one up (§10 item 4).
  --retries_remaining_;
  if (!retries_->canCreate()) {
    ++stats_->upstream_rq_retry_overflow;
    outcome.status = RetryStatus::kNoOverflow;
    return outcome;
  }
  // Runtime "upstream.use_retry" is always 100 % in meshsim.
  retries_->inc();
  retry_pending_ = true;
  ++stats_->upstream_rq_retry;
  outcome.status = RetryStatus::kYes;
  if (decision == RetryDecision::kRetryImmediately) {
    outcome.backoff = RetryBackOffKind::kNextIteration;
    return outcome;
  }
  if (ratelimited_interval_ms_) {
    // The exponential state is not advanced by a rate-limited wait (§1.4).
    outcome.backoff = RetryBackOffKind::kRateLimited;
    outcome.delay = std::chrono::milliseconds(
        static_cast<std::int64_t>(jitteredLowerBoundBackOffMs(*ratelimited_interval_ms_, rng)));
    ratelimited_interval_ms_.reset();
    ++stats_->upstream_rq_retry_backoff_ratelimited;
  } else {
    outcome.backoff = RetryBackOffKind::kExponential;
    outcome.delay = backoff_.next(rng);
    ++stats_->upstream_rq_retry_backoff_exponential;
  }
  return outcome;
}

std::optional<std::uint64_t> RetryState::parseResetIntervalMs(
    const HeaderList& headers, std::optional<std::chrono::seconds> unix_now) const {
  const auto max_ms = static_cast<std::uint64_t>(
      std::max<std::int64_t>(0, toMilliseconds(policy_->rate_limited_max_interval)));
  for (std::size_t i = 0; i < policy_->rate_limited_reset_headers.size(); ++i) {
    const auto value = findHeader(headers, policy_->rate_limited_reset_headers[i]);
    if (!value) {
      continue;
    }
    const auto seconds = parseUnsigned(*value);
    if (!seconds) {
      continue;
    }
    std::uint64_t interval_s = *seconds;
    if (policy_->resetHeaderFormat(i) == ResetHeaderFormat::kUnixTimestamp) {
      if (!unix_now || unix_now->count() < 0) {
        continue;
      }
      const auto now_s = static_cast<std::uint64_t>(unix_now->count());
      if (*seconds < now_s) {
        continue;
      }
      interval_s = *seconds - now_s;
    }
    if (interval_s > std::numeric_limits<std::uint64_t>::max() / 1000) {
      continue;
    }
    const std::uint64_t interval_ms = interval_s * 1000;
    // First parseable header within max_interval wins.
    if (interval_ms <= max_ms) {
      return interval_ms;
    }
  }
  return std::nullopt;
}

RetryOutcome RetryState::shouldRetryHeaders(const Response& response, RandomGenerator& rng,
                                            std::optional<std::chrono::seconds> unix_now) {
  const RetryDecision decision = wouldRetryFromHeaders(response);
  if (decision == RetryDecision::kRetryWithBackoff &&
      !policy_->rate_limited_reset_headers.empty()) {
    const auto interval = parseResetIntervalMs(response.headers, unix_now);
    if (interval && *interval > 1) {
      ratelimited_interval_ms_ = *interval;
    }
  }
  return shouldRetry(decision, rng);
}

RetryOutcome RetryState::shouldRetryReset(ResetReason reason, bool upstream_request_started,
                                          RandomGenerator& rng) {
  return shouldRetry(wouldRetryFromReset(reason, upstream_request_started), rng);
}

RetryOutcome RetryState::shouldHedgeRetryPerTryTimeout(RandomGenerator& rng) {
  return shouldRetry(RetryDecision::kRetryWithBackoff, rng);
}

}  // namespace meshsim::core
