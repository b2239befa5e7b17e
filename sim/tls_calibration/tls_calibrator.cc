#include "sim/tls_calibration/tls_calibrator.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/tls_calibration/certificate_factory.h"

namespace meshsim::sim {

namespace {

template <auto Free>
using Deleter = OpenSslDeleter<Free>;
using PKeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, Deleter<SSL_free>>;
using SessionPtr = std::unique_ptr<SSL_SESSION, Deleter<SSL_SESSION_free>>;

[[noreturn]] void fail(const std::string& what) {
  failWithOpenSslErrors("TLS calibration", what);
}

void check(bool ok, const char* what) {
  if (!ok) {
    fail(what);
  }
}

core::Duration threadCpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

core::Duration median(std::vector<core::Duration> samples) {
  if (samples.empty()) {
    return core::Duration(0);
  }
  const auto middle = samples.begin() + static_cast<std::ptrdiff_t>(samples.size() / 2);
  std::nth_element(samples.begin(), middle, samples.end());
  return *middle;
}

// One key type's PKI: a CA and the two workloads' leaf certificates, the CA using the leaves' key
// type as the cost model assumes (handshake_cost_model.h).
struct Pki {
  PKeyPtr ca_key, server_key, client_key;
  X509Ptr ca, server_cert, client_cert;
};

Pki makePki(core::TlsKeyType type) {
  Pki pki;
  pki.ca_key = generateKey(type);
  pki.server_key = generateKey(type);
  pki.client_key = generateKey(type);
  pki.ca = makeCertificate(pki.ca_key.get(), "meshsim calibration CA", nullptr, pki.ca_key.get(), 1,
                           nullptr);
  pki.server_cert = makeCertificate(pki.server_key.get(), "server", pki.ca.get(), pki.ca_key.get(),
                                    2, "URI:spiffe://cluster.local/ns/default/sa/server");
  pki.client_cert = makeCertificate(pki.client_key.get(), "client", pki.ca.get(), pki.ca_key.get(),
                                    3, "URI:spiffe://cluster.local/ns/default/sa/client");
  return pki;
}

SslCtxPtr makeContext(bool server, const Pki& pki, bool client_certificate) {
  SslCtxPtr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()));
  check(ctx != nullptr, "SSL_CTX_new");
  check(SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION) == 1, "TLS 1.3 only");
  check(SSL_CTX_set_max_proto_version(ctx.get(), TLS1_3_VERSION) == 1, "TLS 1.3 only");
  // The group of the reference measurement (§7.6).
  check(SSL_CTX_set1_groups_list(ctx.get(), "X25519") == 1, "X25519 group");
  check(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), pki.ca.get()) == 1, "trust store");
  static const unsigned char kContext[] = "meshsim";
  check(SSL_CTX_set_session_id_context(ctx.get(), kContext, sizeof(kContext) - 1) == 1,
        "session id context");
  if (server) {
    check(SSL_CTX_use_certificate(ctx.get(), pki.server_cert.get()) == 1, "server certificate");
    check(SSL_CTX_use_PrivateKey(ctx.get(), pki.server_key.get()) == 1, "server key");
    // Envoy's servers issue stateless tickets (§7.4); one per connection is enough here.
    SSL_CTX_set_num_tickets(ctx.get(), 1);
    if (client_certificate) {
      SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
  } else {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    if (client_certificate) {
      check(SSL_CTX_use_certificate(ctx.get(), pki.client_cert.get()) == 1, "client certificate");
      check(SSL_CTX_use_PrivateKey(ctx.get(), pki.client_key.get()) == 1, "client key");
    }
  }
  return ctx;
}

struct HandshakeResult {
  core::Duration client{0};
  core::Duration server{0};
  bool reused = false;
  SessionPtr session;  // the client's resumable session, when asked for
};

bool progress(SSL* ssl, bool& done, core::Duration& cpu) {
  if (done) {
    return true;
  }
  const core::Duration start = threadCpuNow();
  const int rc = SSL_do_handshake(ssl);
  cpu += threadCpuNow() - start;
  if (rc == 1) {
    done = true;
    return true;
  }
  const int error = SSL_get_error(ssl, rc);
  return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE;
}

