#include "core/retry/istio_retry.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "core/common/strings.h"
#include "core/retry/retry_on.h"

namespace meshsim::core {

namespace {

constexpr std::uint32_t kIstioDefaultNumRetries = 2;
constexpr std::uint32_t kIstioHostSelectionAttempts = 5;
constexpr std::uint32_t kPreviousPrioritiesUpdateFrequency = 2;

constexpr std::array<std::uint16_t, 62> kGoStatusCodes{
    100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301,
    302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409,
    410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428,
    429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511};

// Go strconv.Atoi: optional sign, decimal digits, nothing else.
std::optional<std::int64_t> goAtoi(std::string_view s) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s.front() == '-') {
      return std::nullopt;
    }
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

bool isGoKnownHttpStatus(std::int64_t code) {
  return code > 0 &&
         std::find(kGoStatusCodes.begin(), kGoStatusCodes.end(), code) != kGoStatusCodes.end();
}

RetryPolicy istioDefaultRetryPolicy(const IstioRetryOptions& options) {
  RetryPolicy policy;
  policy.num_retries = kIstioDefaultNumRetries;
  policy.retry_on = parseRetryOn(kIstioDefaultRetryOn).bits;
  policy.host_selection_retry_max_attempts = kIstioHostSelectionAttempts;
  // With consistent hashing a retry must stay on the hashed host.
  policy.previous_hosts_predicate = !options.consistent_hash;
  if (!options.exclude_503_from_default_retries) {
    policy.retriable_status_codes = {503};
  }
  return policy;
}

RetryPolicy istioInboundDefaultRetryPolicy() {
  RetryPolicy policy;
  policy.num_retries = kIstioDefaultNumRetries;
  policy.retry_on = kRetryOnResetBeforeRequest;
  return policy;
}

std::optional<RetryPolicy> translateIstioRetries(const std::optional<IstioHttpRetry>& retries,
                                                 const IstioRetryOptions& options,
                                                 const std::optional<IstioHttpRetry>& mesh_default,
                                                 std::vector<std::string>* diagnostics) {
  const std::optional<IstioHttpRetry>& in = retries ? retries : mesh_default;
  RetryPolicy out = istioDefaultRetryPolicy(options);
  if (!in) {
    return out;
  }
  const std::int32_t attempts = in->attempts.value_or(0);
  if (attempts <= 0) {
    return std::nullopt;
  }
  out.num_retries = static_cast<std::uint32_t>(attempts);

  if (!in->retry_on.empty()) {
    // Integers with a Go reason phrase are status codes; everything else goes to Envoy's retry_on.
    std::vector<std::uint32_t> codes;
    std::string remaining;
    std::string_view list = in->retry_on;
    while (true) {
      const std::size_t comma = list.find(',');
      const std::string_view part = trimWhitespace(list.substr(0, comma));
      if (!part.empty()) {
        const auto number = goAtoi(part);
        if (number && isGoKnownHttpStatus(*number)) {
          codes.push_back(static_cast<std::uint32_t>(*number));
        } else {
          if (!remaining.empty()) {
            remaining += ',';
          }
          remaining += part;
        }
      }
      if (comma == std::string_view::npos) {
        break;
      }
      list.remove_prefix(comma + 1);
    }
    RetryOnParseResult parsed = parseRetryOn(remaining);
    if (!codes.empty()) {
      parsed.bits |= kRetryOnRetriableStatusCodes;
    }
    out.retry_on = parsed.bits;
    out.retriable_status_codes = std::move(codes);
    if (diagnostics != nullptr) {
      for (std::string& token : parsed.unknown_tokens) {
        diagnostics->push_back("unknown retryOn condition '" + token + "'");
      }
    }
  }
  if (in->per_try_timeout) {
    out.per_try_timeout = *in->per_try_timeout;
  }
  if (in->retry_ignore_previous_hosts) {
    out.previous_hosts_predicate = *in->retry_ignore_previous_hosts;
  }
  if (in->retry_remote_localities.value_or(false)) {
    out.previous_priorities_update_frequency = kPreviousPrioritiesUpdateFrequency;
  }
  if (in->backoff) {
    // Only the base: Envoy's max then defaults to 10 × base.
    out.backoff_base_interval = *in->backoff;
  }
  return out;
}

}  // namespace meshsim::core
