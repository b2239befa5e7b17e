// Istio locality failover (proxy-semantics §5.7, §4.6 side effect, §10 item 14): endpoint
// priorities by distance from the client proxy, and the §5.1 load spill between them as outlier
// detection ejects hosts.
#include "core/lb/locality_failover.h"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/common/manual_event_loop.h"
#include "core/outlier/istio_outlier_detection.h"
#include "core/proxy/cluster.h"
#include "core/proxy/proxy.h"
#include "tests/support/fake_upstream_transport.h"
#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using testing::FakeUpstreamTransport;
using testing::ScriptedRandom;
using Policy = LoadBalancerConfig::Policy;

Locality locality(std::string region, std::string zone, std::string subzone = {}) {
  return Locality{std::move(region), std::move(zone), std::move(subzone)};
}

// As the simulator builds them: region empty, the scenario's zone name in `zone`.
Locality zone(std::string name) {
  return locality("", std::move(name));
}

Endpoint endpointIn(std::string address, Locality where) {
  Endpoint e;
  e.address = std::move(address);
  e.locality = std::move(where);
  return e;
}

// A DestinationRule with outlierDetection {consecutive5xxErrors: 1, maxEjectionPercent: 100}, as
// the Istio importer translates it: ejection on the first 5xx, panic threshold minHealthPercent = 0
// and locality failover on (§4.6).
ClusterPolicy istioWithOutlierDetection(Policy lb = Policy::LeastRequest) {
  IstioOutlierDetection istio;
  istio.consecutive_5xx_errors = 1;
  istio.max_ejection_percent = 100;
  const IstioOutlierTranslation translation = translateIstioOutlierDetection(istio);
  ClusterPolicy policy = ClusterPolicy::defaultsFor(ProxyProfile::kIstio);
  policy.outlier_detection = translation.outlier;
  policy.load_balancer.healthy_panic_threshold =
      static_cast<std::uint32_t>(translation.healthy_panic_threshold_percent);
  policy.load_balancer.policy = lb;
  policy.locality_failover = true;
  return policy;
}

// ------------------------------------------------------------------------------------------------
// Priority assignment (Istio util.LbPriority + applyLocalityFailover)

TEST(LocalityFailoverPriorityTest, DistanceLevels) {
  const Locality client = locality("eu", "eu-a", "rack1");
  EXPECT_EQ(localityFailoverPriority(client, locality("eu", "eu-a", "rack1")), 0u);
  EXPECT_EQ(localityFailoverPriority(client, locality("eu", "eu-a", "rack2")), 1u);
  EXPECT_EQ(localityFailoverPriority(client, locality("eu", "eu-a")), 1u);
  EXPECT_EQ(localityFailoverPriority(client, locality("eu", "eu-b", "rack1")), 2u);
  // A different region is level 3 whatever zone and subzone say.
  EXPECT_EQ(localityFailoverPriority(client, locality("us", "eu-a", "rack1")), 3u);
  // The simulator's localities: empty regions match each other, so another zone is level 2.
  EXPECT_EQ(localityFailoverPriority(zone("a"), zone("a")), 0u);
  EXPECT_EQ(localityFailoverPriority(zone("a"), zone("b")), 2u);
  // A client without a locality: only locality-less endpoints are local.
  EXPECT_EQ(localityFailoverPriority(Locality{}, Locality{}), 0u);
  EXPECT_EQ(localityFailoverPriority(Locality{}, zone("a")), 2u);
}

TEST(LocalityFailoverPriorityTest, LevelsAreCompactedAndKeepHostOrder) {
  std::vector<std::unique_ptr<Host>> owned;
  const std::array<Locality, 5> where = {locality("us", "us-a"), locality("eu", "eu-b"),
                                         locality("us", "us-b"), locality("eu", "eu-b"),
                                         locality("ap", "ap-a")};
  HostVector hosts;
  for (std::uint32_t i = 0; i < where.size(); ++i) {
    owned.push_back(std::make_unique<Host>(i, "h" + std::to_string(i), 1, where[i]));
    hosts.push_back(owned.back().get());
  }
  // Client in eu/eu-a: nobody shares its zone (levels 0 and 1 empty), eu-b is level 2, the other
  // regions level 3; compacted to priorities 0 and 1.
  const HostsPerPriority priorities =
      buildLocalityFailoverPriorities(hosts, locality("eu", "eu-a"));
  ASSERT_EQ(priorities.size(), 2u);
  EXPECT_EQ(priorities[0], (HostVector{hosts[1], hosts[3]}));
  EXPECT_EQ(priorities[1], (HostVector{hosts[0], hosts[2], hosts[4]}));

  // Client in us/us-a: levels 0, 2, 3 occur and become 0, 1, 2.
  const HostsPerPriority from_us = buildLocalityFailoverPriorities(hosts, locality("us", "us-a"));
  ASSERT_EQ(from_us.size(), 3u);
  EXPECT_EQ(from_us[0], (HostVector{hosts[0]}));
  EXPECT_EQ(from_us[1], (HostVector{hosts[2]}));
  EXPECT_EQ(from_us[2], (HostVector{hosts[1], hosts[3], hosts[4]}));
}

