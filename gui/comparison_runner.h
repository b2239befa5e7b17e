#pragma once

#include <QObject>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "sim/experiment/comparison.h"
#include "sim/experiment/replications.h"

namespace meshsim::gui {

// Runs `meshsim compare`'s replicated A/B comparison (sim::compareReplicated) on its own thread,
// so the window stays responsive; progress and the result come back as queued signals. A new
// start() or cancel() abandons the one in progress: its thread skips the replications not yet
// started and its result is dropped (the generation number tells them apart).
class ComparisonRunner : public QObject {
  Q_OBJECT

 public:
  explicit ComparisonRunner(QObject* parent = nullptr);
  ~ComparisonRunner() override;

  void start(std::unique_ptr<sim::Variant> a, std::unique_ptr<sim::Variant> b,
             std::size_t replications);
  void cancel();
  bool running() const { return running_; }
  std::size_t replications() const { return replications_; }

 signals:
  // Runs done of 2 x replications.
  void progress(int done, int total);
  void finished(const std::vector<meshsim::sim::MetricComparison>& rows);
  void failed(const QString& message);

 private:
  struct Job {
    std::atomic<bool> cancel{false};
    std::atomic<bool> done{false};
    std::thread thread;
  };

  std::vector<std::unique_ptr<Job>> jobs_;
  int generation_ = 0;
  bool running_ = false;
  std::size_t replications_ = 0;
};

}  // namespace meshsim::gui
