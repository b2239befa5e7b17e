#include "core/authz/peer_authentication.h"

#include <algorithm>

namespace meshsim::core {

bool selectorMatches(const Labels& selector, const Labels& workload_labels) {
  return std::all_of(selector.begin(), selector.end(), [&](const auto& label) {
    return std::find(workload_labels.begin(), workload_labels.end(), label) !=
           workload_labels.end();
  });
}

EffectivePeerAuthentication resolvePeerAuthentication(
    const std::vector<PeerAuthentication>& policies, const std::string& root_namespace,
    const std::string& workload_namespace, const Labels& workload_labels,
    ConfigDiagnostics* diagnostics) {
  const PeerAuthentication* mesh = nullptr;
  const PeerAuthentication* namespace_policy = nullptr;
  const PeerAuthentication* workload = nullptr;
  auto warn = [&](const PeerAuthentication& p, const char* message) {
    if (diagnostics != nullptr) {
      diagnostics->push_back({ConfigDiagnostic::Severity::kWarning,
                              "PeerAuthentication/" + p.ns + "/" + p.name, message});
    }
  };
  for (const auto& p : policies) {
    if (!p.selector.has_value() && !p.port_level_mtls.empty()) {
      warn(p, "portLevelMtls requires a workload selector; ignored");
    }
    if (p.ns == root_namespace && p.selector.has_value()) {
      warn(p, "selector policies in the root namespace are ignored");
      continue;
    }
    if (p.ns == root_namespace && !p.selector.has_value()) {
      if (mesh == nullptr) {
        mesh = &p;
      }
    } else if (p.ns == workload_namespace && !p.selector.has_value()) {
      if (namespace_policy == nullptr) {
        namespace_policy = &p;
      }
    } else if (p.ns == workload_namespace && selectorMatches(*p.selector, workload_labels)) {
      if (workload == nullptr) {
        workload = &p;
      }
    }
  }

  MtlsMode mode = MtlsMode::kPermissive;
  for (const PeerAuthentication* level : {mesh, namespace_policy, workload}) {
    if (level != nullptr && level->mode != MtlsMode::kUnset) {
      mode = level->mode;
    }
  }
  EffectivePeerAuthentication out;
  out.mode = mode;
  if (workload != nullptr) {
    for (const auto& [port, port_mode] : workload->port_level_mtls) {
      out.port_modes.emplace_back(port, port_mode == MtlsMode::kUnset ? mode : port_mode);
    }
  }
  return out;
}

InboundTlsDecision decideInbound(MtlsMode mode, ClientTransport transport) {
  switch (mode) {
    case MtlsMode::kStrict:
      return transport == ClientTransport::kMutualTls ? InboundTlsDecision::kAcceptMutualTls
                                                      : InboundTlsDecision::kReject;
    case MtlsMode::kDisable:
      return transport == ClientTransport::kMutualTls ? InboundTlsDecision::kReject
                                                      : InboundTlsDecision::kAcceptPlaintext;
    case MtlsMode::kUnset:
    case MtlsMode::kPermissive:
      return transport == ClientTransport::kMutualTls ? InboundTlsDecision::kAcceptMutualTls
                                                      : InboundTlsDecision::kAcceptPlaintext;
  }
  return InboundTlsDecision::kReject;
}

ClientTlsMode clientTlsMode(std::optional<ClientTlsMode> destination_rule_mode,
                            bool enable_auto_mtls, bool endpoint_has_sidecar) {
  if (destination_rule_mode.has_value()) {
    return *destination_rule_mode;
  }
  return enable_auto_mtls && endpoint_has_sidecar ? ClientTlsMode::kIstioMutual
                                                  : ClientTlsMode::kDisable;
}

ClientTransport clientTransport(ClientTlsMode mode) {
  switch (mode) {
    case ClientTlsMode::kDisable:
      return ClientTransport::kPlaintext;
    case ClientTlsMode::kSimple:
      return ClientTransport::kTls;
    case ClientTlsMode::kMutual:
    case ClientTlsMode::kIstioMutual:
      return ClientTransport::kMutualTls;
  }
  return ClientTransport::kPlaintext;
}

}  // namespace meshsim::core
