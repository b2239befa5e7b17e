#include "sim/lint/mesh_linter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "core/authz/authorization_policy.h"
#include "core/authz/peer_authentication.h"
#include "core/circuit_breaker/circuit_breaker_thresholds.h"
#include "core/router/istio_route_translation.h"
#include "istio/manifest_parser.h"
#include "istio/mesh_policy.h"
#include "sim/mesh/cpu_pool.h"
#include "sim/mesh/sidecar.h"

namespace meshsim::sim {

namespace {

using config::Location;
using config::Node;

// Istio's implicit outbound retry policy (proxy-semantics §1.9): 2 retries on connect-failure,
// refused-stream and gRPC unavailable/cancelled, used when a route has no `retries`.
constexpr std::uint32_t kIstioDefaultRetries = 2;
// Envoy's retry budget default (proxy-semantics §1.7): retries beyond 20 % of active requests are
// refused once a budget exists.
constexpr double kBudgetPercent = 20.0;
// Istio emits this for every circuit breaker it is not told about (§3.5, §10 item 11).
constexpr std::uint64_t kUnlimited = core::CircuitBreakerThresholds::kIstioUnlimited;

std::string fmt(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), format, value);
  return buffer;
}

// Where each manifest document is, by "Kind/namespace/name".
class DocumentIndex {
 public:
  explicit DocumentIndex(const std::vector<Node>& documents) {
    for (const Node& document : documents) {
      if (!document.isMap()) {
        continue;
      }
      const auto kind = document.get("kind");
      const auto metadata = document.get("metadata");
      if (!kind || !metadata || !kind->isScalar() || !metadata->isMap()) {
        continue;
      }
      const auto name = metadata->get("name");
      if (!name || !name->isScalar()) {
        continue;
      }
      const std::string key = kind->asString() + "/" + metadata->stringOr("namespace", "default") +
                              "/" + name->asString();
      locations_.emplace(key, document.location());
    }
  }

  Location find(const std::string& kind, const std::string& ns, const std::string& name,
                const Location& fallback) const {
    const auto it = locations_.find(kind + "/" + ns + "/" + name);
    return it == locations_.end() ? fallback : it->second;
  }

 private:
  std::map<std::string, Location> locations_;
};

// Istio's short-name resolution (ResolveShortnameToFQDN): a name without dots belongs to the
// manifest's namespace; anything else is taken as written.
const istio::CatalogService* resolveService(const istio::MeshCatalog& catalog,
                                            const std::string& host, const std::string& ns) {
  if (host.find('.') == std::string::npos) {
    return catalog.findByFqdn(host + "." + ns + ".svc." + catalog.domain_suffix);
  }
  return catalog.findByFqdn(host);
}

bool isLimited(const core::CircuitBreakerThresholds& t) {
  return t.max_connections != kUnlimited || t.max_pending_requests != kUnlimited ||
         t.max_requests != kUnlimited;
}

bool hasRetryBudget(const core::CircuitBreakerThresholds& t) {
  return t.retry_budget.has_value() || t.max_retries != kUnlimited;
}

class Linter {
 public:
  Linter(const LintInput& input, config::Warnings& warnings)
      : input_(input), documents_(input.documents) {
    if (input_.istio_profile) {
      policy_ = istio::importPolicies(input.documents, input.catalog, warnings);
      config::Warnings ignored;  // importPolicies already reported them
      manifests_ = istio::parseManifests(input.documents, input.catalog.root_namespace, ignored);
    }
  }

  std::vector<LintFinding> run() {
    checkSidecars();
    checkFewServices();
    checkLayeredRetries();
    if (input_.istio_profile) {
      checkMtls();
      checkClusters();
      checkRouteRetries();
      checkAuthorization();
    }
    return std::move(findings_);
  }

 private:
  const LintService* service(std::string_view name) const {
    for (const LintService& s : input_.services) {
      if (s.name == name) {
        return &s;
      }
    }
    return nullptr;
  }

  void add(LintSeverity severity, std::string check, std::string object, Location at,
           std::string summary, std::string why, std::string fix) {
    findings_.push_back(LintFinding{severity, std::move(check), std::move(object), std::move(at),
                                    std::move(summary), std::move(why), std::move(fix)});
  }

