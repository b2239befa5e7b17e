#include "core/proxy/proxy.h"

#include <algorithm>

namespace meshsim::core {

ConfigDiagnostics ProxyConfig::validate() const {
  ConfigDiagnostics diagnostics = routes.validate();
  for (std::size_t i = 0; i < clusters.size(); ++i) {
    const ClusterDefinition& cluster = clusters[i];
    const std::string path = "clusters[" + cluster.name + "]";
    for (ConfigDiagnostic& d : cluster.policy.validate(path)) {
      diagnostics.push_back(std::move(d));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (clusters[j].name == cluster.name) {
        diagnostics.push_back({ConfigDiagnostic::Severity::kError, path, "duplicate cluster name"});
      }
    }
  }
  const auto known = [this](std::string_view name) {
    return std::any_of(clusters.begin(), clusters.end(),
                       [name](const ClusterDefinition& c) { return c.name == name; });
  };
  for (const VirtualHost& vhost : routes.virtualHosts()) {
    for (const RouteEntry& route : vhost.routes) {
      for (const WeightedCluster& cluster : route.clusters) {
        if (!known(cluster.name)) {
          diagnostics.push_back({ConfigDiagnostic::Severity::kError,
                                 "routes[" + vhost.name + "]." + route.name,
                                 "unknown cluster '" + cluster.name + "'"});
        }
      }
      for (const MirrorPolicy& mirror : route.mirrors) {
        if (!known(mirror.cluster)) {
          diagnostics.push_back({ConfigDiagnostic::Severity::kError,
                                 "routes[" + vhost.name + "]." + route.name,
                                 "unknown mirror cluster '" + mirror.cluster + "'"});
        }
      }
    }
  }
  if (workers == 0) {
    diagnostics.push_back({ConfigDiagnostic::Severity::kError, "workers", "must be at least 1"});
  }
  if (authorization) {
    AuthorizationEngine engine(*authorization);
    for (ConfigDiagnostic& d : engine.validate()) {
      diagnostics.push_back(std::move(d));
    }
  }
  return diagnostics;
}

Proxy::Proxy(ProxyConfig config, EventLoop& loop, RandomGenerator& random,
             UpstreamTransport& transport)
    : config_(std::move(config)),
      loop_(loop),
      random_(random),
      recycle_timer_(loop.createTimer(Callback::member<&Proxy::onRecycle>(this))) {
  if (config_.workers == 0) {
    config_.workers = 1;
  }
  if (config_.authorization) {
    authorization_.emplace(*config_.authorization);
  }
  for (const ClusterDefinition& definition : config_.clusters) {
    clusters_.push_back(std::make_unique<Cluster>(definition.name, definition.policy,
                                                  definition.endpoints, config_.workers, loop_,
                                                  random_, transport, config_.locality));
  }
  routes_ = resolve(config_.routes);
}

std::shared_ptr<const RouteConfiguration> Proxy::resolve(RouteConfiguration routes) const {
  // Resolve cluster names to indices once, so the request path never looks a name up.
  routes.resolveClusters([this](std::string_view name) {
    for (std::size_t i = 0; i < clusters_.size(); ++i) {
      if (clusters_[i]->name() == name) {
        return static_cast<std::uint32_t>(i);
      }
    }
    return kUnresolvedCluster;
  });
  return std::make_shared<const RouteConfiguration>(std::move(routes));
}

void Proxy::setRoutes(RouteConfiguration routes) {
  routes_ = resolve(std::move(routes));
}

Proxy::~Proxy() {
  // Filters reference clusters and pools: tear them down first.
  filters_.clear();
  clusters_.clear();
}

Cluster* Proxy::findCluster(std::string_view name) {
  for (auto& cluster : clusters_) {
    if (cluster->name() == name) {
      return cluster.get();
    }
  }
  return nullptr;
}

RouterFilter& Proxy::startRequest(Request request, std::uint32_t worker,
                                  DownstreamCallbacks& downstream,
                                  const std::string& peer_principal) {
  RouterFilter& filter = acquire();
  filter.start(std::move(request), worker % config_.workers, &downstream, &peer_principal);
  return filter;
}

RouterFilter& Proxy::acquire() {
  ++active_;
  if (free_.empty()) {
    filters_.push_back(std::make_unique<RouterFilter>(*this));
    return *filters_.back();
  }
  RouterFilter* filter = free_.back();
  free_.pop_back();
  return *filter;
}

void Proxy::release(RouterFilter& filter) {
  --active_;
  retired_.push_back(&filter);
  if (!recycle_timer_->enabled()) {
    recycle_timer_->enable(Duration::zero());
  }
}

void Proxy::onRecycle() {
  free_.insert(free_.end(), retired_.begin(), retired_.end());
  retired_.clear();
}

}  // namespace meshsim::core
