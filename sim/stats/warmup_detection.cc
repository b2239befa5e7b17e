#include "sim/stats/warmup_detection.h"

#include <cassert>

#include "sim/stats/running_stats.h"

namespace meshsim::sim {

WarmupResult mser5(const std::vector<double>& series, std::size_t batch_size) {
  assert(batch_size > 0);
  WarmupResult result;
  const std::size_t m = series.size() / batch_size;
  result.batches = m;
  if (m < 2) {
    return result;
  }
  std::vector<double> batch_means(m);
  for (std::size_t j = 0; j < m; ++j) {
    double sum = 0.0;
    for (std::size_t i = 0; i < batch_size; ++i) {
      sum += series[j * batch_size + i];
    }
    batch_means[j] = sum / static_cast<double>(batch_size);
  }
  // Sweep d from the end towards 0, growing the kept suffix one batch at a time; Welford's M2 of
  // the suffix is its sum of squared deviations, stable where S2 - S1^2/n would cancel. O(m).
  const std::size_t limit = m / 2;
  RunningStats suffix;
  for (std::size_t j = m; j-- > limit + 1;) {
    suffix.add(batch_means[j]);
  }
  bool have_best = false;
  std::size_t best_d = 0;
  double best = 0.0;
  for (std::size_t d = limit + 1; d-- > 0;) {
    suffix.add(batch_means[d]);
    const double kept = static_cast<double>(m - d);
    const double statistic = suffix.sumSquaredDeviations() / (kept * kept);
    // <= so that ties resolve to the smallest d (the sweep runs downward).
    if (!have_best || statistic <= best) {
      have_best = true;
      best = statistic;
      best_d = d;
    }
  }
  result.truncated_batches = best_d;
  result.truncation = best_d * batch_size;
  result.statistic = best;
  result.at_search_limit = best_d == limit && limit > 0;
  return result;
}

WarmupResult mser5(const std::vector<double>& series,
                   const std::vector<core::MonotonicTime>& timestamps, std::size_t batch_size) {
  assert(timestamps.size() == series.size());
  WarmupResult result = mser5(series, batch_size);
  if (result.truncation < timestamps.size()) {
    result.truncation_time = timestamps[result.truncation];
  }
  return result;
}

}  // namespace meshsim::sim
