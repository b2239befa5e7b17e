#include "gui/main_window.h"

#include <gtest/gtest.h>

#include <QDoubleSpinBox>
#include <QImage>
#include <QSlider>
#include <QTableWidget>
#include <filesystem>
#include <fstream>
#include <set>

#include "gui/chart_panel.h"
#include "gui/knob_panel.h"
#include "gui/topology_items.h"
#include "gui/topology_view.h"
#include "gui_test_support.h"
#include "sim/experiment/replications.h"
#include "sim/live/lesson_catalog.h"

namespace meshsim::gui {
namespace {

namespace fs = std::filesystem;

// Every shipped scenario opens, shows one node per service plus the load generator and one edge
// per caller/callee pair, runs a few simulated seconds past its warm-up, and every chart gets a
// point per snapshot.
TEST(GuiSmokeTest, EveryShippedScenarioLoadsRunsAndCharts) {
  application();
  std::size_t scenarios = 0;
  for (const auto& entry : fs::directory_iterator(kScenarios)) {
    if (entry.path().extension() != ".yaml") {
      continue;
    }
    SCOPED_TRACE(entry.path().filename().string());
    ++scenarios;
    MainWindow window;
    ASSERT_TRUE(window.openScenario(QString::fromStdString(entry.path().string())))
        << window.messages().toStdString();
    config::Warnings warnings;
    const auto variant = sim::loadVariant(entry.path().string(), {}, warnings);
    const sim::Scenario& scenario = variant->scenario;
    EXPECT_EQ(window.topologyView()->nodeCount(), scenario.services.size() + 1);
    std::set<std::pair<std::size_t, std::size_t>> calls;
    for (std::size_t s = 0; s < scenario.services.size(); ++s) {
      for (const sim::VersionSpec& version : scenario.services[s].versions) {
        for (const sim::OperationSpec& operation : version.operations) {
          for (const sim::CallStep& step : operation.calls) {
            for (const sim::CallSpec& call : step.calls) {
              calls.emplace(s, call.service);
            }
          }
        }
      }
    }
    for (const sim::MixEntry& mix : scenario.workload.mix) {
      calls.emplace(scenario.services.size(), mix.service);
    }
    EXPECT_EQ(window.topologyView()->edgeCount(), calls.size());

    ASSERT_TRUE(window.runUntil(core::toSeconds(scenario.warmup) + 3, 60000));
    const std::size_t snapshots = window.controller().history().size();
    EXPECT_GE(snapshots, 3U);
    for (const sim::LiveMetric metric : sim::kLiveMetrics) {
      EXPECT_EQ(window.charts()->pointCount(metric), static_cast<int>(snapshots));
    }
    EXPECT_GT(window.controller().history().back().rps, 0);
    EXPECT_FALSE(window.topologyView()->edge(0)->label().isEmpty());
  }
  EXPECT_GE(scenarios, 11U);
}

// The README's screenshot, as a test: the window renders to a PNG that is not blank, and the
// view and the charts export on their own.
TEST(GuiScreenshotTest, WritesANonBlankPng) {
  application();
  MainWindow window;
  window.show();
  ASSERT_TRUE(window.openScenario(QString::fromStdString((kScenarios / "bookinfo.yaml").string())));
  ASSERT_TRUE(window.runUntil(15, 60000));
  const fs::path directory = fs::temp_directory_path() / "meshsim-gui-screenshot-test";
  fs::create_directories(directory);
  const QString shot = QString::fromStdString((directory / "window.png").string());
  ASSERT_TRUE(window.grab().save(shot, "PNG"));
  EXPECT_GT(fs::file_size(shot.toStdString()), 10000U);
  const QImage image(shot);
  ASSERT_FALSE(image.isNull());
  EXPECT_EQ(image.width(), window.width());
  EXPECT_GT(distinctColours(image), 20) << "the window rendered as a blank image";
  const QString view = QString::fromStdString((directory / "view.png").string());
  const QString charts = QString::fromStdString((directory / "charts.png").string());
  ASSERT_TRUE(window.exportView(view));
  ASSERT_TRUE(window.exportCharts(charts));
  EXPECT_GT(distinctColours(QImage(view)), 4);
  EXPECT_GT(distinctColours(QImage(charts)), 4);
  fs::remove_all(directory);
}

// A bad file is reported with its file:line:column and the window stays usable.
TEST(GuiErrorsTest, BadScenarioIsReportedNotFatal) {
  application();
  const fs::path path = fs::temp_directory_path() / "meshsim-gui-broken.yaml";
  std::ofstream(path) << "name: t\nduration: 10s\nservices:\n  - name: a\n    versions:\n"
                         "      - {name: v1, replcas: 2}\nworkload: {rate: 1, mix: [{service: a, "
                         "weight: 1}]}\n";
  MainWindow window;
  EXPECT_FALSE(window.openScenario(QString::fromStdString(path.string())));
  EXPECT_TRUE(window.messages().contains(QString::fromStdString(path.string()) + ":6:"))
      << window.messages().toStdString();
  EXPECT_TRUE(window.messages().contains("did you mean 'replicas'"));
  EXPECT_FALSE(window.openScenario(QStringLiteral("/nonexistent/scenario.yaml")));
  EXPECT_TRUE(window.openScenario(QString::fromStdString((kScenarios / "bookinfo.yaml").string())));
  // A bad knob value is the loader's error too, and the previous run stays.
  window.knobs()->loadBox()->setValue(0);
  EXPECT_FALSE(window.applyKnobs());
  EXPECT_TRUE(window.messages().contains("(edited)")) << window.messages().toStdString();
  EXPECT_EQ(window.topologyView()->nodeCount(), 5U);
  fs::remove(path);
}

// The "done when": open Bookinfo, run it, pin it, inject a fault with the knobs, rerun
// and compare. Aborting half of details' requests fails about half of the pages.
TEST(GuiWorkflowTest, InjectAFaultAndCompareWithTheBaseline) {
  application();
  MainWindow window;
  ASSERT_TRUE(window.openScenario(QString::fromStdString((kScenarios / "bookinfo.yaml").string())));
  EXPECT_FALSE(window.pinBaseline()) << "the run has not finished";
  ASSERT_TRUE(window.runUntil(1e9, 60000));
  ASSERT_TRUE(window.controller().finished());
  const double baseline_success = window.controller().summary()->success_rate;
  EXPECT_EQ(baseline_success, 1.0);
  ASSERT_TRUE(window.pinBaseline());

  window.knobs()->setService(QStringLiteral("details"));
  window.knobs()->abortPercentBox()->setValue(50);
  ASSERT_TRUE(window.applyKnobs()) << window.messages().toStdString();
  ASSERT_TRUE(window.runUntil(1e9, 60000));
  ASSERT_TRUE(window.controller().finished());
  const double success = window.controller().summary()->success_rate;
  EXPECT_NEAR(success, 0.5, 0.05);
  EXPECT_GT(window.charts()->baselinePointCount(sim::LiveMetric::kErrorRate), 50);

  QTableWidget* table = window.comparison();
  ASSERT_GT(table->rowCount(), 3);
  bool found = false;
  for (int r = 0; r < table->rowCount(); ++r) {
    if (table->item(r, 0)->text().contains("success")) {
      found = true;
      EXPECT_NEAR(table->item(r, 3)->text().toDouble(), success - baseline_success, 1e-4);
    }
  }
  EXPECT_TRUE(found);

  // Replay: scrubbing the timeline shows an earlier snapshot.
  window.timeline()->setValue(3);
  EXPECT_EQ(window.shownSnapshot(), 3U);

  // Selecting a service switches the details to it.
  window.selectService(1);
  EXPECT_TRUE(window.details().contains("details"));
  EXPECT_TRUE(window.details().contains("fault injection"));
}

TEST(GuiLessonsTest, EveryLessonOpensOnItsKnob) {
  application();
  MainWindow window;
  for (std::size_t i = 0; i < sim::lessons().size(); ++i) {
    SCOPED_TRACE(std::string(sim::lessons()[i].title));
    ASSERT_TRUE(window.openLesson(i)) << window.messages().toStdString();
    if (!sim::lessons()[i].service.empty()) {
      EXPECT_EQ(window.knobs()->service().toStdString(), sim::lessons()[i].service);
    }
  }
  EXPECT_FALSE(window.openLesson(sim::lessons().size()));
}

}  // namespace
}  // namespace meshsim::gui
