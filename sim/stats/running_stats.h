#pragma once

#include <cstdint>
#include <limits>

namespace meshsim::sim {

// Streaming count, mean, variance, min and max in O(1) memory. Welford's update (Welford 1962)
// avoids the cancellation of the textbook sum-of-squares formula; two accumulators combine with the
// pairwise formula of Chan, Golub & LeVeque (1979), so replications or worker threads can each keep
// their own and merge at the end. Trivially copyable: no heap storage.
class RunningStats {
 public:
  // Adds `weight` observations equal to `x`: Chan's merge with a group of `weight` copies of x
  // (whose own M2 is 0); weight 1 is exactly Welford's step. Inline: histograms call it per record.
  void add(double x, std::uint64_t weight = 1) {
    if (weight == 0) {
      return;
    }
    const double w = static_cast<double>(weight);
    count_ += weight;
    const double delta = x - mean_;
    mean_ += delta * w / static_cast<double>(count_);
    m2_ += delta * (x - mean_) * w;
    min_ = x < min_ ? x : min_;
    max_ = x > max_ ? x : max_;
  }
  void merge(const RunningStats& other);
  void reset() { *this = RunningStats(); }

  std::uint64_t count() const { return count_; }
  // NaN when empty.
  double mean() const { return count_ == 0 ? kNaN : mean_; }
  // Sample variance (divisor n - 1), the estimator confidence intervals need; NaN when n < 2.
  double variance() const;
  // Population variance (divisor n); NaN when empty.
  double populationVariance() const;
  double stddev() const;
  // Sum of squared deviations from the mean (Welford's M2).
  double sumSquaredDeviations() const { return m2_; }
  // NaN when empty.
  double min() const { return count_ == 0 ? kNaN : min_; }
  double max() const { return count_ == 0 ? kNaN : max_; }

 private:
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

  std::uint64_t count_{0};
  double mean_{0.0};
  double m2_{0.0};
  double min_{std::numeric_limits<double>::infinity()};
  double max_{-std::numeric_limits<double>::infinity()};
};

}  // namespace meshsim::sim
