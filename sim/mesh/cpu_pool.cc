#include "sim/mesh/cpu_pool.h"

namespace meshsim::sim {

CpuPool::CpuPool(Simulator& sim, std::uint32_t servers)
    : sim_(sim), servers_(servers == 0 ? 1 : servers) {}

void CpuPool::submit(Duration work, Event done, Duration then, bool measured) {
  const Job job{work, then, done, sim_.now(), measured};
  if (busy_ < servers_) {
    start(job);
  } else {
    queue_.push_back(job);
  }
}

void CpuPool::start(const Job& job) {
  ++busy_;
  std::uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(running_.size());
    running_.push_back(job);
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    running_[slot] = job;
  }
  sim_.scheduleAfter(job.work, Event::member<&CpuPool::onFinish>(this, slot));
}

void CpuPool::onFinish(std::uint64_t slot) {
  const Job job = running_[slot];
  free_slots_.push_back(static_cast<std::uint32_t>(slot));
  --busy_;
  busy_time_ += job.work;
  if (job.measured) {
    ++measured_jobs_;
    measured_sojourn_ += sim_.now() + job.then - job.submitted;
  }
  if (!queue_.empty()) {
    const Job next = queue_.front();
    queue_.pop_front();
    start(next);
  }
  if (job.then > Duration::zero()) {
    sim_.scheduleAfter(job.then, job.done);
  } else {
    job.done.fire(job.done.context, job.done.arg);
  }
}

}  // namespace meshsim::sim
