#include "sim/live/scenario_editor.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

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

  fs::path directory_;
};

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
