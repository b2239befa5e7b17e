#include "sim/random/distribution.h"

#include "tests/sim/random/allocation_counter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <boost/math/distributions/exponential.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/pareto.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <boost/math/distributions/weibull.hpp>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <vector>

namespace meshsim::sim {
namespace {

using ::testing::StartsWith;

// Statistical acceptance rules, fixed here so that every test states the same thing:
//  * n = 20000 samples from a fixed stream, so each test is deterministic.
//  * Mean: |sample mean - theory| < 5 standard errors, SE = sigma / sqrt(n) with the theoretical
//    sigma (two-sided p ~ 6e-7 for a correct sampler).
//  * Variance: |sample variance - theory| < 5 SE(s^2), SE(s^2) = sqrt((m4 - s^4) / n) with m4 the
//    sample fourth central moment (the large-n standard error of the sample variance). Only used
//    where the fourth moment exists.
//  * Kolmogorov-Smirnov against an independent reference CDF (Boost.Math, or the definition for
//    empirical/mixture): D_n < 1.63 / sqrt(n), the asymptotic critical value for alpha = 0.01.
constexpr int kSamples = 20000;
constexpr double kSigmas = 5.0;
constexpr double kKsCritical = 1.63;
constexpr std::uint64_t kSeed = 20240601;

using Cdf = std::function<double(double)>;

struct SampleSummary {
  std::vector<double> sorted;
  double mean = 0;
  double variance = 0;    // unbiased
  double varianceSe = 0;  // standard error of the sample variance
};

SampleSummary drawSamples(const Distribution& distribution, std::string_view purpose,
                          int n = kSamples) {
  RandomStream rng(kSeed, 0, "distribution_test", purpose);
  SampleSummary summary;
  summary.sorted.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    summary.sorted.push_back(distribution.sample(rng));
  }
  double sum = 0;
  for (double x : summary.sorted) {
    sum += x;
  }
  summary.mean = sum / n;
  double m2 = 0;
  double m4 = 0;
  for (double x : summary.sorted) {
    const double d2 = (x - summary.mean) * (x - summary.mean);
    m2 += d2;
    m4 += d2 * d2;
  }
  summary.variance = m2 / (n - 1);
  const double s2 = m2 / n;
  summary.varianceSe = std::sqrt(std::max(m4 / n - s2 * s2, 0.0) / n);
  std::sort(summary.sorted.begin(), summary.sorted.end());
  return summary;
}

// D_n = sup |F_n - F|. Ties (atoms, e.g. a flat band of an empirical distribution) are one step of
// F_n, compared with F just below and at the tied value; for a continuous F this is the usual
// max(i/n - F(x_i), F(x_i) - (i-1)/n).
double ksStatistic(const std::vector<double>& sorted, const Cdf& cdf) {
  const double n = static_cast<double>(sorted.size());
  double d = 0;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i + 1;
    while (j < sorted.size() && sorted[j] == sorted[i]) {
      ++j;
    }
    const double below = cdf(std::nextafter(sorted[i], -kInfinity));
    const double at = cdf(sorted[i]);
    d = std::max({d, static_cast<double>(j) / n - at, below - static_cast<double>(i) / n});
    i = j;
  }
  return d;
}

void expectMeanMatches(const SampleSummary& s, double theoryMean, double theoryVariance) {
  const double se = std::sqrt(theoryVariance / static_cast<double>(s.sorted.size()));
  EXPECT_NEAR(s.mean, theoryMean, kSigmas * se)
      << "mean off by " << (s.mean - theoryMean) / se << " SE";
}

void expectVarianceMatches(const SampleSummary& s, double theoryVariance) {
  EXPECT_NEAR(s.variance, theoryVariance, kSigmas * s.varianceSe)
      << "variance off by " << (s.variance - theoryVariance) / s.varianceSe << " SE";
}

void expectKsPasses(const SampleSummary& s, const Cdf& cdf) {
  const double critical = kKsCritical / std::sqrt(static_cast<double>(s.sorted.size()));
  EXPECT_LT(ksStatistic(s.sorted, cdf), critical);
}

