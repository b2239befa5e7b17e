#pragma once

#include <string>
#include <vector>

// `meshsim calibrate-tls [--out FILE] [--iterations N]` (sim/tls_calibration/).
int runCalibrateTlsCommand(const std::vector<std::string>& args);
