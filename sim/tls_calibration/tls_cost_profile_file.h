// The TLS cost profile file that `meshsim calibrate-tls` writes and `mtls.cost_profile` reads.
#pragma once

#include <ostream>
#include <string>

#include "config/yaml_node.h"
#include "core/tls/handshake_cost_model.h"
#include "sim/tls_calibration/tls_calibrator.h"

namespace meshsim::sim {

// The file (scenarios/README.md, "mtls"):
//   format: meshsim-tls-cost-profile/1
//   generated: {openssl: ..., iterations: N}          informational
//   costs: {rsa2048_sign: 212.4us, ...}                core::TlsCostProfile, field for field
//   measured: [{key, client_certificate, client_full, server_full, client_resumed,
//               server_resumed}, ...]                  informational: the whole handshakes
// Every `costs` field is optional (absent = the built-in default); unknown keys are errors.
void writeTlsCostProfile(std::ostream& out, const std::string& header_comment,
                         const TlsCalibration& calibration, const core::TlsCostProfile& profile);

// Throws config::ConfigError (file:line:column, key) on a bad profile.
core::TlsCostProfile parseTlsCostProfile(const config::Node& document);
core::TlsCostProfile loadTlsCostProfile(const std::string& path);

}  // namespace meshsim::sim
