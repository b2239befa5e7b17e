#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/proxy/proxy.h"

namespace meshsim::proxy {

// Counters of one HTTP listener, under Envoy's names where Envoy has one (http.<prefix>.*).
struct ListenerStats {
  std::uint64_t downstream_rq_total = 0;
  std::uint64_t downstream_rq_cancelled = 0;              // the client went away before the answer
  std::array<std::uint64_t, 5> downstream_rq_by_class{};  // 1xx..5xx
  // Requests the HTTP codec answered itself (400 malformed, 413 body, 431 headers).
  std::map<unsigned, std::uint64_t> rejected;
  // Completed requests by Envoy response flag (UH, UO, URX, ...), as access logs would show them.
  std::map<std::string, std::uint64_t> response_flags;
  // TLS on this direction's connections: accepted ones (inbound), opened ones (outbound).
  std::uint64_t ssl_handshake = 0;
  std::uint64_t ssl_connection_error = 0;

  void recordResponse(unsigned status);
  void recordFlags(core::ResponseFlags flags);
};

// One direction of a sidecar as the admin endpoint reports it.
struct ProxyStatsView {
  std::string listener;  // "outbound" or "inbound"
  const ListenerStats* stats = nullptr;
  core::Proxy* proxy = nullptr;  // nullptr: the direction has no proxy core
};

// Envoy's /stats text ("cluster.payment.upstream_rq_total: 12"), sorted by name.
std::string renderStatsText(const std::vector<ProxyStatsView>& views);
// Prometheus exposition text (/stats/prometheus) with Envoy's metric and label names
// (envoy_cluster_upstream_rq_total{envoy_cluster_name="payment"}).
std::string renderStatsPrometheus(const std::vector<ProxyStatsView>& views);

// The name Envoy's admin shows for a core cluster: Istio calls the inbound one "inbound|9080||".
std::string adminClusterName(const std::string& listener, const std::string& cluster);

// Parses /stats text back into name -> value (lines that are not "name: integer" are skipped).
std::map<std::string, std::uint64_t> parseStatsText(const std::string& text);

}  // namespace meshsim::proxy
