#include "sim/stats/running_stats.h"

#include <algorithm>
#include <cmath>

namespace meshsim::sim {

void RunningStats::merge(const RunningStats& other) {
  if (other.count_ == 0) {
    return;
  }
  if (count_ == 0) {
    *this = other;
    return;
  }
  const double na = static_cast<double>(count_);
  const double nb = static_cast<double>(other.count_);
  const double n = na + nb;
  const double delta = other.mean_ - mean_;
  mean_ += delta * nb / n;
  m2_ += other.m2_ + delta * delta * na * nb / n;
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

double RunningStats::variance() const {
  return count_ < 2 ? kNaN : m2_ / static_cast<double>(count_ - 1);
}

double RunningStats::populationVariance() const {
  return count_ == 0 ? kNaN : m2_ / static_cast<double>(count_);
}

double RunningStats::stddev() const {
  return std::sqrt(variance());
}

}  // namespace meshsim::sim
