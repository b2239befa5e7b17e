#include "sim/analysis/traffic_model.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <utility>
#include <variant>

#include "sim/analysis/call_routing.h"
#include "sim/mesh/mesh_connection.h"

namespace meshsim::sim {

namespace {

// Dense numbering of (service, version, operation).
class NodeIndex {
 public:
  explicit NodeIndex(const Scenario& scenario) {
    for (const ServiceSpec& service : scenario.services) {
      std::vector<std::size_t> per_version;
      for (const VersionSpec& version : service.versions) {
        per_version.push_back(count_);
        count_ += version.operations.size();
      }
      base_.push_back(std::move(per_version));
    }
  }
  std::size_t operator()(Index service, Index version, Index operation) const {
    return base_[service][version] + operation;
  }
  std::size_t size() const { return count_; }

 private:
  std::vector<std::vector<std::size_t>> base_;
  std::size_t count_ = 0;
};

struct VersionErrorModel {
  double probability = 0;
  std::uint32_t status = 503;
};

std::vector<std::vector<VersionErrorModel>> errorModels(const Scenario& scenario,
                                                        const TrafficOptions& options) {
  std::vector<std::vector<VersionErrorModel>> out;
  for (const ServiceSpec& service : scenario.services) {
    std::vector<VersionErrorModel> versions;
    for (const VersionSpec& version : service.versions) {
      versions.push_back(
          {version.errors.probability, static_cast<std::uint32_t>(version.errors.status)});
    }
    out.push_back(std::move(versions));
  }
  if (!options.include_error_faults) {
    return out;
  }
  for (const FaultSpec& fault : scenario.faults) {
    const auto* error = std::get_if<ErrorRateFault>(&fault.action);
    if (error == nullptr) {
      continue;
    }
    const ServiceSpec& service = scenario.services[error->target.service];
    for (Index v = 0; v < service.versions.size(); ++v) {
      if (error->target.version != kAll && error->target.version != v) {
        continue;
      }
      // The fault replaces the error model of the replicas it targets (FaultTimeline), so a fault
      // on one replica swaps that replica's share of the version's attempts.
      const double affected =
          error->target.replica == kAll ? 1.0 : 1.0 / service.versions[v].replicas;
      VersionErrorModel& model = out[error->target.service][v];
      const double p = affected * error->probability;
      const double kept = (1.0 - affected) * model.probability;
      if (p >= kept) {
        model.status = static_cast<std::uint32_t>(error->status);
      }
      model.probability = p + kept;
    }
  }
  return out;
}

double meanServiceTime(const VersionSpec& version, const OperationSpec& operation) {
  return operation.service_time ? operation.service_time->mean() : version.service_time->mean();
}

// The zone of each replica, as Mesh places them.
std::vector<Index> replicaZones(const VersionSpec& version) {
  std::vector<Index> out;
  for (std::uint32_t r = 0; r < version.replicas; ++r) {
    out.push_back(version.replica_zone.empty() ? 0 : version.replica_zone[r]);
  }
  return out;
}

double oneWayDelay(const LinkSpec& link, std::uint64_t bytes) {
  double seconds = link.latency->mean() + (link.jitter ? link.jitter->mean() : 0.0);
  if (link.bandwidth_bps > 0) {
    seconds += static_cast<double>(bytes) * 8.0 / link.bandwidth_bps;
  }
  return std::max(seconds, 0.0);
}

// The added latency of one pass through the service's sidecar (Sidecar::pass).
double passLatency(const ServiceSpec& service) {
  return service.has_sidecar && service.sidecar.latency
             ? std::max(service.sidecar.latency->mean(), 0.0)
             : 0.0;
}

// The pure delays of one attempt from a caller in `from` zones to a version of `callee` other
// than the caller's own sidecar: the request and the response on the link, as MeshStream sends
// them, averaged over uniform (caller replica, callee replica) pairs (locality-aware load
// balancing is not modelled), and the callee's inbound sidecar passes.
double attemptDelay(const Scenario& scenario, const std::vector<Index>& from,
                    const ServiceSpec& callee, const VersionSpec& version) {
  const std::vector<Index> to = replicaZones(version);
  double network = 0;
  for (const Index a : from) {
    for (const Index b : to) {
      const LinkSpec& link = scenario.network.between(a, b);
      network += oneWayDelay(link, callee.request_bytes + kRequestHeaderBytes) +
                 oneWayDelay(link, callee.response_bytes + kResponseHeaderBytes);
    }
  }
  const double pairs = static_cast<double>(from.size() * to.size());
  return (pairs > 0 ? network / pairs : 0.0) + 2.0 * passLatency(callee);
}

struct NodeKey {
  Index service;
  Index version;
  const OperationSpec* operation;
};

// One call of a node, routed with a mix entry's headers.
struct NodeCall {
  const CallSpec* spec;
  CallRouting routing;
  std::vector<std::size_t> callee;  // node per callee version
};

// What holdingTimes needs of one mix entry: its nodes' routed calls, their expectations and the
// rates the entry puts on the nodes (per request per second entering, for a closed workload).
struct EntryCalls {
  std::vector<std::vector<NodeCall>> node_calls;
  std::vector<std::vector<CallExpectation>> expectations;
  Eigen::VectorXd rates;
};

// The CPU one request costs a sidecar, in and out together (as solveClosedLoop counts it).
double sidecarCpu(const ServiceSpec& service) {
  return service.has_sidecar ? core::toSeconds(service.sidecar.cpu_per_request) : 0.0;
}

// Per pool, the mean time a request holds a worker (PoolLoad::mean_holding_time). A node's
// response time past its queue is E[S] plus the time its calls are outstanding: per call,
// probability x (app-level requests x the caller's sidecar passes and CPU + attempts x, over the
// callee's versions by routing share, the attempt's network round trip, the callee's sidecar
// passes and CPU, its queueing wait and its own response time), solved bottom-up over the call
// DAG; a step's calls add up, a parallel group's take the largest mean (a lower bound on the mean
// of the largest). Pools of services that hold their worker while waiting hold it for all of
// that, the others for E[S]. The waits depend on the holding times (`pool_wait(pool, holding)`),
// so the two are iterated from the waits at E[S]: exact after as many rounds as the pools' call
// graph is deep, and cut off after one round per pool should it have a cycle.
std::vector<double> holdingTimes(const Scenario& scenario, const std::vector<NodeKey>& keys,
                                 const std::vector<std::size_t>& node_pool,
                                 const std::vector<EntryCalls>& entries,
                                 const std::vector<PoolLoad>& pools,
                                 const std::function<double(std::size_t, double)>& pool_wait) {
  const std::size_t n = keys.size();
  std::vector<double> holding;
  std::vector<double> wait;
  for (std::size_t p = 0; p < pools.size(); ++p) {
    holding.push_back(pools[p].mean_service_time);
    wait.push_back(pool_wait(p, holding.back()));
  }
  for (std::size_t round = 0; round <= pools.size(); ++round) {
    std::vector<double> work(pools.size(), 0.0);
    std::vector<double> arrivals(pools.size(), 0.0);
    for (const EntryCalls& entry : entries) {
      std::vector<double> response(n, 0.0);
      std::vector<int> state(n, 0);  // 0 unseen, 1 on the stack (a cycle adds nothing), 2 solved
      const auto solve = [&](const auto& self, std::size_t i) -> double {
        if (state[i] != 0) {
          return response[i];
        }
        state[i] = 1;
        const NodeKey& key = keys[i];
        const ServiceSpec& caller = scenario.services[key.service];
        const std::vector<Index> zones = replicaZones(caller.versions[key.version]);
        const double caller_pass = 2.0 * passLatency(caller) + sidecarCpu(caller);
        double outstanding = 0;
        std::size_t c = 0;  // node_calls lists the steps' calls in order
        for (const CallStep& step : key.operation->calls) {
          double step_time = 0;
          for (std::size_t k = 0; k < step.calls.size(); ++k, ++c) {
            const NodeCall& call = entry.node_calls[i][c];
            if (call.spec->probability <= 0) {
              continue;
            }
            const CallExpectation& expectation = entry.expectations[i][c];
            const ServiceSpec& callee = scenario.services[call.spec->service];
            double attempt = 0;
            for (Index w = 0; w < call.callee.size(); ++w) {
              const double share = call.routing.version_share[w];
              if (share > 0) {
                const std::size_t j = call.callee[w];
                attempt += share * (attemptDelay(scenario, zones, callee, callee.versions[w]) +
                                    sidecarCpu(callee) + wait[node_pool[j]] + self(self, j));
              }
            }
            const double time = call.spec->probability * (expectation.requests * caller_pass +
                                                          expectation.attempts * attempt);
            step_time = step.parallel ? std::max(step_time, time) : step_time + time;
          }
          outstanding += step_time;
        }
        response[i] = meanServiceTime(caller.versions[key.version], *key.operation) + outstanding;
        state[i] = 2;
        return response[i];
      };
      for (std::size_t i = 0; i < n; ++i) {
        const double rate = entry.rates(static_cast<Eigen::Index>(i));
        if (rate <= 0) {
          continue;
        }
        const NodeKey& key = keys[i];
        const bool holds = scenario.services[key.service].hold_worker_while_waiting;
        work[node_pool[i]] +=
            rate * (holds ? solve(solve, i)
                          : meanServiceTime(scenario.services[key.service].versions[key.version],
                                            *key.operation));
        arrivals[node_pool[i]] += rate;
      }
    }
    std::vector<double> next;
    for (std::size_t p = 0; p < pools.size(); ++p) {
      holding[p] = arrivals[p] > 0 ? work[p] / arrivals[p] : pools[p].mean_service_time;
      next.push_back(pool_wait(p, holding[p]));
    }
    if (next == wait) {
      break;
    }
    wait = std::move(next);
  }
  return holding;
}

// The closed network of a closed workload from the per-pool loads at one request per second
// (solveTraffic's comment): per pool a station for its replicas and one for their sidecars, and
// one delay for the network and sidecar latency (`delay`, seconds per request).
struct ClosedLoopSolution {
  ClosedLoopAnalysis analysis;
  std::vector<ClosedStationMetrics> replica;  // per pool, one replica's app station
};

ClosedLoopSolution solveClosedLoop(const Scenario& scenario, const std::vector<PoolLoad>& pools,
                                   const std::vector<double>& outbound, double delay) {
  ClosedLoopSolution out;
  ClosedLoopAnalysis& closed = out.analysis;
  const WorkloadSpec& workload = scenario.workload;
  closed.users = workload.users;
  closed.think_time = workload.think_time ? std::max(workload.think_time->mean(), 0.0) : 0.0;
  std::vector<ClosedStation> stations;
  for (std::size_t p = 0; p < pools.size(); ++p) {
    const PoolLoad& pool = pools[p];
    const ServiceSpec& service = scenario.services[pool.service];
    const double replicas = std::max(pool.replicas, 1U);
    stations.push_back(
        {pool.arrival_rate * pool.mean_service_time / replicas, pool.concurrency, pool.replicas});
    // Two passes of half the CPU figure for each request in (attempts arriving) and each request
    // out (the app's own attempts; mesh retries do not pass through its CPU again).
    const double proxied = service.has_sidecar ? pool.arrival_rate + outbound[p] : 0.0;
    stations.push_back({proxied * core::toSeconds(service.sidecar.cpu_per_request) / replicas,
                        std::max(service.sidecar.workers, 1U), pool.replicas});
  }
  stations.push_back({delay, kDelayStation, 1});
  const ClosedNetworkSolution solution =
      solveClosedNetwork(stations, closed.think_time, closed.users);
  closed.bounds = closedNetworkBounds(stations, closed.think_time, closed.users);
  closed.exact = solution.exact;
  closed.throughput = solution.throughput;
  closed.response_time = solution.response;
  for (std::size_t p = 0; p < pools.size(); ++p) {
    const double replicas = pools[p].replicas;
    out.replica.push_back(solution.stations[2 * p]);
    closed.app_time += replicas * solution.stations[2 * p].residence;
    closed.sidecar_cpu_time += replicas * solution.stations[2 * p + 1].residence;
  }
  closed.latency_time = solution.stations.back().residence;
  return out;
}

}  // namespace

CallExpectation expectCall(const std::vector<CalleeVersionErrors>& versions,
                           const std::optional<core::RetryPolicy>& mesh,
                           std::uint32_t app_retries) {
  double routed = 0;
  for (const CalleeVersionErrors& version : versions) {
    routed += version.share;
  }
  if (routed <= 0) {
    return {};
  }
  const std::uint32_t mesh_retries = mesh && mesh->enabled() ? mesh->num_retries : 0;
  double retried_failing = 0;  // mesh retries it; the app sees a failure if it is the last
  double retried_ok = 0;       // mesh retries it; the app accepts it (a retried 409)
  double final_failing = 0;    // mesh does not retry it; the app does
  const auto add = [&](double p, std::uint32_t status) {
    const bool mesh_retries_it = mesh_retries > 0 && retriesStatus(*mesh, status);
    const bool app_fails = status >= 500;
    if (mesh_retries_it) {
      (app_fails ? retried_failing : retried_ok) += p;
    } else if (app_fails) {
      final_failing += p;
    }
  };
  for (const CalleeVersionErrors& version : versions) {
    add(version.share * version.propagated, 500);
    add(version.share * (1.0 - version.propagated) * version.probability, version.status);
  }
  final_failing += std::max(0.0, 1.0 - routed);  // 503 UH
  const double retried = retried_failing + retried_ok;
  const double mesh_attempts = expectedAttempts(retried, mesh_retries);
  const double request_fails = std::min(
      final_failing * mesh_attempts + std::pow(retried, mesh_retries) * retried_failing, 1.0);
  CallExpectation out;
  out.requests = expectedAttempts(request_fails, app_retries);
  out.attempts = mesh_attempts * out.requests;
  out.failure = std::pow(request_fails, app_retries + 1);
  return out;
}

double meanOfferedRate(const Scenario& scenario) {
  const WorkloadSpec& workload = scenario.workload;
  if (workload.kind == WorkloadKind::Closed) {
    return 0;
  }
  switch (workload.arrivals) {
    case Arrivals::Poisson:
    case Arrivals::Constant:
      return workload.rate;
    case Arrivals::Bursty: {
      const double on = core::toSeconds(workload.bursty.on);
      const double off = core::toSeconds(workload.bursty.off);
      return on + off > 0
                 ? (workload.bursty.on_rate * on + workload.bursty.off_rate * off) / (on + off)
                 : workload.bursty.on_rate;
    }
    case Arrivals::Schedule: {
      const double from = core::toSeconds(scenario.warmup);
      const double to = from + core::toSeconds(scenario.duration);
      double integral = 0;
      for (std::size_t i = 0; i < workload.schedule.size(); ++i) {
        const double begin = std::max(from, core::toSeconds(workload.schedule[i].at));
        const double end = i + 1 < workload.schedule.size()
                               ? std::min(to, core::toSeconds(workload.schedule[i + 1].at))
                               : to;
        if (end > begin) {
          integral += workload.schedule[i].rate * (end - begin);
        }
      }
      return to > from ? integral / (to - from) : 0;
    }
  }
  return workload.rate;
}

TrafficAnalysis solveTraffic(const Scenario& scenario, const ScenarioPolicies& policies,
                             const TrafficOptions& options) {
  TrafficAnalysis out;
  const NodeIndex nodes(scenario);
  const std::size_t n = nodes.size();
  const CallRouter router(scenario, policies);
  const Index load_generator = router.loadGenerator();
  const auto errors = errorModels(scenario, options);
  out.closed_loop = scenario.workload.kind == WorkloadKind::Closed;
  // Closed loop: solve for one request per second (visit ratios), scale by the bound below.
  const double offered = out.closed_loop ? 1.0 : meanOfferedRate(scenario);

  Eigen::VectorXd lambda = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n));
  std::map<std::pair<Index, Index>, EdgeLoad> edges;

  // Per node: its (service, version, operation), and the probability that an app response of it
  // is a 5xx, summed over the entries as rate x probability.
  std::vector<NodeKey> keys;
  for (Index s = 0; s < scenario.services.size(); ++s) {
    for (Index v = 0; v < scenario.services[s].versions.size(); ++v) {
      for (const OperationSpec& operation : scenario.services[s].versions[v].operations) {
        keys.push_back({s, v, &operation});
      }
    }
  }
  Eigen::VectorXd failing = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n));
  bool propagates = false;
  // Closed loop, per request entering: each pool's outbound app-level requests (its sidecar's
  // work besides the attempts it receives), and the pure delays on the way (attemptDelay).
  std::vector<std::size_t> first_pool;
  std::size_t pool_count = 0;
  for (const ServiceSpec& service : scenario.services) {
    first_pool.push_back(pool_count);
    pool_count += service.versions.size();
  }
  std::vector<double> outbound(pool_count, 0.0);
  double delay = 0;
  std::vector<EntryCalls> entries;

  for (const MixEntry& entry : scenario.workload.mix) {
    // Every node's calls, routed with this entry's headers (apps propagate them downstream).
    std::vector<std::vector<NodeCall>> node_calls(n);
    for (std::size_t i = 0; i < n; ++i) {
      for (const CallStep& step : keys[i].operation->calls) {
        for (const CallSpec& call : step.calls) {
          NodeCall routed{
              &call,
              router.route(keys[i].service, call.service, call.path, call.method, entry.headers),
              {}};
          for (Index w = 0; w < routed.routing.version_share.size(); ++w) {
            routed.callee.push_back(nodes(call.service, w, call.operation[w]));
          }
          node_calls[i].push_back(std::move(routed));
        }
      }
    }
    const auto calleeErrors = [&](const CallRouting& routing, Index callee,
                                  const std::vector<std::size_t>& callee_nodes,
                                  const std::vector<double>& propagated) {
      std::vector<CalleeVersionErrors> versions;
      for (Index w = 0; w < routing.version_share.size(); ++w) {
        versions.push_back({routing.version_share[w], errors[callee][w].probability,
                            errors[callee][w].status, propagated[callee_nodes[w]]});
      }
      return versions;
    };

    // Bottom-up over the call DAG (memoised depth first): propagated[i] is the probability that
    // node i answers 500 because one of its calls failed after all its retries, which is what
    // its callers' retry inflation must see. A node met again while on the stack closes a cycle
    // the workload cannot reach (the loader rejects the others): nothing propagates through it.
    std::vector<double> propagated(n, 0.0);
    std::vector<std::vector<CallExpectation>> expectations(n);
    std::vector<int> state(n, 0);  // 0 unseen, 1 on the stack, 2 solved
    const auto solve = [&](const auto& self, std::size_t i) -> void {
      state[i] = 1;
      for (const NodeCall& call : node_calls[i]) {
        for (Index w = 0; w < call.callee.size(); ++w) {
          if (call.routing.version_share[w] > 0 && state[call.callee[w]] == 0) {
            self(self, call.callee[w]);
          }
        }
      }
      double all_succeed = 1.0;
      for (const NodeCall& call : node_calls[i]) {
        const CallExpectation expectation =
            expectCall(calleeErrors(call.routing, call.spec->service, call.callee, propagated),
                       call.routing.retry, call.spec->retries);
        expectations[i].push_back(expectation);
        all_succeed *= 1.0 - call.spec->probability * expectation.failure;
      }
      if (keys[i].operation->on_call_failure == OnCallFailure::Fail) {
        propagated[i] = 1.0 - all_succeed;
      }
      state[i] = 2;
    };
    for (std::size_t i = 0; i < n; ++i) {
      if (state[i] == 0) {
        solve(solve, i);
      }
    }

    Eigen::VectorXd external = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n));
    const CallRouting entry_routing =
        router.route(load_generator, entry.service, entry.path, entry.method, entry.headers);
    std::vector<std::size_t> entry_nodes;
    for (Index v = 0; v < entry_routing.version_share.size(); ++v) {
      entry_nodes.push_back(nodes(entry.service, v, entry.operation[v]));
      external(static_cast<Eigen::Index>(entry_nodes.back())) +=
          offered * entry.weight * entry_routing.version_share[v];
    }
    EdgeLoad& entry_edge = edges[{load_generator, entry.service}];
    entry_edge.from = load_generator;
    entry_edge.to = entry.service;
    entry_edge.call_rate += offered * entry.weight;
    entry_edge.attempt_rate += offered * entry.weight;
    // The load generator neither retries nor has a sidecar: one attempt, failing as the entry
    // service answers (summed as rate x probability; divided by the call rate below).
    entry_edge.call_failure +=
        offered * entry.weight *
        expectCall(calleeErrors(entry_routing, entry.service, entry_nodes, propagated),
                   std::nullopt, 0)
            .failure;

    // P, and for the edge rates the (caller node, caller, callee, probability, expectation)
    // terms.
    struct Term {
      std::size_t node;
      Index from;
      Index to;
      double probability;
      CallExpectation expectation;
    };
    std::vector<Term> terms;
    Eigen::MatrixXd routing =
        Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    std::vector<std::vector<std::size_t>> successors(n);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t c = 0; c < node_calls[i].size(); ++c) {
        const NodeCall& call = node_calls[i][c];
        const CallExpectation& expectation = expectations[i][c];
        terms.push_back(
            {i, keys[i].service, call.spec->service, call.spec->probability, expectation});
        for (Index w = 0; w < call.callee.size(); ++w) {
          const double share = call.routing.version_share[w];
          if (share <= 0) {
            continue;
          }
          const std::size_t j = call.callee[w];
          routing(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) +=
              call.spec->probability * expectation.attempts * share;
          successors[i].push_back(j);
        }
      }
    }
    // Only what the entry reaches enters the system: the loader rejects cycles reachable from the
    // workload, so the reached part of P is nilpotent and I - Pᵀ invertible even if an unreachable
    // cycle exists elsewhere.
    std::vector<bool> reached(n, false);
    std::deque<std::size_t> queue;
    for (std::size_t i = 0; i < n; ++i) {
      if (external(static_cast<Eigen::Index>(i)) > 0) {
        reached[i] = true;
        queue.push_back(i);
      }
    }
    while (!queue.empty()) {
      const std::size_t i = queue.front();
      queue.pop_front();
      for (std::size_t j : successors[i]) {
        if (!reached[j]) {
          reached[j] = true;
          queue.push_back(j);
        }
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (!reached[i]) {
        routing.row(static_cast<Eigen::Index>(i)).setZero();
        routing.col(static_cast<Eigen::Index>(i)).setZero();
      }
    }
    const Eigen::MatrixXd system =
        Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n)) -
        routing.transpose();
    const Eigen::VectorXd rates = system.partialPivLu().solve(external);
    lambda += rates;
    for (std::size_t i = 0; i < n; ++i) {
      const VersionErrorModel& own = errors[keys[i].service][keys[i].version];
      const double own_5xx = own.status >= 500 ? own.probability : 0.0;
      const double rate = rates(static_cast<Eigen::Index>(i));
      failing(static_cast<Eigen::Index>(i)) +=
          rate * (propagated[i] + (1.0 - propagated[i]) * own_5xx);
      propagates = propagates || (rate > 0 && propagated[i] > 0);
    }
    for (const Term& term : terms) {
      const double caller_rate = rates(static_cast<Eigen::Index>(term.node));
      if (caller_rate <= 0) {
        continue;
      }
      EdgeLoad& edge = edges[{term.from, term.to}];
      edge.from = term.from;
      edge.to = term.to;
      edge.call_rate += caller_rate * term.probability;
      edge.attempt_rate += caller_rate * term.probability * term.expectation.attempts;
      edge.call_failure += caller_rate * term.probability * term.expectation.failure;
    }
    if (out.closed_loop) {
      const ServiceSpec& entry_service = scenario.services[entry.service];
      for (Index v = 0; v < entry_routing.version_share.size(); ++v) {
        // The load generator sits in the first zone, without a sidecar.
        delay += offered * entry.weight * entry_routing.version_share[v] *
                 attemptDelay(scenario, {0}, entry_service, entry_service.versions[v]);
      }
      for (std::size_t i = 0; i < n; ++i) {
        const double rate = rates(static_cast<Eigen::Index>(i));
        if (rate <= 0) {
          continue;
        }
        const ServiceSpec& caller = scenario.services[keys[i].service];
        const std::vector<Index> zones = replicaZones(caller.versions[keys[i].version]);
        for (std::size_t c = 0; c < node_calls[i].size(); ++c) {
          const NodeCall& call = node_calls[i][c];
          const CallExpectation& expectation = expectations[i][c];
          const double calls = rate * call.spec->probability;
          outbound[first_pool[keys[i].service] + keys[i].version] += calls * expectation.requests;
          delay += calls * expectation.requests * 2.0 * passLatency(caller);
          const ServiceSpec& callee = scenario.services[call.spec->service];
          for (Index w = 0; w < call.routing.version_share.size(); ++w) {
            const double share = call.routing.version_share[w];
            if (share > 0) {
              delay += calls * expectation.attempts * share *
                       attemptDelay(scenario, zones, callee, callee.versions[w]);
            }
          }
        }
      }
    }
    entries.push_back({std::move(node_calls), std::move(expectations), rates});
  }

  // Per pool: λ and the rate-weighted mean service time.
  for (Index s = 0; s < scenario.services.size(); ++s) {
    const ServiceSpec& service = scenario.services[s];
    for (Index v = 0; v < service.versions.size(); ++v) {
      const VersionSpec& version = service.versions[v];
      PoolLoad pool;
      pool.service = s;
      pool.version = v;
      pool.replicas = version.replicas;
      pool.concurrency = version.concurrency;
      double work = 0;
      for (Index o = 0; o < version.operations.size(); ++o) {
        const double rate = lambda(static_cast<Eigen::Index>(nodes(s, v, o)));
        pool.arrival_rate += rate;
        work += rate * meanServiceTime(version, version.operations[o]);
      }
      pool.mean_service_time = pool.arrival_rate > 0
                                   ? work / pool.arrival_rate
                                   : meanServiceTime(version, version.operations.front());
      out.pools.push_back(pool);
    }
  }
  out.entry_rate = offered;
  double scale = 1.0;
  ClosedLoopSolution closed;
  if (out.closed_loop) {
    closed = solveClosedLoop(scenario, out.pools, outbound, delay);
    out.closed = closed.analysis;
    scale = std::isfinite(out.closed.throughput) ? out.closed.throughput : 0.0;
    out.entry_rate = scale;
    out.notes.push_back(
        std::string(out.closed.exact ? "closed workload: exact MVA of the closed network"
                                     : "closed workload: too many users for exact MVA, so the "
                                       "open-network fixed point X = N/(Z+R(X)) (X exact as N "
                                       "grows; R up to ~25 % long near N*) of the closed "
                                       "network") +
        ": each replica a station of `concurrency` servers with its share of the version's demand "
        "(visits x E[S]), each meshed replica's sidecar one of `workers` servers (CPU per request "
        "in and out), network latency (link means, replica zones averaged uniformly) and sidecar "
        "added latency as pure delays; exponential service assumed; connection set-up, TLS "
        "handshakes and retry back-off are not counted");
  }

  // Pool waits for the holding times: M/M/c with the holding time as the service time (it is not
  // exponential, so an approximation) for an open workload; the MVA's per-visit wait, solved with
  // E[S] as the demand, for a closed one.
  std::vector<double> mva_wait(out.pools.size(), 0.0);
  for (std::size_t p = 0; p < out.pools.size(); ++p) {
    PoolLoad& pool = out.pools[p];
    pool.arrival_rate *= scale;
    if (out.closed_loop) {
      // Per visit, by Little's law on one replica: W = Q / (λ / replicas).
      const double replica_rate = pool.replicas > 0 ? pool.arrival_rate / pool.replicas : 0.0;
      const double response =
          replica_rate > 0 ? closed.replica[p].queue_length / replica_rate : pool.mean_service_time;
      mva_wait[p] = std::max(response - pool.mean_service_time, 0.0);
    }
  }
  std::vector<std::size_t> node_pool;
  for (const NodeKey& key : keys) {
    node_pool.push_back(first_pool[key.service] + key.version);
  }
  const std::vector<double> holding =
      holdingTimes(scenario, keys, node_pool, entries, out.pools, [&](std::size_t p, double time) {
        if (out.closed_loop) {
          return mva_wait[p];
        }
        const PoolLoad& pool = out.pools[p];
        return pool.replicas > 0
                   ? mmcQueue(pool.arrival_rate / pool.replicas, time, pool.concurrency).mean_wait
                   : std::numeric_limits<double>::infinity();
      });

  out.service_rates.assign(scenario.services.size(), 0.0);
  std::vector<double> busy(scenario.services.size(), 0.0);
  std::vector<double> workers(scenario.services.size(), 0.0);
  for (std::size_t p = 0; p < out.pools.size(); ++p) {
    PoolLoad& pool = out.pools[p];
    pool.mean_holding_time = holding[p];
    const double servers = static_cast<double>(pool.replicas) * pool.concurrency;
    pool.utilization = servers > 0 ? pool.arrival_rate * pool.mean_holding_time / servers
                                   : std::numeric_limits<double>::infinity();
    const double replica_rate = pool.replicas > 0 ? pool.arrival_rate / pool.replicas : 0.0;
    if (out.closed_loop) {
      const ClosedStationMetrics& replica = closed.replica[p];
      pool.per_replica.utilization = pool.utilization;
      pool.per_replica.wait_probability = replica.wait_probability;
      pool.per_replica.mean_wait = mva_wait[p];
      pool.per_replica.mean_response = mva_wait[p] + pool.mean_service_time;
      pool.in_pool = pool.replicas * replica.queue_length;
    } else {
      pool.per_replica = mmcQueue(replica_rate, pool.mean_holding_time, pool.concurrency);
      pool.in_pool =
          pool.arrival_rate > 0 ? pool.arrival_rate * pool.per_replica.mean_response : 0.0;
    }
    out.service_rates[pool.service] += pool.arrival_rate;
    busy[pool.service] += pool.arrival_rate * pool.mean_holding_time;
    workers[pool.service] += servers;
  }
  out.service_utilization.resize(scenario.services.size());
  for (std::size_t s = 0; s < scenario.services.size(); ++s) {
    out.service_utilization[s] = workers[s] > 0 ? busy[s] / workers[s] : 0.0;
  }
  for (auto& [key, edge] : edges) {
    // call_failure was summed as rate x probability; the scale cancels.
    edge.call_failure = edge.call_rate > 0 ? edge.call_failure / edge.call_rate : 0.0;
    edge.call_rate *= scale;
    edge.attempt_rate *= scale;
    out.edges.push_back(edge);
  }
  out.service_error_rate.assign(scenario.services.size(), 0.0);
  std::vector<double> arrivals(scenario.services.size(), 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    arrivals[keys[i].service] += lambda(static_cast<Eigen::Index>(i));
    out.service_error_rate[keys[i].service] += failing(static_cast<Eigen::Index>(i));
  }
  for (std::size_t s = 0; s < scenario.services.size(); ++s) {
    out.service_error_rate[s] = arrivals[s] > 0 ? out.service_error_rate[s] / arrivals[s] : 0.0;
  }

  if (out.closed_loop) {
    bool parallel = false;
    for (std::size_t i = 0; i < n; ++i) {
      for (const CallStep& step : keys[i].operation->calls) {
        parallel = parallel || (lambda(static_cast<Eigen::Index>(i)) > 0 && step.parallel &&
                                step.calls.size() > 1);
      }
    }
    if (parallel) {
      out.notes.push_back(
          "closed workload: the calls of a parallel group add their demands and delays as if "
          "they ran one after another, so R(N) is pessimistic (too long) where they fan out");
    }
  }

  bool holds_worker = false;
  bool load_dependent = false;
  for (const ServiceSpec& service : scenario.services) {
    for (const VersionSpec& version : service.versions) {
      load_dependent = load_dependent || version.errors.load_dependent.has_value();
      for (const OperationSpec& operation : version.operations) {
        holds_worker =
            holds_worker || (service.hold_worker_while_waiting && !operation.calls.empty());
      }
    }
  }
  if (holds_worker) {
    out.notes.push_back(
        std::string(
            "ρ of a service that holds its worker while waiting counts the holding time: E[S] "
            "plus the expected time its calls are outstanding (per call: probability x attempts "
            "x (network round trip, sidecar passes and CPU, the callee's wait and response), "
            "bottom-up over the call graph; a parallel group as its slowest branch's mean, a "
            "lower bound; retry back-off and timeouts not counted); ") +
        (out.closed_loop
             ? "callee waits from the MVA, which is solved with E[S] as the demand, so P(wait), "
               "Wq and X(N) do not see the held workers"
             : "its M/M/c P(wait) and Wq take the holding time as the service time, which is not "
               "exponential, so they are approximations"));
  }
  if (propagates) {
    out.notes.push_back(
        "failures propagate up the call graph: an operation with on_call_failure: fail answers "
        "500 when one of its calls fails after all its retries (its later steps still run), and "
        "its callers retry that 500 like any other; attempts fail independently and timeouts "
        "are not modelled");
  }
  if (load_dependent) {
    out.notes.push_back("load-dependent error growth is not modelled (base error probability)");
  }
  bool has_error_faults = false;
  for (const FaultSpec& fault : scenario.faults) {
    has_error_faults = has_error_faults || std::holds_alternative<ErrorRateFault>(fault.action);
  }
  if (has_error_faults) {
    out.notes.push_back(options.include_error_faults
                            ? "error_rate faults are treated as active for the whole run"
                            : "faults are not modelled (--with-faults counts error_rate faults as "
                              "always active)");
  } else if (!scenario.faults.empty()) {
    out.notes.push_back("faults are not modelled");
  }
  return out;
}

}  // namespace meshsim::sim