// The distribution's own mean()/variance() agree with the independent theory to rounding, and a
// sample agrees with theory and with the reference CDF.
void checkAgainstTheory(const Distribution& distribution, std::string_view purpose,
                        double theoryMean, double theoryVariance, const Cdf& cdf) {
  SCOPED_TRACE(distribution.describe());
  EXPECT_NEAR(distribution.mean(), theoryMean, 1e-12 * std::abs(theoryMean));
  EXPECT_NEAR(distribution.variance(), theoryVariance, 1e-10 * theoryVariance);
  const SampleSummary s = drawSamples(distribution, purpose);
  expectMeanMatches(s, theoryMean, theoryVariance);
  expectVarianceMatches(s, theoryVariance);
  expectKsPasses(s, cdf);
}

template <class BoostDist>
void checkAgainstBoost(const Distribution& distribution, std::string_view purpose,
                       const BoostDist& reference) {
  checkAgainstTheory(distribution, purpose, boost::math::mean(reference),
                     boost::math::variance(reference),
                     [reference](double x) { return boost::math::cdf(reference, x); });
}

const Distribution& ok(const DistributionResult& result) {
  EXPECT_TRUE(result.ok()) << result.error();
  if (!result.ok()) {
    std::abort();
  }
  return *result;
}

void expectInvalid(const DistributionResult& result, std::string_view mentions) {
  ASSERT_FALSE(result.ok()) << (*result).describe();
  EXPECT_NE(result.error().find(mentions), std::string::npos) << result.error();
}

// ---- The statistical tests have power: they reject a slightly wrong reference. ----

TEST(DistributionTest, StatisticalChecksRejectAFivePercentError) {
  const auto result = makeExponential(1.0);
  const SampleSummary s = drawSamples(*result, "power");
  const boost::math::exponential_distribution<> wrong(1.0 / 1.05);
  EXPECT_GT(ksStatistic(s.sorted, [&](double x) { return boost::math::cdf(wrong, x); }),
            kKsCritical / std::sqrt(static_cast<double>(kSamples)));
  EXPECT_GT(std::abs(s.mean - 1.05), kSigmas * 1.05 / std::sqrt(static_cast<double>(kSamples)));
}

// ---- Constant and uniform ----

TEST(DistributionTest, Constant) {
  const auto result = makeConstant(0.25);
  const Distribution& d = ok(result);
  RandomStream rng(kSeed, 0, 0, 0);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(d.sample(rng), 0.25);
  }
  EXPECT_EQ(d.mean(), 0.25);
  EXPECT_EQ(d.variance(), 0.0);
  EXPECT_EQ(d.describe(), "constant(value=0.25)");
  expectInvalid(makeConstant(kInfinity), "finite");
}

TEST(DistributionTest, Uniform) {
  const auto result = makeUniform(2.0, 5.0);
  checkAgainstBoost(ok(result), "uniform", boost::math::uniform_distribution<>(2.0, 5.0));
  EXPECT_EQ(result->describe(), "uniform(a=2, b=5)");
  expectInvalid(makeUniform(5.0, 2.0), "a <= b");
  expectInvalid(makeUniform(0.0, kInfinity), "finite");
}

// ---- Exponential ----

TEST(DistributionTest, Exponential) {
  const auto result = makeExponential(0.01);
  checkAgainstBoost(ok(result), "exponential", boost::math::exponential_distribution<>(100.0));
  EXPECT_EQ(result->describe(), "exponential(mean=0.01)");
  expectInvalid(makeExponential(0.0), "positive");
  expectInvalid(makeExponential(-1.0), "positive");
}

// ---- Truncated normal ----

// Moments of the normal truncated to [lo, hi] by Simpson integration of Boost's pdf: an
// independent check of the closed form in the implementation.
struct TruncatedNormalTheory {
  double mean;
  double variance;
  Cdf cdf;
};

