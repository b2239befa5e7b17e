#include "sim/stats/confidence_interval.h"

#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "sim/stats/running_stats.h"

namespace meshsim::sim {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

}  // namespace

double studentTQuantile(double confidence, std::size_t dof) {
  const boost::math::students_t distribution(static_cast<double>(dof));
  return boost::math::quantile(distribution, 1.0 - (1.0 - confidence) / 2.0);
}

ConfidenceInterval studentT(const std::vector<double>& values, double confidence) {
  RunningStats stats;
  for (double v : values) {
    stats.add(v);
  }
  const std::size_t n = values.size();
  if (n < 2) {
    return {stats.mean(), kInfinity, n};
  }
  const double half_width =
      studentTQuantile(confidence, n - 1) * stats.stddev() / std::sqrt(static_cast<double>(n));
  return {stats.mean(), half_width, n};
}

ConfidenceInterval studentT95(const std::vector<double>& replication_values) {
  return studentT(replication_values, 0.95);
}

PairedComparison pairedDifference(const std::vector<double>& a, const std::vector<double>& b,
                                  double confidence) {
  if (a.size() != b.size()) {
    throw std::invalid_argument("pairedDifference: A has " + std::to_string(a.size()) +
                                " replications but B has " + std::to_string(b.size()));
  }
  std::vector<double> differences(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    differences[i] = a[i] - b[i];
  }
  const ConfidenceInterval ci = studentT(differences, confidence);
  // With n < 2 the half width is infinite, so this is false, as it should be.
  const bool significant = ci.lower() > 0.0 || ci.upper() < 0.0;
  return {ci, significant};
}

ConfidenceInterval batchMeans(const std::vector<double>& series, std::size_t batches,
                              double confidence) {
  if (batches < 2 || series.size() < batches) {
    RunningStats all;
    for (double v : series) {
      all.add(v);
    }
    return {all.mean(), kInfinity, 0};
  }
  const std::size_t batch_size = series.size() / batches;
  const std::size_t first = series.size() - batch_size * batches;
  std::vector<double> means(batches);
  for (std::size_t b = 0; b < batches; ++b) {
    double sum = 0.0;
    for (std::size_t i = 0; i < batch_size; ++i) {
      sum += series[first + b * batch_size + i];
    }
    means[b] = sum / static_cast<double>(batch_size);
  }
  return studentT(means, confidence);
}

}  // namespace meshsim::sim
