#include "sim/stats/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace meshsim::sim {

// The layout claims of the header, checked where they are cheap to check.
static_assert(LatencyHistogram::bucketLowerBound(0) == LatencyHistogram::kLowestTrackable);
static_assert(LatencyHistogram::bucketUpperBound(LatencyHistogram::kBucketCount - 1) ==
              LatencyHistogram::kHighestTrackable + 1);
static_assert(LatencyHistogram::kMaxRelativeError <= 0.01);

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) {
    return;
  }
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    buckets_[i] += other.buckets_[i];
  }
  count_ += other.count_;
  underflow_ += other.underflow_;
  overflow_ += other.overflow_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  moments_.merge(other.moments_);
}

double LatencyHistogram::mean() const {
  if (count_ == 0) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  // Split into quotient and remainder so the division is exact before the final rounding.
  const Int128 n = static_cast<Int128>(count_);
  const Int128 quotient = sum_ / n;
  const Int128 remainder = sum_ % n;
  return static_cast<double>(quotient) +
         static_cast<double>(remainder) / static_cast<double>(count_);
}

std::int64_t LatencyHistogram::percentile(double q) const {
  if (count_ == 0) {
    return 0;
  }
  if (!(q > 0.0)) {  // also catches NaN
    return min_;
  }
  if (q >= 100.0) {
    return max_;
  }
  const double exact_rank = std::ceil(q / 100.0 * static_cast<double>(count_));
  const std::uint64_t rank =
      std::clamp<std::uint64_t>(static_cast<std::uint64_t>(exact_rank), 1, count_);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    cumulative += buckets_[i];
    if (cumulative >= rank) {
      return std::clamp(bucketMidpoint(i), min_, max_);
    }
  }
  return max_;  // unreachable: the buckets sum to count_
}

}  // namespace meshsim::sim
