// Implements proxy-semantics.md §3.1 (one circuit-breaker resource).
#pragma once

#include <cstdint>

namespace meshsim::core {

// One circuit-breaker resource of a cluster (connections, pending requests, requests or retries):
// a count of what is held now against a maximum (proxy-semantics §3.1). The retries resource may
// compute its maximum from a retry budget (§1.7), hence the interface.
class ResourceLimit {
 public:
  virtual ~ResourceLimit() = default;
  virtual bool canCreate() const = 0;
  virtual void inc() = 0;
  virtual void dec() = 0;
  virtual std::uint64_t max() const = 0;
  virtual std::uint64_t count() const = 0;
};

}  // namespace meshsim::core