TruncatedNormalTheory truncatedNormalTheory(double mu, double sigma, double lo, double hi) {
  const boost::math::normal_distribution<> normal(mu, sigma);
  const double a = std::max(lo, mu - 12 * sigma);
  const double b = std::min(hi, mu + 12 * sigma);
  const double mass = boost::math::cdf(normal, hi) - boost::math::cdf(normal, lo);
  constexpr int kIntervals = 20000;  // even
  const double h = (b - a) / kIntervals;
  double m1 = 0;
  double m2 = 0;
  for (int i = 0; i <= kIntervals; ++i) {
    const double x = a + i * h;
    const double w = (i == 0 || i == kIntervals) ? 1 : (i % 2 == 1 ? 4 : 2);
    const double p = boost::math::pdf(normal, x);
    m1 += w * x * p;
    m2 += w * x * x * p;
  }
  m1 *= h / 3 / mass;
  m2 *= h / 3 / mass;
  const double flo = boost::math::cdf(normal, lo);
  return {m1, m2 - m1 * m1, [normal, flo, mass, lo, hi](double x) {
            if (x <= lo) {
              return 0.0;
            }
            if (x >= hi) {
              return 1.0;
            }
            return (boost::math::cdf(normal, x) - flo) / mass;
          }};
}

void checkTruncatedNormal(double mu, double sigma, double lo, double hi, std::string_view purpose) {
  const auto result = makeNormal(mu, sigma, lo, hi);
  const TruncatedNormalTheory theory = truncatedNormalTheory(mu, sigma, lo, hi);
  checkAgainstTheory(ok(result), purpose, theory.mean, theory.variance, theory.cdf);
}

TEST(DistributionTest, NormalUntruncated) {
  const auto result = makeNormal(3.0, 2.0, -kInfinity);
  checkAgainstBoost(ok(result), "normal", boost::math::normal_distribution<>(3.0, 2.0));
  EXPECT_EQ(result->describe(), "normal(mean=3, stddev=2)");
}

TEST(DistributionTest, NormalTruncatedAtZeroByDefault) {
  // A duration with a large coefficient of variation: 31% of the normal's mass is below 0, so the
  // truncated mean is well above 1.
  checkTruncatedNormal(1.0, 2.0, 0.0, kInfinity, "normal-lo");
  const auto result = makeNormal(1.0, 2.0);
  EXPECT_GT(result->mean(), 1.9);
  EXPECT_EQ(result->describe(), "normal(mean=1, stddev=2, lo=0)");
  RandomStream rng(kSeed, 0, 1, 2);
  for (int i = 0; i < 10000; ++i) {
    EXPECT_GE(result->sample(rng), 0.0);
  }
}

TEST(DistributionTest, NormalTruncatedBothSides) {
  checkTruncatedNormal(0.0, 1.0, -1.0, 2.0, "normal-lohi");
  checkTruncatedNormal(5.0, 0.5, 5.2, 6.0, "normal-narrow");
  EXPECT_EQ(makeNormal(0.0, 1.0, -1.0, 2.0)->describe(), "normal(mean=0, stddev=1, lo=-1, hi=2)");
}

TEST(DistributionTest, NormalRejectsInvalidParameters) {
  expectInvalid(makeNormal(1.0, 0.0), "stddev");
  expectInvalid(makeNormal(1.0, -1.0), "stddev");
  expectInvalid(makeNormal(1.0, 1.0, 2.0, 2.0), "lo < hi");
  expectInvalid(makeNormal(kInfinity, 1.0), "mean");
  // 10 sigma below zero: a negligible mass remains above 0 (a units mistake, e.g. ms for s).
  expectInvalid(makeNormal(-10.0, 1.0), "holds only");
  // About 3.1 sigma (mass just over 1e-3) is still accepted.
  EXPECT_TRUE(makeNormal(-3.0, 1.0).ok());
}

// ---- Lognormal ----

TEST(DistributionTest, LognormalFromMuSigma) {
  const auto result = makeLognormal(-4.0, 0.5);
  checkAgainstBoost(ok(result), "lognormal", boost::math::lognormal_distribution<>(-4.0, 0.5));
  EXPECT_EQ(result->describe(), "lognormal(mu=-4, sigma=0.5)");
}

