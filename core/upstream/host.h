// Implements proxy-semantics.md §3.2 and §4.5 (per-host state).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace meshsim::core {

// Where an endpoint runs; drives locality priorities and zone-aware behaviour (proxy-semantics
// §5.7).
struct Locality {
  std::string region;
  std::string zone;
  std::string subzone;
  friend bool operator==(const Locality&, const Locality&) = default;
};

// Per-host counters with Envoy's names (cluster.<c>.<host>.*), shared by every worker.
struct HostStats {
  std::uint64_t rq_total = 0;
  std::uint64_t rq_success = 0;
  std::uint64_t rq_error = 0;
  std::uint64_t rq_timeout = 0;
  std::uint64_t cx_total = 0;
  std::uint64_t cx_connect_fail = 0;
};

// One endpoint (a replica's inbound address) of an upstream cluster, as the client proxy sees it.
// `index` is the host's dense position in its cluster, so per-host state elsewhere (outlier
// monitors, LB schedules, pools) lives in vectors indexed by it, not in maps.
class Host {
 public:
  Host(std::uint32_t index, std::string address, std::uint32_t weight = 1, Locality locality = {},
       std::vector<std::pair<std::string, std::string>> labels = {})
      : index_(index),
        address_(std::move(address)),
        weight_(weight == 0 ? 1 : weight),
        locality_(std::move(locality)),
        labels_(std::move(labels)) {}

  std::uint32_t index() const { return index_; }
  const std::string& address() const { return address_; }
  std::uint32_t weight() const { return weight_; }
  void setWeight(std::uint32_t weight) { weight_ = weight == 0 ? 1 : weight; }
  const Locality& locality() const { return locality_; }
  // Subset labels (e.g. version=v1) used to build DestinationRule subsets.
  const std::vector<std::pair<std::string, std::string>>& labels() const { return labels_; }

  // Health as seen through passive checks (outlier ejection: Envoy's FAILED_OUTLIER_CHECK) and
  // active checks / endpoint readiness (FAILED_ACTIVE_HC). Healthy means neither flag is set.
  bool outlierEjected() const { return outlier_ejected_; }
  void setOutlierEjected(bool ejected) { outlier_ejected_ = ejected; }
  bool activeHealthFailed() const { return active_health_failed_; }
  void setActiveHealthFailed(bool failed) { active_health_failed_ = failed; }
  bool healthy() const { return !outlier_ejected_ && !active_health_failed_; }

  // Requests attached to a connection to this host (Envoy's rq_active); pending requests are not
  // counted (§3.2). Least-request balancing reads it.
  std::uint64_t activeRequests() const { return active_requests_; }
  void incActiveRequests() { ++active_requests_; }
  void decActiveRequests() { --active_requests_; }

  HostStats& stats() { return stats_; }
  const HostStats& stats() const { return stats_; }

 private:
  std::uint32_t index_;
  std::string address_;
  std::uint32_t weight_;
  Locality locality_;
  std::vector<std::pair<std::string, std::string>> labels_;
  bool outlier_ejected_ = false;
  bool active_health_failed_ = false;
  std::uint64_t active_requests_ = 0;
  HostStats stats_;
};

using HostVector = std::vector<Host*>;

}  // namespace meshsim::core
