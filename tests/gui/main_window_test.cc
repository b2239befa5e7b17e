#include "gui/main_window.h"

#include <gtest/gtest.h>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QImage>
#include <QLineEdit>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTableWidget>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "gui/chart_panel.h"
#include "gui/knob_panel.h"
#include "gui/topology_items.h"
#include "gui/topology_view.h"
#include "gui_test_support.h"
#include "sim/experiment/replications.h"
#include "sim/live/label_placement.h"
#include "sim/live/lesson_catalog.h"

namespace meshsim::gui {
namespace {

namespace fs = std::filesystem;

// Every edge label is clear of every node and of every other label, and beside its own edge: its
// centre within the middle 80 % of the edge's segment and at most sim::kMaxSideways off it.
void expectLabelsClear(const TopologyView& view) {
  for (std::size_t e = 0; e < view.edgeCount(); ++e) {
    const QRectF label = view.edge(e)->labelRect();
    if (label.isEmpty()) {
      continue;
    }
    for (std::size_t n = 0; n < view.nodeCount(); ++n) {
      EXPECT_FALSE(label.intersects(view.node(n)->sceneBoundingRect()))
          << "the label of edge " << e << " covers node " << view.node(n)->node().name;
    }
    for (std::size_t other = e + 1; other < view.edgeCount(); ++other) {
      EXPECT_FALSE(label.intersects(view.edge(other)->labelRect()))
          << "the labels of edges " << e << " and " << other << " overlap";
    }
    const QLineF line = view.edge(e)->segment();
    const QPointF c = label.center() - line.p1();
    const double length = line.length();
    ASSERT_GT(length, 0) << "edge " << e;
    const double along = (c.x() * line.dx() + c.y() * line.dy()) / length;
    const double across = std::abs(c.y() * line.dx() - c.x() * line.dy()) / length;
    EXPECT_GE(along, 0.1 * length - 1e-6) << "the label of edge " << e << " left its edge";
    EXPECT_LE(along, 0.9 * length + 1e-6) << "the label of edge " << e << " left its edge";
    EXPECT_LE(across, sim::kMaxSideways) << "the label of edge " << e << " left its edge";
  }
}

// A user's drag on the view: press on `from`, move in steps, release on `to` (scene points).
void drag(TopologyView& view, QPointF from, QPointF to) {
  QWidget* viewport = view.viewport();
  const auto send = [viewport](QEvent::Type type, QPoint at, Qt::MouseButton button,
                               Qt::MouseButtons buttons) {
    QMouseEvent event(type, QPointF(at), viewport->mapToGlobal(QPointF(at)), button, buttons,
                      Qt::NoModifier);
    QApplication::sendEvent(viewport, &event);
  };
  const QPoint a = view.mapFromScene(from);
  const QPoint b = view.mapFromScene(to);
  send(QEvent::MouseButtonPress, a, Qt::LeftButton, Qt::LeftButton);
  for (int i = 1; i <= 8; ++i) {
    send(QEvent::MouseMove, a + (b - a) * i / 8, Qt::NoButton, Qt::LeftButton);
  }
  send(QEvent::MouseButtonRelease, b, Qt::LeftButton, Qt::NoButton);
}

// Every shipped scenario opens, shows one node per service plus the load generator and one edge
// per caller/callee pair, runs a few simulated seconds past its warm-up, and every chart gets a
// point per snapshot (in the warm-up, only the charts of what the mesh records then). In the
// 1600 x 950 window the node details and the edge labels are at least 10 px high on screen, no
// edge label covers a node or another label, and that still holds after the user drags the node
// with the most edges (its labels follow its edges).
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
    window.show();
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
    const sim::RunHistory& history = window.controller().history();
    const std::size_t snapshots = history.size();
    const auto warmup = static_cast<std::size_t>(std::llround(core::toSeconds(scenario.warmup)));
    ASSERT_GE(snapshots, warmup + 3);
    for (std::size_t i = 0; i < snapshots; ++i) {
      EXPECT_EQ(history.at(i).warmup, i < warmup) << i;
    }
    for (const sim::LiveMetric metric : sim::kLiveMetrics) {
      EXPECT_EQ(
          window.charts()->pointCount(metric),
          static_cast<int>(sim::recordedDuringWarmup(metric) ? snapshots : snapshots - warmup));
    }
    EXPECT_DOUBLE_EQ(window.charts()->warmup(), core::toSeconds(scenario.warmup));
    EXPECT_GT(history.back().rps, 0);
    EXPECT_FALSE(window.topologyView()->edge(0)->label().isEmpty());