  // The object a cluster finding is about: its DestinationRule if one shapes it, else the service.
  std::pair<std::string, Location> clusterObject(const istio::ClusterDefinition& cluster) const {
    const LintService* s = service(cluster.service);
    const Location fallback = s != nullptr ? s->at : input_.mesh_at;
    if (cluster.destination_rule.empty()) {
      return {"Service/" + cluster.service, fallback};
    }
    const std::size_t slash = cluster.destination_rule.find('/');
    const std::string ns = cluster.destination_rule.substr(0, slash);
    const std::string name = cluster.destination_rule.substr(slash + 1);
    std::string object = "DestinationRule/" + name;
    if (!cluster.subset.empty()) {
      object += " (subset " + cluster.subset + ")";
    }
    return {object, documents_.find("DestinationRule", ns, name, fallback)};
  }

  // --- Sidecars and mesh size -------------------------------------------------------------------

  void checkSidecars() {
    if (input_.bare_manifests) {
      return;
    }
    for (const LintService& s : input_.services) {
      if (s.sidecar) {
        continue;
      }
      add(LintSeverity::kWarning, "no-sidecar", "Service/" + s.name, s.at,
          s.name + " runs without a sidecar",
          "it is outside the mesh: no mTLS identity (STRICT peers refuse its connections and "
          "authorization cannot name it), no retries, timeouts, circuit breaking or outlier "
          "detection on its calls, and no mesh telemetry (proxy-semantics §7.1, §7.2)",
          "inject the sidecar (remove `sidecar: false`; in Kubernetes label the namespace "
          "istio-injection=enabled) or document why it must stay outside the mesh");
    }
  }

  void checkFewServices() {
    const std::size_t meshed =
        static_cast<std::size_t>(std::count_if(input_.services.begin(), input_.services.end(),
                                               [](const LintService& s) { return s.sidecar; }));
    if (meshed == 0 || meshed >= kFewServices) {
      return;
    }
    add(LintSeverity::kInfo, "few-services", "Mesh", input_.mesh_at,
        "the mesh has only " + std::to_string(meshed) + " meshed service" +
            (meshed == 1 ? "" : "s"),
        "every pod pays for a sidecar (Istio publishes about 0.2 vCPU and 60 MB per sidecar at "
        "1000 rps, and two proxy passes per hop each way, proxy-semantics §8.1) and the control "
        "plane must be run; with so few services the policy it enforces is small",
        "check that the mesh pays for itself; client libraries, plain TLS or a gateway may "
        "serve as well (compare with `meshsim compare`, sidecars on and off)");
  }

  // --- mTLS ---------------------------------------------------------------------------------

  // The policy that decides a workload's mode, by Istio's precedence (§7.1): a matching workload
  // selector in its namespace, then its namespace's policy, then the root namespace's. Policies
  // in creation (document) order: the oldest wins.
  const core::PeerAuthentication* decidingPolicy(const std::string& ns,
                                                 const core::Labels& labels) const {
    const auto& policies = policy_.peer_authentications;
    for (const auto& pa : policies) {
      if (pa.ns == ns && pa.selector && ns != policy_.root_namespace &&
          core::selectorMatches(*pa.selector, labels) && pa.mode != core::MtlsMode::kUnset) {
        return &pa;
      }
    }
    for (const auto& pa : policies) {
      if (pa.ns == ns && !pa.selector && pa.mode != core::MtlsMode::kUnset) {
        return &pa;
      }
    }
    for (const auto& pa : policies) {
      if (pa.ns == policy_.root_namespace && !pa.selector && pa.mode != core::MtlsMode::kUnset) {
        return &pa;
      }
    }
    return nullptr;
  }

