#include "sim/tls_calibration/tls_cost_profile_file.h"

#include <cstdio>
#include <sstream>
#include <string_view>
#include <vector>

namespace meshsim::sim {

namespace {

constexpr std::string_view kFormat = "meshsim-tls-cost-profile/1";

struct Field {
  std::string_view name;
  core::Duration core::TlsCostProfile::*member;
};

constexpr Field kFields[] = {
    {"rsa2048_sign", &core::TlsCostProfile::rsa2048_sign},
    {"rsa2048_verify", &core::TlsCostProfile::rsa2048_verify},
    {"ecdsa_p256_sign", &core::TlsCostProfile::ecdsa_p256_sign},
    {"ecdsa_p256_verify", &core::TlsCostProfile::ecdsa_p256_verify},
    {"kx_keygen", &core::TlsCostProfile::kx_keygen},
    {"kx_derive", &core::TlsCostProfile::kx_derive},
    {"client_overhead", &core::TlsCostProfile::client_overhead},
    {"server_overhead", &core::TlsCostProfile::server_overhead},
    {"server_peer_certificate_overhead", &core::TlsCostProfile::server_peer_certificate_overhead},
    {"client_own_certificate_overhead", &core::TlsCostProfile::client_own_certificate_overhead},
    {"client_resumed_overhead", &core::TlsCostProfile::client_resumed_overhead},
    {"server_resumed_overhead", &core::TlsCostProfile::server_resumed_overhead},
    {"server_resumed_client_certificate_overhead",
     &core::TlsCostProfile::server_resumed_client_certificate_overhead},
};

std::string micros(core::Duration d) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1fus", static_cast<double>(d.count()) / 1e3);
  return buffer;
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

void writeTlsCostProfile(std::ostream& out, const std::string& header_comment,
                         const TlsCalibration& calibration, const core::TlsCostProfile& profile) {
  std::istringstream lines(header_comment);
  for (std::string line; std::getline(lines, line);) {
    out << (line.empty() ? "#" : "# " + line) << "\n";
  }
  out << "format: " << kFormat << "\n";
  out << "generated:\n";
  out << "  openssl: " << quoted(calibration.openssl_version) << "\n";
  out << "  iterations: " << calibration.iterations << "\n";
  out << "# CPU per operation on one core, read by the handshake cost model "
         "(core/tls/handshake_cost_model.h).\n";
  out << "costs:\n";
  for (const Field& field : kFields) {
    out << "  " << field.name << ": " << micros(profile.*field.member) << "\n";
  }
  out << "# Whole TLS 1.3 handshakes (median CPU per side), which the overheads above were fitted "
         "to.\n";
  out << "measured:\n";
  for (const HandshakeMeasurement& m : calibration.handshakes) {
    out << "  - {key: " << (m.key == core::TlsKeyType::kRsa2048 ? "rsa2048" : "ecdsa-p256")
        << ", client_certificate: " << (m.client_certificate ? "true" : "false")
        << ", client_full: " << micros(m.client_full) << ", server_full: " << micros(m.server_full)
        << ", client_resumed: " << micros(m.client_resumed)
        << ", server_resumed: " << micros(m.server_resumed) << "}\n";
  }
}

core::TlsCostProfile parseTlsCostProfile(const config::Node& document) {
  document.expectMap();
  document.checkKeys({"format", "generated", "costs", "measured"});
  const config::Node format = document.require("format");
  if (format.asString() != kFormat) {
    format.fail("expected '" + std::string(kFormat) + "'");
  }
  core::TlsCostProfile profile;
  const config::Node costs = document.require("costs");
  costs.expectMap();
  std::vector<std::string_view> names;
  for (const Field& field : kFields) {
    names.push_back(field.name);
  }
  costs.checkKeys(names);
  for (const Field& field : kFields) {
    if (const auto value = costs.get(field.name)) {
      profile.*field.member = value->asDuration();
    }
  }
  if (const auto measured = document.get("measured")) {
    for (const config::Node& entry : measured->elements()) {
      entry.checkKeys({"key", "client_certificate", "client_full", "server_full", "client_resumed",
                       "server_resumed"});
    }
  }
  return profile;
}

core::TlsCostProfile loadTlsCostProfile(const std::string& path) {
  const std::vector<config::Node> documents = config::loadDocuments(path);
  if (documents.size() != 1) {
    throw config::ConfigError({path, 1, 1}, "",
                              "a TLS cost profile is one YAML document (meshsim calibrate-tls)");
  }
  return parseTlsCostProfile(documents.front());
}

}  // namespace meshsim::sim
