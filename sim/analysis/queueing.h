#pragma once

#include <cstdint>
#include <vector>

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

// A station of a closed product-form network (one class of requests): FCFS with `servers`
// identical exponential servers, or a delay (infinite servers: no queue). Its demand is what one
// end-to-end request asks of it, visits × mean service time, in seconds.
inline constexpr std::uint32_t kDelayStation = 0;  // as `servers`
struct ClosedStation {
  double demand = 0;          // D_k, at each copy
  std::uint32_t servers = 1;  // c_k, or kDelayStation
  std::uint32_t copies = 1;   // identical stations with demand D_k each (the replicas of a pool)
};

struct ClosedStationMetrics {   // one copy's
  double utilization = 0;       // X·D/c (a delay: X·D, its mean population)
  double queue_length = 0;      // mean requests at the station, queued or in service
  double residence = 0;         // seconds per end-to-end request: queue_length / X (Little)
  double wait_probability = 0;  // that an arriving request finds all servers busy
};

struct ClosedNetworkSolution {
  double throughput = 0;                       // X(N), requests per second
  double response = 0;                         // R(N) = N/X - Z = Σ copies × residence, seconds
  std::vector<ClosedStationMetrics> stations;  // in the order given
  bool exact = true;  // false: approximateClosedNetwork (too many users for the exact solution)
};

// The exact solution of a closed network of `users` requests that cycle through the stations and
// a think time of mean `think` (Z): what exact mean value analysis (Reiser & Lavenberg 1980) gives,
// including multi-server stations (load-dependent MVA: R_k(n) = D_k/c_k · (1 + Q_k(n-1) +
// Σ_{j<c_k-1} (c_k-1-j) p_k(j|n-1))). That recursion takes p_k(0|n) as 1 minus the other marginal
// probabilities, a difference that loses every digit once a station has several servers busy on
// average: for c = 4, N = 1000 and 89 % utilisation its X is 112 % off. So the figures are
// computed from the normalising constants G(n) of the product form instead (Buzen's
// convolution, in logarithms), which only add and multiply positive numbers: X(N) = G(N-1)/G(N),
// and per station its marginal probabilities from G of the network without it. A c-server
// station's f(j) = D^j / (j! for j <= c, c!·c^(j-c) above) factors exactly into a single server
// of demand D/c (geometric) convolved with g(j) = D^j/j! · (c-j)/c for j < c, so each copy costs
// O(N·c) time, and each station O(N) memory.
//
// When that work, N · Σ (copies + 1)·(min(c, N) + 1), exceeds kExactClosedNetworkWork (about a
// second), the
// answer is approximateClosedNetwork's instead, with `exact` false. All demands and Z zero:
// X = +inf.
inline constexpr double kExactClosedNetworkWork = 1e8;
ClosedNetworkSolution solveClosedNetwork(const std::vector<ClosedStation>& stations, double think,
                                         std::uint32_t users);

// The limit of the closed network as N grows: Poisson arrivals at the stations (M/M/c per copy,
// mmcQueue with one visit of service D) at the throughput X that solves X·(Z + R(X)) = N below
// 1 / D_max (bisection; X·(Z + R(X)) grows with X). Its error in X shrinks as N grows, wherever N
// is (0.06 % at N = 100,000 at the saturation point N*); in R too, except around N*, where R stays
// about 25 % too long (queueing_test.cc measures both).
ClosedNetworkSolution approximateClosedNetwork(const std::vector<ClosedStation>& stations,
                                               double think, std::uint32_t users);

// The asymptotic bounds of the same network (operational analysis), for teaching: X(N) <=
// min(N / (D + Z), 1 / D_max), and N* = (D + Z) / D_max users, where the two lines cross, marks
// where the bottleneck starts to saturate.
struct ClosedNetworkBounds {
  double total_demand = 0;       // D = Σ copies × D_k, delays included: R(N) >= D
  double bottleneck_demand = 0;  // D_max = max over queueing stations of D_k / c_k
  double throughput = 0;         // min(N / (D + Z), 1 / D_max); +inf when nothing takes time
  double saturation_users = 0;   // N*; +inf without a queueing station
};
ClosedNetworkBounds closedNetworkBounds(const std::vector<ClosedStation>& stations, double think,
                                        std::uint32_t users);

}  // namespace meshsim::sim
