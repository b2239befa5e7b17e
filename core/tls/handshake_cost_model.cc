#include "core/tls/handshake_cost_model.h"

namespace meshsim::core {

namespace {

Duration keyExchange(const TlsCostProfile& p, const HandshakeParams& params) {
  if (params.resumed && params.version == TlsVersion::kTls12) {
    return Duration(0);
  }
  return p.kx_keygen + p.kx_derive;
}

}  // namespace

std::uint32_t handshakeRoundTrips(TlsVersion version, bool resumed) {
  return version == TlsVersion::kTls13 || resumed ? 1 : 2;
}

Duration HandshakeCostModel::serverCpu(const HandshakeParams& params) const {
  const auto& p = profile_;
  Duration cpu = keyExchange(p, params);
  if (params.resumed) {
    cpu += p.server_resumed_overhead;
    if (params.client_certificate) {
      cpu += p.server_resumed_client_certificate_overhead;
    }
    return cpu;
  }
  cpu += p.sign(params.server_key) + p.server_overhead;
  if (params.client_certificate) {
    cpu += 2 * p.verify(params.client_key) + p.server_peer_certificate_overhead;
  }
  return cpu;
}

Duration HandshakeCostModel::clientCpu(const HandshakeParams& params) const {
  const auto& p = profile_;
  Duration cpu = keyExchange(p, params);
  if (params.resumed) {
    return cpu + p.client_resumed_overhead;
  }
  cpu += 2 * p.verify(params.server_key) + p.client_overhead;
  if (params.client_certificate) {
    cpu += p.sign(params.client_key) + p.client_own_certificate_overhead;
  }
  return cpu;
}

HandshakeCost HandshakeCostModel::cost(const HandshakeParams& params) const {
  return {clientCpu(params), serverCpu(params),
          handshakeRoundTrips(params.version, params.resumed)};
}

}  // namespace meshsim::core
