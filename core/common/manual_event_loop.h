// Test host of the event-loop port (DESIGN.md "The seam"); no proxy-semantics.md section.
#pragma once

#include <cstdint>
#include <vector>

#include "core/common/event_loop.h"

namespace meshsim::core {

// An EventLoop advanced by hand, for unit tests of policy code: nothing happens until the test
// calls advance(). Due timers fire in (deadline, arming order), the same order the simulator uses.
class ManualEventLoop final : public EventLoop {
 public:
  ManualEventLoop() = default;
  ~ManualEventLoop() override;
  ManualEventLoop(const ManualEventLoop&) = delete;
  ManualEventLoop& operator=(const ManualEventLoop&) = delete;

  MonotonicTime now() const override { return now_; }
  TimerPtr createTimer(Callback callback) override;

  // Moves time forward by `delta`, firing every timer that falls due on the way (including timers
  // armed by callbacks, if they fall due within the window). Returns the number fired.
  std::size_t advance(Duration delta);
  std::size_t advanceTo(MonotonicTime target);
  // Fires timers due now (zero-delay timers armed since the last advance).
  std::size_t runReady() { return advanceTo(now_); }
  // Timers currently armed.
  std::size_t armedTimers() const;

 private:
  class ManualTimer;
  friend class ManualTimer;

  MonotonicTime now_ = kTimeZero;
  std::uint64_t next_sequence_ = 0;
  std::vector<ManualTimer*> timers_;
};

}  // namespace meshsim::core
