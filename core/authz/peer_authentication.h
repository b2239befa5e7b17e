// Implements proxy-semantics.md §7.1-§7.2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/common/config_diagnostic.h"

namespace meshsim::core {

using Labels = std::vector<std::pair<std::string, std::string>>;

// PeerAuthentication.MutualTLS.Mode (proxy-semantics §7.1).
enum class MtlsMode { kUnset, kDisable, kPermissive, kStrict };

struct PeerAuthentication {
  std::string name;
  std::string ns;
  // Workload selector (matchLabels); nullopt = namespace-wide (or mesh-wide in the root namespace).
  std::optional<Labels> selector;
  MtlsMode mode = MtlsMode::kUnset;
  std::vector<std::pair<std::uint32_t, MtlsMode>> port_level_mtls;  // only with a selector
};

// The mode a workload's inbound listener enforces, per port, resolved once at configuration time.
struct EffectivePeerAuthentication {
  MtlsMode mode = MtlsMode::kPermissive;
  std::vector<std::pair<std::uint32_t, MtlsMode>> port_modes;  // already resolved, never kUnset

  MtlsMode modeFor(std::uint32_t port) const {
    for (const auto& [p, m] : port_modes) {
      if (p == port) {
        return m;
      }
    }
    return mode;
  }
};

bool selectorMatches(const Labels& selector, const Labels& workload_labels);

// Precedence workload selector > namespace > root namespace (mesh); UNSET inherits from the next
// level and is PERMISSIVE at the top; port-level UNSET inherits the workload's mode. Policies are
// given in creation order: when several match at one level Istio uses the oldest, i.e. the first
// here. Selector policies in the root namespace and portLevelMtls without a selector are ignored,
// with a diagnostic.
EffectivePeerAuthentication resolvePeerAuthentication(
    const std::vector<PeerAuthentication>& policies, const std::string& root_namespace,
    const std::string& workload_namespace, const Labels& workload_labels,
    ConfigDiagnostics* diagnostics = nullptr);

// What a client offers on a new connection to the inbound sidecar.
enum class ClientTransport {
  kPlaintext,
  kTls,        // TLS without a client certificate (DestinationRule SIMPLE)
  kMutualTls,  // TLS with a client certificate (MUTUAL / ISTIO_MUTUAL)
};

enum class InboundTlsDecision {
  kAcceptMutualTls,  // peer identity available to authorization
  kAcceptPlaintext,  // no peer identity
  kReject,           // handshake failure / connection reset: the client sees a connect failure
};

// Whether the inbound sidecar accepts the connection (proxy-semantics §7.1). STRICT requires a
// client certificate; DISABLE has no TLS context, so TLS bytes fail HTTP parsing; PERMISSIVE takes
// both. TLS without a client certificate is not detected as mTLS (no istio ALPN), so under
// PERMISSIVE/DISABLE it reaches the plaintext chain as opaque bytes: modelled as accepted without
// identity [UNVERIFIED: meshsim choice].
InboundTlsDecision decideInbound(MtlsMode mode, ClientTransport transport);

// DestinationRule trafficPolicy.tls.mode (proxy-semantics §7.2).
enum class ClientTlsMode { kDisable, kSimple, kMutual, kIstioMutual };

// The client-side mode for one endpoint: the DestinationRule's mode if set, otherwise with auto
// mTLS (the mesh default) ISTIO_MUTUAL for endpoints with a sidecar (tlsMode=istio label) and
// plaintext for the others.
ClientTlsMode clientTlsMode(std::optional<ClientTlsMode> destination_rule_mode,
                            bool enable_auto_mtls, bool endpoint_has_sidecar);

ClientTransport clientTransport(ClientTlsMode mode);

}  // namespace meshsim::core
