#include "istio/mesh_policy.h"

#include <gtest/gtest.h>

#include <string>

#include "core/authz/authorization_engine.h"
#include "core/authz/spiffe_id.h"
#include "core/retry/istio_retry.h"

namespace meshsim::istio {
namespace {

using namespace std::chrono_literals;
using core::CircuitBreakerThresholds;
using core::FractionalPercent;
using Policy = core::LoadBalancerConfig::Policy;

// Bookinfo: every service in namespace default with a sidecar; reviews has three versions.
MeshCatalog bookinfo() {
  MeshCatalog catalog;
  catalog.addService("productpage", "default", {"v1"}).service_account = "bookinfo-productpage";
  catalog.addService("details", "default", {"v1"});
  catalog.addService("reviews", "default", {"v1", "v2", "v3"});
  catalog.addService("ratings", "default", {"v1"});
  catalog.addService("legacy", "other", {"v1"}, /*sidecar=*/false);
  return catalog;
}

MeshPolicy import(const std::string& yaml, config::Warnings& warnings,
                  const MeshCatalog& catalog = bookinfo()) {
  return importPolicies(config::loadDocumentsFromString(yaml, "policies.yaml"), catalog, warnings);
}

MeshPolicy import(const std::string& yaml) {
  config::Warnings warnings;
  return import(yaml, warnings);
}

config::ConfigError importError(const std::string& yaml) {
  try {
    import(yaml);
  } catch (const config::ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ConfigError";
  return config::ConfigError({}, "", "none");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

constexpr char kReviewsDestinationRule[] = R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  trafficPolicy:
    outlierDetection:
      consecutive5xxErrors: 1
      interval: 1s
      baseEjectionTime: 3m
      maxEjectionPercent: 100
    connectionPool:
      tcp:
        maxConnections: 1
      http:
        http1MaxPendingRequests: 1
        maxRequestsPerConnection: 1
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
  - name: v3
    labels:
      version: v3
)";

// The catch-all comes first on purpose: Istio moves it behind the header match.
constexpr char kReviewsVirtualService[] = R"(apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: reviews
  namespace: default
spec:
  hosts:
  - reviews
  http:
  - name: canary
    route:
    - destination:
        host: reviews
        subset: v1
      weight: 80
    - destination:
        host: reviews
        subset: v3
      weight: 20
  - name: jason
    match:
    - headers:
        end-user:
          exact: jason
    route:
    - destination:
        host: reviews
        subset: v2
)";

std::string bookinfoReviews() {
  return std::string(kReviewsDestinationRule) + "---\n" + kReviewsVirtualService;
}

core::Request requestFor(const std::string& authority, const std::string& user = "") {
  core::Request request;
  request.authority = authority;
  request.path = "/reviews/0";
  if (!user.empty()) {
    request.headers.add("end-user", user);
  }
  return request;
}

// ------------------------------------------------------------------------------------------------
// Routes

TEST(IstioImportRoutesTest, WeightedSplitAndHeaderMatchWithCatchAllLast) {
  const MeshPolicy policy = import(bookinfoReviews());
  const core::VirtualHost* host = policy.virtualHost("reviews");
  ASSERT_NE(host, nullptr);
  EXPECT_EQ(host->name, "reviews.default.svc.cluster.local");
  EXPECT_EQ(host->domains,
            (std::vector<std::string>{"reviews", "reviews.default", "reviews.default.svc",
                                      "reviews.default.svc.cluster.local"}));
  ASSERT_EQ(host->routes.size(), 2u);
  EXPECT_EQ(host->routes[0].name, "jason");
  EXPECT_FALSE(host->routes[0].match.isCatchAll());
  ASSERT_EQ(host->routes[0].clusters.size(), 1u);
  EXPECT_EQ(host->routes[0].clusters[0].name, "reviews|v2");

  const core::RouteEntry& canary = host->routes[1];
  EXPECT_EQ(canary.name, "canary");
  EXPECT_TRUE(canary.match.isCatchAll());
  ASSERT_EQ(canary.clusters.size(), 2u);
  EXPECT_EQ(canary.clusters[0].name, "reviews|v1");
  EXPECT_EQ(canary.clusters[0].weight, 80u);
  EXPECT_EQ(canary.clusters[1].name, "reviews|v3");
  EXPECT_EQ(canary.clusters[1].weight, 20u);
  EXPECT_EQ(canary.totalWeight(), 100u);
  // Istio: no VirtualService timeout => route timeout disabled (proxy-semantics §2).
  EXPECT_EQ(canary.timeout, core::Duration(0));
  EXPECT_TRUE(policy.outbound_routes.validate().empty());
}

TEST(IstioImportRoutesTest, HeaderMatchSendsJasonToV2) {
  const MeshPolicy policy = import(bookinfoReviews());
  const core::RouteEntry* jason = policy.outbound_routes.route(requestFor("reviews", "jason"));
  ASSERT_NE(jason, nullptr);
  EXPECT_EQ(jason->clusters.at(0).name, "reviews|v2");
  const core::RouteEntry* other = policy.outbound_routes.route(requestFor("reviews", "alice"));
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->name, "canary");
  // Stream ids 0..79 land on v1, 80..99 on v3 (§6.2).
  EXPECT_EQ(core::pickCluster(*other, 79)->name, "reviews|v1");
  EXPECT_EQ(core::pickCluster(*other, 80)->name, "reviews|v3");
  const core::RouteEntry* fqdn =
      policy.outbound_routes.route(requestFor("reviews.default.svc.cluster.local", "jason"));
  ASSERT_NE(fqdn, nullptr);
  EXPECT_EQ(fqdn->name, "jason");
}

TEST(IstioImportRoutesTest, ServiceWithoutVirtualServiceGetsIstioDefaultRoute) {
  const MeshPolicy policy = import(bookinfoReviews());
  const core::VirtualHost* host = policy.virtualHost("details");
  ASSERT_NE(host, nullptr);
  ASSERT_EQ(host->routes.size(), 1u);
  const core::RouteEntry& route = host->routes[0];
  EXPECT_EQ(route.name, "default");
  EXPECT_TRUE(route.match.isCatchAll());
  ASSERT_EQ(route.clusters.size(), 1u);
  EXPECT_EQ(route.clusters[0].name, "details");
  EXPECT_EQ(route.timeout, core::Duration(0));
  ASSERT_TRUE(route.retry_policy.has_value());
  const core::RetryPolicy expected = core::istioDefaultRetryPolicy();
  EXPECT_EQ(route.retry_policy->num_retries, 2u);
  EXPECT_EQ(route.retry_policy->retry_on, expected.retry_on);
  EXPECT_TRUE(route.retry_policy->previous_hosts_predicate);
  EXPECT_EQ(route.retry_policy->host_selection_retry_max_attempts, 5u);
  // Every catalog service has a virtual host, in catalog order.
  EXPECT_EQ(policy.outbound_routes.virtualHosts().size(), 5u);
}

TEST(IstioImportRoutesTest, FaultDelaySevenSecondsForEveryRequest) {
  const MeshPolicy policy = import(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - match:
    - headers:
        end-user: {exact: jason}
    fault:
      delay:
        percentage: {value: 100.0}
        fixedDelay: 7s
    route:
    - destination: {host: ratings}
  - fault:
      abort:
        httpStatus: 500
        percentage: {value: 12.5}
    route:
    - destination: {host: ratings}
)");
  const core::VirtualHost* host = policy.virtualHost("ratings");
  ASSERT_NE(host, nullptr);
  ASSERT_EQ(host->routes.size(), 2u);
  ASSERT_TRUE(host->routes[0].fault.has_value());
  ASSERT_TRUE(host->routes[0].fault->delay.has_value());
  EXPECT_EQ(host->routes[0].fault->delay->fixed_delay, core::Duration(7s));
  EXPECT_EQ(host->routes[0].fault->delay->percentage, FractionalPercent::million(1'000'000));
  EXPECT_FALSE(host->routes[0].fault->abort.has_value());
  ASSERT_TRUE(host->routes[1].fault.has_value());
  ASSERT_TRUE(host->routes[1].fault->abort.has_value());
  EXPECT_EQ(host->routes[1].fault->abort->http_status, 500u);
  EXPECT_EQ(host->routes[1].fault->abort->percentage, FractionalPercent::million(125'000));
}

TEST(IstioImportRoutesTest, RetriesKeepIstioDefaultRetryOn) {
  const MeshPolicy policy = import(R"(apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - route:
    - destination: {host: ratings}
    timeout: 10s
    retries:
      attempts: 3
      perTryTimeout: 2s
)");
  const core::RouteEntry& route = policy.virtualHost("ratings")->routes.at(0);
  EXPECT_EQ(route.timeout, core::Duration(10s));
  ASSERT_TRUE(route.retry_policy.has_value());
  EXPECT_EQ(route.retry_policy->num_retries, 3u);
  EXPECT_EQ(route.retry_policy->per_try_timeout, core::Duration(2s));
  EXPECT_EQ(route.retry_policy->retry_on,
            core::kRetryOnConnectFailure | core::kRetryOnRefusedStream |
                core::kRetryOnGrpcUnavailable | core::kRetryOnGrpcCancelled |
                core::kRetryOnRetriableStatusCodes);
  EXPECT_TRUE(route.retry_policy->retriable_status_codes.empty());
  EXPECT_TRUE(route.retry_policy->previous_hosts_predicate);
}

TEST(IstioImportRoutesTest, RetryOnListAndZeroAttempts) {
  config::Warnings warnings;
  const MeshPolicy policy = import(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - match: [{uri: {prefix: /slow}}]
    route: [{destination: {host: ratings}}]
    retries: {attempts: 0}
  - route: [{destination: {host: ratings}}]
    retries:
      attempts: 2
      retryOn: 5xx,503,gateway-error,bogus
      retryIgnorePreviousHosts: false
      backoff: 100ms
)",
                                   warnings);
  const auto& routes = policy.virtualHost("ratings")->routes;
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_FALSE(routes[0].retry_policy.has_value());
  const core::RetryPolicy& retry = *routes[1].retry_policy;
  EXPECT_EQ(retry.retry_on,
            core::kRetryOn5xx | core::kRetryOnGatewayError | core::kRetryOnRetriableStatusCodes);
  EXPECT_EQ(retry.retriable_status_codes, (std::vector<std::uint32_t>{503}));
  EXPECT_FALSE(retry.previous_hosts_predicate);
  EXPECT_EQ(retry.backoff_base_interval, core::Duration(100ms));
  int zero_attempts = 0;
  int bogus = 0;
  for (const config::Warning& w : warnings) {
    zero_attempts += contains(w.message, "disable retries") ? 1 : 0;
    bogus += contains(w.message, "'bogus'") ? 1 : 0;
  }
  EXPECT_EQ(zero_attempts, 1);
  EXPECT_EQ(bogus, 1);
}

TEST(IstioImportRoutesTest, MatchKindsAndMirror) {
  const MeshPolicy policy = import(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews.default.svc.cluster.local]
  http:
  - name: api
    match:
    - name: exact
      uri: {exact: /reviews/0}
      method: {exact: POST}
    - name: regex
      uri: {regex: "/v[0-9]+/.*"}
      withoutHeaders:
        x-canary: {}
    route: [{destination: {host: reviews}}]
    mirror: {host: ratings}
    mirrorPercentage: {value: 50}
  - route: [{destination: {host: reviews}}]
    mirrors:
    - destination: {host: details}
)");
  const auto& routes = policy.virtualHost("reviews")->routes;
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].name, "api.exact");
  EXPECT_EQ(routes[0].match.path.kind(), core::StringMatcher::Kind::kExact);
  ASSERT_EQ(routes[0].match.headers.size(), 1u);
  EXPECT_EQ(routes[0].match.headers[0].name, ":method");
  EXPECT_EQ(routes[1].name, "api.regex");
  EXPECT_EQ(routes[1].match.path.kind(), core::StringMatcher::Kind::kRegex);
  ASSERT_EQ(routes[1].match.headers.size(), 1u);
  EXPECT_TRUE(routes[1].match.headers[0].invert);
  EXPECT_EQ(routes[1].match.headers[0].matcher.kind(), core::StringMatcher::Kind::kPresent);
  ASSERT_EQ(routes[0].mirrors.size(), 1u);
  EXPECT_EQ(routes[0].mirrors[0].cluster, "ratings");
  EXPECT_EQ(routes[0].mirrors[0].fraction, FractionalPercent::million(500'000));
  ASSERT_EQ(routes[2].mirrors.size(), 1u);
  EXPECT_EQ(routes[2].mirrors[0].cluster, "details");
  EXPECT_EQ(routes[2].mirrors[0].fraction, FractionalPercent::hundred(100));

  core::Request post = requestFor("reviews");
  post.method = "POST";
  post.path = "/reviews/0";
  EXPECT_EQ(policy.outbound_routes.route(post)->name, "api.exact");
  core::Request canary = requestFor("reviews");
  canary.path = "/v2/x";
  canary.headers.add("x-canary", "1");
  EXPECT_EQ(policy.outbound_routes.route(canary)->name, "");
}

// ------------------------------------------------------------------------------------------------
// Clusters

TEST(IstioImportClustersTest, OutlierDetectionAndPanicThreshold) {
  const MeshPolicy policy = import(bookinfoReviews());
  for (const char* name : {"reviews", "reviews|v1", "reviews|v2", "reviews|v3"}) {
    SCOPED_TRACE(name);
    const ClusterDefinition* cluster = policy.cluster(name);
    ASSERT_NE(cluster, nullptr);
    EXPECT_EQ(cluster->destination_rule, "default/reviews");
    ASSERT_TRUE(cluster->policy.outlier_detection.has_value());
    const core::OutlierDetectionConfig& od = *cluster->policy.outlier_detection;
    EXPECT_EQ(od.consecutive_5xx, 1u);
    EXPECT_EQ(od.enforcing_consecutive_5xx, 100u);
    EXPECT_EQ(od.interval, core::Duration(1s));
    EXPECT_EQ(od.base_ejection_time, core::Duration(180s));
    EXPECT_EQ(od.max_ejection_percent, 100u);
    EXPECT_EQ(od.enforcing_success_rate, 0u);
    // minHealthPercent unset => 0 => panic disabled (§4.6, §10 item 14).
    EXPECT_EQ(cluster->policy.load_balancer.healthy_panic_threshold, 0u);
    EXPECT_EQ(cluster->policy.load_balancer.policy, Policy::LeastRequest);
  }
  const ClusterDefinition* v2 = policy.cluster("reviews|v2");
  EXPECT_EQ(v2->service, "reviews");
  EXPECT_EQ(v2->subset, "v2");
  EXPECT_EQ(v2->endpoint_selector, (core::Labels{{"version", "v2"}}));
  EXPECT_EQ(v2->versions, (std::vector<std::string>{"v2"}));
  EXPECT_EQ(policy.cluster("reviews")->versions, (std::vector<std::string>{"v1", "v2", "v3"}));

  // No DestinationRule: Istio's defaults, panic threshold 50 %, no outlier detection.
  const ClusterDefinition* details = policy.cluster("details");
  ASSERT_NE(details, nullptr);
  EXPECT_TRUE(details->destination_rule.empty());
  EXPECT_FALSE(details->policy.outlier_detection.has_value());
  EXPECT_EQ(details->policy.load_balancer.healthy_panic_threshold, 50u);
  EXPECT_EQ(details->policy.circuit_breakers.max_connections,
            CircuitBreakerThresholds::kIstioUnlimited);
  EXPECT_EQ(details->policy.connection_pool.connect_timeout, core::Duration(10s));
  EXPECT_EQ(policy.cluster("details|v1"), nullptr);
}

// MeshConfig enables localityLbSetting by default, so an outlierDetection block (even an empty
// one) also turns on locality failover priorities; without it Istio leaves one priority (§4.6,
// §5.7, §10 item 14).
TEST(IstioImportClustersTest, OutlierDetectionTurnsOnLocalityFailover) {
  const MeshPolicy policy = import(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 100}
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      outlierDetection: {}
)");
  EXPECT_FALSE(policy.cluster("reviews")->policy.locality_failover);
  EXPECT_FALSE(policy.cluster("reviews|v1")->policy.locality_failover);
  const core::ClusterPolicy& v2 = policy.cluster("reviews|v2")->policy;
  ASSERT_TRUE(v2.outlier_detection.has_value());
  EXPECT_TRUE(v2.locality_failover);
  EXPECT_EQ(v2.load_balancer.healthy_panic_threshold, 0u);
  // No DestinationRule at all: no outlier detection, no failover.
  EXPECT_FALSE(policy.cluster("details")->policy.locality_failover);

  const MeshPolicy with_block = import(bookinfoReviews());
  for (const char* name : {"reviews", "reviews|v1", "reviews|v2", "reviews|v3"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(with_block.cluster(name)->policy.locality_failover);
  }
}

TEST(IstioImportClustersTest, ConnectionPoolThresholds) {
  const MeshPolicy policy = import(bookinfoReviews());
  const core::ClusterPolicy& p = policy.cluster("reviews|v1")->policy;
  EXPECT_EQ(p.circuit_breakers.max_connections, 1u);
  EXPECT_EQ(p.circuit_breakers.max_pending_requests, 1u);
  EXPECT_EQ(p.circuit_breakers.max_requests, CircuitBreakerThresholds::kIstioUnlimited);
  EXPECT_EQ(p.circuit_breakers.max_retries, CircuitBreakerThresholds::kIstioUnlimited);
  EXPECT_TRUE(p.circuit_breakers.track_remaining);
  EXPECT_EQ(p.connection_pool.max_requests_per_connection, 1u);
  EXPECT_EQ(p.connection_pool.connect_timeout, core::Duration(10s));
}

TEST(IstioImportClustersTest, SubsetPolicyReplacesWholeBlocks) {
  const MeshPolicy policy = import(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 100}
      http: {http1MaxPendingRequests: 10}
    outlierDetection: {consecutive5xxErrors: 3}
    loadBalancer: {simple: ROUND_ROBIN}
  subsets:
  - name: v1
    labels: {version: v1}
  - name: v2
    labels: {version: v2}
    trafficPolicy:
      connectionPool:
        http: {http2MaxRequests: 5}
      loadBalancer:
        consistentHash:
          maglev: {tableSize: 65537}
)");
  const core::ClusterPolicy& v1 = policy.cluster("reviews|v1")->policy;
  EXPECT_EQ(v1.circuit_breakers.max_connections, 100u);
  EXPECT_EQ(v1.circuit_breakers.max_pending_requests, 10u);
  EXPECT_EQ(v1.load_balancer.policy, Policy::RoundRobin);

  const core::ClusterPolicy& v2 = policy.cluster("reviews|v2")->policy;
  // The subset's connectionPool replaces the top-level one as a whole: tcp.maxConnections and
  // http1MaxPendingRequests fall back to Istio's defaults, not to 100 / 10 (§3.5).
  EXPECT_EQ(v2.circuit_breakers.max_connections, CircuitBreakerThresholds::kIstioUnlimited);
  EXPECT_EQ(v2.circuit_breakers.max_pending_requests, CircuitBreakerThresholds::kIstioUnlimited);
  EXPECT_EQ(v2.circuit_breakers.max_requests, 5u);
  EXPECT_EQ(v2.load_balancer.policy, Policy::Maglev);
  EXPECT_EQ(v2.load_balancer.maglev_table_size, 65537u);
  // Blocks the subset leaves out are inherited.
  ASSERT_TRUE(v2.outlier_detection.has_value());
  EXPECT_EQ(v2.outlier_detection->consecutive_5xx, 3u);
}

