#pragma once

#include <cstddef>
#include <vector>

namespace meshsim::sim {

// mean ± half_width at some confidence level; every reported mean can carry one (DESIGN.md
// "Statistics and analysis").
struct ConfidenceInterval {
  double mean;
  // Infinity when the data cannot bound the mean (fewer than 2 independent values): the interval is
  // then the whole real line, and any comparison against it is "not significant". NaN only if the
  // input itself contains NaN.
  double half_width;
  // Number of independent values the interval is built on (replications, pairs or batches).
  std::size_t n;

  double lower() const { return mean - half_width; }
  double upper() const { return mean + half_width; }
  bool contains(double x) const { return lower() <= x && x <= upper(); }
};

// Two-sided Student t quantile t_{1-(1-confidence)/2, dof} (boost::math::students_t);
// e.g. studentTQuantile(0.95, 19) = 2.093. Requires dof >= 1 and confidence in (0, 1).
double studentTQuantile(double confidence, std::size_t dof);

// Classical t interval over independent replication values: mean ± t * s / sqrt(n) with n - 1
// degrees of freedom. For n < 2, half_width is +infinity (n == 0 also gives mean NaN).
ConfidenceInterval studentT(const std::vector<double>& values, double confidence);
ConfidenceInterval studentT95(const std::vector<double>& replication_values);

// A/B comparison with common random numbers: replication i of A and of B share their random
// streams, so the per-replication differences a_i - b_i cancel most of the shared noise and a
// paired t interval on them is much tighter than comparing two independent intervals.
struct PairedComparison {
  // Interval on mean(a_i - b_i).
  ConfidenceInterval difference;
  // 0 lies outside the interval: the difference is significant at the chosen level.
  bool significant;
};
// Throws std::invalid_argument when a and b differ in length (a configuration error, never on a
// request path).
PairedComparison pairedDifference(const std::vector<double>& a, const std::vector<double>& b,
                                  double confidence = 0.95);

// Non-overlapping batch means for one long, autocorrelated run (e.g. Law, "Simulation Modeling and
// Analysis", §9.5.3): the series is cut into `batches` equal batches whose means are close to
// independent when batches are long, and a t interval with batches - 1 degrees of freedom is built
// on them. When the length is not a multiple of `batches`, the first (length mod batches)
// observations are dropped: they are the ones nearest the warm-up. The result's n is the number of
// batches. If the series is shorter than `batches` or batches < 2, the result is the overall mean
// with an infinite half width and n = 0.
ConfidenceInterval batchMeans(const std::vector<double>& series, std::size_t batches = 20,
                              double confidence = 0.95);

}  // namespace meshsim::sim