TEST(LocalityFailoverPriorityTest, NoHostsLeavesAnEmptyPriorityZero) {
  const HostsPerPriority priorities = buildLocalityFailoverPriorities({}, zone("a"));
  ASSERT_EQ(priorities.size(), 1u);
  EXPECT_TRUE(priorities[0].empty());
}

// ------------------------------------------------------------------------------------------------
// A cluster with two hosts in zone a and two in zone b, seen from a client in zone a. Endpoints
// are listed interleaved (a, b, a, b) as service discovery may list them.

class LocalityFailoverClusterTest : public ::testing::Test {
 protected:
  void build(const ClusterPolicy& policy, Locality client = zone("a")) {
    const std::vector<Endpoint> endpoints = {
        endpointIn("10.0.0.1:9080", zone("a")), endpointIn("10.0.0.2:9080", zone("b")),
        endpointIn("10.0.0.3:9080", zone("a")), endpointIn("10.0.0.4:9080", zone("b"))};
    cluster_ = std::make_unique<Cluster>("backend", policy, endpoints, /*workers=*/1, loop_,
                                         random_, transport_, client);
  }

  Host& host(std::size_t i) { return *cluster_->hosts()[i]; }
  bool inZoneA(const Host* h) const { return h->locality().zone == "a"; }

  // Ejects through the cluster's own detector (consecutive5xxErrors: 1), so the cluster's
  // listener drains pools and refreshes the balancers as in production.
  void eject(std::size_t i) {
    cluster_->outlierDetector()->putHttpResponseCode(host(i), 500);
    ASSERT_TRUE(host(i).outlierEjected());
  }

  // RANDOM picks with one draw r each (§5.4): priority from r % 100 + 1, host hosts[r % n]. Draws
  // 0..99 visit every point of the priority split once.
  std::array<int, 4> pickHundredRandom() {
    std::array<int, 4> picks{};
    for (std::uint64_t r = 0; r < 100; ++r) {
      random_.push(r);
      Host* chosen = cluster_->chooseHost(0, nullptr);
      EXPECT_NE(chosen, nullptr);
      if (chosen != nullptr) {
        ++picks[chosen->index()];
      }
    }
    return picks;
  }

  ManualEventLoop loop_;
  ScriptedRandom random_;
  FakeUpstreamTransport transport_;
  std::unique_ptr<Cluster> cluster_;
};

TEST_F(LocalityFailoverClusterTest, OutlierDetectionSplitsHostsByZone) {
  build(istioWithOutlierDetection());
  const HostsPerPriority& priorities = cluster_->priorities();
  ASSERT_EQ(priorities.size(), 2u);
  EXPECT_EQ(priorities[0], (HostVector{&host(0), &host(2)}));
  EXPECT_EQ(priorities[1], (HostVector{&host(1), &host(3)}));
  // Istio's outlier block disables panic (minHealthPercent 0, §10 item 14).
  EXPECT_EQ(cluster_->policy().load_balancer.healthy_panic_threshold, 0u);
}

TEST_F(LocalityFailoverClusterTest, HealthyLocalZoneTakesAllTraffic) {
  build(istioWithOutlierDetection());  // Istio's default LEAST_REQUEST
  int zone_a = 0;
  for (int i = 0; i < 200; ++i) {
    Host* chosen = cluster_->chooseHost(0, nullptr);
    ASSERT_NE(chosen, nullptr);
    zone_a += inZoneA(chosen) ? 1 : 0;
  }
  EXPECT_EQ(zone_a, 200);
}