TEST(IstioImportClustersTest, ConsistentHashWarnsAndDropsPreviousHosts) {
  config::Warnings warnings;
  const MeshPolicy policy = import(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings}
spec:
  host: ratings.default.svc.cluster.local
  trafficPolicy:
    loadBalancer:
      consistentHash:
        httpHeaderName: x-user
    tls: {mode: ISTIO_MUTUAL}
)",
                                   warnings);
  const core::ClusterPolicy& p = policy.cluster("ratings")->policy;
  EXPECT_EQ(p.load_balancer.policy, Policy::RingHash);
  EXPECT_EQ(p.tls_mode, core::ClientTlsMode::kIstioMutual);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].key, "spec.trafficPolicy.loadBalancer.consistentHash.httpHeaderName");
  // The default route's retries lose previous_hosts under consistent hashing (§1.9).
  const core::RouteEntry& route = policy.virtualHost("ratings")->routes.at(0);
  ASSERT_TRUE(route.retry_policy.has_value());
  EXPECT_FALSE(route.retry_policy->previous_hosts_predicate);
}

// ------------------------------------------------------------------------------------------------
// Diagnostics

TEST(IstioImportErrorsTest, UnknownFieldSuggestsTheRightOneAtItsPosition) {
  const config::ConfigError e = importError(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - route: [{destination: {host: ratings}}]
    retires: {attempts: 3}
)");
  EXPECT_EQ(e.location().file, "policies.yaml");
  EXPECT_EQ(e.location().line, 8);
  EXPECT_EQ(e.location().column, 5);
  EXPECT_EQ(e.key(), "spec.http[0].retires");
  EXPECT_TRUE(contains(e.what(), "did you mean 'retries'?")) << e.what();
  EXPECT_TRUE(contains(e.what(), "policies.yaml:8:5")) << e.what();
}

