// Implements proxy-semantics.md §6.1, §6.2 and §6.4.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/config_diagnostic.h"
#include "core/common/fractional_percent.h"
#include "core/common/time.h"
#include "core/fault/http_fault.h"
#include "core/http/message.h"
#include "core/retry/linkerd_retry_policy.h"
#include "core/retry/retry_policy.h"
#include "core/router/string_matcher.h"

namespace meshsim::core {

// Envoy's RouteAction.timeout default; Istio overrides it with 0 = disabled (proxy-semantics §2).
inline constexpr Duration kEnvoyDefaultRouteTimeout = std::chrono::seconds(15);
inline constexpr std::uint32_t kUnresolvedCluster = std::numeric_limits<std::uint32_t>::max();

// Envoy HeaderMatcher. Istio turns `method`, `authority` and `scheme` matches into matchers on the
// pseudo-headers ":method", ":authority" and ":scheme" (I: route.go TranslateRouteMatch), which
// read Request::method / authority / scheme; other names read Request::headers (first value).
struct HeaderMatcher {
  std::string name;  // lower-case
  StringMatcher matcher = StringMatcher::present();
  bool invert = false;                  // Istio withoutHeaders
  bool treat_missing_as_empty = false;  // set by Istio for non-present withoutHeaders

  bool matches(const Request& request) const;
};

// Envoy RouteMatch: one path specifier plus headers, all of which must match. Prefix matches the
// whole :path; exact ("path") and regex match the path with query string and fragment removed,
// as Envoy does.
struct RouteMatch {
  StringMatcher path = StringMatcher::prefix("/");
  std::vector<HeaderMatcher> headers;

  bool matches(const Request& request) const;
  // Istio's IsCatchAllRoute: prefix "/" or regex ".*" with no header matcher.
  bool isCatchAll() const;
};

struct WeightedCluster {
  std::string name;
  std::uint32_t weight = 1;
  // Dense cluster index resolved once by the host (resolveClusters), so the request path indexes
  // a vector instead of looking the name up.
  std::uint32_t index = kUnresolvedCluster;
};

// RouteAction.request_mirror_policies[i] (proxy-semantics §6.4).
struct MirrorPolicy {
  std::string cluster;
  FractionalPercent fraction = FractionalPercent::hundred(100);
  std::uint32_t index = kUnresolvedCluster;
};

struct RouteEntry {
  std::string name;
  RouteMatch match;
  // One entry = plain `cluster` specifier; several = weighted_clusters (sum of weights is the
  // total, the deprecated total_weight is not modelled).
  std::vector<WeightedCluster> clusters;
  Duration timeout = kEnvoyDefaultRouteTimeout;  // 0 = disabled
  std::optional<RetryPolicy> retry_policy;
  // Linkerd retries (proxy-semantics §1.10); when one is set it replaces retry_policy. A
  // ServiceProfile route (linkerd_profile_retry) disables annotation retries, as in Linkerd. The
  // profile's TpsBudget is per destination, so it lives in the Cluster (ClusterPolicy::
  // linkerd_retry_budget), not here.
  std::optional<LinkerdRouteRetryPolicy> linkerd_retry;
  std::optional<LinkerdProfileRoute> linkerd_profile_retry;
  std::optional<HttpFault> fault;  // typed_per_filter_config for envoy.filters.http.fault
  std::vector<MirrorPolicy> mirrors;

  std::uint64_t totalWeight() const;
};

struct VirtualHost {
  std::string name;
  // Envoy domain forms: exact "reviews:9080", suffix wildcard "*.example.com", prefix wildcard
  // "reviews.*", and "*". Matched case-insensitively against :authority as sent (Envoy does not
  // strip the port by default; Istio emits both "host" and "host:port" domains).
  std::vector<std::string> domains;
  std::vector<RouteEntry> routes;
};

// An Envoy RouteConfiguration (RDS resource) for one listener/port. A value type: build it,
// validate() it, resolveClusters() once, then route() on the request path.
class RouteConfiguration {
 public:
  RouteConfiguration() = default;
  explicit RouteConfiguration(std::vector<VirtualHost> virtual_hosts)
      : virtual_hosts_(std::move(virtual_hosts)) {}

  // Virtual host by Envoy's precedence: exact domain, then longest suffix wildcard, then longest
  // prefix wildcard, then "*". nullptr if none.
  const VirtualHost* virtualHost(std::string_view authority) const;
  // First matching route of the selected virtual host (proxy-semantics §6.1); nullptr means
  // Envoy's 404 with flag NR.
  const RouteEntry* route(const Request& request) const;

  // Structural problems: invalid regexes, routes without destinations, weights summing to 0,
  // mirror fractions above their denominator, duplicate domains.
  ConfigDiagnostics validate() const;

  // Calls resolver(name) -> index for every weighted and mirror cluster.
  template <class Resolver>
  void resolveClusters(Resolver&& resolver) {
    for (auto& vhost : virtual_hosts_) {
      for (auto& route : vhost.routes) {
        for (auto& cluster : route.clusters) {
          cluster.index = resolver(std::string_view(cluster.name));
        }
        for (auto& mirror : route.mirrors) {
          mirror.index = resolver(std::string_view(mirror.cluster));
        }
      }
    }
  }

  const std::vector<VirtualHost>& virtualHosts() const { return virtual_hosts_; }
  std::vector<VirtualHost>& virtualHosts() { return virtual_hosts_; }

 private:
  std::vector<VirtualHost> virtual_hosts_;
};

// Envoy's weighted-cluster pick (E: weighted_cluster_specifier.cc pickClusterIndex,
// proxy-semantics §6.2): v = stream_id % Σweights, first cluster whose interval
// [begin, begin + w) in configuration order contains v. A single cluster is returned without
// arithmetic. nullptr when the route has no cluster or all weights are 0. Called once per request;
// retries stay on the returned cluster (§10 item 10).
const WeightedCluster* pickCluster(const RouteEntry& route, std::uint64_t stream_id);

// Mirror (shadow) decision: stream_id % denominator < numerator, with the same stream_id as the
// cluster pick, so the two are correlated (proxy-semantics §6.4).
inline bool shouldMirror(const MirrorPolicy& mirror, std::uint64_t stream_id) {
  return mirror.fraction.evaluate(stream_id);
}

// Istio's SortVHostRoutes: catch-all routes move to the end, the others keep their order.
void sortCatchAllRoutesLast(std::vector<RouteEntry>& routes);

}  // namespace meshsim::core