// §5.1 with 1 of 2 zone-a hosts ejected: health P0 = min(100, 140·1/2) = 70, P1 = 100;
// normalized total = min(100, 170) = 100; load P0 = 70·100/100 = 70, P1 = min(30, 100) = 30.
TEST_F(LocalityFailoverClusterTest, OneOfTwoLocalHostsEjectedSpillsThirtyPercent) {
  build(istioWithOutlierDetection(Policy::Random));
  eject(0);
  const std::array<int, 4> picks = pickHundredRandom();
  EXPECT_EQ(picks[0], 0);   // ejected
  EXPECT_EQ(picks[2], 70);  // the remaining zone-a host: draws 0..69
  // Draws 70..99 land in P1 and pick hosts[r % 2]: 15 even, 15 odd.
  EXPECT_EQ(picks[1], 15);
  EXPECT_EQ(picks[3], 15);
  EXPECT_EQ(cluster_->stats().lb_healthy_panic, 0u);
}

// Both zone-a hosts ejected: health P0 = 0, P1 = 100 ⇒ load 0/100; panic is disabled, so the
// ejected local hosts are never used.
TEST_F(LocalityFailoverClusterTest, AllLocalHostsEjectedSendsEverythingToTheOtherZone) {
  build(istioWithOutlierDetection(Policy::Random));
  eject(0);
  eject(2);
  const std::array<int, 4> picks = pickHundredRandom();
  EXPECT_EQ(picks[0] + picks[2], 0);
  EXPECT_EQ(picks[1], 50);
  EXPECT_EQ(picks[3], 50);
}

// Unejection (on an interval tick once base_ejection_time has passed) moves traffic back: the
// priorities never change, only the balancers' view of health.
TEST_F(LocalityFailoverClusterTest, UnejectionBringsTrafficBack) {
  build(istioWithOutlierDetection(Policy::Random));
  eject(0);
  eject(2);
  loop_.advance(std::chrono::seconds(40));  // base ejection 30 s, interval 10 s
  ASSERT_FALSE(host(0).outlierEjected());
  ASSERT_FALSE(host(2).outlierEjected());
  const std::array<int, 4> picks = pickHundredRandom();
  EXPECT_EQ(picks[0], 50);
  EXPECT_EQ(picks[2], 50);
  EXPECT_EQ(picks[1] + picks[3], 0);
}

// Remote hosts losing health do not pull traffic off a fully healthy local zone: P0 alone is
// 100 % provisioned.
TEST_F(LocalityFailoverClusterTest, RemoteEjectionDoesNotMoveLocalTraffic) {
  build(istioWithOutlierDetection(Policy::Random));
  eject(1);
  eject(3);
  const std::array<int, 4> picks = pickHundredRandom();
  EXPECT_EQ(picks[0], 50);
  EXPECT_EQ(picks[2], 50);
}

// Everything ejected with Istio's panic threshold 0: normalized total 0 ⇒ all load to P0, where
// no host is healthy ⇒ no host (503 UH), never a panic pick.
TEST_F(LocalityFailoverClusterTest, EverythingEjectedWithPanicDisabledFindsNoHost) {
  build(istioWithOutlierDetection(Policy::Random));
  for (std::size_t i = 0; i < 4; ++i) {
    eject(i);
  }
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(cluster_->chooseHost(0, nullptr), nullptr);
  }
  EXPECT_EQ(cluster_->stats().lb_healthy_panic, 0u);
}

// Contrast: minHealthPercent 50 re-enables panic. Every priority panics ⇒ load follows host counts
// (2/4 and 2/4 ⇒ 50/50) over all hosts, ejected ones included, counting lb_healthy_panic.
TEST_F(LocalityFailoverClusterTest, EverythingEjectedWithPanicThresholdUsesAllHosts) {
  ClusterPolicy policy = istioWithOutlierDetection(Policy::Random);
  policy.load_balancer.healthy_panic_threshold = 50;
  build(policy);
  for (std::size_t i = 0; i < 4; ++i) {
    eject(i);
  }
  const std::array<int, 4> picks = pickHundredRandom();
  EXPECT_EQ(picks[0], 25);
  EXPECT_EQ(picks[2], 25);
  EXPECT_EQ(picks[1], 25);
  EXPECT_EQ(picks[3], 25);
  EXPECT_EQ(cluster_->stats().lb_healthy_panic, 100u);
}