HandshakeResult handshake(SSL_CTX* client_ctx, SSL_CTX* server_ctx, SSL_SESSION* resume,
                          bool want_session) {
  SslPtr client(SSL_new(client_ctx));
  SslPtr server(SSL_new(server_ctx));
  check(client != nullptr && server != nullptr, "SSL_new");
  BIO* client_bio = nullptr;
  BIO* server_bio = nullptr;
  check(BIO_new_bio_pair(&client_bio, 0, &server_bio, 0) == 1, "BIO pair");
  SSL_set_bio(client.get(), client_bio, client_bio);
  SSL_set_bio(server.get(), server_bio, server_bio);
  SSL_set_connect_state(client.get());
  SSL_set_accept_state(server.get());
  if (resume != nullptr) {
    check(SSL_set_session(client.get(), resume) == 1, "SSL_set_session");
  }
  HandshakeResult result;
  bool client_done = false;
  bool server_done = false;
  for (int round = 0; !(client_done && server_done); ++round) {
    check(round < 32, "handshake did not finish");
    check(progress(client.get(), client_done, result.client), "client handshake failed");
    check(progress(server.get(), server_done, result.server), "server handshake failed");
  }
  result.reused = SSL_session_reused(client.get()) == 1;
  if (want_session) {
    // TLS 1.3 tickets arrive after the handshake: reading processes them (nothing else is sent).
    char byte = 0;
    SSL_read(client.get(), &byte, 1);
    result.session.reset(SSL_get1_session(client.get()));
    check(result.session != nullptr && SSL_SESSION_is_resumable(result.session.get()) == 1,
          "no resumable session ticket");
  }
  // A connection closed without shutdown would have its session marked not resumable (OpenSSL's
  // ssl_clear_bad_session), including the shared one being resumed.
  SSL_set_shutdown(client.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  SSL_set_shutdown(server.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  return result;
}

// One cell of the table: contexts, the session to resume, and the samples so far.
struct Cell {
  core::TlsKeyType key;
  bool client_certificate;
  SslCtxPtr server_ctx;
  SslCtxPtr client_ctx;
  SessionPtr session;
  std::vector<core::Duration> client_full, server_full, client_resumed, server_resumed;
};

// Measures every cell in turn within each iteration, so that a burst of load from elsewhere on
// the machine hits every cell alike instead of skewing one of them.
std::vector<HandshakeMeasurement> measureHandshakes(const Pki& rsa, const Pki& ecdsa,
                                                    int iterations) {
  std::vector<Cell> cells;
  for (const core::TlsKeyType key : {core::TlsKeyType::kRsa2048, core::TlsKeyType::kEcdsaP256}) {
    const Pki& pki = key == core::TlsKeyType::kRsa2048 ? rsa : ecdsa;
    for (const bool mtls : {false, true}) {
      Cell cell{
          key, mtls, makeContext(true, pki, mtls), makeContext(false, pki, mtls), nullptr, {}, {},
          {},  {}};
      cell.session = handshake(cell.client_ctx.get(), cell.server_ctx.get(), nullptr, true).session;
      cells.push_back(std::move(cell));
    }
  }
  constexpr int kWarmup = 3;
  for (int i = 0; i < kWarmup + iterations; ++i) {
    for (Cell& cell : cells) {
      const HandshakeResult full =
          handshake(cell.client_ctx.get(), cell.server_ctx.get(), nullptr, false);
      const HandshakeResult resumed =
          handshake(cell.client_ctx.get(), cell.server_ctx.get(), cell.session.get(), false);
      check(!full.reused, "a full handshake was resumed");
      check(resumed.reused, "session resumption did not happen");
      if (i >= kWarmup) {
        cell.client_full.push_back(full.client);
        cell.server_full.push_back(full.server);
        cell.client_resumed.push_back(resumed.client);
        cell.server_resumed.push_back(resumed.server);
      }
    }
  }
  std::vector<HandshakeMeasurement> out;
  for (Cell& cell : cells) {
    HandshakeMeasurement m;
    m.key = cell.key;
    m.client_certificate = cell.client_certificate;
    m.client_full = median(std::move(cell.client_full));
    m.server_full = median(std::move(cell.server_full));
    m.client_resumed = median(std::move(cell.client_resumed));
    m.server_resumed = median(std::move(cell.server_resumed));
    out.push_back(m);
  }
  return out;
}

// Sign and verify as a TLS 1.3 CertificateVerify does: SHA-256 digest, RSA-PSS for RSA keys.
void measureSignature(EVP_PKEY* key, bool rsa, int iterations, core::Duration& sign,
                      core::Duration& verify) {
  static const unsigned char kMessage[64 + 34 + 32] = {0x20};
  std::vector<core::Duration> sign_samples, verify_samples;
  std::array<unsigned char, 512> signature{};
  for (int i = 0; i < iterations; ++i) {
    MdCtxPtr md(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    std::size_t length = signature.size();
    core::Duration start = threadCpuNow();
    check(EVP_DigestSignInit(md.get(), &pctx, EVP_sha256(), nullptr, key) == 1, "sign init");
    if (rsa) {
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    }
    check(EVP_DigestSign(md.get(), signature.data(), &length, kMessage, sizeof(kMessage)) == 1,
          "sign");
    sign_samples.push_back(threadCpuNow() - start);

    MdCtxPtr vmd(EVP_MD_CTX_new());
    start = threadCpuNow();
    check(EVP_DigestVerifyInit(vmd.get(), &pctx, EVP_sha256(), nullptr, key) == 1, "verify init");
    if (rsa) {
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    }
    check(EVP_DigestVerify(vmd.get(), signature.data(), length, kMessage, sizeof(kMessage)) == 1,
          "verify");
    verify_samples.push_back(threadCpuNow() - start);
  }
  sign = median(std::move(sign_samples));
  verify = median(std::move(verify_samples));
}

PKeyPtr x25519Key() {
  PKeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr));
  EVP_PKEY* key = nullptr;
  check(ctx != nullptr && EVP_PKEY_keygen_init(ctx.get()) == 1 &&
            EVP_PKEY_keygen(ctx.get(), &key) == 1,
        "X25519 keygen");
  return PKeyPtr(key);
}

void measureKeyExchange(int iterations, core::Duration& keygen, core::Duration& derive) {
  const PKeyPtr peer = x25519Key();
  std::vector<core::Duration> keygen_samples, derive_samples;
  for (int i = 0; i < iterations; ++i) {
    core::Duration start = threadCpuNow();
    const PKeyPtr own = x25519Key();
    keygen_samples.push_back(threadCpuNow() - start);
    start = threadCpuNow();
    PKeyCtxPtr ctx(EVP_PKEY_CTX_new(own.get(), nullptr));
    std::array<unsigned char, 32> secret{};
    std::size_t length = secret.size();
    check(ctx != nullptr && EVP_PKEY_derive_init(ctx.get()) == 1 &&
              EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) == 1 &&
              EVP_PKEY_derive(ctx.get(), secret.data(), &length) == 1,
          "X25519 derive");
    derive_samples.push_back(threadCpuNow() - start);
  }
  keygen = median(std::move(keygen_samples));
  derive = median(std::move(derive_samples));
}