TEST(DistributionTest, LognormalFromMeanAndSigma) {
  const auto result = makeLognormalFromMean(0.02, 0.8);
  const double mu = std::log(0.02) - 0.5 * 0.8 * 0.8;
  checkAgainstBoost(ok(result), "lognormal-mean", boost::math::lognormal_distribution<>(mu, 0.8));
  EXPECT_NEAR(result->mean(), 0.02, 1e-15);
}

TEST(DistributionTest, LognormalFromMeanAndStddev) {
  const auto result = makeLognormalFromMeanStddev(0.05, 0.03);
  const Distribution& d = ok(result);
  EXPECT_NEAR(d.mean(), 0.05, 1e-15);
  EXPECT_NEAR(std::sqrt(d.variance()), 0.03, 1e-15);
  const double sigma2 = std::log(1 + (0.03 / 0.05) * (0.03 / 0.05));
  checkAgainstBoost(
      d, "lognormal-meansd",
      boost::math::lognormal_distribution<>(std::log(0.05) - sigma2 / 2, std::sqrt(sigma2)));
}

TEST(DistributionTest, LognormalFromMedianAndP99) {
  // "p50 = 20 ms, p99 = 200 ms": the reference lognormal must have exactly those quantiles.
  const auto result = makeLognormalFromMedianP99(0.020, 0.200);
  const Distribution& d = ok(result);
  const boost::math::lognormal_distribution<> reference(
      std::log(0.020),
      std::log(10.0) / boost::math::quantile(boost::math::normal_distribution<>(), 0.99));
  EXPECT_NEAR(boost::math::quantile(reference, 0.5), 0.020, 1e-15);
  EXPECT_NEAR(boost::math::quantile(reference, 0.99), 0.200, 1e-13);
  checkAgainstBoost(d, "lognormal-p99", reference);
  // sigma = 0 (p99 == median) is a constant.
  const auto degenerate = makeLognormalFromMedianP99(0.02, 0.02);
  EXPECT_NEAR(degenerate->variance(), 0.0, 1e-20);
}

TEST(DistributionTest, LognormalNormalQuantileConstant) {
  EXPECT_NEAR(boost::math::quantile(boost::math::normal_distribution<>(), 0.99), kNormalQuantile99,
              1e-15);
}

TEST(DistributionTest, LognormalRejectsInvalidParameters) {
  expectInvalid(makeLognormal(0.0, -0.1), "sigma");
  expectInvalid(makeLognormalFromMean(0.0, 0.5), "mean");
  expectInvalid(makeLognormalFromMeanStddev(1.0, -1.0), "stddev");
  expectInvalid(makeLognormalFromMedianP99(0.02, 0.01), "p99 >= median");
  expectInvalid(makeLognormalFromMedianP99(0.0, 0.01), "median");
}

// ---- Gamma and Erlang ----

TEST(DistributionTest, GammaShapeBelowOneUsesTheBoost) {
  const auto result = makeGamma(0.5, 2.0);
  checkAgainstBoost(ok(result), "gamma-0.5", boost::math::gamma_distribution<>(0.5, 2.0));
  const auto tiny = makeGamma(0.1, 1.0);
  checkAgainstBoost(ok(tiny), "gamma-0.1", boost::math::gamma_distribution<>(0.1, 1.0));
}

TEST(DistributionTest, GammaShapeOneAndAbove) {
  checkAgainstBoost(ok(makeGamma(1.0, 3.0)), "gamma-1",
                    boost::math::gamma_distribution<>(1.0, 3.0));
  checkAgainstBoost(ok(makeGamma(2.5, 0.01)), "gamma-2.5",
                    boost::math::gamma_distribution<>(2.5, 0.01));
  checkAgainstBoost(ok(makeGamma(30.0, 0.1)), "gamma-30",
                    boost::math::gamma_distribution<>(30.0, 0.1));
  EXPECT_EQ(makeGamma(2.5, 0.01)->describe(), "gamma(shape=2.5, scale=0.01)");
  expectInvalid(makeGamma(0.0, 1.0), "shape");
  expectInvalid(makeGamma(1.0, 0.0), "scale");
}

