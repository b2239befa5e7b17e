// Implements proxy-semantics.md §5.2 (EDF scheduler).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/upstream/host.h"

namespace meshsim::core {

// Earliest-deadline-first scheduler for weighted host picks (proxy-semantics §5.2; Envoy's
// EdfScheduler). Each entry's deadline is current_time + 1/weight; the earliest deadline is picked,
// ties go to the earlier insertion (FIFO), and the picked entry is re-inserted with its weight at
// that moment. The heap lives in a vector whose size is constant after construction, so a pick
// never allocates. Membership changes rebuild the scheduler (Envoy does the same), which is why
// there is no removal.
class EdfScheduler {
 public:
  EdfScheduler() = default;

  // Builds a scheduler over `hosts` as if `picks` picks had already been made with the weights
  // `weight(host)` held constant (Envoy's createWithPicks, PR #31592), so per-worker schedulers
  // seeded differently start at different phases. Like Envoy, `picks` is reduced modulo
  // 429 496 729, the first ⌊P·w_i/W⌋ picks per host are emulated in closed form (weights nudged by
  // 1e-13 so that multiples of each other do not tie differently from step-by-step picking), and
  // the remaining picks are made one by one.
  template <class WeightFn>
  static EdfScheduler createWithPicks(const HostVector& hosts, WeightFn&& weight,
                                      std::uint32_t picks);

  bool empty() const { return heap_.empty(); }

  // Pops the earliest deadline, advances current time to it, re-inserts the host with
  // deadline + 1/weight(host) (the weight is re-read now: least request's dynamic weights).
  template <class WeightFn>
  Host* pickAndAdd(WeightFn&& weight);

  // Inserts with deadline current_time + 1/weight.
  void add(double weight, Host* host);

 private:
  struct Entry {
    double deadline;
    std::uint64_t order;
    Host* host;
  };
  // std heap algorithms keep the max at the front: "greater" puts the earliest deadline there.
  static bool later(const Entry& a, const Entry& b) {
    return a.deadline > b.deadline || (a.deadline == b.deadline && a.order > b.order);
  }

  double current_time_ = 0.0;
  std::uint64_t order_offset_ = 0;
  std::vector<Entry> heap_;
};

inline void EdfScheduler::add(double weight, Host* host) {
  heap_.push_back(Entry{current_time_ + 1.0 / weight, order_offset_++, host});
  std::push_heap(heap_.begin(), heap_.end(), &EdfScheduler::later);
}

template <class WeightFn>
Host* EdfScheduler::pickAndAdd(WeightFn&& weight) {
  if (heap_.empty()) {
    return nullptr;
  }
  std::pop_heap(heap_.begin(), heap_.end(), &EdfScheduler::later);
  Host* host = heap_.back().host;
  current_time_ = heap_.back().deadline;
  heap_.pop_back();
  add(weight(*host), host);
  return host;
}

template <class WeightFn>
EdfScheduler EdfScheduler::createWithPicks(const HostVector& hosts, WeightFn&& weight,
                                           std::uint32_t picks) {
  EdfScheduler scheduler;
  if (hosts.empty()) {
    return scheduler;
  }
  picks = picks % 429496729U;

  constexpr double kEpsilon = 1e-13;
  double weights_sum = 0.0;
  for (const Host* host : hosts) {
    weights_sum += weight(*host) + kEpsilon;
  }

  scheduler.heap_.reserve(hosts.size() + 1);
  std::uint32_t picks_so_far = 0;
  double max_pick_time = 0.0;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    const double w = weight(*hosts[i]) + kEpsilon;
    auto floor_picks = static_cast<std::uint32_t>(w * picks / weights_sum);
    // Floating point can make floor(A*B) exceed A*B; one pick fewer keeps deadlines consistent
    // (the remainder loop below makes it up).
    if (floor_picks > 0 && floor_picks / w >= picks / weights_sum) {
      --floor_picks;
    }
    max_pick_time = std::max(max_pick_time, floor_picks / w);
    scheduler.heap_.push_back(Entry{(floor_picks + 1) / w, i, hosts[i]});
    picks_so_far += floor_picks;
  }
  std::make_heap(scheduler.heap_.begin(), scheduler.heap_.end(), &EdfScheduler::later);
  scheduler.current_time_ = max_pick_time;
  scheduler.order_offset_ = hosts.size();

  while (picks_so_far < picks) {
    scheduler.pickAndAdd(weight);
    ++picks_so_far;
  }
  return scheduler;
}

}  // namespace meshsim::core