  void checkMtls() {
    std::vector<core::PeerAuthentication> policies = policy_.peer_authentications;
    if (input_.mesh_wide_mtls) {
      core::PeerAuthentication mesh_wide;
      mesh_wide.name = "meshsim-mtls-mode";
      mesh_wide.ns = policy_.root_namespace;
      mesh_wide.mode = *input_.mesh_wide_mtls;
      policies.insert(policies.begin(), mesh_wide);
    }
    for (const istio::WorkloadPolicy& workload : policy_.workloads) {
      const LintService* s = service(workload.service);
      if (s == nullptr || !s->sidecar || reported_mtls_.contains(s->name)) {
        continue;
      }
      const core::MtlsMode mode = core::resolvePeerAuthentication(policies, policy_.root_namespace,
                                                                  workload.ns, workload.labels)
                                      .mode;
      if (mode == core::MtlsMode::kStrict) {
        continue;
      }
      reported_mtls_.insert(s->name);
      std::string object = "Service/" + s->name;
      Location at = s->at;
      const core::PeerAuthentication* deciding = decidingPolicy(workload.ns, workload.labels);
      if (deciding != nullptr && deciding->mode == mode) {
        object = "PeerAuthentication/" + deciding->name;
        at = documents_.find("PeerAuthentication", deciding->ns, deciding->name, at);
      } else if (input_.mesh_wide_mtls == mode) {
        object = "Scenario/mtls.mode";
        at = input_.mesh_at;
      }
      const bool disabled = mode == core::MtlsMode::kDisable;
      const std::string version = workload.version.empty() ? "" : " (" + workload.version + ")";
      if (disabled) {
        add(LintSeverity::kWarning, "mtls-disabled", object, at,
            s->name + version + " accepts plaintext only: mTLS is DISABLEd",
            "traffic to it is unencrypted and carries no peer identity, so AuthorizationPolicy "
            "principals and namespaces can never match (proxy-semantics §7.1, §7.5)",
            "use mode STRICT (or PERMISSIVE while migrating clients)");
        continue;
      }
      const std::string summary =
          s->name + version + "'s inbound mTLS is PERMISSIVE" +
          (deciding == nullptr ? " (no PeerAuthentication applies: Istio's default)" : "");
      if (s->entry) {
        add(LintSeverity::kInfo, "mtls-permissive", object, at, summary + " at a mesh entry point",
            "clients outside the mesh (here the load generator) must reach it in plaintext; "
            "inside the mesh STRICT is still preferable (proxy-semantics §7.1)",
            "put an ingress gateway in front and make this workload STRICT too, or keep the "
            "PERMISSIVE exception as narrow as a workload selector");
      } else {
        add(LintSeverity::kWarning, "mtls-permissive", object, at, summary,
            "PERMISSIVE accepts plaintext as well as mTLS: any pod, meshed or not, can call it "
            "without an identity, and plaintext requests bypass principal-based authorization "
            "(proxy-semantics §7.1, §7.5)",
            "apply a PeerAuthentication with mtls.mode STRICT (mesh-wide in the root namespace '" +
                policy_.root_namespace + "', or in namespace '" + workload.ns + "')");
      }
    }
  }

  // --- DestinationRule traffic policy ---------------------------------------------------------

  std::uint32_t endpoints(const istio::ClusterDefinition& cluster) const {
    const LintService* s = service(cluster.service);
    if (s == nullptr) {
      return 0;
    }
    std::uint32_t n = 0;
    for (const auto& [version, replicas] : s->version_replicas) {
      if (std::find(cluster.versions.begin(), cluster.versions.end(), version) !=
          cluster.versions.end()) {
        n += replicas;
      }
    }
    return n;
  }

  void checkClusters() {
    // Clusters grouped by service: a subset inherits the DestinationRule's top-level blocks, so a
    // finding about a missing block is made once per service unless only some subsets lack it.
    std::map<std::string, std::vector<const istio::ClusterDefinition*>> by_service;
    std::vector<std::string> order;
    for (const istio::ClusterDefinition& cluster : policy_.clusters) {
      if (!by_service.contains(cluster.service)) {
        order.push_back(cluster.service);
      }
      by_service[cluster.service].push_back(&cluster);
    }
    for (const std::string& name : order) {
      const LintService* s = service(name);
      if (s != nullptr && !s->meshed_caller) {
        continue;  // only client sidecars apply a DestinationRule (proxy-semantics §3.5, §4.6)
      }
      const auto& clusters = by_service[name];
      reportMissing(
          clusters, "no-outlier-detection",
          [](const core::ClusterPolicy& p) { return p.outlier_detection.has_value(); },
          "no outlierDetection",
          "without it a failing or overloaded endpoint keeps its share of traffic until "
          "it is removed from service discovery; Istio has no outlier detection unless a "
          "DestinationRule asks for it (proxy-semantics §4.6, §9)",
          "add trafficPolicy.outlierDetection, e.g. {consecutive5xxErrors: 5, interval: "
          "10s, baseEjectionTime: 30s, maxEjectionPercent: 50}, with a "
          "maxEjectionPercent that lets at least one endpoint go");
      reportMissing(
          clusters, "no-connection-pool-limits",
          [](const core::ClusterPolicy& p) { return isLimited(p.circuit_breakers); },
          "no connection-pool limits",
          "Istio sets every circuit breaker to 2^32-1 (proxy-semantics §3.5, §10 item "
          "11): a slow upstream lets requests pile up in every client sidecar without "
          "bound instead of failing fast with 503 UO",
          "add trafficPolicy.connectionPool with http.http2MaxRequests, "
          "http.http1MaxPendingRequests and tcp.maxConnections sized to what the "
          "service can serve");
      for (const istio::ClusterDefinition* cluster : clusters) {
        checkEjectionPercent(*cluster);
      }
    }
  }