TEST(DistributionTest, ErlangIsGammaWithIntegralShape) {
  const auto result = makeErlang(3, 200.0);  // mean 15 ms
  checkAgainstBoost(ok(result), "erlang", boost::math::gamma_distribution<>(3.0, 1.0 / 200.0));
  EXPECT_NEAR(result->mean(), 0.015, 1e-17);
  EXPECT_EQ(result->describe(), "erlang(k=3, rate=200)");
  expectInvalid(makeErlang(0, 1.0), "k must be >= 1");
  expectInvalid(makeErlang(2, -1.0), "rate");
}

// ---- Weibull and Pareto ----

TEST(DistributionTest, Weibull) {
  checkAgainstBoost(ok(makeWeibull(1.5, 0.02)), "weibull-1.5",
                    boost::math::weibull_distribution<>(1.5, 0.02));
  checkAgainstBoost(ok(makeWeibull(0.7, 1.0)), "weibull-0.7",
                    boost::math::weibull_distribution<>(0.7, 1.0));
  EXPECT_EQ(makeWeibull(1.5, 0.02)->describe(), "weibull(shape=1.5, scale=0.02)");
  expectInvalid(makeWeibull(0.0, 1.0), "shape");
  expectInvalid(makeWeibull(1.0, -2.0), "scale");
}

TEST(DistributionTest, ParetoWithFiniteFourthMoment) {
  // alpha > 4 so the sample variance has a finite standard error.
  checkAgainstBoost(ok(makePareto(0.01, 9.0)), "pareto-9",
                    boost::math::pareto_distribution<>(0.01, 9.0));
  EXPECT_EQ(makePareto(0.01, 9.0)->describe(), "pareto(xm=0.01, alpha=9)");
}

TEST(DistributionTest, ParetoHeavyTails) {
  // alpha = 2.5: finite mean and variance but no fourth moment: check mean and shape only.
  const auto finiteVariance = makePareto(1.0, 2.5);
  const boost::math::pareto_distribution<> reference(1.0, 2.5);
  EXPECT_NEAR(finiteVariance->mean(), boost::math::mean(reference), 1e-14);
  EXPECT_NEAR(finiteVariance->variance(), boost::math::variance(reference), 1e-14);
  const SampleSummary s = drawSamples(*finiteVariance, "pareto-2.5");
  expectMeanMatches(s, boost::math::mean(reference), boost::math::variance(reference));
  expectKsPasses(s, [&](double x) { return boost::math::cdf(reference, x); });

  // alpha = 1.5: infinite variance; alpha = 0.8: infinite mean too.
  const auto noVariance = makePareto(1.0, 1.5);
  EXPECT_NEAR(noVariance->mean(), 3.0, 1e-15);
  EXPECT_EQ(noVariance->variance(), kInfinity);
  const boost::math::pareto_distribution<> reference15(1.0, 1.5);
  expectKsPasses(drawSamples(*noVariance, "pareto-1.5"),
                 [&](double x) { return boost::math::cdf(reference15, x); });
  const auto noMean = makePareto(1.0, 0.8);
  EXPECT_EQ(noMean->mean(), kInfinity);
  EXPECT_EQ(noMean->variance(), kInfinity);
  const boost::math::pareto_distribution<> reference08(1.0, 0.8);
  expectKsPasses(drawSamples(*noMean, "pareto-0.8"),
                 [&](double x) { return boost::math::cdf(reference08, x); });

  expectInvalid(makePareto(0.0, 2.0), "xm");
  expectInvalid(makePareto(1.0, 0.0), "alpha");
}

// ---- Empirical from percentiles ----

// The piecewise-linear CDF through the knots, straight from the definition.
Cdf piecewiseLinearCdf(std::vector<double> q, std::vector<double> x) {
  return [q = std::move(q), x = std::move(x)](double v) {
    if (v <= x.front()) {
      return 0.0;
    }
    for (std::size_t i = 0; i + 1 < x.size(); ++i) {
      if (v < x[i + 1]) {
        return q[i] + (q[i + 1] - q[i]) * (v - x[i]) / (x[i + 1] - x[i]);
      }
    }
    return 1.0;
  };
}

