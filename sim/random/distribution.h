#pragma once

#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/common/time.h"
#include "sim/random/random_stream.h"

namespace meshsim::sim {

// A univariate distribution sampled from a RandomStream (DESIGN.md "Engine": distributions are our
// own because libstdc++'s std::*_distribution algorithms differ between standard libraries, and a
// run must be a pure function of (scenario, seed)). Every algorithm here is fixed and documented;
// the only remaining platform dependence is the last-ulp accuracy of libm's log/exp/pow/cos.
//
// sample() is const and allocation-free, so one distribution object can be shared by every entity
// and every replication thread; all mutable state lives in the caller's RandomStream.
//
// Units: a distribution is unit-free. When it models a time (service time, link latency, think
// time) its samples are seconds; convert with sampleDuration() / core::fromSeconds().
class Distribution {
 public:
  virtual ~Distribution() = default;

  virtual double sample(RandomStream& rng) const = 0;
  virtual double mean() const = 0;
  // +infinity where the variance does not exist (e.g. Pareto with alpha <= 2).
  virtual double variance() const = 0;
  // Human-readable name and parameters, e.g. "exponential(mean=0.01)"; for logs and summaries.
  virtual std::string describe() const = 0;
};

using DistributionPtr = std::unique_ptr<const Distribution>;

// Longest duration sampleDuration() returns: beyond any simulated horizon, and small enough that
// now + d cannot overflow the int64 nanosecond clock (which spans 292 years).
inline constexpr double kMaxSampledSeconds = 1e9;

// A sample interpreted as seconds, rounded to the nearest nanosecond. Negative samples (only
// possible from distributions configured to allow them) and NaN give zero, because a negative
// delay would schedule an event in the past; heavy tails (Pareto with small alpha) are capped at
// kMaxSampledSeconds rather than overflowing the conversion.
inline core::Duration sampleDuration(const Distribution& distribution, RandomStream& rng) {
  const double seconds = distribution.sample(rng);
  if (!(seconds > 0.0)) {
    return core::Duration::zero();
  }
  return core::fromSeconds(seconds < kMaxSampledSeconds ? seconds : kMaxSampledSeconds);
}

// What a factory returns: a distribution, or why the parameters were rejected. Invalid parameters
// are reported at construction (scenario load) so that sampling never fails.
class DistributionResult {
 public:
  static DistributionResult success(DistributionPtr distribution) {
    return DistributionResult(std::move(distribution), {});
  }
  static DistributionResult failure(std::string error) {
    return DistributionResult(nullptr, std::move(error));
  }

  bool ok() const { return distribution_ != nullptr; }
  explicit operator bool() const { return ok(); }
  // Empty when ok().
  const std::string& error() const { return error_; }
  // Precondition: ok().
  const Distribution& operator*() const { return *distribution_; }
  const Distribution* operator->() const { return distribution_.get(); }
  // Moves the distribution out; null when !ok().
  DistributionPtr release() && { return std::move(distribution_); }

 private:
  DistributionResult(DistributionPtr distribution, std::string error)
      : distribution_(std::move(distribution)), error_(std::move(error)) {}

  DistributionPtr distribution_;
  std::string error_;
};

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

// z such that Phi(z) = 0.99, for the (median, p99) lognormal parameterisation.
inline constexpr double kNormalQuantile99 = 2.3263478740408408;

// Always the same value.
DistributionResult makeConstant(double value);

// Uniform on [a, b); a == b degenerates to a constant.
DistributionResult makeUniform(double a, double b);

// Exponential with the given mean (rate 1/mean), by inversion: -mean * ln(U), U in (0, 1).
DistributionResult makeExponential(double mean);

// Normal(mean, stddev) truncated to [lo, hi], by rejection from the untruncated normal (one
// Box-Muller normal per attempt). lo defaults to 0 because the usual use is a duration; pass
// -kInfinity for an untruncated normal. mean()/variance() are those of the truncated distribution.
// Rejected if [lo, hi] holds less than 1e-3 of the normal's mass (rejection would crawl; such a
// configuration is almost certainly a unit mistake).
DistributionResult makeNormal(double mean, double stddev, double lo = 0.0, double hi = kInfinity);

// Lognormal: ln X ~ Normal(mu, sigma). sigma == 0 is allowed (a constant exp(mu)).
DistributionResult makeLognormal(double mu, double sigma);
// Lognormal with the given mean and sigma of the log: mu = ln(mean) - sigma^2 / 2.
DistributionResult makeLognormalFromMean(double mean, double sigma);
// Lognormal with the given mean and standard deviation (method of moments):
// sigma^2 = ln(1 + stddev^2 / mean^2), mu = ln(mean) - sigma^2 / 2.
DistributionResult makeLognormalFromMeanStddev(double mean, double stddev);
// Lognormal with the given median and 99th percentile: mu = ln(median),
// sigma = ln(p99 / median) / z_0.99. The usual way latencies are quoted.
DistributionResult makeLognormalFromMedianP99(double median, double p99);

// Gamma(shape k, scale theta): mean k*theta. Marsaglia & Tsang (2000), "A simple method for
// generating gamma variables"; for k < 1, Gamma(k) = Gamma(k + 1) * U^(1/k).
DistributionResult makeGamma(double shape, double scale);
// Erlang(k, rate): the sum of k exponentials of the given rate, i.e. Gamma(k, 1/rate).
DistributionResult makeErlang(int k, double rate);

// Weibull(shape k, scale lambda) by inversion: lambda * (-ln U)^(1/k).
DistributionResult makeWeibull(double shape, double scale);

// Pareto type I (minimum xm, tail index alpha) by inversion: xm * U^(-1/alpha), U in (0, 1).
// The mean is infinite for alpha <= 1 and the variance for alpha <= 2.
DistributionResult makePareto(double xm, double alpha);

// One point of a quantile function: P(X <= value) = quantile.
struct QuantilePoint {
  double quantile;  // in (0, 1)
  double value;
};

// A distribution given by a few percentiles (e.g. p50/p90/p99/p999 read off a dashboard). The CDF
// is piecewise linear between (0, minimum), the given points and (1, maximum), i.e. uniform within
// each band, sampled by inversion. The maximum defaults to extrapolating the last band's width:
// last + (last - previous), which for p99/p999 is p999 + (p999 - p99); with a single point the
// previous value is the minimum. Points must have strictly increasing quantiles in (0, 1) and
// non-decreasing values within [minimum, maximum]. mean()/variance() are exact for this CDF.
DistributionResult makeEmpirical(std::span<const QuantilePoint> points, double minimum = 0.0,
                                 std::optional<double> maximum = std::nullopt);

struct MixtureComponent {
  double weight;  // non-negative; weights are normalised by their sum
  DistributionPtr distribution;
};

// With probability weight_i / sum(weights), a sample of component i (one uniform draw selects the
// component, then the component draws as usual). Typical use: a fast path plus a slow tail.
DistributionResult makeMixture(std::vector<MixtureComponent> components);

}  // namespace meshsim::sim
