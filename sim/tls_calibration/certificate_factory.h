// Certificates for in-process TLS: calibration handshakes (proxy-semantics §7.6) and the real
// mesh's test CA (proxy/tls). Implements no proxy-semantics.md section of its own.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "core/tls/handshake_cost_model.h"

namespace meshsim::sim {

template <auto Free>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using PKeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;

// Throws std::runtime_error "<context>: <what>; <OpenSSL's queued errors>".
[[noreturn]] void failWithOpenSslErrors(const std::string& context, const std::string& what);

// Istio's workload keys (§7.3): RSA-2048 by default, ECDSA P-256 when asked for.
PKeyPtr generateKey(core::TlsKeyType type);

// An X.509 v3 certificate for `key`, valid from an hour ago for Istio's 24 h TTL (§7.3), signed by
// `issuer_key`. Without `issuer` it is a self-signed CA; otherwise a workload leaf usable for both
// TLS ends, whose subject alternative name is `spiffe_id` ("URI:spiffe://cluster.local/ns/...").
X509Ptr makeCertificate(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key,
                        long serial, const char* spiffe_id);

}  // namespace meshsim::sim
