#include "core/router/route_configuration.h"

#include <algorithm>
#include <cctype>

namespace meshsim::core {

namespace {

std::optional<std::string_view> headerValue(const Request& request, std::string_view name) {
  if (!name.empty() && name.front() == ':') {
    if (name == ":method") {
      return std::string_view(request.method);
    }
    if (name == ":authority") {
      return std::string_view(request.authority);
    }
    if (name == ":scheme") {
      return std::string_view(request.scheme);
    }
    if (name == ":path") {
      return std::string_view(request.path);
    }
    return std::nullopt;
  }
  if (name == "host") {
    return std::string_view(request.authority);
  }
  return request.headers.get(name);
}

std::string_view pathWithoutQuery(std::string_view path) {
  const auto end = path.find_first_of("?#");
  return end == std::string_view::npos ? path : path.substr(0, end);
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

bool endsWithIgnoreCase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && equalsIgnoreCase(s.substr(s.size() - suffix.size()), suffix);
}

bool startsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && equalsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

void checkMatcher(const StringMatcher& matcher, const std::string& path,
                  ConfigDiagnostics& diagnostics) {
  if (!matcher.error().empty()) {
    diagnostics.push_back({ConfigDiagnostic::Severity::kError, path, matcher.error()});
  }
}

}  // namespace

bool HeaderMatcher::matches(const Request& request) const {
  auto value = headerValue(request, name);
  if (!value.has_value() && treat_missing_as_empty) {
    value = std::string_view();
  }
  const bool matched = value.has_value() && matcher.matches(*value);
  return matched != invert;
}

bool RouteMatch::matches(const Request& request) const {
  const std::string_view full_path(request.path);
  const bool path_ok = path.kind() == StringMatcher::Kind::kPrefix
                           ? path.matches(full_path)
                           : path.matches(pathWithoutQuery(full_path));
  if (!path_ok) {
    return false;
  }
  for (const auto& header : headers) {
    if (!header.matches(request)) {
      return false;
    }
  }
  return true;
}

bool RouteMatch::isCatchAll() const {
  const bool catch_all_path =
      (path.kind() == StringMatcher::Kind::kPrefix && path.value() == "/") ||
      (path.kind() == StringMatcher::Kind::kRegex && path.value() == ".*");
  return catch_all_path && headers.empty();
}

std::uint64_t RouteEntry::totalWeight() const {
  std::uint64_t total = 0;
  for (const auto& cluster : clusters) {
    total += cluster.weight;
  }
  return total;
}

const VirtualHost* RouteConfiguration::virtualHost(std::string_view authority) const {
  const VirtualHost* suffix_match = nullptr;
  std::size_t suffix_len = 0;
  const VirtualHost* prefix_match = nullptr;
  std::size_t prefix_len = 0;
  const VirtualHost* any = nullptr;
  for (const auto& vhost : virtual_hosts_) {
    for (const auto& domain : vhost.domains) {
      const std::string_view d(domain);
      if (d == "*") {
        if (any == nullptr) {
          any = &vhost;
        }
      } else if (d.front() == '*') {
        // Envoy requires the wildcard to match at least one character.
        const auto rest = d.substr(1);
        if (authority.size() > rest.size() && endsWithIgnoreCase(authority, rest) &&
            rest.size() > suffix_len) {
          suffix_match = &vhost;
          suffix_len = rest.size();
        }
      } else if (d.back() == '*') {
        const auto rest = d.substr(0, d.size() - 1);
        if (authority.size() > rest.size() && startsWithIgnoreCase(authority, rest) &&
            rest.size() > prefix_len) {
          prefix_match = &vhost;
          prefix_len = rest.size();
        }
      } else if (equalsIgnoreCase(d, authority)) {
        return &vhost;
      }
    }
  }
  if (suffix_match != nullptr) {
    return suffix_match;
  }
  return prefix_match != nullptr ? prefix_match : any;
}

const RouteEntry* RouteConfiguration::route(const Request& request) const {
  const VirtualHost* vhost = virtualHost(request.authority);
  if (vhost == nullptr) {
    return nullptr;
  }
  for (const auto& entry : vhost->routes) {
    if (entry.match.matches(request)) {
      return &entry;
    }
  }
  return nullptr;
}

ConfigDiagnostics RouteConfiguration::validate() const {
  ConfigDiagnostics diagnostics;
  std::vector<std::string_view> seen_domains;
  for (std::size_t v = 0; v < virtual_hosts_.size(); ++v) {
    const auto& vhost = virtual_hosts_[v];
    const std::string vpath = "virtual_hosts[" + std::to_string(v) + "]";
    for (const auto& domain : vhost.domains) {
      if (domain.empty()) {
        diagnostics.push_back(
            {ConfigDiagnostic::Severity::kError, vpath + ".domains", "empty domain"});
        continue;
      }
      if (std::find(seen_domains.begin(), seen_domains.end(), domain) != seen_domains.end()) {
        diagnostics.push_back({ConfigDiagnostic::Severity::kError, vpath + ".domains",
                               "domain '" + domain + "' appears in more than one virtual host"});
      }
      seen_domains.push_back(domain);
    }
    for (std::size_t r = 0; r < vhost.routes.size(); ++r) {
      const auto& route = vhost.routes[r];
      const std::string rpath = vpath + ".routes[" + std::to_string(r) + "]";
      checkMatcher(route.match.path, rpath + ".match.path", diagnostics);
      if (route.match.path.kind() == StringMatcher::Kind::kPresent ||
          route.match.path.kind() == StringMatcher::Kind::kSuffix) {
        diagnostics.push_back({ConfigDiagnostic::Severity::kError, rpath + ".match.path",
                               "path matchers are prefix, exact or regex"});
      }
      for (std::size_t h = 0; h < route.match.headers.size(); ++h) {
        const auto& header = route.match.headers[h];
        const std::string hpath = rpath + ".match.headers[" + std::to_string(h) + "]";
        checkMatcher(header.matcher, hpath, diagnostics);
        if (header.name.empty()) {
          diagnostics.push_back({ConfigDiagnostic::Severity::kError, hpath, "empty header name"});
        }
      }
      if (route.clusters.empty()) {
        diagnostics.push_back(
            {ConfigDiagnostic::Severity::kError, rpath + ".clusters", "route has no destination"});
      } else if (route.totalWeight() == 0) {
        diagnostics.push_back(
            {ConfigDiagnostic::Severity::kError, rpath + ".clusters", "weights sum to 0"});
      }
      if (route.linkerd_retry && route.linkerd_profile_retry) {
        diagnostics.push_back({ConfigDiagnostic::Severity::kWarning, rpath + ".linkerd_retry",
                               "ignored: a ServiceProfile route disables annotation retries"});
      }
      if ((route.linkerd_retry || route.linkerd_profile_retry) && route.retry_policy) {
        diagnostics.push_back({ConfigDiagnostic::Severity::kWarning, rpath + ".retry_policy",
                               "ignored: the route uses Linkerd retries"});
      }
      if (route.linkerd_retry) {
        const LinkerdRouteRetryPolicy& retry = *route.linkerd_retry;
        if (auto problem = LinkerdExponentialBackOff::validate(retry.backoff_min, retry.backoff_max,
                                                               retry.backoff_jitter)) {
          diagnostics.push_back(
              {ConfigDiagnostic::Severity::kError, rpath + ".linkerd_retry", *problem});
        }
        if (retry.per_attempt_timeout && *retry.per_attempt_timeout <= Duration::zero()) {
          diagnostics.push_back({ConfigDiagnostic::Severity::kError,
                                 rpath + ".linkerd_retry.per_attempt_timeout",
                                 "must be greater than zero"});
        }
      }
      for (std::size_t m = 0; m < route.mirrors.size(); ++m) {
        const auto& mirror = route.mirrors[m];
        if (mirror.cluster.empty() ||
            mirror.fraction.numerator > mirror.fraction.denominatorValue()) {
          diagnostics.push_back({ConfigDiagnostic::Severity::kError,
                                 rpath + ".mirrors[" + std::to_string(m) + "]",
                                 "mirror needs a cluster and a fraction of at most 100 %"});
        }
      }
    }
  }
  return diagnostics;
}

const WeightedCluster* pickCluster(const RouteEntry& route, std::uint64_t stream_id) {
  if (route.clusters.size() == 1) {
    return &route.clusters.front();
  }
  const std::uint64_t total = route.totalWeight();
  if (total == 0) {
    return nullptr;
  }
  const std::uint64_t value = stream_id % total;
  std::uint64_t end = 0;
  for (const auto& cluster : route.clusters) {
    end += cluster.weight;
    if (value < end) {
      return &cluster;
    }
  }
  return nullptr;
}

void sortCatchAllRoutesLast(std::vector<RouteEntry>& routes) {
  std::stable_partition(routes.begin(), routes.end(),
                        [](const RouteEntry& r) { return !r.match.isCatchAll(); });
}

}  // namespace meshsim::core
