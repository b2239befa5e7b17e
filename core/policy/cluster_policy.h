// Implements proxy-semantics.md §9 (cluster defaults per profile).
#pragma once

#include <optional>

#include "core/authz/peer_authentication.h"
#include "core/circuit_breaker/circuit_breaker_thresholds.h"
#include "core/common/config_diagnostic.h"
#include "core/lb/load_balancer_config.h"
#include "core/outlier/failure_accrual.h"
#include "core/outlier/outlier_detection_config.h"
#include "core/policy/proxy_profile.h"
#include "core/pool/connection_pool_settings.h"
#include "core/retry/tps_budget.h"
#include "core/upstream/transport.h"

namespace meshsim::core {

// Which balancer family a cluster uses: Envoy's (configured by `load_balancer`) or Linkerd's
// P2C over peak-EWMA latency (§5.8), which needs the clock and request completions.
enum class BalancerKind : std::uint8_t { kEnvoy, kLinkerdPeakEwma };

// Everything one upstream cluster's traffic policy says (DestinationRule trafficPolicy after
// translation, or a raw Envoy cluster): the value type the proxy core builds a Cluster from.
struct ClusterPolicy {
  HttpProtocol protocol = HttpProtocol::kHttp11;
  CircuitBreakerThresholds circuit_breakers;
  ConnectionPoolSettings connection_pool;
  BalancerKind balancer = BalancerKind::kEnvoy;
  LoadBalancerConfig load_balancer;  // also carries the healthy panic threshold
  std::optional<OutlierDetectionConfig> outlier_detection;
  // Istio locality failover (§5.7): hosts are split into priorities by their distance from the
  // client proxy's locality, so traffic leaves the closest locality only as its hosts become
  // unhealthy (§5.1). Istio turns it on for clusters with an outlierDetection block, because
  // MeshConfig enables localityLbSetting by default and only ejection ever moves load (§4.6).
  bool locality_failover = false;
  // Linkerd consecutive failure accrual (§4.7): off by default, as in Linkerd. Only the Linkerd
  // balancer honours it (validate() rejects it with an Envoy balancer).
  std::optional<FailureAccrualConfig> failure_accrual;
  // The ServiceProfile retryBudget of this destination (§1.10b), shared by every request whose
  // route has linkerd_profile_retry; Linkerd's defaults when the profile omits it.
  TpsBudget::Config linkerd_retry_budget;
  // Client TLS from a DestinationRule; unset lets the profile decide per endpoint (Istio auto mTLS:
  // ISTIO_MUTUAL to endpoints with a sidecar, plaintext otherwise, §7.2).
  std::optional<ClientTlsMode> tls_mode;

  // The defaults of `profile` with no DestinationRule (§9).
  static ClusterPolicy defaultsFor(ProxyProfile profile);

  // Every component's own validation, gathered under one path prefix ("cluster.<name>").
  ConfigDiagnostics validate(const std::string& path) const;
};

}  // namespace meshsim::core
