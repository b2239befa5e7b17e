// The event-loop port of DESIGN.md "The seam"; implements no proxy-semantics.md section.
#pragma once

#include <memory>

#include "core/common/callback.h"
#include "core/common/time.h"

namespace meshsim::core {

// A one-shot timer owned by whoever created it. Re-enabling an armed timer re-arms it; destroying
// it disarms it. Callbacks run on the loop, never re-entrantly from enable() or disable().
class Timer {
 public:
  virtual ~Timer() = default;
  // Fires the callback `delay` after now(); a zero delay fires on a later turn of the loop.
  virtual void enable(Duration delay) = 0;
  virtual void disable() = 0;
  virtual bool enabled() const = 0;
};

// Timers come back through a deleter the loop chooses, so a host can recycle them from a free list
// instead of allocating one per request.
struct TimerDeleter {
  void (*release)(Timer*) = nullptr;
  void operator()(Timer* timer) const { release(timer); }
};
using TimerPtr = std::unique_ptr<Timer, TimerDeleter>;

// The event-loop port (DESIGN.md "The seam"): the only way the core learns the time or acts later.
// Implemented by the simulator's engine, by ManualEventLoop in unit tests and by an Asio loop in a
// real sidecar.
class EventLoop {
 public:
  virtual ~EventLoop() = default;
  virtual MonotonicTime now() const = 0;
  virtual TimerPtr createTimer(Callback callback) = 0;
};

}  // namespace meshsim::core
