#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/common/time.h"
#include "sim/stats/latency_histogram.h"

namespace meshsim::sim {

// Samples a run in fixed-width windows of simulated time (e.g. 1 s): each window accumulates a
// latency histogram and a few named counters, and is appended as a Row when simulated time leaves
// it. Rows are what the time-series CSV and the GUI's live charts read. Only one window's histogram
// is live; closed windows keep their percentiles, not their histogram, so memory grows with
// (simulated duration / window) and not with requests.
//
// Time must not go backwards (the engine's clock is monotonic); a sample stamped before the open
// window is counted in the open window.
class TimeSeries {
 public:
  struct Row {
    core::MonotonicTime start;
    // The window width, except for the last row closed by finish(), which may be shorter; divide
    // counts by it for rates.
    core::Duration width;
    std::uint64_t count;  // latency samples in the window
    double sum_ns;
    double mean_ns;  // NaN when count == 0
    // 0 when count == 0; percentiles within LatencyHistogram::kMaxRelativeError.
    std::int64_t min_ns;
    std::int64_t max_ns;
    std::int64_t p50_ns;
    std::int64_t p90_ns;
    std::int64_t p99_ns;
    std::int64_t p999_ns;
    // One value per counter name, in the order given to the constructor.
    std::vector<std::uint64_t> counters;
  };

  // Windows are [origin + k * window, origin + (k + 1) * window). window must be positive.
  explicit TimeSeries(core::Duration window, core::MonotonicTime origin = core::kTimeZero,
                      std::vector<std::string> counter_names = {});

  void record(core::MonotonicTime at, core::Duration latency, std::uint64_t count = 1);
  // counter is an index into counterNames().
  void increment(core::MonotonicTime at, std::size_t counter, std::uint64_t amount = 1);
  // Closes every window that ends at or before `now` (empty windows included), so a live chart can
  // poll rows() without waiting for the next sample.
  void advanceTo(core::MonotonicTime now);
  // Closes the windows before `end` and the partial window containing it (unless empty and
  // starting at `end`). Nothing may be recorded afterwards.
  void finish(core::MonotonicTime end);

  const std::vector<Row>& rows() const { return rows_; }
  const std::vector<std::string>& counterNames() const { return counter_names_; }
  core::Duration window() const { return window_; }
  // The open window's samples so far.
  const LatencyHistogram& openWindow() const { return histogram_; }
  core::MonotonicTime openWindowStart() const { return window_start_; }

 private:
  void closeWindow(core::Duration width);

  core::Duration window_;
  std::vector<std::string> counter_names_;
  core::MonotonicTime window_start_;
  LatencyHistogram histogram_;
  std::vector<std::uint64_t> counters_;
  std::vector<Row> rows_;
  bool finished_{false};
};

}  // namespace meshsim::sim
