#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "sim/experiment/comparison.h"
#include "sim/experiment/replications.h"

namespace meshsim::sim {

// One `--grid key=v1,v2,...` axis.
struct GridAxis {
  std::string key;
  std::vector<std::string> values;
};

// Parses "key=v1,v2,..." (values split at commas, none empty); nullopt-free: throws
// std::invalid_argument with a message naming the argument.
GridAxis parseGridAxis(const std::string& argument);

// The cartesian product as `--set` overrides, the first axis varying slowest (the row order of
// sweep.csv): for a=1,2 and b=x,y: {a=1,b=x}, {a=1,b=y}, {a=2,b=x}, {a=2,b=y}.
std::vector<std::vector<std::string>> gridPoints(const std::vector<GridAxis>& axes);

// sweep.csv: the axis keys, then for each key metric (keyMetrics over every point) its
// `<label>_mean,<label>_ci_low,<label>_ci_high` (empty bounds when they are unbounded, R = 1).
// points[i] are the results of gridPoints(axes)[i].
void writeSweepCsv(std::ostream& out, const std::vector<GridAxis>& axes,
                   const std::vector<ReplicatedMetrics>& points);

}  // namespace meshsim::sim
