#include "core/lb/load_balancer_context.h"

#include <algorithm>

namespace meshsim::core {

bool PreviousHostsPredicate::shouldSelectAnotherHost(const Host& candidate) const {
  const auto inline_end = inline_.begin() + static_cast<std::ptrdiff_t>(inline_count_);
  return std::find(inline_.begin(), inline_end, &candidate) != inline_end ||
         std::find(overflow_.begin(), overflow_.end(), &candidate) != overflow_.end();
}

void PreviousHostsPredicate::onHostAttempted(const Host& host) {
  if (inline_count_ < kInlineHosts) {
    inline_[inline_count_++] = &host;
  } else {
    overflow_.push_back(&host);
  }
}

void PreviousHostsPredicate::reset() {
  inline_count_ = 0;
  overflow_.clear();
}

bool LoadBalancerContext::addRetryHostPredicate(RetryHostPredicate& predicate) {
  if (predicate_count_ == kMaxPredicates) {
    return false;
  }
  predicates_[predicate_count_++] = &predicate;
  return true;
}

bool LoadBalancerContext::shouldSelectAnotherHost(const Host& host) const {
  for (std::size_t i = 0; i < predicate_count_; ++i) {
    if (predicates_[i]->shouldSelectAnotherHost(host)) {
      return true;
    }
  }
  return false;
}

void LoadBalancerContext::onHostAttempted(const Host& host) {
  for (std::size_t i = 0; i < predicate_count_; ++i) {
    predicates_[i]->onHostAttempted(host);
  }
}

}  // namespace meshsim::core
