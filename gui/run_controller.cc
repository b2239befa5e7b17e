#include "gui/run_controller.h"

#include <algorithm>
#include <cmath>

namespace meshsim::gui {
namespace {

// Snapshots asked for at once when running as fast as possible: few enough that pause answers
// quickly, enough that the queue round trips do not dominate.
constexpr int kBatch = 5;

void registerTypes() {
  qRegisterMetaType<sim::Snapshot>("meshsim::sim::Snapshot");
  qRegisterMetaType<sim::RunSummary>("meshsim::sim::RunSummary");
}

}  // namespace

SimulationWorker::SimulationWorker(std::unique_ptr<sim::LiveSession> session, int generation)
    : session_(std::move(session)), generation_(generation) {}

void SimulationWorker::advance(int steps) {
  for (int i = 0; i < steps && !session_->done(); ++i) {
    auto snapshot = session_->step();
    if (!reported_warmup_) {
      reported_warmup_ = true;
      emit warmupKnown(generation_,
                       QString::fromStdString(sim::describeWarmup(session_->scenario())),
                       core::toSeconds(session_->warmup()));
    }
    if (snapshot) {
      emit snapshotReady(generation_, *snapshot);
    }
    if (session_->done()) {
      emit runFinished(generation_, session_->summary());
    }
  }
  emit advanced(generation_);
}

RunController::RunController(QObject* parent) : QObject(parent) {
  registerTypes();
  connect(&timer_, &QTimer::timeout, this, [this] {
    if (!busy_) {
      request(1);
    }
  });
}

RunController::~RunController() {
  stop();
}

void RunController::stop() {
  timer_.stop();
  playing_ = false;
  busy_ = false;
  step_pending_ = false;
  if (worker_ != nullptr) {
    thread_.quit();
    thread_.wait();
    delete worker_;
    worker_ = nullptr;
  }
}

void RunController::load(std::unique_ptr<sim::LiveSession> session) {
  stop();
  ++generation_;
  topology_ = session->topology();
  warmup_text_ = QString::fromStdString(sim::describeWarmup(session->scenario()));
  warmup_s_ = session->scenario().warmup_auto && !session->scenario().warmup_detection
                  ? 0
                  : core::toSeconds(session->warmup());
  interval_s_ = 1;
  history_.clear();
  summary_.reset();
  worker_ = new SimulationWorker(std::move(session), generation_);
  worker_->moveToThread(&thread_);
  connect(this, &RunController::advanceRequested, worker_, &SimulationWorker::advance);
  connect(worker_, &SimulationWorker::snapshotReady, this, &RunController::onSnapshot);
  connect(worker_, &SimulationWorker::runFinished, this, &RunController::onFinished);
  connect(worker_, &SimulationWorker::advanced, this, &RunController::onAdvanced);
  connect(worker_, &SimulationWorker::warmupKnown, this, &RunController::onWarmupKnown);
  thread_.start();
  emit stateChanged();
}

void RunController::setSpeed(double multiple_of_real_time) {
  speed_ = std::max(0.0, multiple_of_real_time);
  if (playing_) {
    play();
  }
  emit stateChanged();
}

void RunController::play() {
  if (worker_ == nullptr || finished()) {
    return;
  }
  playing_ = true;
  if (speed_ == kAsFastAsPossible) {
    timer_.stop();
    if (!busy_) {
      request(kBatch);
    }
  } else {
    timer_.start(std::max(1, static_cast<int>(std::lround(1000.0 * interval_s_ / speed_))));
    if (!busy_) {
      request(1);
    }
  }
  emit stateChanged();
}

void RunController::pause() {
  playing_ = false;
  timer_.stop();
  emit stateChanged();
}

void RunController::step() {
  pause();
  if (worker_ == nullptr || finished()) {
    return;
  }
  if (busy_) {
    step_pending_ = true;
  } else {
    request(1);
  }
}

void RunController::request(int steps) {
  busy_ = true;
  emit advanceRequested(steps);
}

void RunController::onSnapshot(int generation, const sim::Snapshot& snapshot) {
  if (generation != generation_) {
    return;
  }
  interval_s_ = std::max(1e-3, core::toSeconds(snapshot.width));
  history_.append(snapshot);
  emit snapshotAdded(history_.size() - 1);
}

void RunController::onFinished(int generation, const sim::RunSummary& summary) {
  if (generation != generation_) {
    return;
  }
  summary_ = summary;
  playing_ = false;
  timer_.stop();
  emit runFinished();
  emit stateChanged();
}

void RunController::onWarmupKnown(int generation, const QString& description, double seconds) {
  if (generation != generation_) {
    return;
  }
  warmup_text_ = description;
  warmup_s_ = seconds;
  emit stateChanged();
}

void RunController::onAdvanced(int generation) {
  if (generation != generation_) {
    return;
  }
  busy_ = false;
  if (step_pending_ && !finished()) {
    step_pending_ = false;
    request(1);
    return;
  }
  if (playing_ && speed_ == kAsFastAsPossible && !finished()) {
    request(kBatch);
  }
}

}  // namespace meshsim::gui
