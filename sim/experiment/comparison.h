#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "sim/experiment/replications.h"

namespace meshsim::sim {

// A metric `compare` and `sweep` report: a short label and its path in flattenSummary.
struct KeyMetric {
  std::string label;
  std::vector<std::string> path;
};

// End-to-end success rate, mean/p50/p99 latency, then attempts and amplification of every edge
// seen in any of `runs` (in first-seen order), then retries and sidecar CPU.
std::vector<KeyMetric> keyMetrics(const std::vector<const ReplicatedMetrics*>& runs);

// One row of an A/B comparison. Replication r of A and of B used the same Mesh replication index,
// hence the same random streams per entity (common random numbers), so the paired t interval on
// b_r - a_r is the right test.
struct MetricComparison {
  KeyMetric metric;
  ConfidenceInterval a;
  ConfidenceInterval b;
  PairedComparison difference;  // of B - A
};

std::vector<MetricComparison> compareRuns(const ReplicatedMetrics& a, const ReplicatedMetrics& b);

// The comparison table; significant differences carry a '*'.
void printComparison(std::ostream& out, const std::string& a_name, const std::string& b_name,
                     const std::vector<MetricComparison>& rows, std::size_t replications);

}  // namespace meshsim::sim