// E[X] and Var[X] by summing E[X^2] over uniform bands: sum p (a^2 + ab + b^2) / 3.
std::pair<double, double> piecewiseUniformMoments(const std::vector<double>& q,
                                                  const std::vector<double>& x) {
  double m1 = 0;
  double m2 = 0;
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    const double p = q[i + 1] - q[i];
    m1 += p * (x[i] + x[i + 1]) / 2;
    m2 += p * (x[i] * x[i] + x[i] * x[i + 1] + x[i + 1] * x[i + 1]) / 3;
  }
  return {m1, m2 - m1 * m1};
}

TEST(DistributionTest, EmpiricalFromPercentilesWithDefaultBounds) {
  // p50 = 10 ms, p90 = 20 ms, p99 = 50 ms, p99.9 = 100 ms; minimum 0, maximum 100 + (100 - 50).
  const std::array<QuantilePoint, 4> points{
      {{0.5, 0.010}, {0.9, 0.020}, {0.99, 0.050}, {0.999, 0.100}}};
  const auto result = makeEmpirical(points);
  const Distribution& d = ok(result);
  const std::vector<double> q{0, 0.5, 0.9, 0.99, 0.999, 1};
  const std::vector<double> x{0, 0.010, 0.020, 0.050, 0.100, 0.150};
  // Worked by hand: 0.5*0.005 + 0.4*0.015 + 0.09*0.035 + 0.009*0.075 + 0.001*0.125.
  EXPECT_NEAR(d.mean(), 0.01245, 1e-15);
  const auto [mean, variance] = piecewiseUniformMoments(q, x);
  checkAgainstTheory(d, "empirical", mean, variance, piecewiseLinearCdf(q, x));
  // p100 is 0.1 + (0.1 - 0.05), which rounds to 0.15000000000000002.
  EXPECT_THAT(d.describe(),
              StartsWith("empirical(p0=0, p50=0.01, p90=0.02, p99=0.05, p99.9=0.1, p100=0.15"));
  // Nothing above the extrapolated maximum.
  EXPECT_LT(drawSamples(d, "empirical").sorted.back(), 0.150);
}

TEST(DistributionTest, EmpiricalWithExplicitBoundsAndFlatBand) {
  // A flat band (p50 == p90) is an atom: 40% of samples are exactly 5.
  const std::array<QuantilePoint, 3> points{{{0.5, 5.0}, {0.9, 5.0}, {0.99, 8.0}}};
  const auto result = makeEmpirical(points, 2.0, 20.0);
  const Distribution& d = ok(result);
  const std::vector<double> q{0, 0.5, 0.9, 0.99, 1};
  const std::vector<double> x{2, 5, 5, 8, 20};
  const auto [mean, variance] = piecewiseUniformMoments(q, x);
  checkAgainstTheory(d, "empirical-bounds", mean, variance, piecewiseLinearCdf(q, x));
  const SampleSummary s = drawSamples(d, "empirical-bounds");
  const auto atom = std::count(s.sorted.begin(), s.sorted.end(), 5.0);
  EXPECT_NEAR(static_cast<double>(atom) / kSamples, 0.4, kSigmas * std::sqrt(0.4 * 0.6 / kSamples));
  EXPECT_GE(s.sorted.front(), 2.0);
}

TEST(DistributionTest, EmpiricalSinglePointExtrapolatesFromMinimum) {
  const std::array<QuantilePoint, 1> points{{{0.5, 3.0}}};
  const auto result = makeEmpirical(points, 1.0);
  // Maximum 3 + (3 - 1) = 5: uniform on [1, 3] w.p. 0.5 and on [3, 5] w.p. 0.5 = uniform [1, 5].
  EXPECT_NEAR(result->mean(), 3.0, 1e-15);
  EXPECT_NEAR(result->variance(), 16.0 / 12.0, 1e-14);
}

