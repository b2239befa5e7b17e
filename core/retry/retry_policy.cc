#include "core/retry/retry_policy.h"

namespace meshsim::core {

std::vector<std::string> validateRetryPolicy(const RetryPolicy& policy) {
  std::vector<std::string> errors;
  if (policy.backoff_base_interval <= Duration::zero()) {
    errors.emplace_back("retry_back_off.base_interval must be greater than zero");
  }
  if (policy.backoff_max_interval && *policy.backoff_max_interval < policy.backoff_base_interval) {
    errors.emplace_back(
        "retry_back_off.max_interval must be greater than or equal to the base_interval");
  }
  if (policy.rate_limited_reset_header_formats.size() > policy.rate_limited_reset_headers.size()) {
    errors.emplace_back("more rate-limited reset header formats than reset headers");
  }
  if (!policy.rate_limited_reset_headers.empty() &&
      policy.rate_limited_max_interval <= Duration::zero()) {
    errors.emplace_back("rate_limited_retry_back_off.max_interval must be greater than zero");
  }
  return errors;
}

}  // namespace meshsim::core
