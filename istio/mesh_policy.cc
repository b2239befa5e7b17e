#include "istio/mesh_policy.h"

#include <algorithm>
#include <limits>
#include <map>
#include <tuple>

#include "core/outlier/istio_outlier_detection.h"
#include "core/pool/istio_connection_pool.h"
#include "core/router/istio_route_translation.h"
#include "istio/manifest_parser.h"

namespace meshsim::istio {

namespace {

using config::Warning;
using config::Warnings;

void warnAt(Warnings& warnings, const SourceRef& where, std::string message) {
  warnings.push_back(Warning{where.location, where.key, std::move(message)});
}

bool isWildcard(std::string_view host) {
  return !host.empty() && host.front() == '*';
}

// Istio's ResolveShortnameToFQDN: a name without dots is a service of the manifest's namespace;
// anything with a dot (or a wildcard) is taken as written, so "reviews.default" does not match.
std::string resolveHost(const std::string& host, const std::string& ns,
                        const MeshCatalog& catalog) {
  if (host.find('.') == std::string::npos && !isWildcard(host)) {
    return host + "." + ns + ".svc." + catalog.domain_suffix;
  }
  return host;
}

bool hostMatches(std::string_view pattern, std::string_view fqdn) {
  if (pattern == "*") {
    return true;
  }
  if (isWildcard(pattern)) {
    return fqdn.size() >= pattern.size() && fqdn.ends_with(pattern.substr(1));
  }
  return pattern == fqdn;
}

[[noreturn]] void failUnknownHost(const SourceRef& at, const std::string& written,
                                  const std::string& resolved, const std::string& ns,
                                  const MeshCatalog& catalog) {
  std::vector<std::string> owned;
  for (const CatalogService& service : catalog.services) {
    owned.push_back(catalog.fqdn(service));
    if (service.ns == ns) {
      owned.push_back(service.name);
    }
  }
  std::string suggestion;
  for (const std::string& fqdn : owned) {
    if (fqdn.starts_with(written + ".")) {
      suggestion = fqdn;  // a partly qualified name such as "reviews.default"
      break;
    }
  }
  if (suggestion.empty()) {
    suggestion = config::closestMatch(written, {owned.begin(), owned.end()});
  }
  std::string message = "host '" + written + "'";
  if (resolved != written) {
    message += " (" + resolved + ")";
  }
  message += " is not a service of the mesh";
  if (!suggestion.empty()) {
    message += " (did you mean '" + suggestion + "'?)";
  }
  failAt(at, message);
}

// The destination rule that applies to one service: several rules for the same host in the same
// namespace are merged the way istiod merges them (subsets appended, the first rule's traffic
// policy kept).
struct EffectiveRule {
  std::string name;  // "ns/name" of the first rule
  SourceRef host_at;
  std::optional<ParsedTrafficPolicy> traffic_policy;
  std::vector<ParsedSubset> subsets;
};

class Importer {
 public:
  Importer(const MeshCatalog& catalog, Warnings& warnings, const ImportOptions& options)
      : catalog_(catalog), warnings_(warnings), options_(options) {}

  MeshPolicy run(const std::vector<config::Node>& documents) {
    Manifests manifests = parseManifests(documents, catalog_.root_namespace, warnings_);
    MeshPolicy policy;
    policy.root_namespace = catalog_.root_namespace;
    chooseDestinationRules(manifests.destination_rules);
    buildClusters(policy);
    buildRoutes(manifests.virtual_services, policy);
    buildWorkloads(manifests, policy);
    return policy;
  }