TEST(IstioImportErrorsTest, UnknownFieldInDestinationRule) {
  const config::ConfigError e = importError(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  trafficPolicy:
    outlierDetection:
      consecutive5xxError: 1
)");
  EXPECT_EQ(e.location().line, 8);
  EXPECT_EQ(e.location().column, 7);
  EXPECT_EQ(e.key(), "spec.trafficPolicy.outlierDetection.consecutive5xxError");
  EXPECT_TRUE(contains(e.what(), "did you mean 'consecutive5xxErrors'?")) << e.what();
}

TEST(IstioImportErrorsTest, UnmodelledFieldsAreWarnings) {
  config::Warnings warnings;
  import(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  exportTo: ["."]
  http:
  - route: [{destination: {host: ratings}}]
    corsPolicy: {allowOrigins: [{exact: "*"}]}
    match:
    - uri: {prefix: /}
      sourceLabels: {app: productpage}
)",
         warnings);
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_EQ(warnings[0].key, "spec.exportTo");
  EXPECT_EQ(warnings[0].location.line, 6);
  EXPECT_EQ(warnings[0].location.column, 3);
  EXPECT_EQ(warnings[1].key, "spec.http[0].corsPolicy");
  EXPECT_EQ(warnings[2].key, "spec.http[0].match[0].sourceLabels");
  EXPECT_TRUE(contains(warnings[0].format(), "policies.yaml:6:3: warning")) << warnings[0].format();
}