const HandshakeMeasurement& cell(const TlsCalibration& c, core::TlsKeyType key, bool mtls) {
  for (const HandshakeMeasurement& m : c.handshakes) {
    if (m.key == key && m.client_certificate == mtls) {
      return m;
    }
  }
  throw std::invalid_argument("TLS calibration lacks a handshake cell");
}

core::Duration nonNegative(core::Duration d) {
  return std::max(d, core::Duration(0));
}

}  // namespace

TlsCalibration calibrateTls(int iterations) {
  if (iterations < 1) {
    throw std::invalid_argument("TLS calibration needs at least one iteration");
  }
  TlsCalibration result;
  result.openssl_version = OpenSSL_version(OPENSSL_VERSION);
  result.iterations = iterations;
  const int primitive_iterations = std::max(20, 4 * iterations);
  const Pki rsa = makePki(core::TlsKeyType::kRsa2048);
  const Pki ecdsa = makePki(core::TlsKeyType::kEcdsaP256);
  PrimitiveMeasurement& p = result.primitives;
  measureSignature(rsa.server_key.get(), true, primitive_iterations, p.rsa2048_sign,
                   p.rsa2048_verify);
  measureSignature(ecdsa.server_key.get(), false, primitive_iterations, p.ecdsa_p256_sign,
                   p.ecdsa_p256_verify);
  measureKeyExchange(primitive_iterations, p.x25519_keygen, p.x25519_derive);
  result.handshakes = measureHandshakes(rsa, ecdsa, iterations);
  return result;
}

core::TlsCostProfile fitTlsCostProfile(const TlsCalibration& c) {
  const PrimitiveMeasurement& p = c.primitives;
  core::TlsCostProfile profile;
  profile.rsa2048_sign = p.rsa2048_sign;
  profile.rsa2048_verify = p.rsa2048_verify;
  profile.ecdsa_p256_sign = p.ecdsa_p256_sign;
  profile.ecdsa_p256_verify = p.ecdsa_p256_verify;
  profile.kx_keygen = p.x25519_keygen;
  profile.kx_derive = p.x25519_derive;
  const core::Duration kx = p.x25519_keygen + p.x25519_derive;

  // Each residual inverts one term of HandshakeCostModel (handshake_cost_model.h), averaged over
  // the two key types.
  core::Duration client{0}, server{0}, server_peer{0}, client_own{0};
  core::Duration client_resumed{0}, server_resumed{0}, server_resumed_cert{0};
  for (const core::TlsKeyType key : {core::TlsKeyType::kRsa2048, core::TlsKeyType::kEcdsaP256}) {
    const HandshakeMeasurement& plain = cell(c, key, false);
    const HandshakeMeasurement& mutual = cell(c, key, true);
    client += plain.client_full - kx - 2 * profile.verify(key);
    server += plain.server_full - kx - profile.sign(key);
    server_peer += mutual.server_full - plain.server_full - 2 * profile.verify(key);
    client_own += mutual.client_full - plain.client_full - profile.sign(key);
    client_resumed += (plain.client_resumed + mutual.client_resumed) / 2 - kx;
    server_resumed += plain.server_resumed - kx;
    server_resumed_cert += mutual.server_resumed - plain.server_resumed;
  }
  profile.client_overhead = nonNegative(client / 2);
  profile.server_overhead = nonNegative(server / 2);
  profile.server_peer_certificate_overhead = nonNegative(server_peer / 2);
  profile.client_own_certificate_overhead = nonNegative(client_own / 2);
  profile.client_resumed_overhead = nonNegative(client_resumed / 2);
  profile.server_resumed_overhead = nonNegative(server_resumed / 2);
  profile.server_resumed_client_certificate_overhead = nonNegative(server_resumed_cert / 2);
  return profile;
}

}  // namespace meshsim::sim
