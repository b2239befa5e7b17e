// Implements proxy-semantics.md §1.6.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/upstream/host.h"

namespace meshsim::core {

// A retry host predicate (Envoy's envoy.retry_host_predicates.*): asked about every candidate the
// load balancer picks, told about every host an attempt was sent to (proxy-semantics §1.6).
class RetryHostPredicate {
 public:
  virtual ~RetryHostPredicate() = default;
  virtual bool shouldSelectAnotherHost(const Host& candidate) const = 0;
  virtual void onHostAttempted(const Host& host) = 0;
};

// `previous_hosts`: rejects any host an earlier attempt of the same request already went to.
// Requests rarely make more than a handful of attempts (Istio: 3), so the attempted hosts live in
// an inline buffer; only a request with more attempts than that spills to the heap.
class PreviousHostsPredicate final : public RetryHostPredicate {
 public:
  static constexpr std::size_t kInlineHosts = 8;

  bool shouldSelectAnotherHost(const Host& candidate) const override;
  void onHostAttempted(const Host& host) override;

  std::size_t attemptedCount() const { return inline_count_ + overflow_.size(); }
  // Forgets every attempt, so one predicate object can be reused for the next request.
  void reset();

 private:
  std::array<const Host*, kInlineHosts> inline_{};
  std::size_t inline_count_ = 0;
  std::vector<const Host*> overflow_;
};

// What one request gives the load balancer (Envoy's LoadBalancerContext, as the router fills it).
// The router owns one per request; it allocates nothing.
class LoadBalancerContext {
 public:
  static constexpr std::size_t kMaxPredicates = 2;

  // Hash of the request for ring hash / maglev (consistentHash on a header, cookie, source IP).
  // Without one those balancers use a random draw (§5.5).
  std::optional<std::uint64_t> hashKey() const { return hash_key_; }
  void setHashKey(std::uint64_t hash) { hash_key_ = hash; }
  void clearHashKey() { hash_key_.reset(); }

  // Extra picks allowed when a predicate rejects a host: the balancer makes count+1 picks (§1.6).
  // Envoy's router answers 1 for a first attempt and host_selection_retry_max_attempts (default 1,
  // Istio 5) for a retry; setForAttempt() applies that rule.
  std::uint32_t hostSelectionRetryCount() const { return host_selection_retry_count_; }
  void setHostSelectionRetryCount(std::uint32_t count) { host_selection_retry_count_ = count; }
  void setForAttempt(bool is_retry, std::uint32_t host_selection_retry_max_attempts) {
    host_selection_retry_count_ = is_retry ? host_selection_retry_max_attempts : 1;
  }

  // Predicates are referenced, not owned (the router's per-request state owns them). Returns false
  // if kMaxPredicates are already registered.
  bool addRetryHostPredicate(RetryHostPredicate& predicate);
  // True if any predicate rejects the host (Envoy: any_of over retry_host_predicates).
  bool shouldSelectAnotherHost(const Host& host) const;
  // Call once per attempt with the host it was sent to.
  void onHostAttempted(const Host& host);

 private:
  std::optional<std::uint64_t> hash_key_;
  std::uint32_t host_selection_retry_count_ = 1;
  std::array<RetryHostPredicate*, kMaxPredicates> predicates_{};
  std::size_t predicate_count_ = 0;
};

}  // namespace meshsim::core