TEST(IstioImportErrorsTest, UnknownSubsetIsAnErrorWithSuggestion) {
  const config::ConfigError e = importError(std::string(kReviewsDestinationRule) + R"(---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v4}
)");
  EXPECT_EQ(e.key(), "spec.http[0].route[0].destination.subset");
  EXPECT_EQ(e.location().line, 37);
  EXPECT_EQ(e.location().column, 44);
  EXPECT_TRUE(contains(e.what(), "subset 'v4' is not defined by DestinationRule default/reviews"))
      << e.what();
  EXPECT_TRUE(contains(e.what(), "did you mean")) << e.what();
}

TEST(IstioImportErrorsTest, SubsetWithoutDestinationRule) {
  const config::ConfigError e = importError(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - route: [{destination: {host: ratings, subset: v1}}]
)");
  EXPECT_EQ(e.key(), "spec.http[0].route[0].destination.subset");
  EXPECT_TRUE(contains(e.what(), "no DestinationRule applies")) << e.what();
}

TEST(IstioImportErrorsTest, UnknownHostsSuggestTheService) {
  const config::ConfigError misspelt = importError(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reveiws
)");
  EXPECT_EQ(misspelt.key(), "spec.host");
  EXPECT_TRUE(contains(misspelt.what(), "did you mean 'reviews'?")) << misspelt.what();

  // Istio only expands names without dots, so "reviews.default" names nothing.
  const config::ConfigError partial = importError(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews.default]
  http:
  - route: [{destination: {host: reviews}}]
)");
  EXPECT_EQ(partial.key(), "spec.hosts[0]");
  EXPECT_TRUE(contains(partial.what(), "did you mean 'reviews.default.svc.cluster.local'?"))
      << partial.what();

  // Short names resolve in the manifest's namespace: `reviews` in namespace other is not ours.
  const config::ConfigError elsewhere = importError(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: other}
