// Implements proxy-semantics.md §1-§7 composed into one sidecar direction.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/authz/authorization_engine.h"
#include "core/common/config_diagnostic.h"
#include "core/common/event_loop.h"
#include "core/common/random.h"
#include "core/fault/fault_injector.h"
#include "core/policy/cluster_policy.h"
#include "core/proxy/cluster.h"
#include "core/proxy/router_filter.h"
#include "core/router/route_configuration.h"
#include "core/upstream/transport.h"

namespace meshsim::core {

struct ClusterDefinition {
  std::string name;
  ClusterPolicy policy;
  std::vector<Endpoint> endpoints;
};

// Everything one proxy (one listener direction of a sidecar) is configured with.
struct ProxyConfig {
  ProxyProfile profile = ProxyProfile::kIstio;
  std::uint32_t workers = 2;  // Istio: 2 (§3.4)
  RouteConfiguration routes;
  std::vector<ClusterDefinition> clusters;
  // Set on an inbound proxy: requests are authorized before routing (§7.5). Unset: no RBAC filter.
  std::optional<std::vector<AuthorizationPolicy>> authorization;
  std::uint32_t inbound_port = 0;  // the destination port RBAC rules see
  // Where this proxy runs: the reference point of locality failover priorities (§5.7).
  Locality locality;

  // Routes that reference unknown clusters, invalid cluster policies, invalid route tables.
  ConfigDiagnostics validate() const;
};

// The proxy core of one sidecar direction: route table, clusters, fault filter, RBAC and a
// recycled pool of per-request RouterFilters. A simulated sidecar and a socket-based one drive
// it the same way: startRequest() per downstream request, completion through DownstreamCallbacks.
class Proxy {
 public:
  // `config` must be valid (validate() without errors).
  Proxy(ProxyConfig config, EventLoop& loop, RandomGenerator& random, UpstreamTransport& transport);
  ~Proxy();
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  // Starts a request; the returned filter can be cancel()ed until completion is reported.
  // `peer_principal` is the client's SPIFFE URI SAN on an inbound proxy (empty for plaintext).
  RouterFilter& startRequest(Request request, std::uint32_t worker, DownstreamCallbacks& downstream,
                             const std::string& peer_principal = {});

  const ProxyConfig& config() const { return config_; }
  ProxyProfile profile() const { return config_.profile; }
  Cluster* findCluster(std::string_view name);
  std::vector<std::unique_ptr<Cluster>>& clusters() { return clusters_; }
  const RouteConfiguration& routes() const { return *routes_; }
  const std::shared_ptr<const RouteConfiguration>& sharedRoutes() const { return routes_; }
  // A route update (xDS RDS push, e.g. a new VirtualService): new requests use `routes`; requests
  // already routed keep the table they started with until they finish.
  void setRoutes(RouteConfiguration routes);
  FaultInjector& faults() { return faults_; }
  AuthorizationEngine* authorization() { return authorization_ ? &*authorization_ : nullptr; }
  EventLoop& loop() { return loop_; }
  RandomGenerator& random() { return random_; }
  std::size_t activeRequests() const { return active_; }

 private:
  friend class RouterFilter;
  RouterFilter& acquire();
  // Filters are recycled on a later loop turn, never inside their own callbacks.
  void release(RouterFilter& filter);
  void onRecycle();

  std::shared_ptr<const RouteConfiguration> resolve(RouteConfiguration routes) const;

  ProxyConfig config_;
  std::shared_ptr<const RouteConfiguration> routes_;
  EventLoop& loop_;
  RandomGenerator& random_;
  FaultInjector faults_;
  std::optional<AuthorizationEngine> authorization_;
  std::vector<std::unique_ptr<Cluster>> clusters_;
  std::vector<std::unique_ptr<RouterFilter>> filters_;
  std::vector<RouterFilter*> free_;
  std::vector<RouterFilter*> retired_;
  TimerPtr recycle_timer_;
  std::size_t active_ = 0;
};

}  // namespace meshsim::core
