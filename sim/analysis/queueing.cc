#include "sim/analysis/queueing.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace meshsim::sim {

double erlangC(std::uint32_t servers, double offered_load) {
  if (servers == 0) {
    return 1.0;
  }
  if (offered_load <= 0) {
    return 0.0;
  }
  const double rho = offered_load / servers;
  if (rho >= 1.0) {
    return 1.0;
  }
  double blocking = 1.0;
  for (std::uint32_t k = 1; k <= servers; ++k) {
    blocking = offered_load * blocking / (k + offered_load * blocking);
  }
  return blocking / (1.0 - rho * (1.0 - blocking));
}

MmcMetrics mmcQueue(double arrival_rate, double mean_service, std::uint32_t servers) {
  MmcMetrics out;
  const double offered = arrival_rate * mean_service;
  out.utilization = servers == 0 ? std::numeric_limits<double>::infinity() : offered / servers;
  out.wait_probability = erlangC(servers, offered);
  if (out.utilization >= 1.0) {
    out.mean_wait = std::numeric_limits<double>::infinity();
  } else if (arrival_rate > 0 && mean_service > 0) {
    const double service_rate = 1.0 / mean_service;
    out.mean_wait = out.wait_probability / (servers * service_rate - arrival_rate);
  }
  out.mean_response = out.mean_wait + mean_service;
  return out;
}

namespace {

constexpr double kLogZero = -std::numeric_limits<double>::infinity();

// Σ exp(x) over the added terms, kept as log: exact for terms of any magnitude.
class LogSum {
 public:
  void add(double x) {
    if (x == kLogZero) {
      return;
    }
    if (x <= max_) {
      sum_ += std::exp(x - max_);
    } else {
      sum_ = sum_ * std::exp(max_ - x) + 1.0;
      max_ = x;
    }
  }
  double value() const { return max_ == kLogZero ? kLogZero : max_ + std::log(sum_); }

 private:
  double max_ = kLogZero;
  double sum_ = 0;
};

// log of a sequence over populations 0..N: a normalising constant G(n) as stations are added.
using LogSequence = std::vector<double>;

// One queueing station's factor f(j) = D^j / β(j) as geometric (one server of demand D/c) ⊛ g.
struct StationFactor {
  double log_rate = kLogZero;  // log(D / c)
  LogSequence log_g;           // log g(j), j < min(c, N + 1); {0} for one server
  LogSequence log_f_low;       // log f(j) = log(D^j / j!), j < min(c, N + 1)
};

StationFactor stationFactor(const ClosedStation& station, const LogSequence& log_factorial) {
  StationFactor out;
  const double log_demand = std::log(station.demand);
  const double c = station.servers;
  out.log_rate = log_demand - std::log(c);
  const std::size_t low = std::min<std::size_t>(station.servers, log_factorial.size());
  for (std::size_t j = 0; j < low; ++j) {
    out.log_f_low.push_back(static_cast<double>(j) * log_demand - log_factorial[j]);
    out.log_g.push_back(out.log_f_low.back() + std::log((c - static_cast<double>(j)) / c));
  }
  return out;
}

void convolveGeometric(LogSequence& sequence, double log_rate) {
  // G'(n) = G(n) + d·G'(n-1), in place from the bottom.
  for (std::size_t n = 1; n < sequence.size(); ++n) {
    LogSum sum;
    sum.add(sequence[n]);
    sum.add(log_rate + sequence[n - 1]);
    sequence[n] = sum.value();
  }
}

void convolveFinite(LogSequence& sequence, const LogSequence& log_factor) {
  if (log_factor.size() <= 1) {
    return;  // g = δ
  }
  // G'(n) = Σ_j g(j)·G(n-j), in place from the top: G(n-j) is still the old value.
  for (std::size_t n = sequence.size(); n-- > 0;) {
    LogSum sum;
    for (std::size_t j = 0; j < log_factor.size() && j <= n; ++j) {
      sum.add(log_factor[j] + sequence[n - j]);
    }
    sequence[n] = sum.value();
  }
}

void convolveStation(LogSequence& sequence, const StationFactor& factor) {
  convolveGeometric(sequence, factor.log_rate);
  convolveFinite(sequence, factor.log_g);
}

// log of (a ⊛ b)(n).
double convolutionAt(const LogSequence& a, const LogSequence& b, std::size_t n) {
  LogSum sum;
  for (std::size_t i = 0; i <= n; ++i) {
    sum.add(a[i] + b[n - i]);
  }
  return sum.value();
}

}  // namespace