spec:
  hosts: [reviews]
  http:
  - route: [{destination: {host: reviews.default.svc.cluster.local}}]
)");
  EXPECT_TRUE(contains(elsewhere.what(), "reviews.other.svc.cluster.local")) << elsewhere.what();
}

TEST(IstioImportErrorsTest, WeightsMustSumToHundred) {
  const config::ConfigError e = importError(std::string(kReviewsDestinationRule) + R"(---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 80
    - destination: {host: reviews, subset: v2}
      weight: 30
)");
  EXPECT_EQ(e.key(), "spec.http[0].route");
  EXPECT_TRUE(contains(e.what(), "total destination weight 110 != 100")) << e.what();
}

TEST(IstioImportErrorsTest, UnknownKindAndApiVersion) {
  const config::ConfigError kind = importError(R"(apiVersion: networking.istio.io/v1
kind: VirtualServce
metadata: {name: x}
spec: {}
)");
  EXPECT_EQ(kind.key(), "kind");
  EXPECT_EQ(kind.location().line, 2);
  EXPECT_EQ(kind.location().column, 7);
  EXPECT_TRUE(contains(kind.what(), "did you mean 'VirtualService'?")) << kind.what();

  const config::ConfigError service = importError(R"(apiVersion: v1
kind: Service
metadata: {name: reviews}
)");
  EXPECT_EQ(service.key(), "kind");

  const config::ConfigError version = importError(R"(apiVersion: security.istio.io/v1
kind: DestinationRule
metadata: {name: x}
spec: {host: reviews}
)");
  EXPECT_EQ(version.key(), "apiVersion");
  EXPECT_TRUE(contains(version.what(), "networking.istio.io/v1alpha3")) << version.what();
}

