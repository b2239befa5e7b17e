#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "sim/engine/simulator.h"

namespace meshsim::sim {

// A set of identical CPU servers with one FIFO queue: a sidecar's worker threads or an app's
// worker pool. Jobs queue when every server is busy, so CPU cost turns into latency under load
// (DESIGN.md "A hop A -> B", step 2).
class CpuPool {
 public:
  CpuPool(Simulator& sim, std::uint32_t servers);
  CpuPool(const CpuPool&) = delete;
  CpuPool& operator=(const CpuPool&) = delete;

  // Runs `work` on the first free server, in arrival order; `done` fires `then` after it completes
  // (non-CPU latency that follows the work, such as a sidecar's added latency). A zero amount of
  // work still passes through the queue (it waits for a free server).
  // `measured` jobs add their time from submission to `done` (queueing, work, then) to
  // measuredSojourn(): the latency this pool adds, for sidecar cost reports.
  void submit(Duration work, Event done, Duration then = Duration::zero(), bool measured = false);

  std::uint32_t servers() const { return servers_; }
  std::uint32_t busy() const { return busy_; }
  std::size_t queued() const { return queue_.size(); }
  // CPU time of completed jobs.
  Duration busyTime() const { return busy_time_; }
  std::uint64_t measuredJobs() const { return measured_jobs_; }
  Duration measuredSojourn() const { return measured_sojourn_; }

 private:
  struct Job {
    Duration work;
    Duration then;
    Event done;
    SimTime submitted;
    bool measured;
  };
  void start(const Job& job);
  void onFinish(std::uint64_t slot);

  Simulator& sim_;
  std::uint32_t servers_;
  std::uint32_t busy_ = 0;
  Duration busy_time_{0};
  std::uint64_t measured_jobs_ = 0;
  Duration measured_sojourn_{0};
  std::deque<Job> queue_;
  std::vector<Job> running_;  // indexed by slot
  std::vector<std::uint32_t> free_slots_;
};

}  // namespace meshsim::sim
