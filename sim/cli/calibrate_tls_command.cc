#include "sim/cli/calibrate_tls_command.h"

#include <iostream>

#include "sim/tls_calibration/calibrate_tls_main.h"

int runCalibrateTlsCommand(const std::vector<std::string>& args) {
  return meshsim::sim::calibrateTlsMain(args, std::cout, std::cerr);
}
