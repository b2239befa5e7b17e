#pragma once

#include <QObject>
#include <QThread>
#include <QTimer>
#include <memory>
#include <optional>

#include "sim/live/live_session.h"
#include "sim/live/run_history.h"

namespace meshsim::gui {

// Lives on the simulation thread and owns the LiveSession: nothing else touches the mesh. It
// answers advance requests with copied Snapshots (queued signals), so the UI only ever sees
// values.
class SimulationWorker : public QObject {
  Q_OBJECT

 public:
  SimulationWorker(std::unique_ptr<sim::LiveSession> session, int generation);

 public slots:
  void advance(int steps);

 signals:
  void snapshotReady(int generation, const meshsim::sim::Snapshot& snapshot);
  void runFinished(int generation, const meshsim::sim::RunSummary& summary);
  void advanced(int generation);
  // The warm-up in force once the first step has run (with `warmup: auto`, the pilot's answer).
  void warmupKnown(int generation, const QString& description, double seconds);

 private:
  std::unique_ptr<sim::LiveSession> session_;
  const int generation_;
  bool reported_warmup_ = false;
};

// Run control on the UI thread: play / pause / step, speed as a multiple of real (simulated)
// time or as fast as possible, and the history of snapshots for the charts and the timeline.
// The worker runs on its own QThread; a new run replaces it (and a generation number drops
// snapshots still in flight from the old one).
class RunController : public QObject {
  Q_OBJECT

 public:
  // Speed 0: as fast as possible.
  static constexpr double kAsFastAsPossible = 0;

  explicit RunController(QObject* parent = nullptr);
  ~RunController() override;

  // Takes over a new run, paused at its start. topology and scenario stay readable afterwards.
  void load(std::unique_ptr<sim::LiveSession> session);
  bool loaded() const { return worker_ != nullptr; }
  const sim::MeshTopology& topology() const { return topology_; }
  const sim::RunHistory& history() const { return history_; }
  const std::optional<sim::RunSummary>& summary() const { return summary_; }
  bool playing() const { return playing_; }
  bool finished() const { return summary_.has_value(); }
  double speed() const { return speed_; }
  // "warm-up 15.0 s", "warm-up 12.0 s (MSER-5)" once detected, or "warm-up auto (…)" before.
  const QString& warmupText() const { return warmup_text_; }
  // The warm-up's length in seconds, once known (0 before the first step of an auto warm-up).
  double warmupSeconds() const { return warmup_s_; }
  void setSpeed(double multiple_of_real_time);

 public slots:
  void play();
  void pause();
  void step();

 signals:
  void snapshotAdded(std::size_t index);
  void runFinished();
  void stateChanged();
  void advanceRequested(int steps);

 private:
  void stop();
  void request(int steps);
  void onSnapshot(int generation, const sim::Snapshot& snapshot);
  void onFinished(int generation, const sim::RunSummary& summary);
  void onAdvanced(int generation);
  void onWarmupKnown(int generation, const QString& description, double seconds);

  QThread thread_;
  SimulationWorker* worker_ = nullptr;
  QTimer timer_;
  int generation_ = 0;
  sim::MeshTopology topology_;
  double interval_s_ = 1;
  sim::RunHistory history_;
  std::optional<sim::RunSummary> summary_;
  bool playing_ = false;
  bool busy_ = false;          // an advance request is with the worker
  bool step_pending_ = false;  // a step asked for while busy
  double speed_ = 10;
  QString warmup_text_;
  double warmup_s_ = 0;
};

}  // namespace meshsim::gui
