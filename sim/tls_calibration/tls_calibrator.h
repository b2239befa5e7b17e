// Measures TLS 1.3 handshake CPU with OpenSSL, for `meshsim calibrate-tls` (proxy-semantics §7.6).
#pragma once

#include <string>
#include <vector>

#include "core/common/time.h"
#include "core/tls/handshake_cost_model.h"

namespace meshsim::sim {

// Median CPU time per side of one whole handshake, for one certificate type and mTLS setting.
struct HandshakeMeasurement {
  core::TlsKeyType key = core::TlsKeyType::kRsa2048;
  bool client_certificate = false;
  core::Duration client_full{0};
  core::Duration server_full{0};
  core::Duration client_resumed{0};
  core::Duration server_resumed{0};
};

// Median CPU time of the primitives the cost model is built from.
struct PrimitiveMeasurement {
  core::Duration rsa2048_sign{0};  // RSA-PSS SHA-256, as a TLS 1.3 CertificateVerify
  core::Duration rsa2048_verify{0};
  core::Duration ecdsa_p256_sign{0};
  core::Duration ecdsa_p256_verify{0};
  core::Duration x25519_keygen{0};
  core::Duration x25519_derive{0};
};

struct TlsCalibration {
  std::string openssl_version;
  int iterations = 0;
  PrimitiveMeasurement primitives;
  // RSA-2048 and ECDSA P-256, each without and with a client certificate (4 entries).
  std::vector<HandshakeMeasurement> handshakes;
};

// Runs `iterations` measured handshakes per cell (after a few unmeasured warm-up ones), entirely
// in memory: a client and a server SSL object joined by a BIO pair, X25519 key exchange,
// certificates generated in process (a self-signed CA per key type, leaf certificates with SPIFFE
// URI SANs signed by it). Each side's CPU is the sum of its SSL_do_handshake calls measured with
// CLOCK_THREAD_CPUTIME_ID, so time spent by the other side or by other processes is not counted.
// Resumed handshakes use a TLS 1.3 session ticket (PSK with (EC)DHE) obtained from a full one.
// Throws std::runtime_error with OpenSSL's error text if anything fails.
TlsCalibration calibrateTls(int iterations);

// Fits core::TlsCostProfile to the measurements: the primitives as measured, and each residual
// (overhead) term as the average, over key types, of the whole-handshake time the primitives do
// not explain — the same construction as the built-in defaults (handshake_cost_model.h). Residuals
// are clamped at zero.
core::TlsCostProfile fitTlsCostProfile(const TlsCalibration& calibration);

}  // namespace meshsim::sim
