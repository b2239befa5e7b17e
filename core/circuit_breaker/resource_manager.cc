#include "core/circuit_breaker/resource_manager.h"

#include <algorithm>

namespace meshsim::core {

ManagedResourceLimit::ManagedResourceLimit(std::uint64_t max, std::uint64_t& open_gauge,
                                           std::uint64_t* remaining_gauge)
    : max_(max), open_gauge_(open_gauge), remaining_gauge_(remaining_gauge) {
  updateGauges();
}

void ManagedResourceLimit::inc() {
  ++count_;
  updateGauges();
}

void ManagedResourceLimit::dec() {
  --count_;
  updateGauges();
}

void ManagedResourceLimit::updateGauges() {
  open_gauge_ = canCreate() ? 0 : 1;
  if (remaining_gauge_ != nullptr) {
    *remaining_gauge_ = max_ > count_ ? max_ - count_ : 0;
  }
}

RequestWindow::RequestWindow(Duration interval)
    : slot_width_(std::max(interval / static_cast<Duration::rep>(kSlots), Duration(1))) {}

void RequestWindow::record(MonotonicTime now) {
  const std::int64_t epoch = epochOf(now);
  Slot& slot = slots_[static_cast<std::size_t>(epoch) % kSlots];
  if (slot.epoch != epoch) {
    slot = Slot{epoch, 0};
  }
  ++slot.count;
}

std::uint64_t RequestWindow::sum(MonotonicTime now) const {
  const std::int64_t epoch = epochOf(now);
  std::uint64_t total = 0;
  for (const Slot& slot : slots_) {
    if (slot.epoch >= 0 && epoch - slot.epoch < static_cast<std::int64_t>(kSlots)) {
      total += slot.count;
    }
  }
  return total;
}

void RequestResourceLimit::inc() {
  ManagedResourceLimit::inc();
  if (window_ != nullptr) {
    window_->record(loop_.now());
  }
}

RetryResourceLimit::RetryResourceLimit(const CircuitBreakerThresholds& thresholds,
                                       ClusterStats& stats, const ResourceLimit& requests,
                                       const ResourceLimit& pending, const EventLoop& loop,
                                       const RequestWindow* window)
    : static_limit_(thresholds.max_retries, stats.cb_rq_retry_open,
                    thresholds.track_remaining && !thresholds.retry_budget
                        ? &stats.cb_remaining_retries
                        : nullptr),
      budget_(thresholds.retry_budget),
      requests_(requests),
      pending_(pending),
      loop_(loop),
      window_(window) {
  if (budget_) {
    stats.cb_remaining_retries = 0;
  }
}

void RetryResourceLimit::inc() {
  static_limit_.inc();
}

void RetryResourceLimit::dec() {
  static_limit_.dec();
}

std::uint64_t RetryResourceLimit::max() const {
  if (!budget_) {
    return static_limit_.max();
  }
  const std::uint64_t base =
      window_ != nullptr ? window_->sum(loop_.now()) : requests_.count() + pending_.count();
  // Truncation toward zero before the floor, as Envoy's implicit double -> uint64 conversion.
  const auto budget =
      static_cast<std::uint64_t>(budget_->budget_percent / 100.0 * static_cast<double>(base));
  return std::max<std::uint64_t>(budget, budget_->min_retry_concurrency);
}

ResourceManager::ResourceManager(const CircuitBreakerThresholds& thresholds, ClusterStats& stats,
                                 const EventLoop& loop)
    : thresholds_(thresholds),
      window_(thresholds.retry_budget && thresholds.retry_budget->budget_interval > Duration::zero()
                  ? std::optional<RequestWindow>(thresholds.retry_budget->budget_interval)
                  : std::nullopt),
      connections_(thresholds.max_connections, stats.cb_cx_open,
                   remaining(thresholds.track_remaining, stats.cb_remaining_cx)),
      pending_requests_(thresholds.max_pending_requests, stats.cb_rq_pending_open,
                        remaining(thresholds.track_remaining, stats.cb_remaining_pending)),
      requests_(thresholds.max_requests, stats.cb_rq_open,
                remaining(thresholds.track_remaining, stats.cb_remaining_rq), loop,
                window_ ? &*window_ : nullptr),
      connection_pools_(thresholds.max_connection_pools, stats.cb_cx_pool_open,
                        remaining(thresholds.track_remaining, stats.cb_remaining_cx_pools)),
      retries_(thresholds, stats, requests_, pending_requests_, loop,
               window_ ? &*window_ : nullptr) {}

}  // namespace meshsim::core