TEST(IstioImportErrorsTest, GatewayOnlyResourcesAreSkippedWithWarnings) {
  config::Warnings warnings;
  const MeshPolicy policy = import(R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: bookinfo-gateway}
spec:
  selector: {istio: ingressgateway}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: bookinfo}
spec:
  hosts: ["*"]
  gateways: [bookinfo-gateway]
  http:
  - route: [{destination: {host: productpage}}]
)",
                                   warnings);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0].key, "kind");
  EXPECT_EQ(warnings[1].key, "spec.gateways");
  // The "*" host must not have captured every service's routes.
  EXPECT_EQ(policy.virtualHost("reviews")->routes.at(0).name, "default");
}

TEST(IstioImportErrorsTest, BadValuesAreErrors) {
  const config::ConfigError duration = importError(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - route: [{destination: {host: ratings}}]
    timeout: 10
)");
  EXPECT_EQ(duration.key(), "spec.http[0].timeout");

  const config::ConfigError mode = importError(R"(apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default}
spec:
  mtls: {mode: STRICTT}
)");
  EXPECT_EQ(mode.key(), "spec.mtls.mode");
  EXPECT_TRUE(contains(mode.what(), "did you mean 'STRICT'?")) << mode.what();
}

// ------------------------------------------------------------------------------------------------
// Documents and security

