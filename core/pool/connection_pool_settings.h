// Implements proxy-semantics.md §2 and §3.2 (pool settings and defaults).
#pragma once

#include <cstdint>

#include "core/common/time.h"

namespace meshsim::core {

// Per-cluster connection knobs a pool needs (proxy-semantics §2, §3.2). Member initialisers are
// Envoy's defaults.
struct ConnectionPoolSettings {
  // Cluster connect_timeout: Envoy 5 s, Istio's mesh default 10 s (§2).
  Duration connect_timeout = std::chrono::seconds(5);
  // HttpProtocolOptions.idle_timeout: a connection with no stream for this long is closed. 0 =
  // never.
  Duration idle_timeout = std::chrono::hours(1);
  // Streams a connection may carry over its life; 0 = unlimited. 1 = no keep-alive (§7.4).
  std::uint64_t max_requests_per_connection = 0;
  // A connection older than this drains (finishes its streams, takes no new ones). 0 = none.
  Duration max_connection_duration{0};
  // HTTP/2 concurrent streams per connection; 1024 in current Envoy (§3.2, §10 item 15). Peer
  // SETTINGS lowering it are not modelled.
  std::uint32_t max_concurrent_streams = 1024;

  static ConnectionPoolSettings envoyDefaults() { return {}; }
  static ConnectionPoolSettings istioDefaults() {
    ConnectionPoolSettings s;
    s.connect_timeout = std::chrono::seconds(10);
    return s;
  }
};

}  // namespace meshsim::core