TEST(DistributionTest, EmpiricalRejectsInvalidInput) {
  expectInvalid(makeEmpirical({}), "at least one");
  const std::array<QuantilePoint, 2> decreasingValues{{{0.5, 10.0}, {0.9, 5.0}}};
  expectInvalid(makeEmpirical(decreasingValues), "must not decrease");
  const std::array<QuantilePoint, 2> repeatedQuantile{{{0.5, 1.0}, {0.5, 2.0}}};
  expectInvalid(makeEmpirical(repeatedQuantile), "strictly increasing");
  const std::array<QuantilePoint, 2> unordered{{{0.9, 1.0}, {0.5, 2.0}}};
  expectInvalid(makeEmpirical(unordered), "strictly increasing");
  const std::array<QuantilePoint, 1> quantileOne{{{1.0, 1.0}}};
  expectInvalid(makeEmpirical(quantileOne), "(0, 1)");
  const std::array<QuantilePoint, 1> quantileZero{{{0.0, 1.0}}};
  expectInvalid(makeEmpirical(quantileZero), "(0, 1)");
  const std::array<QuantilePoint, 1> belowMinimum{{{0.5, 1.0}}};
  expectInvalid(makeEmpirical(belowMinimum, 2.0), "the minimum");
  expectInvalid(makeEmpirical(belowMinimum, 0.0, 0.5), "maximum");
  const std::array<QuantilePoint, 1> notFinite{{{0.5, kInfinity}}};
  expectInvalid(makeEmpirical(notFinite), "finite");
}

// ---- Mixture ----

TEST(DistributionTest, MixtureOfFastPathAndSlowTail) {
  // 90% exponential(mean 5 ms) + 10% lognormal(p50 = 100 ms, p99 = 400 ms); weights 9:1 are
  // normalised.
  std::vector<MixtureComponent> components;
  components.push_back({9.0, std::move(makeExponential(0.005)).release()});
  components.push_back({1.0, std::move(makeLognormalFromMedianP99(0.1, 0.4)).release()});
  const auto result = makeMixture(std::move(components));
  const Distribution& d = ok(result);

  const boost::math::exponential_distribution<> fast(200.0);
  const boost::math::lognormal_distribution<> slow(std::log(0.1),
                                                   std::log(4.0) / kNormalQuantile99);
  const double mean = 0.9 * boost::math::mean(fast) + 0.1 * boost::math::mean(slow);
  const double secondMoment =
      0.9 * (boost::math::variance(fast) + boost::math::mean(fast) * boost::math::mean(fast)) +
      0.1 * (boost::math::variance(slow) + boost::math::mean(slow) * boost::math::mean(slow));
  checkAgainstTheory(d, "mixture", mean, secondMoment - mean * mean, [&](double x) {
    return 0.9 * boost::math::cdf(fast, x) + 0.1 * boost::math::cdf(slow, x);
  });
  EXPECT_THAT(d.describe(), StartsWith("mixture(0.9*exponential(mean=0.005), "
                                       "0.1*lognormal(mu=-2.30258509299404"));
}

TEST(DistributionTest, MixtureNeverSamplesZeroWeightComponents) {
  std::vector<MixtureComponent> components;
  components.push_back({0.0, std::move(makeConstant(1.0)).release()});
  components.push_back({0.3, std::move(makeConstant(2.0)).release()});
  components.push_back({0.0, std::move(makeConstant(3.0)).release()});
  components.push_back({0.7, std::move(makeConstant(4.0)).release()});
  components.push_back({0.0, std::move(makeConstant(5.0)).release()});
  const auto result = makeMixture(std::move(components));
  const SampleSummary s = drawSamples(ok(result), "mixture-zero");
  const auto twos = std::count(s.sorted.begin(), s.sorted.end(), 2.0);
  const auto fours = std::count(s.sorted.begin(), s.sorted.end(), 4.0);
  EXPECT_EQ(twos + fours, kSamples);
  EXPECT_NEAR(static_cast<double>(twos) / kSamples, 0.3, kSigmas * std::sqrt(0.21 / kSamples));
  EXPECT_NEAR(result->mean(), 0.3 * 2 + 0.7 * 4, 1e-15);
  EXPECT_NEAR(result->variance(), 0.3 * 0.7 * 4, 1e-14);
}

