#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "core/common/time.h"

namespace meshsim::sim {

struct WarmupResult {
  // Observations to delete from the start of the series (a multiple of the batch size).
  std::size_t truncation{0};
  // The same point in batches.
  std::size_t truncated_batches{0};
  // Number of batches the statistic was computed over (series length / batch size, rounded down).
  std::size_t batches{0};
  // The minimised statistic, MSER(d*).
  double statistic{0.0};
  // The minimum fell on the last truncation considered (half the batches): the transient may be
  // longer than the search allows, i.e. the run is too short for a trustworthy answer (White 1997
  // rejects truncations beyond half the run).
  bool at_search_limit{false};
  // When timestamps were given (and the series is not empty): the timestamp of the first kept
  // observation, i.e. where the steady state begins.
  std::optional<core::MonotonicTime> truncation_time;
};

// MSER-5 warm-up detection (White 1997; White, Cobb & Spratt 2000). The series (e.g. per-window
// mean latency from TimeSeries rows) is averaged in non-overlapping batches of `batch_size` (5),
// giving Z_1..Z_m; for each d in [0, m/2],
//   MSER(d) = 1 / (m - d)^2 * sum_{j = d+1..m} (Z_j - mean(Z_{d+1..m}))^2
// and the d minimising it (the smallest one on ties) is the truncation: deleting more data stops
// paying for itself once the bias removed is smaller than the precision lost. A trailing partial
// batch is ignored. Fewer than 2 batches ⇒ no truncation.
//
// Note: on a stationary but noisy series MSER may still delete a few batches (the statistic's own
// noise decides); on a series with no transient that stays a small fraction of the run.
WarmupResult mser5(const std::vector<double>& series, std::size_t batch_size = 5);
// As above, with one timestamp per observation (e.g. TimeSeries::Row::start), to report the
// truncation as a time. timestamps.size() must equal series.size().
WarmupResult mser5(const std::vector<double>& series,
                   const std::vector<core::MonotonicTime>& timestamps, std::size_t batch_size = 5);

}  // namespace meshsim::sim
