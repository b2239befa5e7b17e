#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "config/yaml_node.h"
#include "core/common/time.h"
#include "core/policy/proxy_profile.h"
#include "core/tls/handshake_cost_model.h"
#include "sim/random/distribution.h"

namespace meshsim::sim {

// The scenario as the simulation model consumes it (scenarios/README.md documents the YAML). It is
// fully resolved: defaults applied, every reference to a service, version, operation or zone turned
// into a dense index, so that nothing on the request path looks a name up. Only the Istio policy
// manifests stay unparsed (PolicySource), for the Istio import layer.
//
// Distributions are immutable and shared (a service inherits the sidecar defaults' latency, every
// zone pair inherits the default link's), which also keeps a Scenario copyable for compare/sweep
// variants. Time distributions sample seconds: convert with sampleDuration().
using SharedDistribution = std::shared_ptr<const Distribution>;

// A dense index into one of the Scenario's vectors.
using Index = std::uint32_t;
// "Every": a fault target without a version or a replica applies to all of them.
inline constexpr Index kAll = 0xffffffffU;

enum class ProxyProfile { Istio, Envoy, Linkerd };
// The proxy core's profile for a scenario's `profile`.
core::ProxyProfile coreProxyProfile(ProxyProfile profile);
enum class Protocol { Http1, Http2, Grpc };
enum class MtlsMode { Auto, Strict, Disable };
enum class TlsKey { Rsa2048, EcdsaP256 };
enum class PathMatch { Exact, Prefix };
enum class OnCallFailure { Fail, Continue };
enum class WorkloadKind { Open, Closed };
enum class Arrivals { Poisson, Constant, Bursty, Schedule };

// One sidecar's resources; the top-level `sidecar` block merged with a service's overrides.
struct SidecarSpec {
  std::uint32_t workers = 2;
  core::Duration cpu_per_request = std::chrono::microseconds(200);
  SharedDistribution latency;  // extra non-CPU latency per pass; null = none
  // Istio 1.24 publishes 0.20 vCPU and 60 MB per sidecar at 1000 rps (proxy-semantics §8.1);
  // memory depends on configuration size, not on the request rate.
  std::uint64_t memory_base = 60'000'000;
  std::uint64_t memory_per_connection = 20ULL << 10;
};

struct MtlsSpec {
  MtlsMode mode = MtlsMode::Auto;
  TlsKey key = TlsKey::Rsa2048;
  std::string cost_profile;  // resolved path (checked to exist); empty = built-in costs
  // The handshake costs in force: cost_profile's, else the built-in defaults (§7.6).
  core::TlsCostProfile costs;
};

struct LinkSpec {
  SharedDistribution latency;  // one way, per message; never null
  SharedDistribution jitter;   // added to latency; null = none
  double bandwidth_bps = 0;    // serialisation delay = bytes * 8 / bandwidth; 0 = unlimited
  double loss = 0;             // probability a connection attempt / request is lost, [0, 1)
};

struct LinkPairSpec {
  Index zone_a = 0;  // zone_a <= zone_b; equal = within one zone
  Index zone_b = 0;
  LinkSpec link;
};

struct NetworkSpec {
  LinkSpec default_link;
  std::vector<LinkPairSpec> pairs;  // as written (symmetric)
  // zone_count x zone_count, symmetric: the pair's link or the default.
  std::vector<LinkSpec> matrix;
  std::size_t zone_count = 0;

  const LinkSpec& between(Index a, Index b) const { return matrix[a * zone_count + b]; }
};

struct LoadDependentErrors {
  double threshold = 0.8;  // utilisation in [0, 1]
  double slope = 2.0;      // p += slope * max(0, utilisation - threshold)
};

struct ErrorModel {
  double probability = 0;  // 0 = the app never fails on its own
  int status = 503;
  std::optional<LoadDependentErrors> load_dependent;

  // The chance that a request fails at worker utilisation `utilization` (busy / concurrency),
  // capped at 1: the simulated replica and meshproxy's test service decide alike.
  double failureProbability(double utilization) const;
};

struct CallSpec {
  Index service = 0;  // callee
  // Per callee version: the index into callee.versions[v].operations that `path`/`method` match
  // (routing picks the version at run time; every version was checked to serve the call).
  std::vector<Index> operation;
  std::string path;
  std::string method = "GET";
  std::optional<core::Duration> timeout;  // app-level, per attempt; nullopt = none
  std::uint32_t retries = 0;              // attempts = retries + 1
  double probability = 1.0;               // the call happens with this probability
};

// One step of a call plan. A single call is a group of one; a parallel group issues every call at
// once and the step ends when all have finished.
struct CallStep {
  std::vector<CallSpec> calls;
  bool parallel = false;
};

struct OperationSpec {
  PathMatch match = PathMatch::Prefix;
  std::string path = "/";
  std::string method;               // empty = any
  SharedDistribution service_time;  // null = the version's
  std::vector<CallStep> calls;
  OnCallFailure on_call_failure = OnCallFailure::Fail;

  bool matches(std::string_view request_path, std::string_view request_method) const {
    if (!method.empty() && method != request_method) {
      return false;
    }
    return match == PathMatch::Exact ? request_path == path
                                     : request_path.substr(0, path.size()) == path;
  }
};

struct VersionSpec {
  std::string name;
  std::uint32_t replicas = 1;
  std::vector<Index> replica_zone;      // size replicas: `zone`, or `spread` round-robin
  std::uint32_t concurrency = 8;        // app worker threads per replica
  std::uint32_t queue_capacity = 1000;  // bounded FIFO per replica; full => 503 from the app
  SharedDistribution service_time;      // never null
  ErrorModel errors;
  std::uint32_t weight = 1;  // endpoint weight for load balancing
  // The version's own `operations`, else the service's, else one operation: prefix "/", no calls.
  std::vector<OperationSpec> operations;