TEST(DistributionTest, MixtureWithInfiniteMeanComponent) {
  std::vector<MixtureComponent> components;
  components.push_back({0.5, std::move(makeConstant(1.0)).release()});
  components.push_back({0.5, std::move(makePareto(1.0, 0.8)).release()});
  const auto result = makeMixture(std::move(components));
  EXPECT_EQ(result->mean(), kInfinity);
  EXPECT_EQ(result->variance(), kInfinity);
}

TEST(DistributionTest, MixtureRejectsInvalidInput) {
  expectInvalid(makeMixture({}), "at least one");
  {
    std::vector<MixtureComponent> components;
    components.push_back({1.0, nullptr});
    expectInvalid(makeMixture(std::move(components)), "no distribution");
  }
  {
    std::vector<MixtureComponent> components;
    components.push_back({-1.0, std::move(makeConstant(1.0)).release()});
    expectInvalid(makeMixture(std::move(components)), "weight");
  }
  {
    std::vector<MixtureComponent> components;
    components.push_back({0.0, std::move(makeConstant(1.0)).release()});
    expectInvalid(makeMixture(std::move(components)), "positive finite sum");
  }
}

// ---- Engine-facing properties ----

TEST(DistributionTest, SampleDurationIsSecondsToNearestNanosecond) {
  RandomStream rng(kSeed, 0, 0, 0);
  EXPECT_EQ(sampleDuration(*makeConstant(0.0125), rng), core::Duration(12'500'000));
  EXPECT_EQ(sampleDuration(*makeConstant(1.5e-9), rng), core::Duration(2));
  EXPECT_EQ(sampleDuration(*makeConstant(-1.0), rng), core::Duration::zero());
  EXPECT_EQ(sampleDuration(*makeConstant(1e300), rng), core::fromSeconds(kMaxSampledSeconds));
  // The heaviest tail in practice: alpha = 0.1 puts a sample above 1e9 s with probability 1e9^-0.1
  // = 0.13.
  const auto heavy = makePareto(1.0, 0.1);
  for (int i = 0; i < 1000; ++i) {
    const core::Duration d = sampleDuration(*heavy, rng);
    ASSERT_GE(d, 1s);
    ASSERT_LE(d, core::fromSeconds(kMaxSampledSeconds));
  }
}

TEST(DistributionTest, SamplingNeverAllocates) {
  if (!testing::allocationCountingEnabled()) {
    GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
  }
  const std::array<QuantilePoint, 3> points{{{0.5, 1.0}, {0.9, 2.0}, {0.99, 5.0}}};
  std::vector<DistributionResult> all;
  all.push_back(makeConstant(1.0));
  all.push_back(makeUniform(0.0, 1.0));
  all.push_back(makeExponential(1.0));
  all.push_back(makeNormal(1.0, 2.0));
  all.push_back(makeLognormalFromMedianP99(1.0, 3.0));
  all.push_back(makeGamma(0.5, 1.0));
  all.push_back(makeErlang(4, 1.0));
  all.push_back(makeWeibull(2.0, 1.0));
  all.push_back(makePareto(1.0, 3.0));
  all.push_back(makeEmpirical(points));
  std::vector<MixtureComponent> components;
  components.push_back({1.0, std::move(makeExponential(1.0)).release()});
  components.push_back({1.0, std::move(makeGamma(3.0, 1.0)).release()});
  all.push_back(makeMixture(std::move(components)));

  RandomStream rng(kSeed, 0, 0, 0);
  double sink = 0;
  const std::size_t before = testing::allocationCount();
  for (const DistributionResult& d : all) {
    for (int i = 0; i < 1000; ++i) {
      sink += d->sample(rng);
    }
  }
  EXPECT_EQ(testing::allocationCount(), before);
  EXPECT_GT(sink, 0.0);
}

TEST(DistributionTest, SameStreamGivesSameSamples) {
  const auto d = makeGamma(0.5, 1.0);  // rejection with a variable number of draws per sample
  RandomStream a(kSeed, 3, "svc", "service-time");
  RandomStream b(kSeed, 3, "svc", "service-time");
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(d->sample(a), d->sample(b));
  }
}

}  // namespace
}  // namespace meshsim::sim
