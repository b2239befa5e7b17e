#include "gui/run_controller.h"

#include <gtest/gtest.h>

#include <QSignalSpy>

#include "gui_test_support.h"

namespace meshsim::gui {
namespace {

constexpr int kTimeoutMs = 30000;

std::unique_ptr<sim::LiveSession> session(const char* duration) {
  config::Warnings warnings;
  return std::make_unique<sim::LiveSession>(
      sim::loadVariant((kScenarios / "bookinfo.yaml").string(),
                       {std::string("duration=") + duration, "warmup=1s"}, warnings));
}

TEST(RunControllerTest, StepAdvancesOneIntervalOnTheWorker) {
  application();
  RunController controller;
  controller.load(session("5s"));
  EXPECT_EQ(controller.topology().nodes.size(), 5U);
  QSignalSpy added(&controller, &RunController::snapshotAdded);
  controller.step();
  ASSERT_TRUE(added.wait(kTimeoutMs));
  ASSERT_EQ(controller.history().size(), 1U);
  EXPECT_DOUBLE_EQ(controller.history().back().endSeconds(), 2.0);
  EXPECT_FALSE(controller.playing());
  controller.step();
  ASSERT_TRUE(added.wait(kTimeoutMs));
  EXPECT_EQ(controller.history().size(), 2U);
  EXPECT_DOUBLE_EQ(controller.history().back().endSeconds(), 3.0);
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
  EXPECT_EQ(controller.history().size(), 20U);
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
  EXPECT_EQ(controller.history().size(), 3U);
  EXPECT_DOUBLE_EQ(controller.history().at(0).endSeconds(), 2.0);
}

}  // namespace
}  // namespace meshsim::gui