ClosedNetworkSolution solveClosedNetwork(const std::vector<ClosedStation>& stations, double think,
                                         std::uint32_t users) {
  double work = 0;
  for (const ClosedStation& station : stations) {
    if (station.servers != kDelayStation && station.demand > 0 && station.copies > 0) {
      work += (station.copies + 1.0) * (std::min(station.servers, users) + 1.0);
    }
  }
  if (work * users > kExactClosedNetworkWork) {
    return approximateClosedNetwork(stations, think, users);
  }
  ClosedNetworkSolution out;
  out.stations.resize(stations.size());
  if (users == 0) {
    return out;
  }
  const std::size_t n_max = users;
  LogSequence log_factorial(n_max + 1, 0.0);
  for (std::size_t j = 1; j <= n_max; ++j) {
    log_factorial[j] = log_factorial[j - 1] + std::log(static_cast<double>(j));
  }
  // Every delay, think time included, is one infinite-server station: f(j) = T^j / j!.
  double delay = std::max(think, 0.0);
  std::vector<std::size_t> queues;
  std::vector<StationFactor> factors;
  for (std::size_t k = 0; k < stations.size(); ++k) {
    const ClosedStation& station = stations[k];
    if (station.demand <= 0 || station.copies == 0) {
      continue;
    }
    if (station.servers == kDelayStation) {
      delay += station.copies * station.demand;
    } else {
      queues.push_back(k);
      factors.push_back(stationFactor(station, log_factorial));
    }
  }
  LogSequence prefix(n_max + 1, kLogZero);
  prefix[0] = 0;
  if (delay > 0) {
    for (std::size_t j = 1; j <= n_max; ++j) {
      prefix[j] = static_cast<double>(j) * std::log(delay) - log_factorial[j];
    }
  }
  // Forward: G, and for each queueing station the network before its last copy.
  std::vector<LogSequence> before(queues.size());
  for (std::size_t q = 0; q < queues.size(); ++q) {
    for (std::uint32_t copy = 1; copy < stations[queues[q]].copies; ++copy) {
      convolveStation(prefix, factors[q]);
    }
    before[q] = prefix;
    convolveStation(prefix, factors[q]);
  }
  const LogSequence& log_g = prefix;
  if (log_g[n_max] == kLogZero) {
    out.throughput = std::numeric_limits<double>::infinity();
    return out;
  }
  const double x = std::exp(log_g[n_max - 1] - log_g[n_max]);
  out.throughput = x;
  for (std::size_t k = 0; k < stations.size(); ++k) {
    const ClosedStation& station = stations[k];
    if (station.servers == kDelayStation && station.copies > 0 && station.demand > 0) {
      ClosedStationMetrics& metrics = out.stations[k];
      metrics.utilization = x * station.demand;
      metrics.queue_length = x * station.demand;
      metrics.residence = station.demand;
      out.response += station.copies * station.demand;
    }
  }
  // Backward: the network after each queueing station's last copy gives, with `before`, the
  // network without that copy.
  LogSequence after(n_max + 1, kLogZero);
  after[0] = 0;
  for (std::size_t q = queues.size(); q-- > 0;) {
    const ClosedStation& station = stations[queues[q]];
    const StationFactor& factor = factors[q];
    ClosedStationMetrics& metrics = out.stations[queues[q]];
    // Its single-server part (Buzen): P(n_s >= i) = (D/c)^i G(N-i) / G(N).
    double queue = 0;
    for (std::size_t i = 1; i <= n_max; ++i) {
      queue += std::exp(static_cast<double>(i) * factor.log_rate + log_g[n_max - i] - log_g[n_max]);
    }
    // Its finite part: P(n_g = j) = g(j) G_without_g(N-j) / G(N).
    if (factor.log_g.size() > 1) {
      LogSequence without_g = before[q];
      convolveGeometric(without_g, factor.log_rate);
      for (std::size_t j = 1; j < factor.log_g.size(); ++j) {
        queue +=
            static_cast<double>(j) *
            std::exp(factor.log_g[j] + convolutionAt(without_g, after, n_max - j) - log_g[n_max]);
      }
    }
    // An arrival sees the network with N - 1 requests (arrival theorem): it waits unless fewer
    // than c are there, P(n < c | N-1) = Σ_{j<c} f(j) G_without(N-1-j) / G(N-1).
    double free_server = 0;
    for (std::size_t j = 0; j < factor.log_f_low.size() && j < n_max; ++j) {
      free_server += std::exp(factor.log_f_low[j] + convolutionAt(before[q], after, n_max - 1 - j) -
                              log_g[n_max - 1]);
    }
    metrics.queue_length = queue;
    metrics.residence = queue / x;
    metrics.utilization = x * station.demand / station.servers;
    metrics.wait_probability = std::clamp(1.0 - free_server, 0.0, 1.0);
    out.response += station.copies * metrics.residence;
    for (std::uint32_t copy = 0; copy < station.copies; ++copy) {
      convolveStation(after, factor);
    }
  }
  return out;
}

