#include "sim/live/lesson_catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "sim/live/live_session.h"
#include "sim/live/run_history.h"
#include "sim/live/scenario_editor.h"
#include "sim/mesh/mesh.h"

namespace meshsim::sim {
namespace {

const std::filesystem::path kScenarios =
    std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." / "scenarios";

RunSummary runEdited(const ScenarioEditor& editor) {
  config::Warnings warnings;
  const auto variant = editor.load(warnings);
  Mesh mesh(variant->scenario, variant->policies);
  mesh.run();
  return summarizeRun(mesh);
}

const EdgeSummary& edge(const RunSummary& summary, const std::string& from, const std::string& to) {
  const auto it = std::find_if(summary.edges.begin(), summary.edges.end(),
                               [&](const EdgeSummary& e) { return e.from == from && e.to == to; });
  EXPECT_NE(it, summary.edges.end()) << from << " -> " << to;
  return *it;
}

std::uint64_t flag(const EdgeSummary& e, const std::string& name) {
  for (const auto& [flag_name, count] : e.flags) {
    if (flag_name == name) {
      return count;
    }
  }
  return 0;
}

// A lesson's "try this": the knob it names turned as the text says, and the headline metric that
// must move, with the value at the scenario's defaults (A) and after the change (B).
struct KnobTrial {
  std::function<void(ScenarioEditor&)> turn;
  std::function<double(const RunSummary&)> headline;
  std::string what;
};

const std::map<std::string, KnobTrial>& trials() {
  static const std::map<std::string, KnobTrial> kTrials = {
      {"Retry storm",
       {[](ScenarioEditor& e) { e.setRetries("inventory", RetryKnob{}); },
        [](const RunSummary& s) { return edge(s, "orders", "inventory").amplification; },
        "orders -> inventory amplification"}},
      {"Circuit breaking",
       {[](ScenarioEditor& e) {
          e.setConnectionPool("backend", PoolKnob{.max_connections = 2, .max_pending_requests = 1});
        },
        [](const RunSummary& s) {
          return static_cast<double>(flag(edge(s, "frontend", "backend"), "UO"));
        },
        "frontend -> backend UO overflows"}},
      {"Outlier ejection",
       {[](ScenarioEditor& e) { e.setOutlierDetection("payment", OutlierKnob{}); },
        [](const RunSummary& s) {
          return static_cast<double>(edge(s, "checkout", "payment").retries);
        },
        "checkout -> payment mesh retries"}},
      {"Canary rollout",
       {[](ScenarioEditor& e) {
          e.setOutlierDetection("reviews", OutlierKnob{.enabled = true,
                                                       .consecutive_5xx = 1,
                                                       .interval = std::chrono::seconds(1),
                                                       .max_ejection_percent = 100});
        },
        [](const RunSummary& s) { return 1 - s.success_rate; }, "end-to-end failure rate"}},
      {"mTLS cost",
       {[](ScenarioEditor& e) { e.setLoad(2 * e.load()); },
        [](const RunSummary& s) { return s.sidecar_cpu_cores; }, "sidecar CPU (cores)"}},
  };
  return kTrials;
}

// Every lesson's knob, turned as its "try this" says, moves the metric the lesson points at in the
// expected direction, and by a margin a learner sees. Measured (each scenario's own seed):
//   retry storm       orders -> inventory amplification  2.202 -> 1.842 (inventory's retries off)
//   circuit breaking  frontend -> backend UO overflows   4274 -> 6906   (pool 8/4 -> 2/1)
//   outlier ejection  checkout -> payment mesh retries   31 -> 10805    (ejection off)
//   canary rollout    end-to-end failure rate            0.31 % -> 41.8 % (eager ejection)
//   mTLS cost         sidecar CPU (cores)                0.503 -> 1.004 (load doubled)
TEST(LessonCatalogTest, EveryLessonsKnobMovesItsHeadlineMetric) {
  const std::map<std::string, std::pair<double, double>> expected = {
      {"Retry storm", {2.202, 1.842}},   {"Circuit breaking", {4274, 6906}},
      {"Outlier ejection", {31, 10805}}, {"Canary rollout", {0.00308, 0.4177}},
      {"mTLS cost", {0.5035, 1.004}},
  };
  ASSERT_EQ(lessons().size(), trials().size());
  for (const Lesson& lesson : lessons()) {
    SCOPED_TRACE(std::string(lesson.title));
    const auto trial = trials().find(std::string(lesson.title));
    ASSERT_NE(trial, trials().end());
    ScenarioEditor editor =
        ScenarioEditor::open((kScenarios / std::string(lesson.scenario)).string());
    const double a = trial->second.headline(runEdited(editor));
    trial->second.turn(editor);
    const double b = trial->second.headline(runEdited(editor));
    const auto [want_a, want_b] = expected.at(std::string(lesson.title));
    EXPECT_NEAR(a, want_a, 0.002 * want_a) << trial->second.what;
    EXPECT_NEAR(b, want_b, 0.002 * want_b) << trial->second.what;
    // The direction the lesson's text promises, by at least 15 %.
    if (want_b > want_a) {
      EXPECT_GT(b, 1.15 * a) << trial->second.what;
    } else {
      EXPECT_LT(b, a / 1.15) << trial->second.what;
    }
  }
}

}  // namespace
}  // namespace meshsim::sim
