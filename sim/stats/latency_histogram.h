#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <iterator>

#include "core/common/time.h"
#include "sim/stats/running_stats.h"

namespace meshsim::sim {

namespace histogram_detail {

inline constexpr int kSubBucketBits = 6;
inline constexpr std::int64_t kSubBucketCount = std::int64_t{1} << kSubBucketBits;

// Index in the unbounded log-linear layout that starts at 0 ns, for v >= kSubBucketCount (smaller
// values would get width-1 cells; they are never used because the trackable range starts above).
constexpr std::size_t rawIndex(std::int64_t v) {
  const auto u = static_cast<std::uint64_t>(v);
  const int exponent = std::bit_width(u) - 1;
  const std::uint64_t sub = (u >> (exponent - kSubBucketBits)) - kSubBucketCount;
  return static_cast<std::size_t>(exponent - kSubBucketBits + 1) * kSubBucketCount + sub;
}

}  // namespace histogram_detail

// A fixed-size log-linear histogram of latencies in integer nanoseconds, so memory does not grow
// with requests simulated (DESIGN.md "Performance budget"). The idea is HdrHistogram's (Tene): each
// power-of-two range [2^e, 2^(e+1)) is split into 2^kSubBucketBits equal sub-buckets, so a bucket's
// width is at most 2^-kSubBucketBits of the values in it.
//
// Precision: a percentile is reported as its bucket's midpoint, which lies within half a bucket
// width of every value in the bucket, i.e. a relative error of at most 2^-(kSubBucketBits+1) =
// 1/128 ≈ 0.78 % over the trackable range [1 µs, 2^42 - 1 ns ≈ 73 min].
// Values outside the range are clamped into the first/last bucket and counted in
// underflowCount()/overflowCount(); count(), sum, mean, stddev, min and max always use the raw
// values, so mean() is exact whatever the clamping.
//
// record() is O(1) and never allocates; the object is trivially copyable (all storage inline,
// ~16 KiB), so keep long-lived ones on the heap or as members, not in hot stack frames.
class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = histogram_detail::kSubBucketBits;
  static constexpr std::int64_t kSubBucketCount = histogram_detail::kSubBucketCount;
  static constexpr std::int64_t kLowestTrackable = 1'000;                         // 1 µs
  static constexpr std::int64_t kHighestTrackable = (std::int64_t{1} << 42) - 1;  // ≈ 73.3 min
  // 1/128: the bound every percentile() satisfies for data inside the trackable range.
  static constexpr double kMaxRelativeError = 1.0 / static_cast<double>(2 * kSubBucketCount);

 private:
  static constexpr std::size_t kFirstRawIndex = histogram_detail::rawIndex(kLowestTrackable);

 public:
  static constexpr std::size_t kBucketCount =
      histogram_detail::rawIndex(kHighestTrackable) - kFirstRawIndex + 1;

  // Bucket arithmetic, public so exporters (Prometheus `le` bounds) and tests can use it.
  static constexpr std::size_t bucketIndex(std::int64_t ns) {
    if (ns < kLowestTrackable) {
      return 0;
    }
    if (ns > kHighestTrackable) {
      return kBucketCount - 1;
    }
    return histogram_detail::rawIndex(ns) - kFirstRawIndex;
  }
  // Inclusive lower bound of a bucket in the unclamped layout; bucket 0 starts at kLowestTrackable
  // (its layout cell begins at 1000 ns exactly, as 1000 is a multiple of that cell's width 8).
  static constexpr std::int64_t bucketLowerBound(std::size_t index) {
    const std::size_t raw = index + kFirstRawIndex;
    const std::size_t shift = raw / kSubBucketCount - 1;
    const std::uint64_t mantissa =
        static_cast<std::uint64_t>(kSubBucketCount) + raw % kSubBucketCount;
    return static_cast<std::int64_t>(mantissa << shift);
  }
  static constexpr std::int64_t bucketWidth(std::size_t index) {
    return std::int64_t{1} << ((index + kFirstRawIndex) / kSubBucketCount - 1);
  }
  // Exclusive upper bound.
  static constexpr std::int64_t bucketUpperBound(std::size_t index) {
    return bucketLowerBound(index) + bucketWidth(index);
  }
  static constexpr std::int64_t bucketMidpoint(std::size_t index) {
    return bucketLowerBound(index) + bucketWidth(index) / 2;
  }