// Without the flag (no outlierDetection block: Istio leaves the priorities alone) all hosts share
// priority 0 and traffic spreads over both zones.
TEST_F(LocalityFailoverClusterTest, WithoutFailoverOnePriorityOverAllZones) {
  ClusterPolicy policy = ClusterPolicy::defaultsFor(ProxyProfile::kIstio);
  policy.load_balancer.policy = Policy::Random;
  build(policy);
  ASSERT_EQ(cluster_->priorities().size(), 1u);
  EXPECT_EQ(cluster_->priorities()[0].size(), 4u);
  const std::array<int, 4> picks = pickHundredRandom();
  for (int count : picks) {
    EXPECT_EQ(count, 25);
  }
}

// The client's locality decides which zone is local.
TEST_F(LocalityFailoverClusterTest, ClientInZoneBPrefersZoneB) {
  build(istioWithOutlierDetection(Policy::Random), zone("b"));
  const std::array<int, 4> picks = pickHundredRandom();
  EXPECT_EQ(picks[1], 50);
  EXPECT_EQ(picks[3], 50);
  EXPECT_EQ(picks[0] + picks[2], 0);
}

// ------------------------------------------------------------------------------------------------
// End to end through a Proxy: 5xx responses eject zone-a hosts and requests follow (§4.2, §5.1).

struct Recorder final : DownstreamCallbacks {
  std::vector<RequestOutcome> outcomes;
  void onRequestComplete(const RequestOutcome& outcome) override { outcomes.push_back(outcome); }
};

class LocalityFailoverProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ProxyConfig config;
    config.workers = 1;
    config.locality = zone("a");
    RouteEntry route;
    route.name = "default";
    route.clusters.push_back(WeightedCluster{"backend", 100});
    route.timeout = Duration::zero();
    VirtualHost vhost;
    vhost.name = "backend";
    vhost.domains = {"*"};
    vhost.routes.push_back(std::move(route));
    config.routes = RouteConfiguration({vhost});
    ClusterPolicy policy = istioWithOutlierDetection();
    // One request per connection, so every request shows up as a new transport attempt.
    policy.connection_pool.max_requests_per_connection = 1;
    config.clusters.push_back(ClusterDefinition{
        "backend",
        policy,
        {endpointIn("10.0.0.1:9080", zone("a")), endpointIn("10.0.0.2:9080", zone("b")),
         endpointIn("10.0.0.3:9080", zone("a")), endpointIn("10.0.0.4:9080", zone("b"))}});
    ASSERT_FALSE(hasErrors(config.validate()));
    proxy_ = std::make_unique<Proxy>(std::move(config), loop_, random_, transport_);
  }

  // One request, answered with `status_a` by a zone-a host and 200 by a zone-b host; returns the
  // host it went to.
  Host& exchange(std::uint32_t status_a) {
    Request request;
    request.path = "/";
    request.authority = "backend";
    proxy_->startRequest(std::move(request), 0, recorder_);
    testing::FakeUpstreamConnection& connection = transport_.connection(transport_.attempts() - 1);
    connection.connect();
    EXPECT_EQ(transport_.attempts(), ++attempts_);
    connection.stream(0).respond(connection.host().locality().zone == "a" ? status_a : 200);
    return connection.host();
  }

  Cluster& cluster() { return *proxy_->clusters()[0]; }

  ManualEventLoop loop_;
  ScriptedRandom random_;
  FakeUpstreamTransport transport_;
  Recorder recorder_;
  std::unique_ptr<Proxy> proxy_;
  std::size_t attempts_ = 0;
};

TEST_F(LocalityFailoverProxyTest, FiveHundredsMoveTrafficToTheOtherZone) {
  ASSERT_EQ(cluster().priorities().size(), 2u);
  // Healthy: every request stays in zone a.
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(exchange(200).locality().zone, "a");
  }
  // Zone-a hosts now fail: each 5xx ejects its host (consecutive5xxErrors: 1). The first one
  // lands in zone a; with one local host left, 30 % of requests spill to zone b (§5.1).
  Host& first = exchange(500);
  ASSERT_EQ(first.locality().zone, "a");
  ASSERT_TRUE(first.outlierEjected());
  int ejected = 1;
  for (int i = 0; i < 50 && ejected < 2; ++i) {
    Host& host = exchange(500);
    if (host.locality().zone == "a") {
      ASSERT_TRUE(host.outlierEjected());
      ASSERT_NE(&host, &first);
      ++ejected;
    }
  }
  ASSERT_EQ(ejected, 2);
  EXPECT_EQ(cluster().stats().outlier_ejections_enforced_total, 2u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(exchange(200).locality().zone, "b");
  }
  EXPECT_EQ(cluster().stats().lb_healthy_panic, 0u);
}

}  // namespace
}  // namespace meshsim::core