    TopologyView* view = window.topologyView();
    EXPECT_EQ(window.size(), QSize(1600, 950));
    EXPECT_GE(view->zoom() * kDetailPx, 10.0) << "zoom " << view->zoom();
    EXPECT_GE(view->zoom() * kEdgeLabelPx, 10.0) << "zoom " << view->zoom();
    expectLabelsClear(*view);

    // The user drags the node with the most edges down and to the right, by more than its size.
    std::vector<int> degree(view->nodeCount());
    for (std::size_t e = 0; e < view->edgeCount(); ++e) {
      ++degree[view->edge(e)->edge().from];
      ++degree[view->edge(e)->edge().to];
    }
    NodeItem* node = view->node(
        static_cast<std::size_t>(std::max_element(degree.begin(), degree.end()) - degree.begin()));
    view->centerOn(node);
    const QPointF to = node->scenePos() + QPointF(kNodeWidth * 0.75, kNodeHeight * 0.6);
    drag(*view, node->scenePos(), to);
    EXPECT_LT(QLineF(node->scenePos(), to).length(), 3.0 / view->zoom())
        << "the drag moved " << node->node().name;
    expectLabelsClear(*view);
    // The labels were placed for the geometry after the drag: placing them again moves none.
    std::vector<QRectF> placed;
    for (std::size_t e = 0; e < view->edgeCount(); ++e) {
      placed.push_back(view->edge(e)->labelRect());
    }
    view->placeLabels();
    for (std::size_t e = 0; e < view->edgeCount(); ++e) {
      EXPECT_EQ(view->edge(e)->labelRect(), placed[e]) << "edge " << e;
    }
  }
  EXPECT_GE(scenarios, 12U);
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
  window.replicationsBox()->setValue(3);
  ASSERT_TRUE(window.openScenario(QString::fromStdString((kScenarios / "bookinfo.yaml").string())));
  EXPECT_FALSE(window.pinBaseline()) << "nothing has run yet";
  ASSERT_TRUE(window.runUntil(1e9, 60000));
  ASSERT_TRUE(window.controller().finished());
  const double baseline_success = window.controller().summary()->success_rate;
  EXPECT_EQ(baseline_success, 1.0);
  ASSERT_TRUE(window.pinBaseline());

  window.knobs()->setService(QStringLiteral("details"));
  window.knobs()->abortPercentBox()->setValue(50);
  ASSERT_TRUE(window.applyKnobs()) << window.messages().toStdString();
  // While B plays: B - A of the interval ending at the same time. Half of details' calls abort,
  // so about half the pages fail in B and none in A.
  ASSERT_TRUE(window.runUntil(20, 60000));
  // runUntil stops at the end of a batch of intervals, at 20 s or a little after.
  const double shown = window.controller().history().back().endSeconds();
  EXPECT_TRUE(window.comparisonStatus().contains(
      QStringLiteral("Live: the interval ending at t = %1 s").arg(shown, 0, 'f', 1)))
      << window.comparisonStatus().toStdString();
  QTableWidget* table = window.comparison();
  const auto row = [table](const QString& metric) {
    for (int r = 0; r < table->rowCount(); ++r) {
      if (table->item(r, 0)->text() == metric) {
        return r;
      }
    }
    return -1;
  };
  const int live_errors = row(QStringLiteral("error rate"));
  ASSERT_GE(live_errors, 0);
  EXPECT_EQ(table->item(live_errors, 1)->text().toDouble(), 0.0);
  EXPECT_NEAR(table->item(live_errors, 3)->text().toDouble(), 0.5, 0.2);