  template <typename Present>
  void reportMissing(const std::vector<const istio::ClusterDefinition*>& clusters,
                     const std::string& check, Present present, const std::string& what,
                     const std::string& why, const std::string& fix) {
    std::vector<const istio::ClusterDefinition*> lacking;
    for (const istio::ClusterDefinition* cluster : clusters) {
      if (!present(cluster->policy)) {
        lacking.push_back(cluster);
      }
    }
    if (lacking.empty()) {
      return;
    }
    if (lacking.size() == clusters.size()) {
      istio::ClusterDefinition whole = *clusters.front();
      whole.subset.clear();
      const auto [object, at] = clusterObject(whole);
      add(LintSeverity::kWarning, check, object, at, "upstream " + whole.service + ": " + what, why,
          fix);
      return;
    }
    for (const istio::ClusterDefinition* cluster : lacking) {
      const auto [object, at] = clusterObject(*cluster);
      add(LintSeverity::kWarning, check, object, at,
          "upstream " + cluster->name + ": " + what + " (its subset policy replaces the block)",
          why, fix);
    }
  }

  void checkEjectionPercent(const istio::ClusterDefinition& cluster) {
    if (!cluster.policy.outlier_detection || input_.bare_manifests) {
      return;
    }
    const std::uint32_t n = endpoints(cluster);
    const std::uint32_t pct = cluster.policy.outlier_detection->max_ejection_percent;
    // Modern Envoy's strict gate (§4.4, §10 item 12): ejecting needs 100·(active+1)/n <= pct, so
    // with nothing ejected yet, 100/n > pct means never.
    if (n == 0 || 100 <= static_cast<std::uint64_t>(pct) * n) {
      return;
    }
    const auto [object, at] = clusterObject(cluster);
    const std::uint32_t needed = (100 + n - 1) / n;
    add(LintSeverity::kError, "outlier-never-ejects", object, at,
        "upstream " + cluster.name + ": maxEjectionPercent " + std::to_string(pct) + " % with " +
            std::to_string(n) + " endpoint" + (n == 1 ? "" : "s") + " can never eject",
        "one endpoint is " + fmt("%.1f", 100.0 / n) + " % of " + std::to_string(n) +
            ", above the cap; Envoy (>= 1.27, strict gate) refuses every ejection, so the "
            "outlier detection configured here does nothing (Istio's default cap is 10 %, which "
            "needs at least 10 endpoints; proxy-semantics §4.4, §4.6, §10 item 12)",
        "set outlierDetection.maxEjectionPercent to at least " + std::to_string(needed) +
            " (one endpoint of " + std::to_string(n) + "), or run more replicas");
  }

  // --- VirtualService retries ------------------------------------------------------------------

  void checkRouteRetries() {
    for (const istio::ParsedVirtualService& vs : manifests_.virtual_services) {
      const std::string object = "VirtualService/" + vs.meta.name;
      for (std::size_t r = 0; r < vs.http.size(); ++r) {
        const istio::ParsedHttpRoute& route = vs.http[r];
        if (!route.retries || route.retries->attempts.value_or(0) <= 0) {
          continue;
        }
        const std::int32_t attempts = *route.retries->attempts;
        const Location at = route.retries_at.location;
        const std::string where =
            "route " + (route.name.empty() ? "http[" + std::to_string(r) + "]" : route.name);
        if (!route.retries->per_try_timeout) {
          add(LintSeverity::kWarning, "retry-no-per-try-timeout", object, at,
              where + ": " + std::to_string(attempts) + " retries without perTryTimeout",
              "a hung attempt is only cut by the route timeout, which then leaves no time to "
              "retry; retries help against slow endpoints only with a per-try timeout (and "
              "retryOn must include 5xx, gateway-error or reset for it to be retried, "
              "proxy-semantics §1.2, §1.5, §10 item 3)",
              "set retries.perTryTimeout below the route timeout, e.g. timeout / (attempts + 1)");
        }
        if (!route.timeout || *route.timeout == core::Duration::zero()) {
          add(LintSeverity::kWarning, "retry-no-route-timeout", object, at,
              where + ": " + std::to_string(attempts) + " retries without a route timeout",
              "Istio's route timeout is disabled by default, so the retry loop is bounded only by "
              "attempts × per-try timeouts and back-off: callers wait far longer than any "
              "user-facing deadline (proxy-semantics §1.5, §1.9)",
              "set http[].timeout to the end-to-end deadline the callers can afford");
        } else if (route.retries->per_try_timeout &&
                   *route.retries->per_try_timeout >= *route.timeout) {
          add(LintSeverity::kWarning, "per-try-timeout-ignored", object, at,
              where + ": perTryTimeout is not shorter than the route timeout",
              "Envoy ignores a per-try timeout >= the route timeout (proxy-semantics §1.5), so no "
              "attempt is ever cut short and retried",
              "make perTryTimeout a fraction of the route timeout");
        }
        checkRetryBudget(vs, route, where, attempts);
      }
    }
  }

