// Implements proxy-semantics.md §3.1 and §1.7.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "core/circuit_breaker/circuit_breaker_thresholds.h"
#include "core/circuit_breaker/resource_limit.h"
#include "core/common/event_loop.h"
#include "core/stats/cluster_stats.h"

namespace meshsim::core {

// A counted resource with a fixed maximum that keeps its circuit_breakers.* gauges current, like
// Envoy's ManagedResourceImpl: `open` is 1 while the count has reached the maximum, `remaining` is
// max - count (only when track_remaining). The count may exceed the maximum (a pool with no
// connection opens one anyway, §3.1), so remaining saturates at 0.
class ManagedResourceLimit : public ResourceLimit {
 public:
  ManagedResourceLimit(std::uint64_t max, std::uint64_t& open_gauge,
                       std::uint64_t* remaining_gauge);

  bool canCreate() const override { return count_ < max_; }
  void inc() override;
  void dec() override;
  std::uint64_t max() const override { return max_; }
  std::uint64_t count() const override { return count_; }

 private:
  void updateGauges();

  std::uint64_t max_;
  std::uint64_t count_ = 0;
  std::uint64_t& open_gauge_;
  std::uint64_t* remaining_gauge_;
};

// Requests started in a sliding window of `interval`, kept in 10 slots of interval/10 (the tower
// TPS-budget layout that newer Envoy uses for RetryBudget.budget_interval, proxy-semantics §1.7).
// A slot older than the window counts for nothing, so reading needs no clean-up pass.
class RequestWindow {
 public:
  static constexpr std::size_t kSlots = 10;

  explicit RequestWindow(Duration interval);
  void record(MonotonicTime now);
  std::uint64_t sum(MonotonicTime now) const;

 private:
  struct Slot {
    std::int64_t epoch = -1;
    std::uint64_t count = 0;
  };
  std::int64_t epochOf(MonotonicTime now) const { return now.time_since_epoch() / slot_width_; }

  Duration slot_width_;
  std::array<Slot, kSlots> slots_{};
};

// The requests resource also feeds the windowed retry budget: every inc() is a request started.
class RequestResourceLimit final : public ManagedResourceLimit {
 public:
  RequestResourceLimit(std::uint64_t max, std::uint64_t& open_gauge, std::uint64_t* remaining_gauge,
                       const EventLoop& loop, RequestWindow* window)
      : ManagedResourceLimit(max, open_gauge, remaining_gauge), loop_(loop), window_(window) {}

  void inc() override;

 private:
  const EventLoop& loop_;
  RequestWindow* window_;
};

// The retries resource (proxy-semantics §1.7, Envoy RetryBudgetImpl). Without a budget it is the
// static max_retries limit. With a budget its maximum is
//   max(uint64(pct/100 * (requests.count + pending.count)), min_retry_concurrency)
// or, with budget_interval, pct% of the requests started in the window. The static counter is kept
// underneath either way, and (as in Envoy) it alone drives rq_retry_open, so that gauge reflects
// max_retries even when a budget admits retries; remaining_retries is held at 0 under a budget.
class RetryResourceLimit final : public ResourceLimit {
 public:
  RetryResourceLimit(const CircuitBreakerThresholds& thresholds, ClusterStats& stats,
                     const ResourceLimit& requests, const ResourceLimit& pending,
                     const EventLoop& loop, const RequestWindow* window);

  bool canCreate() const override { return count() < max(); }
  void inc() override;
  void dec() override;
  std::uint64_t max() const override;
  std::uint64_t count() const override { return static_limit_.count(); }

 private:
  ManagedResourceLimit static_limit_;
  std::optional<RetryBudget> budget_;
  const ResourceLimit& requests_;
  const ResourceLimit& pending_;
  const EventLoop& loop_;
  const RequestWindow* window_;
};

// The circuit breakers of one cluster (§3.1): shared by every pool and every worker of the proxy
// process, like Envoy's per-cluster ResourceManagerImpl. Callers check canCreate() and then inc();
// nothing here refuses an inc() on its own.
class ResourceManager {
 public:
  // `loop` supplies the time for a windowed retry budget; it must outlive the manager.
  ResourceManager(const CircuitBreakerThresholds& thresholds, ClusterStats& stats,
                  const EventLoop& loop);
  ResourceManager(const ResourceManager&) = delete;
  ResourceManager& operator=(const ResourceManager&) = delete;

  ResourceLimit& connections() { return connections_; }
  ResourceLimit& pendingRequests() { return pending_requests_; }
  ResourceLimit& requests() { return requests_; }
  ResourceLimit& retries() { return retries_; }
  ResourceLimit& connectionPools() { return connection_pools_; }
  const CircuitBreakerThresholds& thresholds() const { return thresholds_; }

 private:
  static std::uint64_t* remaining(bool track, std::uint64_t& gauge) {
    return track ? &gauge : nullptr;
  }

  CircuitBreakerThresholds thresholds_;
  std::optional<RequestWindow> window_;
  ManagedResourceLimit connections_;
  ManagedResourceLimit pending_requests_;
  RequestResourceLimit requests_;
  ManagedResourceLimit connection_pools_;
  RetryResourceLimit retries_;
};

}  // namespace meshsim::core