  QSignalSpy replicated(&window.comparisonRunner(), &ComparisonRunner::finished);
  ASSERT_TRUE(window.runUntil(1e9, 60000));
  ASSERT_TRUE(window.controller().finished());
  const double success = window.controller().summary()->success_rate;
  EXPECT_NEAR(success, 0.5, 0.05);
  EXPECT_GT(window.charts()->baselinePointCount(sim::LiveMetric::kErrorRate), 50);
  // The finished runs' difference first, then meshsim compare's with 3 replications each, on
  // the comparison thread.
  EXPECT_TRUE(window.comparisonRunner().running());
  ASSERT_TRUE(replicated.wait(120000));
  EXPECT_TRUE(window.comparisonStatus().startsWith("3 replications"))
      << window.comparisonStatus().toStdString();
  ASSERT_GT(table->rowCount(), 3);
  const int success_row = row(QStringLiteral("success_rate"));
  ASSERT_GE(success_row, 0) << "rows: " << table->rowCount();
  const QStringList difference = table->item(success_row, 3)->text().split(' ');
  EXPECT_NEAR(difference.front().toDouble(), -0.5, 0.05);
  EXPECT_EQ(difference.back(), QStringLiteral("*")) << "a 50 % abort is significant";
  EXPECT_TRUE(table->item(success_row, 4)->text().startsWith(QStringLiteral("± ")));
  const double half_width = table->item(success_row, 4)->text().mid(2).toDouble();
  EXPECT_GT(half_width, 0);
  EXPECT_LT(half_width, 0.05);

  // Replay: scrubbing the timeline shows an earlier snapshot.
  window.timeline()->setValue(3);
  EXPECT_EQ(window.shownSnapshot(), 3U);

  // Selecting a service switches the details to it.
  window.selectService(1);
  EXPECT_TRUE(window.details().contains("details"));
  EXPECT_TRUE(window.details().contains("fault injection"));
}

// The README's first session: in Bookinfo, details gets 3 replicas, outlier detection, 2 retries
// on 5xx (the knob shows Istio's default, which retries no 5xx) and one replica failing every
// request from the end of the warm-up (10 s). productpage's sidecar retries the 503s and ejects
// the replica: both charts leave zero, the topology shows the replica out, and the pages still
// succeed.
TEST(GuiWorkflowTest, FailingReplicaIsRetriedAndEjected) {
  application();
  MainWindow window;
  ASSERT_TRUE(window.openScenario(QString::fromStdString((kScenarios / "bookinfo.yaml").string())));
  KnobPanel* knobs = window.knobs();
  knobs->setService(QStringLiteral("details"));
  EXPECT_FALSE(knobs->failingGroup()->isChecked());
  EXPECT_EQ(knobs->failingVersionBox()->currentText(), QStringLiteral("v1"));
  EXPECT_EQ(knobs->failingFromBox()->value(), 10);
  QSpinBox* replicas = knobs->replicasGroup()->findChild<QSpinBox*>();
  ASSERT_NE(replicas, nullptr);
  replicas->setValue(3);
  knobs->outlierGroup()->setChecked(true);
  knobs->maxEjectionBox()->setValue(100);
  // details has no VirtualService: Istio's default policy, 2 retries of connection failures only.
  EXPECT_EQ(knobs->retryAttemptsBox()->value(), 2);
  EXPECT_EQ(knobs->retryOnEdit()->text().toStdString(), core::kIstioDefaultRetryOn);
  EXPECT_EQ(knobs->origin(sim::KnobKind::kRetries),
            QStringLiteral("From: Istio default (no VirtualService for details)"));
  knobs->retryOnEdit()->setText(QStringLiteral("5xx,reset,connect-failure"));
  knobs->failingGroup()->setChecked(true);
  ASSERT_TRUE(window.applyKnobs()) << window.messages().toStdString();
  EXPECT_EQ(knobs->failingReplicasBox()->value(), 1) << "the knob reads back what it wrote";
  EXPECT_EQ(knobs->origin(sim::KnobKind::kRetries), QStringLiteral("From: VirtualService details"));
  EXPECT_TRUE(knobs->failingGroup()->isChecked());

  ASSERT_TRUE(window.runUntil(15, 60000));
  EXPECT_GT(window.charts()->peak(sim::LiveMetric::kRetries), 0);
  EXPECT_GE(window.charts()->peak(sim::LiveMetric::kEjectedHosts), 1);
  const sim::RunHistory& history = window.controller().history();
  EXPECT_EQ(history.at(9).retries, 0U) << "nothing fails during the warm-up";
  const std::size_t details = 1;
  ASSERT_EQ(window.topologyView()->node(details)->node().name, "details");
  EXPECT_TRUE(window.topologyView()->node(details)->badges().contains(QStringLiteral("OD")));
  EXPECT_EQ(history.back().services[details].ejected[0], 1U);
  EXPECT_LT(history.back().error_rate, 0.01);
}