  void checkRetryBudget(const istio::ParsedVirtualService& vs, const istio::ParsedHttpRoute& route,
                        const std::string& where, std::int32_t attempts) {
    // Retries can add up to `attempts` × 100 % of the route's traffic; anything above a budget's
    // 20 % (§1.7) needs a retry budget or a retry circuit breaker to stop a retry storm.
    if (100.0 * attempts <= kBudgetPercent) {
      return;
    }
    std::vector<std::string> unbudgeted;
    for (const istio::ParsedDestination& destination : route.route) {
      const istio::CatalogService* target =
          resolveService(input_.catalog, destination.host, vs.meta.ns);
      if (target == nullptr) {
        continue;
      }
      const std::string name = core::subsetClusterName(target->name, destination.subset);
      const istio::ClusterDefinition* cluster = policy_.cluster(name);
      if (cluster != nullptr && !hasRetryBudget(cluster->policy.circuit_breakers) &&
          std::find(unbudgeted.begin(), unbudgeted.end(), name) == unbudgeted.end()) {
        unbudgeted.push_back(name);
      }
    }
    if (unbudgeted.empty()) {
      return;
    }
    std::string clusters;
    for (const std::string& name : unbudgeted) {
      clusters += (clusters.empty() ? "" : ", ") + name;
    }
    add(LintSeverity::kWarning, "retry-no-budget", "VirtualService/" + vs.meta.name,
        route.retries_at.location,
        where + ": " + std::to_string(attempts) + " retries can add up to " +
            std::to_string(100 * attempts) + " % of its traffic, with no retry budget on " +
            clusters,
        "when the upstream fails, every request becomes " + std::to_string(attempts + 1) +
            " attempts; Istio's retry circuit breaker is 2^32-1, so nothing caps retries at the "
            "20 % of traffic a retry budget allows and a partial outage turns into a retry storm "
            "(proxy-semantics §1.7, §1.9, §3.5)",
        "add trafficPolicy.retryBudget {percent: 20, minRetryConcurrency: 3} (Istio >= 1.27) or "
        "connectionPool.http.maxRetries to the DestinationRule of " +
            clusters);
  }

  // --- Layered (app + mesh) retries ----------------------------------------------------------

  // The largest retry count the mesh applies to calls to `callee`, and whether a VirtualService
  // set it (false = Istio's implicit default).
  std::pair<std::uint32_t, bool> meshRetries(const std::string& callee) const {
    std::uint32_t worst = 0;
    bool explicit_retries = false;
    bool routed = false;
    for (const istio::ParsedVirtualService& vs : manifests_.virtual_services) {
      bool matches = false;
      for (const auto& [host, at] : vs.hosts) {
        const istio::CatalogService* s = resolveService(input_.catalog, host, vs.meta.ns);
        matches = matches || (s != nullptr && s->name == callee);
      }
      if (!matches) {
        continue;
      }
      for (const istio::ParsedHttpRoute& route : vs.http) {
        routed = true;
        const bool has = route.retries.has_value();
        const std::uint32_t n =
            has ? static_cast<std::uint32_t>(std::max(route.retries->attempts.value_or(0), 0))
                : kIstioDefaultRetries;
        if (n > worst || (n == worst && has)) {
          worst = n;
          explicit_retries = has;
        }
      }
    }
    if (!routed) {
      return {kIstioDefaultRetries, false};
    }
    return {worst, explicit_retries};
  }

