#include "sim/live/scenario_editor.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/retry/retry_on.h"
#include "sim/live/lesson_catalog.h"
#include "sim/live/live_session.h"
#include "sim/scenario/scenario_loader.h"

namespace meshsim::sim {
namespace {

namespace fs = std::filesystem;

const fs::path kScenarios = fs::path(__FILE__).parent_path() / ".." / ".." / ".." / "scenarios";

class ScenarioEditorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("meshsim-editor-" +
                  std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }

  // Saves, then loads the saved file as `meshsim run` would.
  std::unique_ptr<Variant> saveAndReload(const ScenarioEditor& editor) {
    const std::string path = (directory_ / "saved.yaml").string();
    editor.save(path);
    config::Warnings warnings;
    return loadVariant(path, {}, warnings);
  }

  // Writes `text` as a scenario file in the test's directory.
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (directory_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  fs::path directory_;
};

// The retries of the first route the importer gives the service (0 without a retry policy).
std::uint32_t importedRetries(const Variant& variant, const std::string& service) {
  const core::VirtualHost* host = variant.policies.base.virtualHost(service);
  EXPECT_NE(host, nullptr) << service;
  if (host == nullptr || host->routes.empty() || !host->routes.front().retry_policy) {
    return 0;
  }
  return host->routes.front().retry_policy->num_retries;
}

// The scenario at `path` with its policy files inlined and `profile` set.
std::string withProfile(const std::string& path, const std::string& profile) {
  return ScenarioEditor::open(path).text() + "profile: " + profile + "\n";
}

TEST(FormatDurationTest, GoStyle) {
  EXPECT_EQ(formatDuration(std::chrono::seconds(2)), "2s");
  EXPECT_EQ(formatDuration(std::chrono::milliseconds(1500)), "1500ms");
  EXPECT_EQ(formatDuration(std::chrono::microseconds(250)), "250us");
  EXPECT_EQ(formatDuration(core::Duration(7)), "7ns");
  EXPECT_EQ(formatDuration(core::Duration::zero()), "0");
}

// Unedited, the inlined document is the same scenario: same services, same policy, same run.
TEST_F(ScenarioEditorTest, UneditedRoundTripRunsTheSameMesh) {
  const ScenarioEditor editor = ScenarioEditor::open((kScenarios / "canary-rollout.yaml").string());
  auto saved = saveAndReload(editor);
  config::Warnings warnings;
  auto original = loadVariant((kScenarios / "canary-rollout.yaml").string(), {}, warnings);
  EXPECT_EQ(saved->scenario.services.size(), original->scenario.services.size());
  EXPECT_EQ(saved->scenario.faults.size(), original->scenario.faults.size());
  Mesh a(original->scenario, original->policies);
  Mesh b(saved->scenario, saved->policies);
  a.run();
  b.run();
  EXPECT_EQ(a.sim().fingerprint(), b.sim().fingerprint());
  EXPECT_EQ(a.metrics().requests, b.metrics().requests);
}

TEST_F(ScenarioEditorTest, ReadsTheKnobsOfTheManifests) {
  const ScenarioEditor editor =
      ScenarioEditor::open((kScenarios / "payment-circuit-breaker.yaml").string());
  const RetryKnob retries = editor.retries("payment");
  EXPECT_EQ(retries.attempts, 3);
  EXPECT_EQ(retries.per_try_timeout, std::chrono::seconds(2));
  EXPECT_EQ(retries.retry_on, "5xx,reset,connect-failure");
  EXPECT_EQ(editor.timeout("payment"), std::chrono::seconds(10));
  const OutlierKnob od = editor.outlierDetection("payment");
  EXPECT_TRUE(od.enabled);
  EXPECT_EQ(od.consecutive_5xx, 5);
  EXPECT_EQ(od.base_ejection_time, std::chrono::seconds(30));
  EXPECT_EQ(od.max_ejection_percent, 50);
  const PoolKnob pool = editor.connectionPool("payment");
  EXPECT_EQ(pool.max_requests, 64);
  EXPECT_EQ(pool.max_pending_requests, 32);
  EXPECT_EQ(pool.max_connections, 0);
  EXPECT_FALSE(editor.outlierDetection("checkout").enabled);
  EXPECT_EQ(editor.replicas("payment", "v1"), 4U);

  const ScenarioEditor bookinfo = ScenarioEditor::open((kScenarios / "bookinfo.yaml").string());
  const auto split = bookinfo.trafficSplit("reviews");
  ASSERT_EQ(split.size(), 3U);
  EXPECT_EQ(split[0], std::make_pair(std::string("v1"), std::int64_t{80}));
  EXPECT_EQ(split[1].second, 20);
  EXPECT_EQ(split[2].second, 0);
  EXPECT_DOUBLE_EQ(bookinfo.load(), 100);
}

// Every knob written, saved, reloaded by the normal loader and imported into the policy the
// proxies run.
TEST_F(ScenarioEditorTest, EditedKnobsReachThePolicyAfterSaving) {
  ScenarioEditor editor = ScenarioEditor::open((kScenarios / "bookinfo.yaml").string());
  editor.setLoad(150);
  editor.setReplicas("ratings", "v1", 3);
  editor.setRetries("ratings", RetryKnob{4, std::chrono::milliseconds(250), "5xx"});
  editor.setTimeout("ratings", std::chrono::seconds(2));
  editor.setOutlierDetection(
      "details", OutlierKnob{true, 3, std::chrono::seconds(5), std::chrono::seconds(20), 100});
  editor.setConnectionPool("details", PoolKnob{10, 5, 20, 2});
  editor.setFaultInjection("ratings", FaultKnob{25, 500, 10, std::chrono::milliseconds(300)});
  editor.setTrafficSplit("reviews", {{"v1", 50}, {"v2", 0}, {"v3", 50}});
  auto saved = saveAndReload(editor);

  const Scenario& s = saved->scenario;
  EXPECT_DOUBLE_EQ(s.workload.rate, 150);
  EXPECT_EQ(s.services[*s.findService("ratings")].versions[0].replicas, 3U);
  const istio::MeshPolicy& policy = saved->policies.base;
  const core::VirtualHost* ratings = policy.virtualHost("ratings");
  ASSERT_NE(ratings, nullptr);
  ASSERT_TRUE(ratings->routes[0].retry_policy.has_value());
  EXPECT_EQ(ratings->routes[0].retry_policy->num_retries, 4U);
  EXPECT_EQ(ratings->routes[0].timeout, std::chrono::seconds(2));
  ASSERT_TRUE(ratings->routes[0].fault.has_value());
  const istio::ClusterDefinition* details = policy.cluster("details");
  ASSERT_NE(details, nullptr);
  ASSERT_TRUE(details->policy.outlier_detection.has_value());
  EXPECT_EQ(details->policy.circuit_breakers.max_connections, 10U);
  EXPECT_EQ(details->policy.circuit_breakers.max_pending_requests, 5U);
  EXPECT_EQ(details->policy.circuit_breakers.max_requests, 20U);
  EXPECT_EQ(details->policy.circuit_breakers.max_retries, 2U);
  const core::VirtualHost* reviews = policy.virtualHost("reviews");
  ASSERT_NE(reviews, nullptr);
  ASSERT_EQ(reviews->routes.back().clusters.size(), 2U);
  EXPECT_EQ(reviews->routes.back().clusters[1].name, "reviews|v3");

  // The editor reads back what it wrote.
  ScenarioEditor reopened = ScenarioEditor::open((directory_ / "saved.yaml").string());
  EXPECT_EQ(reopened.retries("ratings").attempts, 4);
  EXPECT_EQ(reopened.retries("ratings").per_try_timeout, std::chrono::milliseconds(250));
  EXPECT_DOUBLE_EQ(reopened.faultInjection("ratings").abort_percent, 25);
  EXPECT_EQ(reopened.faultInjection("ratings").delay, std::chrono::milliseconds(300));
  EXPECT_EQ(reopened.trafficSplit("reviews")[2].second, 50);

  // Turning knobs off removes them again.
  reopened.setFaultInjection("ratings", FaultKnob{});
  reopened.setOutlierDetection("details", OutlierKnob{});
  reopened.setConnectionPool("details", PoolKnob{});
  config::Warnings warnings;
  auto off = reopened.load(warnings);
  EXPECT_FALSE(off->policies.base.virtualHost("ratings")->routes[0].fault.has_value());
  EXPECT_FALSE(off->policies.base.cluster("details")->policy.outlier_detection.has_value());
  EXPECT_EQ(reopened.text().find("connectionPool"), std::string::npos);
}

// A knob for a service without a VirtualService or DestinationRule creates one.
TEST_F(ScenarioEditorTest, CreatesMissingManifests) {
  ScenarioEditor editor =
      ScenarioEditor::open((kScenarios / "payment-circuit-breaker.yaml").string());
  editor.setFaultInjection("checkout", FaultKnob{50, 503, 0, std::chrono::seconds(1)});
  editor.setConnectionPool("checkout", PoolKnob{0, 0, 5, 0});
  auto saved = saveAndReload(editor);
  const core::VirtualHost* checkout = saved->policies.base.virtualHost("checkout");
  ASSERT_NE(checkout, nullptr);
  ASSERT_FALSE(checkout->routes.empty());
  EXPECT_TRUE(checkout->routes[0].fault.has_value());
  EXPECT_EQ(saved->policies.base.cluster("checkout")->policy.circuit_breakers.max_requests, 5U);
  EXPECT_EQ(editor.faultInjection("checkout").abort_percent, 50);
}

// Bookinfo's DestinationRules set only TLS; checkout has no DestinationRule at all: outlier
// detection is added to the first and creates the second.
TEST_F(ScenarioEditorTest, OutlierDetectionWhereTheRuleLacksIt) {
  ScenarioEditor bookinfo = ScenarioEditor::open((kScenarios / "bookinfo.yaml").string());
  EXPECT_FALSE(bookinfo.outlierDetection("reviews").enabled);
  const OutlierKnob od{true, 5, std::chrono::seconds(10), std::chrono::seconds(30), 100};
  bookinfo.setOutlierDetection("reviews", od);
  auto saved = saveAndReload(bookinfo);
  const istio::ClusterDefinition* reviews = saved->policies.base.cluster("reviews");
  ASSERT_NE(reviews, nullptr);
  EXPECT_TRUE(reviews->policy.outlier_detection.has_value());
  EXPECT_EQ(bookinfo.outlierDetection("reviews"), od);

  ScenarioEditor payment =
      ScenarioEditor::open((kScenarios / "payment-circuit-breaker.yaml").string());
  EXPECT_FALSE(payment.outlierDetection("checkout").enabled);
  payment.setOutlierDetection("checkout", od);
  config::Warnings warnings;
  const auto payment_variant = payment.load(warnings);
  const istio::ClusterDefinition* checkout = payment_variant->policies.base.cluster("checkout");
  ASSERT_NE(checkout, nullptr);
  EXPECT_TRUE(checkout->policy.outlier_detection.has_value());
}

// Failing replicas are error_rate faults, one per replica, after the scenario's own fault;
// turning the knob off removes only the knob's entries.
TEST_F(ScenarioEditorTest, FailingReplicasRoundTrip) {
  ScenarioEditor editor =
      ScenarioEditor::open((kScenarios / "payment-circuit-breaker.yaml").string());
  const FailingReplicaKnob off = editor.failingReplicas("payment");
  EXPECT_EQ(off.version, "v1");
  EXPECT_EQ(off.replicas, 1U);
  EXPECT_EQ(off.percent, 0);
  EXPECT_EQ(off.at, std::chrono::seconds(15)) << "the warm-up's end";

  const FailingReplicaKnob knob{
      "v1", 2, 50, 500, std::chrono::seconds(30), std::chrono::seconds(90)};
  editor.setFailingReplicas("payment", knob);
  auto saved = saveAndReload(editor);
  const std::vector<FaultSpec>& faults = saved->scenario.faults;
  ASSERT_EQ(faults.size(), 3U);
  const auto& own = std::get<ErrorRateFault>(faults[0].action);
  EXPECT_EQ(own.target.replica, 3U);
  EXPECT_DOUBLE_EQ(own.probability, 0.9);
  for (std::size_t i = 1; i < 3; ++i) {
    const auto& added = std::get<ErrorRateFault>(faults[i].action);
    EXPECT_EQ(added.target.version, 0U);
    EXPECT_EQ(added.target.replica, i - 1);
    EXPECT_DOUBLE_EQ(added.probability, 0.5);
    EXPECT_EQ(added.status, 500);
    EXPECT_EQ(faults[i].at, std::chrono::seconds(30));
    EXPECT_EQ(faults[i].until, std::chrono::seconds(90));
  }
  EXPECT_EQ(editor.failingReplicas("payment"), knob);
  // Setting it again replaces the entries rather than adding more.
  editor.setFailingReplicas("payment", FailingReplicaKnob{"", 1, 100, 503, {}, {}});
  config::Warnings warnings;
  ASSERT_EQ(editor.load(warnings)->scenario.faults.size(), 2U);
  EXPECT_EQ(editor.failingReplicas("payment").replicas, 1U);

  editor.setFailingReplicas("payment", FailingReplicaKnob{});
  ASSERT_EQ(editor.load(warnings)->scenario.faults.size(), 1U);
  EXPECT_EQ(editor.failingReplicas("payment").percent, 0);
  EXPECT_THROW(editor.setFailingReplicas("payment", FailingReplicaKnob{"v9", 1, 100, 503, {}, {}}),
               std::invalid_argument);

  // A scenario without faults loses its `faults` key again when the knob is turned off.
  ScenarioEditor bookinfo = ScenarioEditor::open((kScenarios / "bookinfo.yaml").string());
  bookinfo.setFailingReplicas("details", FailingReplicaKnob{"", 1, 100, 503, {}, {}});
  EXPECT_NE(bookinfo.text().find("error_rate"), std::string::npos);
  bookinfo.setFailingReplicas("details", FailingReplicaKnob{});
  EXPECT_EQ(bookinfo.text().find("faults"), std::string::npos);
}

// A service without a VirtualService gets Istio's default retry policy (proxy-semantics §1.9): the
// knob says 2 attempts on Istio's list, and where that comes from.
TEST_F(ScenarioEditorTest, RetriesWithoutAVirtualServiceAreIstiosDefault) {
  ScenarioEditor editor =
      ScenarioEditor::open((kScenarios / "payment-circuit-breaker.yaml").string());
  const RetryKnob checkout = editor.retries("checkout");
  EXPECT_EQ(checkout.attempts, 2);
  EXPECT_EQ(checkout.retry_on,
            "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes");
  EXPECT_EQ(checkout.per_try_timeout, core::Duration::zero());
  EXPECT_EQ(editor.origin(KnobKind::kRetries, "checkout"),
            "Istio default (no VirtualService for checkout)");
  // What the importer configures the sidecars with.
  config::Warnings warnings;
  const auto variant = editor.load(warnings);
  EXPECT_EQ(importedRetries(*variant, "checkout"), 2U);
  EXPECT_EQ(variant->policies.base.virtualHost("checkout")->routes.front().retry_policy->retry_on,
            core::parseRetryOn(checkout.retry_on).bits);

  // A VirtualService's own retries: its values, and its name.
  const RetryKnob payment = editor.retries("payment");
  EXPECT_EQ(payment.attempts, 3);
  EXPECT_EQ(payment.retry_on, "5xx,reset,connect-failure");
  EXPECT_EQ(editor.origin(KnobKind::kRetries, "payment"), "VirtualService payment");
  EXPECT_EQ(importedRetries(*variant, "payment"), 3U);

  // A VirtualService without `retries` leaves Istio's default in force.
  const ScenarioEditor bookinfo = ScenarioEditor::open((kScenarios / "bookinfo.yaml").string());
  EXPECT_EQ(bookinfo.retries("reviews").attempts, 2);
  EXPECT_EQ(bookinfo.origin(KnobKind::kRetries, "reviews"),
            "Istio default (VirtualService reviews sets no retries)");
}

// Setting 0 attempts writes `attempts: 0`, which turns Istio's default retries off: saved,
// reloaded by the normal loader, the route has no retries, and the knob reads 0 back.
TEST_F(ScenarioEditorTest, ZeroRetriesDisableTheDefaultPolicy) {
  ScenarioEditor editor =
      ScenarioEditor::open((kScenarios / "payment-circuit-breaker.yaml").string());
  editor.setRetries("checkout", RetryKnob{.attempts = 0});
  EXPECT_NE(editor.text().find("attempts: 0"), std::string::npos);
  const auto saved = saveAndReload(editor);
  EXPECT_EQ(importedRetries(*saved, "checkout"), 0U);
  const ScenarioEditor reopened = ScenarioEditor::open((directory_ / "saved.yaml").string());
  EXPECT_EQ(reopened.retries("checkout").attempts, 0);
  EXPECT_EQ(reopened.origin(KnobKind::kRetries, "checkout"), "VirtualService checkout");

  // `retries` without `retryOn` keeps Istio's list, which the knob shows.
  editor.setRetries("checkout", RetryKnob{.attempts = 4, .retry_on = ""});
  EXPECT_EQ(editor.retries("checkout").attempts, 4);
  EXPECT_EQ(editor.retries("checkout").retry_on, core::kIstioDefaultRetryOn);
}

// For every service of every shipped scenario, the retries and timeout knobs read what the
// importer configures the sidecars with.
TEST_F(ScenarioEditorTest, KnobsAgreeWithTheImportedPolicy) {
  std::size_t checked = 0;
  for (const auto& entry : fs::directory_iterator(kScenarios)) {
    if (entry.path().extension() != ".yaml") {
      continue;
    }
    SCOPED_TRACE(entry.path().filename().string());
    const ScenarioEditor editor = ScenarioEditor::open(entry.path().string());
    config::Warnings warnings;
    const auto variant = editor.load(warnings);
    for (const ServiceSpec& service : variant->scenario.services) {
      SCOPED_TRACE(service.name);
      const core::VirtualHost* host = variant->policies.base.virtualHost(service.name);
      ASSERT_NE(host, nullptr);
      const core::RouteEntry& route = host->routes.front();
      const RetryKnob knob = editor.retries(service.name);
      EXPECT_EQ(knob.attempts, route.retry_policy ? route.retry_policy->num_retries : 0);
      if (route.retry_policy) {
        // The knob written back as a VirtualService's retries would translate to the same.
        core::IstioHttpRetry written;
        written.attempts = static_cast<std::int32_t>(knob.attempts);
        written.per_try_timeout = knob.per_try_timeout;
        written.retry_on = knob.retry_on;
        const std::optional<core::RetryPolicy> translated = core::translateIstioRetries(written);
        ASSERT_TRUE(translated.has_value());
        EXPECT_EQ(translated->retry_on, route.retry_policy->retry_on);
        EXPECT_EQ(translated->retriable_status_codes, route.retry_policy->retriable_status_codes);
        EXPECT_EQ(knob.per_try_timeout, route.retry_policy->per_try_timeout);
      }
      EXPECT_EQ(editor.timeout(service.name), route.timeout);
      ++checked;
    }
  }
  EXPECT_GE(checked, 40U);
}

// Only Istio sidecars apply the manifests: under the other profiles the knobs read the profile's
// own defaults (core::routeDefaultsFor, core::ClusterPolicy::defaultsFor), whatever the
// VirtualServices and DestinationRules say.
TEST_F(ScenarioEditorTest, OtherProfilesReportTheirOwnDefaults) {
  const std::string payment = (kScenarios / "payment-circuit-breaker.yaml").string();
  const ScenarioEditor envoy =
      ScenarioEditor::open(write("envoy.yaml", withProfile(payment, "envoy")));
  EXPECT_EQ(envoy.profile(), core::ProxyProfile::kEnvoy);
  EXPECT_EQ(envoy.retries("payment").attempts, 0);
  EXPECT_EQ(envoy.timeout("payment"), std::chrono::seconds(15));
  EXPECT_EQ(envoy.connectionPool("payment"), (PoolKnob{1024, 1024, 1024, 3}));
  EXPECT_FALSE(envoy.outlierDetection("payment").enabled);
  EXPECT_EQ(envoy.origin(KnobKind::kRetries, "payment"),
            "Envoy default (profile envoy applies no Istio manifest)");

  const ScenarioEditor linkerd =
      ScenarioEditor::open(write("linkerd.yaml", withProfile(payment, "linkerd")));
  EXPECT_EQ(linkerd.retries("checkout").attempts, 0);
  EXPECT_EQ(linkerd.timeout("payment"), core::Duration::zero());
  EXPECT_EQ(linkerd.connectionPool("payment"), (PoolKnob{0, 10000, 100000, 0}));

  const ScenarioEditor istio = ScenarioEditor::open(payment);
  EXPECT_EQ(istio.profile(), core::ProxyProfile::kIstio);
  EXPECT_EQ(istio.timeout("checkout"), core::Duration::zero());
  EXPECT_EQ(istio.origin(KnobKind::kTimeout, "checkout"),
            "Istio default (no VirtualService for checkout)");
  EXPECT_EQ(istio.connectionPool("checkout"), PoolKnob{});
  EXPECT_EQ(istio.origin(KnobKind::kConnectionPool, "payment"), "DestinationRule payment");
  EXPECT_EQ(istio.origin(KnobKind::kOutlierDetection, "checkout"),
            "Istio default (no DestinationRule for checkout)");
}

// Without weighted subsets every endpoint takes an equal share: versions by replicas x weight,
// rounded to whole percentages that add up to 100.
TEST_F(ScenarioEditorTest, SplitWithoutSubsetsFollowsTheEndpoints) {
  const std::string path =
      write("split.yaml",
            "name: t\nduration: 10s\nservices:\n  - name: a\n    versions:\n"
            "      - {name: v1, replicas: 1, service_time: {constant: 1ms}}\n"
            "      - {name: v2, replicas: 3, service_time: {constant: 1ms}}\n"
            "  - name: b\n    versions:\n      - {name: v1, service_time: {constant: 1ms}}\n"
            "      - {name: v2, service_time: {constant: 1ms}}\n"
            "      - {name: v3, service_time: {constant: 1ms}}\n"
            "workload: {rate: 1, mix: [{service: a, weight: 1}, {service: b, weight: 1}]}\n");
  const ScenarioEditor editor = ScenarioEditor::open(path);
  const auto a = editor.trafficSplit("a");
  ASSERT_EQ(a.size(), 2U);
  EXPECT_EQ(a[0].second, 25);
  EXPECT_EQ(a[1].second, 75);
  EXPECT_EQ(editor.origin(KnobKind::kTrafficSplit, "a"), "Istio default (no VirtualService for a)");
  const auto b = editor.trafficSplit("b");
  ASSERT_EQ(b.size(), 3U);
  EXPECT_EQ(b[0].second + b[1].second + b[2].second, 100);
  EXPECT_EQ(b[0].second, 34);
  EXPECT_EQ(b[2].second, 33);
}

// Fault manifests stay reachable from wherever the scenario is saved.
TEST_F(ScenarioEditorTest, SavedFaultManifestsResolveFromTheNewDirectory) {
  const ScenarioEditor editor = ScenarioEditor::open((kScenarios / "canary-rollout.yaml").string());
  auto saved = saveAndReload(editor);
  ASSERT_FALSE(saved->scenario.faults.empty());
  std::ifstream in(directory_ / "saved.yaml");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("canary-rollout/vs-reviews-90-10.yaml"), std::string::npos);
}

// Bad knob values are the loader's errors, named after the edited file with the offending key.
TEST_F(ScenarioEditorTest, BadValuesAreReportedWithKeyAndPosition) {
  ScenarioEditor editor = ScenarioEditor::open((kScenarios / "bookinfo.yaml").string());
  editor.setLoad(-5);
  config::Warnings warnings;
  try {
    editor.load(warnings);
    FAIL() << "a negative rate loaded";
  } catch (const config::ConfigError& error) {
    EXPECT_EQ(error.location().file, (kScenarios / "bookinfo.yaml").string() + " (edited)");
    EXPECT_GT(error.location().line, 0);
    EXPECT_EQ(error.key(), "workload.rate");
  }
  EXPECT_THROW(editor.setReplicas("nope", "v1", 1), std::invalid_argument);
}

TEST_F(ScenarioEditorTest, OpeningABrokenFileNamesItsLine) {
  const std::string path = (directory_ / "broken.yaml").string();
  std::ofstream(path) << "name: t\nduration: 10s\nservices:\n  - name: a\n    versions:\n"
                         "      - {name: v1, replcas: 2}\nworkload: {rate: 1, mix: [{service: a, "
                         "weight: 1}]}\n";
  try {
    ScenarioEditor::open(path);
    FAIL() << "the broken file opened";
  } catch (const config::ConfigError& error) {
    EXPECT_EQ(error.location().file, path);
    EXPECT_EQ(error.location().line, 6);
  }
}

// Every lesson's scenario ships and loads, and its knob names one of its services.
TEST(LessonCatalogTest, EveryLessonLoads) {
  ASSERT_GE(lessons().size(), 5U);
  for (const Lesson& lesson : lessons()) {
    const ScenarioEditor editor =
        ScenarioEditor::open((kScenarios / std::string(lesson.scenario)).string());
    config::Warnings warnings;
    auto variant = editor.load(warnings);
    if (!lesson.service.empty()) {
      EXPECT_TRUE(variant->scenario.findService(lesson.service).has_value()) << lesson.title;
    }
    EXPECT_FALSE(lesson.explanation.empty());
    EXPECT_FALSE(lesson.try_this.empty());
  }
}

}  // namespace
}  // namespace meshsim::sim
