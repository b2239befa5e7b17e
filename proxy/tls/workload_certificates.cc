#include "proxy/tls/workload_certificates.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace meshsim::proxy {

namespace {

constexpr const char* kContext = "mesh certificates";

using FilePtr = std::unique_ptr<FILE, sim::OpenSslDeleter<std::fclose>>;

FilePtr openForWriting(const std::string& path) {
  FilePtr file(std::fopen(path.c_str(), "w"));
  if (!file) {
    throw std::runtime_error(path + ": cannot write");
  }
  return file;
}

void writeCertificate(const std::string& path, X509* certificate) {
  const FilePtr file = openForWriting(path);
  if (PEM_write_X509(file.get(), certificate) != 1) {
    sim::failWithOpenSslErrors(kContext, path);
  }
}

void configure(boost::asio::ssl::context& context, const std::string& dir,
               const std::string& name) {
  namespace ssl = boost::asio::ssl;
  boost::system::error_code error;
  const std::string ca = dir + "/ca.crt";
  const std::string certificate = dir + "/" + name + ".crt";
  const std::string key = dir + "/" + name + ".key";
  for (const std::string* file : {&ca, &certificate, &key}) {
    if (!std::ifstream(*file)) {
      throw std::runtime_error(*file + ": cannot read");
    }
  }
  SSL_CTX* native = context.native_handle();
  // Istio's sidecars speak TLS 1.3 between each other (§7.4).
  SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION);
  if (context.load_verify_file(ca, error); error) {
    throw std::runtime_error(ca + ": " + error.message());
  }
  if (context.use_certificate_chain_file(certificate, error); error) {
    throw std::runtime_error(certificate + ": " + error.message());
  }
  if (context.use_private_key_file(key, ssl::context::pem, error); error) {
    throw std::runtime_error(key + ": " + error.message());
  }
}

}  // namespace

TestCertificateAuthority::TestCertificateAuthority()
    : key_(sim::generateKey(core::TlsKeyType::kEcdsaP256)),
      root_(sim::makeCertificate(key_.get(), "meshsim mesh CA", nullptr, key_.get(), serial_++,
                                 nullptr)) {}

void TestCertificateAuthority::writeRoot(const std::string& dir) const {
  writeCertificate(dir + "/ca.crt", root_.get());
}

void TestCertificateAuthority::issue(const std::string& dir, const std::string& name,
                                     const std::string& spiffe_id) {
  const sim::PKeyPtr key = sim::generateKey(core::TlsKeyType::kEcdsaP256);
  const std::string san = "URI:" + spiffe_id;
  const sim::X509Ptr certificate = sim::makeCertificate(key.get(), name.c_str(), root_.get(),
                                                        key_.get(), serial_++, san.c_str());
  writeCertificate(dir + "/" + name + ".crt", certificate.get());
  const std::string key_path = dir + "/" + name + ".key";
  const FilePtr file = openForWriting(key_path);
  if (PEM_write_PrivateKey(file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    sim::failWithOpenSslErrors(kContext, key_path);
  }
}

WorkloadTls::WorkloadTls(const std::string& dir, const std::string& name) {
  namespace ssl = boost::asio::ssl;
  configure(server, dir, name);
  configure(client, dir, name);
  server.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  client.set_verify_mode(ssl::verify_peer);
}

std::string peerSpiffeId(SSL* ssl) {
  X509* certificate = SSL_get0_peer_certificate(ssl);
  if (certificate == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) {
    return {};
  }
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  std::string id;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_URI) {
      const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
      id.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                static_cast<std::size_t>(ASN1_STRING_length(uri)));
      break;
    }
  }
  GENERAL_NAMES_free(names);
  return id;
}

}  // namespace meshsim::proxy
