#pragma once

#include <openssl/ssl.h>
#include <boost/asio/ssl/context.hpp>
#include <string>

#include "sim/tls_calibration/certificate_factory.h"

namespace meshsim::proxy {

// A throwaway certificate authority for the real mesh (what istiod's CA does for a cluster):
// it issues every pod a leaf certificate whose URI SAN is the pod's SPIFFE identity. ECDSA P-256
// keys, made with OpenSSL's C API; written as PEM files into a directory.
class TestCertificateAuthority {
 public:
  TestCertificateAuthority();

  // Writes "<dir>/ca.crt". Throws std::runtime_error on failure.
  void writeRoot(const std::string& dir) const;
  // Writes "<dir>/<name>.crt" and "<dir>/<name>.key" for `spiffe_id`.
  void issue(const std::string& dir, const std::string& name, const std::string& spiffe_id);

 private:
  sim::PKeyPtr key_;
  sim::X509Ptr root_;
  long serial_ = 1;
};

// The TLS material of one pod, read from the files TestCertificateAuthority wrote: a server
// context (TLS 1.3, client certificate required: Istio mTLS) and a client context presenting the
// pod's certificate and trusting only the mesh CA. Throws std::runtime_error naming the file.
struct WorkloadTls {
  WorkloadTls(const std::string& dir, const std::string& name);
  boost::asio::ssl::context server{boost::asio::ssl::context::tls_server};
  boost::asio::ssl::context client{boost::asio::ssl::context::tls_client};
};

// The URI SAN of the peer's verified certificate (the SPIFFE id), or empty.
std::string peerSpiffeId(SSL* ssl);

}  // namespace meshsim::proxy
