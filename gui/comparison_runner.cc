#include "gui/comparison_runner.h"

#include <QMetaObject>
#include <algorithm>
#include <exception>

#include "sim/live/ab_comparison.h"

namespace meshsim::gui {

ComparisonRunner::ComparisonRunner(QObject* parent) : QObject(parent) {
  qRegisterMetaType<std::vector<sim::MetricComparison>>(
      "std::vector<meshsim::sim::MetricComparison>");
}

ComparisonRunner::~ComparisonRunner() {
  cancel();
  // Every thread posts to this object, so none may outlive it.
  for (const auto& job : jobs_) {
    job->thread.join();
  }
}

void ComparisonRunner::cancel() {
  ++generation_;
  running_ = false;
  for (const auto& job : jobs_) {
    job->cancel = true;
  }
}

void ComparisonRunner::start(std::unique_ptr<sim::Variant> a, std::unique_ptr<sim::Variant> b,
                             std::size_t replications) {
  cancel();
  // Threads of abandoned comparisons that have ended are joined here; the others end after their
  // current replication and are joined on a later start() or by the destructor.
  std::erase_if(jobs_, [](const std::unique_ptr<Job>& job) {
    if (!job->done) {
      return false;
    }
    job->thread.join();
    return true;
  });
  running_ = true;
  replications_ = replications;
  const int generation = generation_;
  // One thread for the simulations: the live run's worker and the window share the rest.
  const std::size_t threads = std::max(1U, std::thread::hardware_concurrency() - 1);
  auto job = std::make_unique<Job>();
  Job* raw = job.get();
  raw->thread = std::thread([this, raw, generation, replications, threads,
                             a = std::shared_ptr<sim::Variant>(std::move(a)),
                             b = std::shared_ptr<sim::Variant>(std::move(b))] {
    const auto post = [this, generation](auto&& deliver) {
      QMetaObject::invokeMethod(
          this,
          [this, generation, deliver] {
            if (generation == generation_ && running_) {
              deliver();
            }
          },
          Qt::QueuedConnection);
    };
    try {
      const auto rows = sim::compareReplicated(
          *a, *b, replications, threads,
          [&](std::size_t done, std::size_t total) {
            post([this, done, total] {
              emit progress(static_cast<int>(done), static_cast<int>(total));
            });
          },
          &raw->cancel);
      if (rows) {
        post([this, rows = *rows] {
          running_ = false;
          emit finished(rows);
        });
      }
    } catch (const std::exception& error) {
      post([this, message = QString::fromStdString(error.what())] {
        running_ = false;
        emit failed(message);
      });
    }
    raw->done = true;
  });
  jobs_.push_back(std::move(job));
}

}  // namespace meshsim::gui
