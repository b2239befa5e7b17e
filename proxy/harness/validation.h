#pragma once

#include <cstddef>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "proxy/harness/load_driver.h"
#include "proxy/harness/mesh_comparison.h"
#include "sim/experiment/replications.h"

namespace meshsim::proxy {

struct ValidationOptions {
  std::string scenario_file;
  std::vector<std::string> overrides;
  std::string bin_dir;  // where meshproxy and meshsim-testservice are
  std::size_t replications = 5;
  double tolerance = 0.10;
};

struct ValidationResult {
  LoadResult load;
  // meshproxy CPU per request per proxy, measured during the real run (proxy CPU time over the
  // requests every listener completed); the simulation runs with it as sidecar.cpu_per_request.
  core::Duration sidecar_cpu_per_request{0};
  std::vector<ComparisonRow> rows;
  std::vector<std::string> exits;  // how each process ended ("meshproxy front-v1-0: exit 0")
  bool passed = false;             // every checked row agrees and every process exited cleanly
};

// A scenario the harness cannot run for real (see realMeshLimitations, plus: open-loop poisson or
// constant arrivals, no warm-up, since whole runs are compared). One message per problem.
std::vector<std::string> validationProblems(const sim::Scenario& scenario);

// Runs `variant` for real on 127.0.0.1 (RealMesh + driveLoad), then `replications` times in the
// simulator with the sidecar CPU cost measured on this machine, and compares them. Progress goes to
// `log`. Throws std::runtime_error when the real mesh cannot be started or scraped; every process
// is stopped in all cases.
ValidationResult validateAgainstReal(const sim::Variant& variant, const ValidationOptions& options,
                                     std::ostream& log);

}  // namespace meshsim::proxy
