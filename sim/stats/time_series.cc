#include "sim/stats/time_series.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace meshsim::sim {

TimeSeries::TimeSeries(core::Duration window, core::MonotonicTime origin,
                       std::vector<std::string> counter_names)
    : window_(window),
      counter_names_(std::move(counter_names)),
      window_start_(origin),
      counters_(counter_names_.size(), 0) {
  assert(window_ > core::Duration::zero());
}

void TimeSeries::record(core::MonotonicTime at, core::Duration latency, std::uint64_t count) {
  assert(!finished_);
  advanceTo(at);
  histogram_.record(latency, count);
}

void TimeSeries::increment(core::MonotonicTime at, std::size_t counter, std::uint64_t amount) {
  assert(!finished_);
  assert(counter < counters_.size());
  advanceTo(at);
  counters_[counter] += amount;
}

void TimeSeries::advanceTo(core::MonotonicTime now) {
  while (now >= window_start_ + window_) {
    closeWindow(window_);
  }
}

void TimeSeries::finish(core::MonotonicTime end) {
  if (finished_) {
    return;
  }
  advanceTo(end);
  const bool has_data =
      histogram_.count() != 0 ||
      std::any_of(counters_.begin(), counters_.end(), [](std::uint64_t c) { return c != 0; });
  if (end > window_start_ || has_data) {
    closeWindow(std::max(end - window_start_, core::Duration::zero()));
  }
  finished_ = true;
}

void TimeSeries::closeWindow(core::Duration width) {
  const LatencyHistogram& h = histogram_;
  rows_.push_back(Row{window_start_, width, h.count(), h.sum(), h.mean(), h.min(), h.max(),
                      h.percentile(50.0), h.percentile(90.0), h.percentile(99.0),
                      h.percentile(99.9), counters_});
  window_start_ += window_;
  histogram_.reset();
  std::fill(counters_.begin(), counters_.end(), 0);
}

}  // namespace meshsim::sim