// The status bar says what the run is doing; the warm-up is shaded and charted an interval at a
// time; scrubbing the timeline moves every chart's marker; a run can be pinned before its end.
TEST(GuiRunControlTest, StatusWarmupMarkerAndEarlyPin) {
  application();
  MainWindow window;
  ASSERT_TRUE(window.openScenario(QString::fromStdString((kScenarios / "bookinfo.yaml").string())));
  EXPECT_TRUE(window.statusText().contains("paused at the start"))
      << window.statusText().toStdString();
  EXPECT_TRUE(window.statusText().contains("warm-up 10.0 s"));
  EXPECT_DOUBLE_EQ(window.charts()->warmup(), 10.0);
  // Steps stop exactly where asked (runUntil may run a few intervals past its target).
  for (int i = 0; i < 5; ++i) {
    QSignalSpy added(&window.controller(), &RunController::snapshotAdded);
    window.controller().step();
    ASSERT_TRUE(added.wait(30000));
  }
  EXPECT_TRUE(window.statusText().contains("paused at t = 5.0 s (in the warm-up)"))
      << window.statusText().toStdString();
  EXPECT_EQ(window.charts()->pointCount(sim::LiveMetric::kRps), 0);
  EXPECT_EQ(window.charts()->pointCount(sim::LiveMetric::kSidecarCpu), 5);
  EXPECT_GT(window.controller().history().back().sidecar_cpu_cores, 0);
  ASSERT_TRUE(window.runUntil(20, 60000));
  const std::size_t snapshots = window.controller().history().size();
  ASSERT_GE(snapshots, 20U);
  EXPECT_EQ(window.charts()->pointCount(sim::LiveMetric::kRps), static_cast<int>(snapshots - 10));
  EXPECT_EQ(window.charts()->marker(), std::optional<double>(static_cast<double>(snapshots)));

  window.controller().play();
  EXPECT_TRUE(window.statusText().contains("playing at 10× real time"))
      << window.statusText().toStdString();
  window.controller().pause();
  window.timeline()->setValue(12);
  EXPECT_TRUE(window.statusText().contains("replaying t = 13.0 s"))
      << window.statusText().toStdString();
  EXPECT_EQ(window.charts()->marker(), std::optional<double>(13.0));

  EXPECT_TRUE(window.pinBaseline()) << "pinning before the end keeps the snapshots so far";
  EXPECT_GE(window.charts()->baselinePointCount(sim::LiveMetric::kSidecarCpu), 20);
  EXPECT_FALSE(window.compareWithReplications()) << "B has not run yet";
}

// Under profile envoy no Istio manifest applies: the Istio knobs show Envoy's defaults (no
// retries, a 15 s route timeout, 1024 requests), say so, and cannot be changed.
TEST(GuiKnobsTest, OtherProfilesShowTheirDefaultsReadOnly) {
  application();
  const fs::path path = fs::temp_directory_path() / "meshsim-gui-envoy-profile.yaml";
  sim::ScenarioEditor::open((kScenarios / "payment-circuit-breaker.yaml").string())
      .save(path.string());
  std::ofstream(path, std::ios::app) << "profile: envoy\n";
  MainWindow window;
  ASSERT_TRUE(window.openScenario(QString::fromStdString(path.string())))
      << window.messages().toStdString();
  KnobPanel* knobs = window.knobs();
  knobs->setService(QStringLiteral("payment"));
  EXPECT_EQ(knobs->retryAttemptsBox()->value(), 0);
  EXPECT_EQ(knobs->timeoutBox()->value(), 15000);
  EXPECT_EQ(knobs->maxRequestsBox()->value(), 1024);
  EXPECT_FALSE(knobs->retryAttemptsBox()->isEnabled());
  EXPECT_EQ(knobs->origin(sim::KnobKind::kRetries),
            QStringLiteral("From: Envoy default (profile envoy applies no Istio manifest)"));
  EXPECT_TRUE(knobs->loadBox()->isEnabled());
  fs::remove(path);
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
