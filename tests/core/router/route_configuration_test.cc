#include "core/router/route_configuration.h"

#include <gtest/gtest.h>

#include "core/router/istio_route_translation.h"

namespace meshsim::core {
namespace {

Request get(std::string path, std::string authority = "reviews") {
  Request request;
  request.path = std::move(path);
  request.authority = std::move(authority);
  return request;
}

RouteEntry routeTo(std::string name, RouteMatch match, std::string cluster) {
  RouteEntry entry;
  entry.name = std::move(name);
  entry.match = std::move(match);
  entry.clusters.push_back({std::move(cluster), 1, kUnresolvedCluster});
  return entry;
}

RouteMatch prefix(std::string p) {
  return RouteMatch{StringMatcher::prefix(std::move(p)), {}};
}

TEST(RouteConfigurationTest, FirstMatchWinsAndCatchAllSortedLast) {
  // VS order: catch-all first, then /api. Istio moves the catch-all to the end (§6.1).
  std::vector<RouteEntry> routes;
  routes.push_back(routeTo("default", prefix("/"), "reviews|v1"));
  routes.push_back(routeTo("api", prefix("/api"), "reviews|v2"));
  routes.push_back(routeTo("regex-all", RouteMatch{StringMatcher::regex(".*"), {}}, "reviews|v3"));
  routes.push_back(routeTo("exact", RouteMatch{StringMatcher::exact("/health"), {}}, "health"));
  sortCatchAllRoutesLast(routes);
  ASSERT_EQ(routes.size(), 4u);
  EXPECT_EQ(routes[0].name, "api");
  EXPECT_EQ(routes[1].name, "exact");
  EXPECT_EQ(routes[2].name, "default");  // catch-alls keep their relative order
  EXPECT_EQ(routes[3].name, "regex-all");

  RouteConfiguration config({VirtualHost{"reviews", {"reviews", "reviews:9080"}, routes}});
  EXPECT_TRUE(config.validate().empty());
  EXPECT_EQ(config.route(get("/api/v1/x"))->name, "api");
  EXPECT_EQ(config.route(get("/health?probe=1"))->name, "exact");
  EXPECT_EQ(config.route(get("/healthz"))->name, "default");
  EXPECT_EQ(config.route(get("/", "reviews:9080"))->name, "default");
  // Unknown authority: no virtual host => no route (404 NR).
  EXPECT_EQ(config.route(get("/", "ratings")), nullptr);
}

TEST(RouteConfigurationTest, CatchAllRequiresNoHeaderMatcher) {
  RouteMatch with_header = prefix("/");
  with_header.headers.push_back({"x-user", StringMatcher::exact("jason"), false, false});
  EXPECT_FALSE(with_header.isCatchAll());
  EXPECT_TRUE(prefix("/").isCatchAll());
  EXPECT_FALSE(prefix("/a").isCatchAll());
  EXPECT_TRUE((RouteMatch{StringMatcher::regex(".*"), {}}).isCatchAll());
}

TEST(RouteConfigurationTest, NoMatchingRouteIsNull) {
  RouteConfiguration config({VirtualHost{"r", {"*"}, {routeTo("api", prefix("/api"), "c")}}});
  EXPECT_EQ(config.route(get("/other")), nullptr);
  EXPECT_NE(config.route(get("/api")), nullptr);
}

TEST(RouteConfigurationTest, UriMatchKinds) {
  Request r = get("/reviews/123?x=1");
  EXPECT_TRUE(prefix("/reviews").matches(r));
  EXPECT_FALSE(prefix("/Reviews").matches(r));
  EXPECT_TRUE(
      (RouteMatch{StringMatcher::prefix("/REVIEWS", true), {}}).matches(r));       // ignoreUriCase
  EXPECT_TRUE((RouteMatch{StringMatcher::exact("/reviews/123"), {}}).matches(r));  // query removed
  EXPECT_FALSE((RouteMatch{StringMatcher::exact("/reviews/12"), {}}).matches(r));
  EXPECT_TRUE((RouteMatch{StringMatcher::regex("/reviews/[0-9]+"), {}}).matches(r));
  // Regex is a full match, not a search.
  EXPECT_FALSE((RouteMatch{StringMatcher::regex("[0-9]+"), {}}).matches(r));
}

TEST(RouteConfigurationTest, HeaderMatchKinds) {
  Request r = get("/");
  r.method = "POST";
  r.headers.add("end-user", "jason");
  r.headers.add("x-version", "v2-beta");

  auto header = [](std::string name, StringMatcher m, bool invert = false) {
    RouteMatch match = prefix("/");
    match.headers.push_back({std::move(name), std::move(m), invert, false});
    return match;
  };
  EXPECT_TRUE(header("end-user", StringMatcher::exact("jason")).matches(r));
  EXPECT_FALSE(header("end-user", StringMatcher::exact("Jason")).matches(r));
  EXPECT_TRUE(header("x-version", StringMatcher::prefix("v2")).matches(r));
  EXPECT_FALSE(header("x-version", StringMatcher::prefix("v3")).matches(r));
  EXPECT_TRUE(header("x-version", StringMatcher::regex("v[0-9]-.*")).matches(r));
  EXPECT_TRUE(header("end-user", StringMatcher::present()).matches(r));
  EXPECT_FALSE(header("missing", StringMatcher::present()).matches(r));
  // withoutHeaders: absent header satisfies the inverted matcher.
  EXPECT_TRUE(header("missing", StringMatcher::present(), true).matches(r));
  EXPECT_FALSE(header("end-user", StringMatcher::present(), true).matches(r));
  // Istio's method match is a :method pseudo-header matcher.
  EXPECT_TRUE(header(":method", StringMatcher::exact("POST")).matches(r));
  EXPECT_FALSE(header(":method", StringMatcher::exact("GET")).matches(r));
  // All header matchers must match.
  RouteMatch both = header("end-user", StringMatcher::exact("jason"));
  both.headers.push_back({":method", StringMatcher::exact("GET"), false, false});
  EXPECT_FALSE(both.matches(r));
}

TEST(RouteConfigurationTest, IstioHeaderTranslation) {
  ConfigDiagnostics diags;
  auto star = istioHeaderMatcher("End-User", "regex", "*", diags);
  ASSERT_TRUE(star.has_value());
  EXPECT_EQ(star->name, "end-user");
  EXPECT_EQ(star->matcher.kind(), StringMatcher::Kind::kPresent);
  EXPECT_FALSE(istioHeaderMatcher("a", "glob", "x*", diags).has_value());
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_NE(diags[0].message.find("unknown match kind"), std::string::npos);
  auto bad = istioHeaderMatcher("a", "regex", "([", diags);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(diags.size(), 2u);
  EXPECT_FALSE(bad->matcher.matches("(["));  // invalid regex matches nothing
}

TEST(RouteConfigurationTest, EightyTwentySplitOverStreamIds) {
  ConfigDiagnostics diags;
  RouteEntry route;
  route.clusters = istioWeightedClusters(
      {{"reviews", "v1", 80}, {"reviews", "v2", 20}, {"reviews", "v3", 0}}, diags);
  EXPECT_TRUE(diags.empty());
  ASSERT_EQ(route.clusters.size(), 2u);  // zero weight dropped
  EXPECT_EQ(route.clusters[0].name, "reviews|v1");
  EXPECT_EQ(route.totalWeight(), 100u);
  int v1 = 0;
  int v2 = 0;
  for (std::uint64_t id = 0; id < 100; ++id) {
    const auto* c = pickCluster(route, id);
    ASSERT_NE(c, nullptr);
    (c->name == "reviews|v1" ? v1 : v2)++;
  }
  EXPECT_EQ(v1, 80);
  EXPECT_EQ(v2, 20);
  // Interval boundaries in config order: [0,80) => v1, [80,100) => v2, modulo the total.
  EXPECT_EQ(pickCluster(route, 79)->name, "reviews|v1");
  EXPECT_EQ(pickCluster(route, 80)->name, "reviews|v2");
  EXPECT_EQ(pickCluster(route, 199)->name, "reviews|v2");
  EXPECT_EQ(pickCluster(route, 200)->name, "reviews|v1");
}

TEST(RouteConfigurationTest, SingleDestinationIsPlainCluster) {
  ConfigDiagnostics diags;
  auto clusters = istioWeightedClusters({{"ratings", "", 0}}, diags);
  EXPECT_TRUE(diags.empty());
  ASSERT_EQ(clusters.size(), 1u);
  EXPECT_EQ(clusters[0].name, "ratings");
  RouteEntry route;
  route.clusters = clusters;
  EXPECT_EQ(pickCluster(route, 12345)->name, "ratings");
}

TEST(RouteConfigurationTest, ValidationDiagnostics) {
  ConfigDiagnostics diags;
  EXPECT_TRUE(istioWeightedClusters({}, diags).empty());
  EXPECT_TRUE(istioWeightedClusters({{"a", "", 0}, {"b", "", 0}}, diags).empty());
  EXPECT_EQ(diags.size(), 2u);

  RouteEntry empty;
  RouteEntry zero;
  zero.clusters = {{"a", 0, kUnresolvedCluster}, {"b", 0, kUnresolvedCluster}};
  RouteEntry bad_regex = routeTo("r", RouteMatch{StringMatcher::regex("[unclosed"), {}}, "c");
  RouteConfiguration config(
      {VirtualHost{"v", {"a"}, {empty, zero, bad_regex}}, VirtualHost{"w", {"a"}, {}}});
  const auto result = config.validate();
  ASSERT_EQ(result.size(), 4u);
  EXPECT_EQ(result[0].path, "virtual_hosts[0].routes[0].clusters");
  EXPECT_EQ(result[1].message, "weights sum to 0");
  EXPECT_EQ(result[2].path, "virtual_hosts[0].routes[2].match.path");
  EXPECT_EQ(result[3].path, "virtual_hosts[1].domains");
  EXPECT_TRUE(hasErrors(result));
  EXPECT_EQ(pickCluster(zero, 7), nullptr);
}

TEST(RouteConfigurationTest, MirrorUsesTheSameStreamIdAsTheSplit) {
  // 80/20 split with a 20 % mirror. Split and mirror read the same stream_id, so which requests
  // are mirrored is correlated with the subset they were sent to (§6.4).
  ConfigDiagnostics diags;
  RouteEntry route;
  route.clusters = istioWeightedClusters({{"reviews", "v1", 80}, {"reviews", "v2", 20}}, diags);
  auto mirror = istioMirrorPolicy("reviews|shadow", 20.0, std::nullopt);
  ASSERT_TRUE(mirror.has_value());
  EXPECT_EQ(mirror->fraction, FractionalPercent::million(200'000));
  int mirrored = 0;
  int mirrored_v2 = 0;
  for (std::uint64_t id = 0; id < 100; ++id) {
    if (shouldMirror(*mirror, id)) {
      ++mirrored;
      mirrored_v2 += pickCluster(route, id)->name == "reviews|v2" ? 1 : 0;
    }
  }
  // MILLION denominator: the test is id % 1 000 000 < 200 000, so ids 0..99 all mirror.
  EXPECT_EQ(mirrored, 100);
  EXPECT_EQ(mirrored_v2, 20);

  auto mirror_int = istioMirrorPolicy("reviews|shadow", std::nullopt, 20u);
  ASSERT_TRUE(mirror_int.has_value());
  EXPECT_EQ(mirror_int->fraction, FractionalPercent::hundred(20));
  mirrored = 0;
  mirrored_v2 = 0;
  for (std::uint64_t id = 0; id < 100; ++id) {
    if (shouldMirror(*mirror_int, id)) {
      ++mirrored;
      mirrored_v2 += pickCluster(route, id)->name == "reviews|v2" ? 1 : 0;
    }
  }
  EXPECT_EQ(mirrored, 20);
  EXPECT_EQ(mirrored_v2, 0);  // ids 0..19 all fall in v1's interval [0, 80)
}

TEST(RouteConfigurationTest, MirrorPercentDefaults) {
  auto absent = istioMirrorPolicy("m", std::nullopt, std::nullopt);
  ASSERT_TRUE(absent.has_value());
  EXPECT_EQ(absent->fraction, FractionalPercent::hundred(100));
  EXPECT_TRUE(shouldMirror(*absent, 99));
  EXPECT_FALSE(istioMirrorPolicy("m", 0.0, std::nullopt).has_value());
  EXPECT_FALSE(istioMirrorPolicy("m", std::nullopt, 0u).has_value());
  // mirrorPercentage wins over the deprecated mirrorPercent.
  EXPECT_EQ(istioMirrorPolicy("m", 0.5, 30u)->fraction, FractionalPercent::million(5000));
}

TEST(RouteConfigurationTest, TimeoutProfiles) {
  EXPECT_EQ(routeTimeout(std::nullopt, RouteProfile::kEnvoy), 15s);
  EXPECT_EQ(routeTimeout(std::nullopt, RouteProfile::kIstio), 0s);
  EXPECT_EQ(routeTimeout(2s, RouteProfile::kIstio), 2s);
  EXPECT_EQ(RouteEntry{}.timeout, 15s);
}

TEST(RouteConfigurationTest, VirtualHostDomainPrecedence) {
  RouteConfiguration config(
      {VirtualHost{"any", {"*"}, {}}, VirtualHost{"suffix", {"*.example.com"}, {}},
       VirtualHost{"longer-suffix", {"*.api.example.com"}, {}},
       VirtualHost{"prefix", {"reviews.*"}, {}}, VirtualHost{"exact", {"Reviews.default"}, {}}});
  EXPECT_EQ(config.virtualHost("reviews.default")->name, "exact");
  EXPECT_EQ(config.virtualHost("x.api.example.com")->name, "longer-suffix");
  EXPECT_EQ(config.virtualHost("x.example.com")->name, "suffix");
  EXPECT_EQ(config.virtualHost("reviews.other")->name, "prefix");
  EXPECT_EQ(config.virtualHost("ratings")->name, "any");
  EXPECT_EQ(config.virtualHost("example.com")->name, "any");  // wildcard needs >= 1 char
}

TEST(RouteConfigurationTest, ResolveClustersFillsIndices) {
  RouteEntry route = routeTo("r", prefix("/"), "b");
  route.mirrors.push_back({"a", FractionalPercent::hundred(100), kUnresolvedCluster});
  RouteConfiguration config({VirtualHost{"v", {"*"}, {route}}});
  config.resolveClusters(
      [](std::string_view name) -> std::uint32_t { return name == "a" ? 0 : 1; });
  const auto* resolved = config.route(get("/"));
  EXPECT_EQ(resolved->clusters[0].index, 1u);
  EXPECT_EQ(resolved->mirrors[0].index, 0u);
}

}  // namespace
}  // namespace meshsim::core
