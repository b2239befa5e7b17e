#pragma once

#include <cstdint>

namespace meshsim::sim {

// Closed forms of elementary queueing theory, for the analytic model of `meshsim analyze` and the
// validation tests. Rates are per second, times in seconds.

// Erlang C: the probability that an arrival to an M/M/c queue with `servers` servers and offered
// load a = λ/μ (in Erlangs) has to wait. Computed through the Erlang B recursion
// B(0) = 1, B(k) = a·B(k-1) / (k + a·B(k-1)), C = B / (1 - ρ(1 - B)) with ρ = a/c, which stays
// accurate for hundreds of servers where the textbook sum of a^k/k! overflows. 1 when ρ >= 1.
double erlangC(std::uint32_t servers, double offered_load);

struct MmcMetrics {
  double utilization = 0;       // ρ = λ·E[S] / c
  double wait_probability = 0;  // Erlang C
  double mean_wait = 0;         // Wq = C / (cμ - λ); +infinity when ρ >= 1
  double mean_response = 0;     // Wq + E[S]
};

// M/M/c with Poisson arrivals at `arrival_rate`, exponential service of mean `mean_service` and
// `servers` servers. With c = 1 it is M/M/1: Wq = ρ / (μ - λ).
MmcMetrics mmcQueue(double arrival_rate, double mean_service, std::uint32_t servers);

// Expected attempts of a request retried up to `retries` times while each attempt fails
// independently with probability p: 1 + p + ... + p^n = (1 - p^(n+1)) / (1 - p), n + 1 at p = 1.
double expectedAttempts(double failure_probability, std::uint32_t retries);

}  // namespace meshsim::sim