  void record(std::int64_t ns) { record(ns, 1); }
  void record(std::int64_t ns, std::uint64_t count) {
    if (count == 0) {
      return;
    }
    underflow_ += ns < kLowestTrackable ? count : 0;
    overflow_ += ns > kHighestTrackable ? count : 0;
    buckets_[bucketIndex(ns)] += count;
    count_ += count;
    sum_ += static_cast<Int128>(ns) * count;
    min_ = ns < min_ ? ns : min_;
    max_ = ns > max_ ? ns : max_;
    moments_.add(static_cast<double>(ns), count);
  }
  void record(core::Duration d) { record(d.count(), 1); }
  void record(core::Duration d, std::uint64_t count) { record(d.count(), count); }

  // Equivalent to having recorded every value of `other` here as well.
  void merge(const LatencyHistogram& other);
  void reset() { *this = LatencyHistogram(); }

  std::uint64_t count() const { return count_; }
  std::uint64_t underflowCount() const { return underflow_; }
  std::uint64_t overflowCount() const { return overflow_; }
  // Exact raw extremes; 0 when empty.
  std::int64_t min() const { return count_ == 0 ? 0 : min_; }
  std::int64_t max() const { return count_ == 0 ? 0 : max_; }
  // Exact sum of raw values (as double; the 128-bit accumulator cannot overflow in practice).
  double sum() const { return static_cast<double>(sum_); }
  // Exact mean of raw values (the 128-bit sum divided once); NaN when empty.
  double mean() const;
  // Sample standard deviation (divisor n - 1) of raw values; NaN when fewer than 2 values.
  double stddev() const { return moments_.stddev(); }

  // The value at or below which q % of recorded values lie (nearest rank: the ceil(q/100 * n)-th
  // smallest), reported as its bucket's midpoint clamped to [min(), max()]. Hence
  // percentile(0) == min(), percentile(100) == max(), and a histogram of one repeated value answers
  // that value exactly. q outside [0, 100] is clamped; 0 when empty.
  std::int64_t percentile(double q) const;

  std::uint64_t bucketCount(std::size_t index) const { return buckets_[index]; }

  struct Bucket {
    std::size_t index;
    std::int64_t lower;  // inclusive, ns
    std::int64_t upper;  // exclusive, ns
    std::uint64_t count;
  };

  // Forward iteration over non-empty buckets in increasing order of value:
  //   for (const LatencyHistogram::Bucket& b : histogram.nonEmptyBuckets()) { ... }
  class BucketIterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Bucket;
    using difference_type = std::ptrdiff_t;
    using pointer = const Bucket*;
    using reference = Bucket;

    BucketIterator(const LatencyHistogram* h, std::size_t index) : h_(h), index_(index) {
      skipEmpty();
    }
    Bucket operator*() const {
      return {index_, bucketLowerBound(index_), bucketUpperBound(index_), h_->buckets_[index_]};
    }
    BucketIterator& operator++() {
      ++index_;
      skipEmpty();
      return *this;
    }
    BucketIterator operator++(int) {
      BucketIterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const BucketIterator& o) const { return index_ == o.index_; }

   private:
    void skipEmpty() {
      while (index_ < kBucketCount && h_->buckets_[index_] == 0) {
        ++index_;
      }
    }
    const LatencyHistogram* h_;
    std::size_t index_;
  };
  struct BucketRange {
    const LatencyHistogram* h;
    BucketIterator begin() const { return {h, 0}; }
    BucketIterator end() const { return {h, kBucketCount}; }
  };
  BucketRange nonEmptyBuckets() const { return {this}; }

 private:
  __extension__ using Int128 = __int128;

  std::array<std::uint64_t, kBucketCount> buckets_{};
  std::uint64_t count_{0};
  std::uint64_t underflow_{0};
  std::uint64_t overflow_{0};
  Int128 sum_{0};
  std::int64_t min_{INT64_MAX};
  std::int64_t max_{INT64_MIN};
  RunningStats moments_;
};

}  // namespace meshsim::sim