ClosedNetworkSolution approximateClosedNetwork(const std::vector<ClosedStation>& stations,
                                               double think, std::uint32_t users) {
  ClosedNetworkSolution out;
  out.exact = false;
  out.stations.resize(stations.size());
  if (users == 0) {
    return out;
  }
  const auto metrics = [&](double x) {
    std::vector<ClosedStationMetrics> per_station(stations.size());
    for (std::size_t k = 0; k < stations.size(); ++k) {
      const ClosedStation& station = stations[k];
      ClosedStationMetrics& m = per_station[k];
      if (station.demand <= 0 || station.copies == 0) {
        continue;
      }
      if (station.servers == kDelayStation) {
        m.utilization = x * station.demand;
        m.residence = station.demand;
      } else {
        const MmcMetrics mmc = mmcQueue(x, station.demand, station.servers);
        m.utilization = mmc.utilization;
        m.residence = mmc.mean_response;
        m.wait_probability = mmc.wait_probability;
      }
      m.queue_length = x * m.residence;
    }
    return per_station;
  };
  const auto response = [&](const std::vector<ClosedStationMetrics>& per_station) {
    double r = 0;
    for (std::size_t k = 0; k < stations.size(); ++k) {
      r += stations[k].copies * per_station[k].residence;
    }
    return r;
  };
  // X·(Z + R(X)) - N is -N at 0 and >= 0 at the asymptotic bound.
  double low = 0;
  double high = closedNetworkBounds(stations, think, users).throughput;
  if (!std::isfinite(high)) {
    out.throughput = high;
    return out;
  }
  while (high - low > 1e-13 * high) {
    const double mid = 0.5 * (low + high);
    const double cycle = think + response(metrics(mid));
    (mid * cycle < users ? low : high) = mid;
  }
  out.throughput = low;
  out.stations = metrics(low);
  out.response = response(out.stations);
  return out;
}

ClosedNetworkBounds closedNetworkBounds(const std::vector<ClosedStation>& stations, double think,
                                        std::uint32_t users) {
  ClosedNetworkBounds out;
  for (const ClosedStation& station : stations) {
    out.total_demand += station.copies * station.demand;
    if (station.servers != kDelayStation && station.copies > 0) {
      out.bottleneck_demand = std::max(out.bottleneck_demand, station.demand / station.servers);
    }
  }
  const double cycle = out.total_demand + think;
  const double inf = std::numeric_limits<double>::infinity();
  out.throughput = std::min(cycle > 0 ? users / cycle : inf,
                            out.bottleneck_demand > 0 ? 1.0 / out.bottleneck_demand : inf);
  out.saturation_users = out.bottleneck_demand > 0 ? cycle / out.bottleneck_demand : inf;
  return out;
}

double expectedAttempts(double failure_probability, std::uint32_t retries) {
  const double p = failure_probability;
  if (p <= 0) {
    return 1.0;
  }
  if (p >= 1) {
    return retries + 1.0;
  }
  return (1.0 - std::pow(p, retries + 1.0)) / (1.0 - p);
}

}  // namespace meshsim::sim