  void checkLayeredRetries() {
    if (input_.bare_manifests || !input_.istio_profile) {
      return;
    }
    for (const LintAppCall& call : input_.app_calls) {
      const LintService* caller = service(call.caller);
      if (call.retries == 0 || caller == nullptr || !caller->sidecar) {
        continue;
      }
      const auto [mesh, explicit_retries] = meshRetries(call.callee);
      if (mesh == 0) {
        continue;
      }
      const std::uint64_t multiplier = static_cast<std::uint64_t>(call.retries + 1) * (mesh + 1);
      const std::string layers = std::to_string(call.retries + 1) + " app attempts × " +
                                 std::to_string(mesh + 1) + " mesh attempts";
      if (explicit_retries) {
        add(LintSeverity::kWarning, "layered-retries", "Service/" + call.caller, call.at,
            call.caller + " -> " + call.callee + ": retries at both layers, worst case " +
                std::to_string(multiplier) + " attempts per call (" + layers + ")",
            "each app-level attempt goes through the sidecar, which retries again: the layers "
            "multiply, (app+1)·(mesh+1), and deeper call chains multiply further, so a failing "
            "upstream receives many times its normal load exactly when it is weakest",
            "retry at one layer only: drop the app's retries for calls that go through the mesh, "
            "or set the VirtualService's retries.attempts to 0 for this host");
      } else {
        add(LintSeverity::kInfo, "layered-retries", "Service/" + call.caller, call.at,
            call.caller + " -> " + call.callee +
                ": app retries over Istio's implicit mesh "
                "retries, worst case " +
                std::to_string(multiplier) + " attempts per call (" + layers + ")",
            "with no `retries` on the route Istio still retries twice on connect-failure, "
            "refused-stream and gRPC unavailable/cancelled (proxy-semantics §1.9), so a refused "
            "or dead endpoint is tried up to (app+1)·(mesh+1) times",
            "accept it knowingly, or set retries.attempts: 0 on a VirtualService for " +
                call.callee + " if the application's retries are meant to be the only ones");
      }
    }
  }

  // --- Authorization -------------------------------------------------------------------------

  void checkAuthorization() {
    if (policy_.authorization_policies.empty()) {
      add(LintSeverity::kWarning, "no-authorization-policy", "Mesh", input_.mesh_at,
          "no AuthorizationPolicy anywhere: anyone may call anyone",
          "with no ALLOW policy applying to a workload every request is allowed (proxy-semantics "
          "§7.5); a compromised or misbehaving pod can reach every service",
          "start from an allow-nothing policy in the root namespace ('" + policy_.root_namespace +
              "': an AuthorizationPolicy with an empty spec) and ALLOW each caller's principal "
              "per service");
      return;
    }
    std::set<std::string> covered;
    std::set<std::string> seen;
    for (const istio::WorkloadPolicy& workload : policy_.workloads) {
      seen.insert(workload.service);
      bool allow_applies = false;
      for (const core::AuthorizationPolicy& p : workload.authorization) {
        allow_applies = allow_applies || p.action == core::AuthzAction::kAllow ||
                        p.action == core::AuthzAction::kCustom;
      }
      if (allow_applies) {
        covered.insert(workload.service);
      }
    }
    for (const LintService& s : input_.services) {
      if (!s.sidecar || !seen.contains(s.name) || covered.contains(s.name)) {
        continue;
      }
      add(LintSeverity::kWarning, "no-authorization-policy", "Service/" + s.name, s.at,
          s.name + ": no ALLOW AuthorizationPolicy applies, so anyone may call it",
          "with no ALLOW policy applying to a workload every request that no DENY policy "
          "matches is allowed (proxy-semantics §7.5)",
          "add an AuthorizationPolicy selecting app=" + s.name + " in namespace " + s.ns +
              " that ALLOWs only its callers' principals");
    }
  }

  const LintInput& input_;
  DocumentIndex documents_;
  istio::MeshPolicy policy_;
  istio::Manifests manifests_;
  std::set<std::string> reported_mtls_;
  std::vector<LintFinding> findings_;
};

