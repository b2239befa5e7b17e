#include "core/policy/cluster_policy.h"

namespace meshsim::core {

ClusterPolicy ClusterPolicy::defaultsFor(ProxyProfile profile) {
  ClusterPolicy policy;
  switch (profile) {
    case ProxyProfile::kEnvoy:
      // Envoy API defaults: 1024/1024/1024/3, connect timeout 5 s, round robin, panic 50 %.
      break;
    case ProxyProfile::kIstio:
      // Istio: 2^32-1 limits with track_remaining, mesh connect timeout 10 s, LEAST_REQUEST since
      // 1.14, panic 50 % until a DestinationRule outlier block sets minHealthPercent (§3.5, §5.7).
      policy.circuit_breakers = CircuitBreakerThresholds::istioDefaults();
      policy.connection_pool = ConnectionPoolSettings::istioDefaults();
      policy.load_balancer.policy = LoadBalancerConfig::Policy::LeastRequest;
      break;
    case ProxyProfile::kLinkerd:
      // Linkerd: outbound connect timeout 1 s, a 10 000-deep queue, 100 000 requests in flight, no
      // retry concurrency cap (its budget is the TPS budget), P2C peak-EWMA balancing, mTLS between
      // meshed pods (§2, §5.8, §9).
      policy.circuit_breakers.max_connections = CircuitBreakerThresholds::kUnlimited;
      policy.circuit_breakers.max_pending_requests = 10'000;
      policy.circuit_breakers.max_requests = 100'000;
      policy.circuit_breakers.max_retries = CircuitBreakerThresholds::kUnlimited;
      policy.connection_pool.connect_timeout = std::chrono::seconds(1);
      policy.balancer = BalancerKind::kLinkerdPeakEwma;
      policy.load_balancer.healthy_panic_threshold = 0;
      policy.tls_mode = ClientTlsMode::kIstioMutual;
      break;
  }
  return policy;
}

ConfigDiagnostics ClusterPolicy::validate(const std::string& path) const {
  ConfigDiagnostics diagnostics;
  for (std::string& message : load_balancer.validate()) {
    diagnostics.push_back(
        {ConfigDiagnostic::Severity::kError, path + ".load_balancer", std::move(message)});
  }
  if (outlier_detection) {
    for (auto& d : outlier_detection->validate()) {
      diagnostics.push_back({ConfigDiagnostic::Severity::kError,
                             path + ".outlier_detection." + d.field, std::move(d.message)});
    }
  }
  if (failure_accrual) {
    for (auto& d : failure_accrual->validate()) {
      diagnostics.push_back({ConfigDiagnostic::Severity::kError,
                             path + ".failure_accrual." + d.field, std::move(d.message)});
    }
    if (balancer != BalancerKind::kLinkerdPeakEwma) {
      diagnostics.push_back({ConfigDiagnostic::Severity::kError, path + ".failure_accrual",
                             "failure accrual needs the Linkerd balancer"});
    }
  }
  for (std::string& message : TpsBudget::validate(linkerd_retry_budget)) {
    diagnostics.push_back(
        {ConfigDiagnostic::Severity::kError, path + ".linkerd_retry_budget", std::move(message)});
  }
  if (connection_pool.connect_timeout <= Duration::zero()) {
    diagnostics.push_back({ConfigDiagnostic::Severity::kError, path + ".connect_timeout",
                           "must be greater than zero"});
  }
  if (protocol == HttpProtocol::kHttp2 && connection_pool.max_concurrent_streams == 0) {
    diagnostics.push_back({ConfigDiagnostic::Severity::kError, path + ".max_concurrent_streams",
                           "must be at least 1 for HTTP/2"});
  }
  if (circuit_breakers.retry_budget) {
    const RetryBudget& budget = *circuit_breakers.retry_budget;
    if (budget.budget_percent < 0 || budget.budget_percent > 100) {
      diagnostics.push_back({ConfigDiagnostic::Severity::kError,
                             path + ".retry_budget.budget_percent", "must be within [0, 100]"});
    }
  }
  return diagnostics;
}

}  // namespace meshsim::core