  // First operation matching the request, as calls and mix entries were resolved; nullopt = none.
  std::optional<Index> findOperation(std::string_view path, std::string_view method) const;
};

struct ServiceSpec {
  std::string name;
  std::string namespace_name = "default";
  std::string service_account;  // default = name
  bool has_sidecar = true;      // false = outside the mesh
  SidecarSpec sidecar;          // defaults merged with sidecar_overrides
  Protocol protocol = Protocol::Http1;
  bool hold_worker_while_waiting = true;
  std::uint64_t request_bytes = 1024;
  std::uint64_t response_bytes = 4096;
  std::vector<VersionSpec> versions;  // at least one
};

struct RateStep {
  core::Duration at{0};
  double rate = 0;  // req/s from `at` until the next step
};

struct BurstySpec {
  core::Duration on{0};  // mean sojourn in the on state
  core::Duration off{0};
  double on_rate = 0;
  double off_rate = 0;
};

struct MixEntry {
  Index service = 0;
  std::vector<Index> operation;  // per version of the service, as CallSpec::operation
  std::string path;
  std::string method = "GET";
  double weight = 0;  // normalised: the weights of the mix sum to 1
  std::vector<std::pair<std::string, std::string>> headers;
};

struct WorkloadSpec {
  WorkloadKind kind = WorkloadKind::Open;
  Arrivals arrivals = Arrivals::Poisson;
  double rate = 0;                 // open poisson/constant, req/s
  BurstySpec bursty;               // open bursty
  std::vector<RateStep> schedule;  // open schedule; first step at 0, strictly increasing
  std::uint32_t users = 0;         // closed
  SharedDistribution think_time;   // closed; null = none
  std::vector<MixEntry> mix;       // at least one, weights sum to 1
};

// Istio manifests kept as YAML, for the Istio import layer.
struct PolicySource {
  std::string file;  // the manifest file, or the scenario file for inline manifests
  bool is_inline = false;
  std::vector<config::Node> documents;
};

// Which replicas a fault hits. A replica index without a version counts across the service's
// versions in order, and is resolved to (version, replica) at load.
struct FaultTarget {
  Index service = 0;
  Index version = kAll;
  Index replica = kAll;
};

struct ErrorRateFault {
  FaultTarget target;
  double probability = 0;
  int status = 503;
};
struct LatencyFault {
  FaultTarget target;
  SharedDistribution add;
};
struct CrashFault {  // `until` = restart
  FaultTarget target;
};
struct SlowReplicaFault {
  FaultTarget target;
  double factor = 1;  // service times multiplied by factor
};
struct PartitionFault {
  Index zone_a = 0;
  Index zone_b = 0;
};
struct LinkLossFault {
  Index zone_a = 0;
  Index zone_b = 0;
  double loss = 0;
};
struct TrafficSplitFault {  // applies a VirtualService (canary step)
  PolicySource manifest;
};
struct IstioFault {  // replaces a VirtualService, typically one with fault injection
  PolicySource manifest;
};

using FaultAction = std::variant<ErrorRateFault, LatencyFault, CrashFault, SlowReplicaFault,
                                 PartitionFault, LinkLossFault, TrafficSplitFault, IstioFault>;

struct FaultSpec {
  core::Duration at{0};
  std::optional<core::Duration> until;  // > at; nullopt = until the end of the run
  FaultAction action;
};

// The YAML `kind` of a fault ("error_rate", "crash", ...).
std::string_view faultKindName(const FaultAction& action);

// How `warmup: auto` was resolved.
struct DetectedWarmup {
  // MSER-5 chose the last truncation it may (half the pilot run): the transient may be longer,
  // i.e. the run is too short for a trustworthy steady state.
  bool at_search_limit = false;
  // Non-empty windows of the pilot's end-to-end latency series that MSER-5 examined.
  std::size_t windows = 0;
};

struct Scenario {
  std::string file;       // the scenario file as given
  std::string directory;  // where relative paths were resolved

  std::string name;
  std::string description;
  std::uint64_t seed = 1;
  core::Duration duration{0};  // measured after warm-up, > 0
  core::Duration warmup{0};
  bool warmup_auto = false;  // `warmup: auto`: detect (MSER-5) instead of a fixed warm-up
  // Set once a pilot run has resolved `warmup: auto` (sim/experiment/warmup_pilot.h), which then
  // holds the detected warm-up in `warmup`. Unset: `warmup` is what the file says (0 for auto).
  std::optional<DetectedWarmup> warmup_detection;
  ProxyProfile profile = ProxyProfile::Istio;
  std::vector<std::string> zones;  // at least one ("default")
  NetworkSpec network;
  SidecarSpec sidecar;  // the top-level defaults, before per-service overrides
  MtlsSpec mtls;
  std::vector<ServiceSpec> services;
  WorkloadSpec workload;
  std::vector<FaultSpec> faults;  // in file order (not sorted by time)
  std::vector<PolicySource> policies;

  // Name lookups for tools (CLI, GUI), not for the request path.
  std::optional<Index> findService(std::string_view name) const;
  std::optional<Index> findZone(std::string_view name) const;
};

}  // namespace meshsim::sim