 private:
  std::vector<const CatalogService*> matchingServices(const std::string& pattern) const {
    std::vector<const CatalogService*> out;
    for (const CatalogService& service : catalog_.services) {
      if (hostMatches(pattern, catalog_.fqdn(service))) {
        out.push_back(&service);
      }
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // DestinationRules

  void chooseDestinationRules(const std::vector<ParsedDestinationRule>& rules) {
    // Precedence per service: exact host over wildcard (longer wildcard first), then a rule in the
    // service's namespace, then the root namespace, then any other; ties go to the oldest rule.
    using Rank = std::tuple<int, std::size_t, int, std::size_t>;
    std::map<const CatalogService*, std::pair<Rank, std::size_t>> best;
    std::vector<std::string> resolved(rules.size());
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const ParsedDestinationRule& rule = rules[i];
      resolved[i] = resolveHost(rule.host, rule.meta.ns, catalog_);
      const std::vector<const CatalogService*> services = matchingServices(resolved[i]);
      if (services.empty()) {
        failUnknownHost(rule.host_at, rule.host, resolved[i], rule.meta.ns, catalog_);
      }
      for (const CatalogService* service : services) {
        const int ns_rank = rule.meta.ns == service->ns               ? 0
                            : rule.meta.ns == catalog_.root_namespace ? 1
                                                                      : 2;
        const Rank rank{isWildcard(resolved[i]) ? 1 : 0,
                        std::numeric_limits<std::size_t>::max() - resolved[i].size(), ns_rank, i};
        auto it = best.find(service);
        if (it == best.end() || rank < it->second.first) {
          best[service] = {rank, i};
        }
      }
    }
    for (const auto& [service, choice] : best) {
      const ParsedDestinationRule& first = rules[choice.second];
      EffectiveRule effective;
      effective.name = first.meta.ns + "/" + first.meta.name;
      effective.host_at = first.host_at;
      effective.traffic_policy = first.traffic_policy;
      effective.subsets = first.subsets;
      for (std::size_t j = choice.second + 1; j < rules.size(); ++j) {
        const ParsedDestinationRule& other = rules[j];
        if (resolved[j] != resolved[choice.second] || other.meta.ns != first.meta.ns) {
          continue;
        }
        if (other.traffic_policy) {
          warnAt(warnings_, other.meta.origin,
                 "DestinationRule " + first.meta.name +
                     " for the same host comes first; Istio "
                     "keeps only its trafficPolicy, this one is ignored");
        }
        for (const ParsedSubset& subset : other.subsets) {
          const bool duplicate =
              std::any_of(effective.subsets.begin(), effective.subsets.end(),
                          [&](const ParsedSubset& s) { return s.name == subset.name; });
          if (duplicate) {
            warnAt(warnings_, subset.name_at,
                   "subset '" + subset.name + "' is already defined by DestinationRule " +
                       first.meta.name + " for the same host; this one is ignored");
          } else {
            effective.subsets.push_back(subset);
          }
        }
      }
      rules_[service] = std::move(effective);
    }
    // Subsets that select no workload are legal in Istio but leave a cluster with no endpoints.
    for (const ParsedDestinationRule& rule : rules) {
      for (const ParsedSubset& subset : rule.subsets) {
        bool any = false;
        for (const CatalogService* service :
             matchingServices(resolveHost(rule.host, rule.meta.ns, catalog_))) {
          for (const CatalogVersion& version : service->versions) {
            any = any || core::selectorMatches(subset.labels, version.labels);
          }
        }
        if (!any) {
          warnAt(warnings_, subset.name_at,
                 "subset '" + subset.name +
                     "' selects no workload of the mesh; requests routed to it fail with 503 "
                     "(no healthy upstream)");
        }
      }
    }
  }

  const EffectiveRule* ruleFor(const CatalogService& service) const {
    const auto it = rules_.find(&service);
    return it == rules_.end() ? nullptr : &it->second;
  }

  // -------------------------------------------------------------------------------------------
  // Clusters

  ClusterDefinition makeCluster(const CatalogService& service, const ParsedSubset* subset,
                                const EffectiveRule* rule, const SourceRef& where) {
    ClusterDefinition cluster;
    cluster.service = service.name;
    cluster.subset = subset != nullptr ? subset->name : "";
    cluster.name = core::subsetClusterName(service.name, cluster.subset);
    if (subset != nullptr) {
      cluster.endpoint_selector = subset->labels;
    }
    for (const CatalogVersion& version : service.versions) {
      if (core::selectorMatches(cluster.endpoint_selector, version.labels)) {
        cluster.versions.push_back(version.name);
      }
    }
    std::optional<ParsedTrafficPolicy> traffic;
    if (rule != nullptr) {
      cluster.destination_rule = rule->name;
      traffic = mergeTrafficPolicy(rule->traffic_policy,
                                   subset != nullptr ? subset->traffic_policy : std::nullopt);
    }

    core::ClusterPolicy& policy = cluster.policy;
    policy = core::ClusterPolicy::defaultsFor(core::ProxyProfile::kIstio);
    policy.protocol = service.protocol;
    const core::IstioClusterLimits limits = core::translateIstioConnectionPool(
        traffic && traffic->connection_pool ? &*traffic->connection_pool : nullptr,
        traffic && traffic->retry_budget ? &*traffic->retry_budget : nullptr,
        options_.connect_timeout);
    policy.circuit_breakers = limits.thresholds;
    policy.connection_pool = limits.pool;
    if (traffic && traffic->load_balancer) {
      const ParsedLoadBalancer& lb = *traffic->load_balancer;
      policy.load_balancer.policy = lb.policy;
      if (lb.minimum_ring_size > 0) {
        policy.load_balancer.minimum_ring_size = lb.minimum_ring_size;
      }
      if (lb.maglev_table_size > 0) {
        policy.load_balancer.maglev_table_size = lb.maglev_table_size;
      }
    }
    if (traffic && traffic->outlier_detection) {
      const core::IstioOutlierTranslation outlier =
          core::translateIstioOutlierDetection(*traffic->outlier_detection);
      policy.outlier_detection = outlier.outlier;
      policy.load_balancer.healthy_panic_threshold =
          static_cast<std::uint32_t>(outlier.healthy_panic_threshold_percent);
      // MeshConfig enables localityLbSetting by default and Istio applies its failover priorities
      // only where outlier detection can move traffic off a locality (§4.6, §5.7).
      policy.locality_failover = true;
    }
    if (traffic && traffic->tls) {
      policy.tls_mode = traffic->tls;
      // §7.1/§7.2: a plaintext-only workload cannot terminate the client's TLS.
      if (!service.sidecar && *traffic->tls == core::ClientTlsMode::kIstioMutual) {
        warnAt(warnings_, where,
               "cluster " + cluster.name +
                   ": ISTIO_MUTUAL toward a service without a sidecar; its connections will fail");
      }
    }
    for (const core::ConfigDiagnostic& d : policy.validate("")) {
      const std::string field = d.path.empty() ? "" : d.path.substr(d.path.front() == '.' ? 1 : 0);
      if (d.severity == core::ConfigDiagnostic::Severity::kError) {
        failAt(where, "cluster " + cluster.name + ": " + field + " " + d.message);
      }
      warnAt(warnings_, where, "cluster " + cluster.name + ": " + field + " " + d.message);
    }
    return cluster;
  }

  void buildClusters(MeshPolicy& policy) {
    for (const CatalogService& service : catalog_.services) {
      const EffectiveRule* rule = ruleFor(service);
      policy.clusters.push_back(
          makeCluster(service, nullptr, rule, rule != nullptr ? rule->host_at : SourceRef{}));
      if (rule == nullptr) {
        continue;
      }
      for (const ParsedSubset& subset : rule->subsets) {
        policy.clusters.push_back(makeCluster(service, &subset, rule, subset.name_at));
      }
    }
    for (std::size_t i = 0; i < policy.clusters.size(); ++i) {
      cluster_index_[policy.clusters[i].name] = i;
    }
    clusters_ = &policy.clusters;
  }

  const ClusterDefinition& clusterNamed(const std::string& name) const {
    return (*clusters_)[cluster_index_.at(name)];
  }

  // -------------------------------------------------------------------------------------------
  // Routes

  // A VirtualService destination: an existing service and, if named, a subset its
  // DestinationRule defines (what istioctl analyze reports as IST0101 otherwise).
  std::string destinationCluster(const ParsedDestination& destination, const std::string& ns) {
    if (destination.host.find('*') != std::string::npos) {
      failAt(destination.host_at, "wildcard hosts are not allowed in a route destination");
    }
    const std::string resolved = resolveHost(destination.host, ns, catalog_);
    const CatalogService* service = catalog_.findByFqdn(resolved);
    if (service == nullptr) {
      failUnknownHost(destination.host_at, destination.host, resolved, ns, catalog_);
    }
    if (!destination.subset.empty()) {
      const EffectiveRule* rule = ruleFor(*service);
      if (rule == nullptr) {
        failAt(destination.subset_at, "subset '" + destination.subset +
                                          "' is not defined: no DestinationRule applies to host " +
                                          catalog_.fqdn(*service));
      }
      std::vector<std::string_view> names;
      for (const ParsedSubset& subset : rule->subsets) {
        if (subset.name == destination.subset) {
          return core::subsetClusterName(service->name, destination.subset);
        }
        names.push_back(subset.name);
      }
      std::string message =
          "subset '" + destination.subset + "' is not defined by DestinationRule " + rule->name;
      const std::string suggestion = config::closestMatch(destination.subset, names);
      if (!suggestion.empty()) {
        message += " (did you mean '" + suggestion + "'?)";
      }
      failAt(destination.subset_at, message);
    }
    return service->name;
  }

  bool consistentHash(const std::string& cluster) const {
    using Policy = core::LoadBalancerConfig::Policy;
    const Policy p = clusterNamed(cluster).policy.load_balancer.policy;
    return p == Policy::RingHash || p == Policy::Maglev;
  }

  std::optional<core::RetryPolicy> retryPolicy(const std::optional<core::IstioHttpRetry>& retries,
                                               bool consistent_hash, const SourceRef& where) {
    core::IstioRetryOptions retry_options;
    retry_options.consistent_hash = consistent_hash;
    retry_options.exclude_503_from_default_retries = options_.exclude_503_from_default_retries;
    std::vector<std::string> diagnostics;
    std::optional<core::RetryPolicy> policy = core::translateIstioRetries(
        retries, retry_options, options_.default_http_retry_policy, &diagnostics);
    for (std::string& message : diagnostics) {
      warnAt(warnings_, where, std::move(message) + "; Envoy ignores it");
    }
    return policy;
  }

  std::vector<core::RouteEntry> translateHttpRoute(const ParsedHttpRoute& http,
                                                   const ResourceMeta& meta) {
    std::vector<core::IstioDestination> destinations;
    for (const ParsedDestination& d : http.route) {
      const std::string cluster = destinationCluster(d, meta.ns);
      const ClusterDefinition& definition = clusterNamed(cluster);
      destinations.push_back({definition.service, definition.subset, d.weight});
    }
    core::ConfigDiagnostics diagnostics;
    std::vector<core::WeightedCluster> clusters =
        core::istioWeightedClusters(destinations, diagnostics, http.route_at.key);
    for (const core::ConfigDiagnostic& d : diagnostics) {
      if (d.severity == core::ConfigDiagnostic::Severity::kError) {
        failAt(http.route_at, d.message);
      }
      warnAt(warnings_, http.route_at, d.message);
    }

    // Istio hashes a route (and drops previous_hosts from its default retries) when its
    // destinations use consistent hashing; all of them must agree here.
    const bool hashed = std::all_of(clusters.begin(), clusters.end(),
                                    [&](const auto& c) { return consistentHash(c.name); });
    if (http.retries && http.retries->attempts.value_or(0) == 0) {
      warnAt(warnings_, http.retries_at,
             "retries without attempts (or attempts: 0) disable retries on this route");
    }

    core::RouteEntry entry;
    entry.name = http.name;
    entry.clusters = std::move(clusters);
    entry.timeout = core::routeTimeout(http.timeout, core::RouteProfile::kIstio);
    entry.retry_policy = retryPolicy(http.retries, hashed, http.retries_at);
    entry.fault = http.fault;
    for (const ParsedMirror& mirror : http.mirrors) {
      std::optional<core::MirrorPolicy> policy = core::istioMirrorPolicy(
          destinationCluster(mirror.destination, meta.ns), mirror.percentage, mirror.percent);
      if (policy) {
        entry.mirrors.push_back(std::move(*policy));
      }
    }

    std::vector<core::RouteEntry> out;
    if (http.matches.empty()) {
      out.push_back(std::move(entry));
      return out;
    }
    for (const auto& [name, match] : http.matches) {
      core::RouteEntry copy = entry;
      copy.name = name;
      copy.match = match;
      out.push_back(std::move(copy));
    }
    return out;
  }

  core::RouteEntry defaultRoute(const CatalogService& service) {
    core::RouteEntry entry;
    entry.name = "default";
    entry.clusters.push_back({service.name, 1, core::kUnresolvedCluster});
    entry.timeout = core::routeTimeout(std::nullopt, core::RouteProfile::kIstio);
    entry.retry_policy = retryPolicy(std::nullopt, consistentHash(service.name), SourceRef{});
    return entry;
  }

  void buildRoutes(const std::vector<ParsedVirtualService>& services, MeshPolicy& policy) {
    // Which VirtualService each catalog service uses: one with its exact host first, then the
    // longest matching wildcard; the oldest wins a tie, as for sidecars Istio does not merge them.
    using Rank = std::pair<std::size_t, std::size_t>;  // (host length complement, document order)
    std::map<const CatalogService*, std::pair<Rank, std::size_t>> chosen;
    for (std::size_t i = 0; i < services.size(); ++i) {
      const ParsedVirtualService& vs = services[i];
      for (const auto& [host, at] : vs.hosts) {
        const std::string resolved = resolveHost(host, vs.meta.ns, catalog_);
        const std::vector<const CatalogService*> matched = matchingServices(resolved);
        if (matched.empty()) {
          failUnknownHost(at, host, resolved, vs.meta.ns, catalog_);
        }
        for (const CatalogService* service : matched) {
          const Rank rank{
              isWildcard(resolved) ? std::numeric_limits<std::size_t>::max() - resolved.size() : 0,
              i};
          auto it = chosen.find(service);
          if (it == chosen.end()) {
            chosen[service] = {rank, i};
          } else if (it->second.second != i) {
            const bool better = rank < it->second.first;
            const ParsedVirtualService& loser = better ? services[it->second.second] : vs;
            const ParsedVirtualService& winner = better ? vs : services[it->second.second];
            warnAt(warnings_, loser.meta.origin,
                   "VirtualService " + loser.meta.name + " is ignored for host " +
                       catalog_.fqdn(*service) + ": " + winner.meta.name +
                       " also routes it and takes precedence (sidecars use one VirtualService "
                       "per host)");
            if (better) {
              it->second = {rank, i};
            }
          }
        }
      }
    }

    // Translate every VirtualService once, so reference errors are found even in unused ones.
    std::vector<std::vector<core::RouteEntry>> translated(services.size());
    for (std::size_t i = 0; i < services.size(); ++i) {
      for (const ParsedHttpRoute& http : services[i].http) {
        std::vector<core::RouteEntry> routes = translateHttpRoute(http, services[i].meta);
        translated[i].insert(translated[i].end(), std::make_move_iterator(routes.begin()),
                             std::make_move_iterator(routes.end()));
      }
    }

    std::vector<core::VirtualHost> hosts;
    for (const CatalogService& service : catalog_.services) {
      core::VirtualHost host;
      host.name = catalog_.fqdn(service);
      // The names a client in the service's namespace can use; Istio adds ":port" variants,
      // which meshsim's single-port services do not need.
      host.domains = {service.name, service.name + "." + service.ns,
                      service.name + "." + service.ns + ".svc", catalog_.fqdn(service)};
      const auto it = chosen.find(&service);
      if (it != chosen.end()) {
        host.routes = translated[it->second.second];
        core::sortCatchAllRoutesLast(host.routes);
      } else {
        host.routes.push_back(defaultRoute(service));
      }
      hosts.push_back(std::move(host));
    }
    policy.outbound_routes = core::RouteConfiguration(std::move(hosts));
  }

  // -------------------------------------------------------------------------------------------
  // Workloads

  void buildWorkloads(const Manifests& manifests, MeshPolicy& policy) {
    policy.peer_authentications = manifests.peer_authentications;
    policy.authorization_policies = manifests.authorization_policies;
    for (const CatalogService& service : catalog_.services) {
      if (!service.sidecar) {
        continue;
      }
      for (const CatalogVersion& version : service.versions) {
        WorkloadPolicy workload;
        workload.service = service.name;
        workload.version = version.name;
        workload.ns = service.ns;
        workload.labels = version.labels;
        workload.mtls = core::resolvePeerAuthentication(
            policy.peer_authentications, catalog_.root_namespace, service.ns, version.labels);
        workload.authorization = core::selectAuthorizationPolicies(
            policy.authorization_policies, catalog_.root_namespace, service.ns, version.labels);
        policy.workloads.push_back(std::move(workload));
      }
    }
  }

  const MeshCatalog& catalog_;
  Warnings& warnings_;
  const ImportOptions& options_;
  std::map<const CatalogService*, EffectiveRule> rules_;
  std::map<std::string, std::size_t> cluster_index_;
  const std::vector<ClusterDefinition>* clusters_ = nullptr;
};

}  // namespace

const ClusterDefinition* MeshPolicy::cluster(std::string_view name) const {
  for (const ClusterDefinition& c : clusters) {
    if (c.name == name) {
      return &c;
    }
  }
  return nullptr;
}

const WorkloadPolicy* MeshPolicy::workload(std::string_view service,
                                           std::string_view version) const {
  for (const WorkloadPolicy& w : workloads) {
    if (w.service == service && w.version == version) {
      return &w;
    }
  }
  return nullptr;
}

const core::VirtualHost* MeshPolicy::virtualHost(std::string_view service) const {
  for (const core::VirtualHost& host : outbound_routes.virtualHosts()) {
    if (!host.domains.empty() && host.domains.front() == service) {
      return &host;
    }
  }
  return nullptr;
}

MeshPolicy importPolicies(const std::vector<config::Node>& documents, const MeshCatalog& catalog,
                          config::Warnings& warnings, const ImportOptions& options) {
  return Importer(catalog, warnings, options).run(documents);
}

}  // namespace meshsim::istio