// Every map with a `call:` key under `node` (a call, possibly inside a parallel group).
void collectCalls(const Node& node, const std::string& caller, std::vector<LintAppCall>& out) {
  if (node.isMap()) {
    if (const auto callee = node.get("call"); callee && callee->isScalar()) {
      const auto retries = node.get("retries");
      out.push_back(LintAppCall{
          caller, callee->asString(),
          retries && retries->isScalar() ? static_cast<std::uint32_t>(retries->asInt()) : 0U,
          node.location()});
      return;
    }
    for (const auto& [key, child] : node.entries()) {
      collectCalls(child, caller, out);
    }
  } else if (node.isSequence()) {
    for (const Node& element : node.elements()) {
      collectCalls(element, caller, out);
    }
  }
}

}  // namespace

LintInput lintInputFromScenario(const Scenario& scenario, const ScenarioPolicies& policies,
                                const std::vector<Node>& scenario_documents) {
  LintInput input;
  input.istio_profile = scenario.profile == ProxyProfile::Istio;
  input.mesh_at = Location{scenario.file, 1, 1};
  input.catalog = policies.catalog;
  if (scenario.mtls.mode == MtlsMode::Strict) {
    input.mesh_wide_mtls = core::MtlsMode::kStrict;
  } else if (scenario.mtls.mode == MtlsMode::Disable) {
    input.mesh_wide_mtls = core::MtlsMode::kDisable;
  }
  std::map<std::string, Node> service_nodes;
  if (!scenario_documents.empty() && scenario_documents.front().isMap()) {
    if (const auto services = scenario_documents.front().get("services");
        services && services->isSequence()) {
      for (const Node& element : services->elements()) {
        if (!element.isMap()) {
          continue;
        }
        const auto name = element.get("name");
        if (name && name->isScalar()) {
          service_nodes.emplace(name->asString(), element);
        }
      }
    }
  }
  for (const ServiceSpec& spec : scenario.services) {
    LintService s;
    s.name = spec.name;
    s.ns = spec.namespace_name;
    s.sidecar = spec.has_sidecar;
    for (const VersionSpec& version : spec.versions) {
      s.version_replicas.emplace_back(version.name, version.replicas);
    }
    s.at = input.mesh_at;
    if (const auto it = service_nodes.find(spec.name); it != service_nodes.end()) {
      s.at = it->second.location();
      collectCalls(it->second, spec.name, input.app_calls);
    }
    input.services.push_back(std::move(s));
  }
  for (const MixEntry& entry : scenario.workload.mix) {
    input.services[entry.service].entry = true;
  }
  for (LintService& s : input.services) {
    s.meshed_caller =
        std::any_of(input.app_calls.begin(), input.app_calls.end(), [&](const LintAppCall& call) {
          const auto caller = scenario.findService(call.caller);
          return call.callee == s.name && caller && scenario.services[*caller].has_sidecar;
        });
  }
  for (const PolicySource& source : scenario.policies) {
    input.documents.insert(input.documents.end(), source.documents.begin(), source.documents.end());
  }
  return input;
}

LintInput lintInputFromManifests(const std::vector<Node>& documents) {
  LintInput input;
  input.bare_manifests = true;
  input.documents = documents;
  for (const Node& document : documents) {
    if (!document.isNull()) {
      input.mesh_at = Location{document.file(), 1, 1};
      break;
    }
  }
  config::Warnings ignored;
  const istio::Manifests manifests =
      istio::parseManifests(documents, input.catalog.root_namespace, ignored);

  // name -> (namespace, where first named, subsets)
  struct Seen {
    std::string ns;
    Location at;
    std::vector<std::pair<std::string, core::Labels>> subsets;
  };
  std::map<std::string, Seen> seen;
  std::vector<std::string> order;
  const auto mention = [&](const std::string& host, const std::string& manifest_ns,
                           const Location& at) -> Seen* {
    if (host.empty() || host.front() == '*') {
      return nullptr;
    }
    const std::size_t dot = host.find('.');
    const std::string name = host.substr(0, dot);
    std::string ns = manifest_ns;
    if (dot != std::string::npos) {
      const std::size_t next = host.find('.', dot + 1);
      ns = host.substr(dot + 1, next == std::string::npos ? std::string::npos : next - dot - 1);
    }
    auto [it, inserted] = seen.try_emplace(name, Seen{ns, at, {}});
    if (inserted) {
      order.push_back(name);
    }
    return &it->second;
  };
  for (const istio::ParsedDestinationRule& rule : manifests.destination_rules) {
    if (Seen* s = mention(rule.host, rule.meta.ns, rule.meta.origin.location)) {
      for (const istio::ParsedSubset& subset : rule.subsets) {
        s->subsets.emplace_back(subset.name, subset.labels);
      }
    }
  }
  for (const istio::ParsedVirtualService& vs : manifests.virtual_services) {
    for (const auto& [host, at] : vs.hosts) {
      mention(host, vs.meta.ns, at.location);
    }
    for (const istio::ParsedHttpRoute& route : vs.http) {
      for (const istio::ParsedDestination& destination : route.route) {
        mention(destination.host, vs.meta.ns, destination.host_at.location);
      }
    }
  }
  for (const std::string& name : order) {
    const Seen& s = seen[name];
    std::vector<std::string> versions;
    if (s.subsets.empty()) {
      versions.push_back("v1");
    }
    istio::CatalogService& service = input.catalog.addService(name, s.ns, versions);
    for (const auto& [subset, labels] : s.subsets) {
      istio::CatalogVersion version;
      version.name = subset;
      version.labels = {{"app", name}};
      for (const auto& label : labels) {
        if (label.first != "app") {
          version.labels.push_back(label);
        }
      }
      service.versions.push_back(std::move(version));
    }
    LintService lint;
    lint.name = name;
    lint.ns = s.ns;
    lint.at = s.at;
    input.services.push_back(std::move(lint));
  }
  return input;
}