TEST(IstioImportDocumentsTest, MultiDocumentInputWithEmptyDocuments) {
  const std::string yaml = "---\n" + std::string(kReviewsDestinationRule) + "---\n---\n" +
                           kReviewsVirtualService + "---\n";
  config::Warnings warnings;
  const MeshPolicy policy = import(yaml, warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(policy.clusters.size(), 5u + 3u);  // one per service + reviews' three subsets
  EXPECT_EQ(policy.virtualHost("reviews")->routes.size(), 2u);
}

TEST(IstioImportSecurityTest, NamespaceWideStrictPeerAuthentication) {
  const MeshPolicy policy = import(R"(apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: default
spec:
  mtls:
    mode: STRICT
---
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: ratings, namespace: default}
spec:
  selector:
    matchLabels: {app: ratings}
  mtls: {mode: UNSET}
  portLevelMtls:
    9080: {mode: PERMISSIVE}
)");
  ASSERT_EQ(policy.peer_authentications.size(), 2u);
  EXPECT_FALSE(policy.peer_authentications[0].selector.has_value());
  EXPECT_EQ(policy.peer_authentications[0].mode, core::MtlsMode::kStrict);
  for (const char* service : {"productpage", "details", "reviews"}) {
    const WorkloadPolicy* w = policy.workload(service, "v1");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->mtls.mode, core::MtlsMode::kStrict);
  }
  const WorkloadPolicy* ratings = policy.workload("ratings", "v1");
  EXPECT_EQ(ratings->mtls.mode, core::MtlsMode::kStrict);  // UNSET inherits the namespace
  EXPECT_EQ(ratings->mtls.modeFor(9080), core::MtlsMode::kPermissive);
  EXPECT_EQ(ratings->mtls.modeFor(9090), core::MtlsMode::kStrict);
  // No sidecar, no inbound policy.
  EXPECT_EQ(policy.workload("legacy", "v1"), nullptr);
  EXPECT_EQ(policy.workloads.size(), 6u);
}

