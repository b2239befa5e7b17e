#include "gui/run_controller.h"

#include <gtest/gtest.h>

#include <QSignalSpy>

#include "gui_test_support.h"
#include "sim/experiment/warmup_pilot.h"

namespace meshsim::gui {
namespace {

constexpr int kTimeoutMs = 30000;

std::unique_ptr<sim::LiveSession> session(const char* duration, const char* warmup = "1s") {
  config::Warnings warnings;
  return std::make_unique<sim::LiveSession>(sim::loadVariant(
      (kScenarios / "bookinfo.yaml").string(),
      {std::string("duration=") + duration, std::string("warmup=") + warmup}, warnings));
}

TEST(RunControllerTest, StepAdvancesOneIntervalOnTheWorker) {
  application();
  RunController controller;
  controller.load(session("5s"));
  EXPECT_EQ(controller.topology().nodes.size(), 5U);
  QSignalSpy added(&controller, &RunController::snapshotAdded);
  // The warm-up is simulated an interval at a time too, and marked.
  controller.step();
  ASSERT_TRUE(added.wait(kTimeoutMs));
  ASSERT_EQ(controller.history().size(), 1U);
  EXPECT_DOUBLE_EQ(controller.history().back().endSeconds(), 1.0);
  EXPECT_TRUE(controller.history().back().warmup);
  EXPECT_FALSE(controller.playing());
  controller.step();
  ASSERT_TRUE(added.wait(kTimeoutMs));
  EXPECT_EQ(controller.history().size(), 2U);
  EXPECT_DOUBLE_EQ(controller.history().back().endSeconds(), 2.0);
  EXPECT_FALSE(controller.history().back().warmup);
  EXPECT_EQ(controller.warmupText(), QStringLiteral("warm-up 1.0 s"));
  EXPECT_DOUBLE_EQ(controller.warmupSeconds(), 1.0);
}

// `warmup: auto`: the worker runs meshsim run's MSER-5 pilot before the first step, and the
// controller reports the detected warm-up; the warm-up snapshots cover exactly that time.
TEST(RunControllerTest, AutoWarmupIsDetectedOnTheWorker) {
  application();
  RunController controller;
  controller.load(session("20s", "auto"));
  EXPECT_TRUE(controller.warmupText().contains("auto")) << controller.warmupText().toStdString();
  QSignalSpy added(&controller, &RunController::snapshotAdded);
  controller.step();
  ASSERT_TRUE(added.wait(kTimeoutMs));
  EXPECT_TRUE(controller.warmupText().contains("(MSER-5)"))
      << controller.warmupText().toStdString();
  config::Warnings warnings;
  auto variant = sim::loadVariant((kScenarios / "bookinfo.yaml").string(),
                                  {"duration=20s", "warmup=auto"}, warnings);
  sim::resolveAutoWarmups({variant.get()}, 1, false);
  EXPECT_DOUBLE_EQ(controller.warmupSeconds(), core::toSeconds(variant->scenario.warmup));
  EXPECT_EQ(controller.warmupText().toStdString(), sim::describeWarmup(variant->scenario));
}

TEST(RunControllerTest, PlaysToTheEndAsFastAsPossible) {
  application();
  RunController controller;
  controller.setSpeed(RunController::kAsFastAsPossible);
  controller.load(session("20s"));
  QSignalSpy finished(&controller, &RunController::runFinished);
  controller.play();
  EXPECT_TRUE(controller.playing());
  ASSERT_TRUE(finished.wait(kTimeoutMs));
  EXPECT_FALSE(controller.playing());
  EXPECT_TRUE(controller.finished());
  EXPECT_EQ(controller.history().size(), 21U);  // the warm-up's one interval, then 20
  EXPECT_GT(controller.summary()->requests, 1500U);
  // Nothing more to run: play does nothing.
  controller.play();
  EXPECT_FALSE(controller.playing());
}

// Pause stops asking the worker for more; a step after it adds exactly one snapshot.
TEST(RunControllerTest, PauseThenStep) {
  application();
  RunController controller;
  controller.setSpeed(1);
  controller.load(session("30s"));
  QSignalSpy added(&controller, &RunController::snapshotAdded);
  controller.play();
  ASSERT_TRUE(added.wait(kTimeoutMs));
  controller.pause();
  EXPECT_FALSE(controller.playing());
  const std::size_t before = controller.history().size();
  controller.step();
  ASSERT_TRUE(added.wait(kTimeoutMs));
  EXPECT_EQ(controller.history().size(), before + 1);
  EXPECT_FALSE(controller.finished());
}

// A new run replaces the old one; its snapshots start again from the first interval.
TEST(RunControllerTest, LoadReplacesTheRun) {
  application();
  RunController controller;
  controller.setSpeed(RunController::kAsFastAsPossible);
  controller.load(session("50s"));
  QSignalSpy added(&controller, &RunController::snapshotAdded);
  controller.play();
  ASSERT_TRUE(added.wait(kTimeoutMs));
  controller.load(session("3s"));
  EXPECT_TRUE(controller.history().empty());
  EXPECT_FALSE(controller.playing());
  QSignalSpy finished(&controller, &RunController::runFinished);
  controller.play();
  ASSERT_TRUE(finished.wait(kTimeoutMs));
  EXPECT_EQ(controller.history().size(), 4U);
  EXPECT_DOUBLE_EQ(controller.history().at(0).endSeconds(), 1.0);
}

}  // namespace
}  // namespace meshsim::gui