std::vector<LintFinding> lintMesh(const LintInput& input, config::Warnings& warnings) {
  std::vector<LintFinding> findings = Linter(input, warnings).run();
  if (!input.istio_profile) {
    findings.push_back(
        LintFinding{LintSeverity::kInfo, "istio-checks-skipped", "Scenario/profile", input.mesh_at,
                    "the proxy profile is not istio: the Istio policy checks were skipped",
                    "Istio manifests only configure sidecars under the istio profile",
                    "lint the scenario with `--set profile=istio` to check its manifests"});
  }
  sortFindings(findings);
  return findings;
}

std::vector<LintFinding> recommendSidecarResources(const Mesh& mesh, const LintInput& input) {
  const Scenario& scenario = mesh.scenario();
  const double seconds = core::toSeconds(scenario.warmup + scenario.duration);
  std::vector<double> cores(scenario.services.size(), 0.0);
  std::vector<double> memory(scenario.services.size(), 0.0);
  std::vector<bool> any(scenario.services.size(), false);
  for (const auto& workload : mesh.workloads()) {
    if (!workload->has_sidecar || !workload->app) {
      continue;
    }
    Sidecar& sidecar = *workload->sidecar;
    const Index s = workload->service;
    any[s] = true;
    cores[s] = std::max(cores[s], core::toSeconds(sidecar.cpu().busyTime()) / seconds);
    memory[s] = std::max(memory[s], static_cast<double>(sidecar.spec().memory_base +
                                                        sidecar.peakConnections() *
                                                            sidecar.spec().memory_per_connection));
  }
  std::vector<LintFinding> findings;
  for (Index s = 0; s < scenario.services.size(); ++s) {
    if (!any[s]) {
      continue;
    }
    const ServiceSpec& spec = scenario.services[s];
    // Kubernetes quantities: millicores rounded up to 10m, mebibytes rounded up.
    const long millicores =
        std::max(10L, static_cast<long>(std::ceil(cores[s] * kSidecarCpuHeadroom * 100.0)) * 10L);
    const long mebibytes = static_cast<long>(std::ceil(memory[s] / (1024.0 * 1024.0)));
    const Location at = s < input.services.size() ? input.services[s].at : input.mesh_at;
    findings.push_back(LintFinding{
        LintSeverity::kInfo, "sidecar-resources", "Service/" + spec.name, at,
        spec.name + ": sidecar requests cpu " + std::to_string(millicores) + "m, memory " +
            std::to_string(mebibytes) + "Mi (busiest pod: " + fmt("%.3f", cores[s]) +
            " cores simulated, " + fmt("%.1f", memory[s] / (1024.0 * 1024.0)) + " MiB modelled)",
        "requests below the real load get the sidecar throttled under CPU limits and queue every "
        "request through it; far above it waste the node (proxy-semantics §8.1)",
        "set the sidecar.istio.io/proxyCPU and proxyMemory annotations (or the injector's "
        "global.proxy.resources) to these values; CPU is the observed load × " +
            fmt("%.1f", kSidecarCpuHeadroom) +
            " headroom at the scenario's workload, memory the model's base + peak connections"});
  }
  return findings;
}

}  // namespace meshsim::sim