TEST(IstioImportSecurityTest, AllowFromProductpagePrincipal) {
  const MeshPolicy policy = import(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: reviews-viewer
  namespace: default
spec:
  selector:
    matchLabels:
      app: reviews
  action: ALLOW
  rules:
  - from:
    - source:
        principals: ["cluster.local/ns/default/sa/bookinfo-productpage"]
    to:
    - operation:
        methods: ["GET"]
        ports: ["9080"]
)");
  ASSERT_EQ(policy.authorization_policies.size(), 1u);
  const core::AuthorizationPolicy& ap = policy.authorization_policies[0];
  EXPECT_EQ(ap.name, "reviews-viewer");
  EXPECT_EQ(ap.action, core::AuthzAction::kAllow);
  ASSERT_EQ(ap.rules.size(), 1u);
  ASSERT_EQ(ap.rules[0].from.size(), 1u);
  EXPECT_EQ(ap.rules[0].from[0].principals.at(0).text(),
            "cluster.local/ns/default/sa/bookinfo-productpage");
  EXPECT_EQ(ap.rules[0].to.at(0).ports, (std::vector<std::uint32_t>{9080}));

  EXPECT_TRUE(policy.workload("ratings", "v1")->authorization.empty());
  const WorkloadPolicy* reviews = policy.workload("reviews", "v2");
  ASSERT_EQ(reviews->authorization.size(), 1u);

  core::AuthorizationEngine engine(reviews->authorization);
  core::Request get = requestFor("reviews");
  const std::string productpage = core::spiffeId("default", "bookinfo-productpage");
  const std::string details = core::spiffeId("default", "details");
  EXPECT_TRUE(engine.evaluate({&get, productpage, 9080}).allowed);
  EXPECT_FALSE(engine.evaluate({&get, details, 9080}).allowed);
  EXPECT_FALSE(engine.evaluate({&get, "", 9080}).allowed);  // plaintext: no principal
}

TEST(IstioImportSecurityTest, UnmodelledSourceFieldsFailClosed) {
  config::Warnings warnings;
  const MeshPolicy policy = import(R"(apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: jwt, namespace: default}
spec:
  rules:
  - from:
    - source:
        requestPrincipals: ["*"]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: default}
spec: {}
)",
                                   warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].key, "spec.rules[0].from[0].source.requestPrincipals");
  const core::AuthorizationPolicy& jwt = policy.authorization_policies.at(0);
  ASSERT_EQ(jwt.rules.at(0).when.size(), 1u);
  EXPECT_EQ(jwt.rules[0].when[0].key, "request.auth.principal");
  EXPECT_TRUE(policy.authorization_policies.at(1).rules.empty());  // allow-nothing
  core::AuthorizationEngine engine(policy.workload("details", "v1")->authorization);
  core::Request get = requestFor("details");
  EXPECT_FALSE(engine.evaluate({&get, core::spiffeId("default", "productpage"), 9080}).allowed);
}

}  // namespace
}  // namespace meshsim::istio

namespace meshsim::istio {
namespace {

TEST(IstioImportClustersTest, ExactHostRuleBeatsWildcardRule) {
  config::Warnings warnings;
  const MeshPolicy policy = import(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: all, namespace: istio-system}
spec:
  host: "*.default.svc.cluster.local"
  trafficPolicy:
    loadBalancer: {simple: RANDOM}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings}
spec:
  host: ratings
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN}
  subsets:
  - name: v9
    labels: {version: v9}
)",
                                   warnings);
  EXPECT_EQ(policy.cluster("details")->policy.load_balancer.policy, Policy::Random);
  EXPECT_EQ(policy.cluster("details")->destination_rule, "istio-system/all");
  EXPECT_EQ(policy.cluster("reviews")->policy.load_balancer.policy, Policy::Random);
  EXPECT_EQ(policy.cluster("ratings")->policy.load_balancer.policy, Policy::RoundRobin);
  // Services of other namespaces are not matched by the wildcard.
  EXPECT_EQ(policy.cluster("legacy")->policy.load_balancer.policy, Policy::LeastRequest);
  // A subset selecting no workload is legal but yields an empty cluster: warned.
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].key, "spec.subsets[0].name");
  EXPECT_TRUE(policy.cluster("ratings|v9")->versions.empty());
}

TEST(IstioImportRoutesTest, OldestVirtualServiceWinsAHost) {
  config::Warnings warnings;
  const MeshPolicy policy = import(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: first}
spec:
  hosts: [details]
  http:
  - name: first
    route: [{destination: {host: details}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: second}
spec:
  hosts: [details]
  http:
  - name: second
    route: [{destination: {host: details}}]
)",
                                   warnings);
  EXPECT_EQ(policy.virtualHost("details")->routes.at(0).name, "first");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].location.line, 10);
  EXPECT_TRUE(contains(warnings[0].message, "VirtualService second is ignored"))
      << warnings[0].message;
}

TEST(IstioImportClustersTest, IstioMutualTowardAServiceWithoutSidecarIsWarned) {
  config::Warnings warnings;
  const MeshPolicy policy = import(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: legacy, namespace: other}
spec:
  host: legacy
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
)",
                                   warnings);
  EXPECT_EQ(policy.cluster("legacy")->policy.tls_mode, core::ClientTlsMode::kIstioMutual);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].key, "spec.host");
}

}  // namespace
}  // namespace meshsim::istio
