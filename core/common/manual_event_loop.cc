#include "core/common/manual_event_loop.h"

#include <algorithm>

namespace meshsim::core {

class ManualEventLoop::ManualTimer final : public Timer {
 public:
  ManualTimer(ManualEventLoop& loop, Callback callback) : loop_(loop), callback_(callback) {}

  void enable(Duration delay) override {
    deadline_ = loop_.now_ + std::max(delay, Duration::zero());
    sequence_ = loop_.next_sequence_++;
    armed_ = true;
  }
  void disable() override { armed_ = false; }
  bool enabled() const override { return armed_; }

  ManualEventLoop& loop_;
  Callback callback_;
  MonotonicTime deadline_ = kTimeZero;
  std::uint64_t sequence_ = 0;
  bool armed_ = false;
};

ManualEventLoop::~ManualEventLoop() {
  for (ManualTimer* timer : timers_) {
    delete timer;
  }
}

TimerPtr ManualEventLoop::createTimer(Callback callback) {
  auto* timer = new ManualTimer(*this, callback);
  timers_.push_back(timer);
  // The deleter finds the loop through the timer itself, so TimerPtr stays one pointer wide.
  return TimerPtr(timer, TimerDeleter{[](Timer* t) {
                    auto* manual = static_cast<ManualTimer*>(t);
                    auto& list = manual->loop_.timers_;
                    list.erase(std::find(list.begin(), list.end(), manual));
                    delete manual;
                  }});
}

std::size_t ManualEventLoop::advance(Duration delta) {
  return advanceTo(now_ + delta);
}

std::size_t ManualEventLoop::advanceTo(MonotonicTime target) {
  std::size_t fired = 0;
  for (;;) {
    ManualTimer* next = nullptr;
    for (ManualTimer* timer : timers_) {
      if (!timer->armed_ || timer->deadline_ > target) {
        continue;
      }
      if (next == nullptr || timer->deadline_ < next->deadline_ ||
          (timer->deadline_ == next->deadline_ && timer->sequence_ < next->sequence_)) {
        next = timer;
      }
    }
    if (next == nullptr) {
      break;
    }
    now_ = std::max(now_, next->deadline_);
    next->armed_ = false;
    ++fired;
    next->callback_();
  }
  now_ = std::max(now_, target);
  return fired;
}

std::size_t ManualEventLoop::armedTimers() const {
  return static_cast<std::size_t>(std::count_if(timers_.begin(), timers_.end(),
                                                [](const ManualTimer* t) { return t->armed_; }));
}

}  // namespace meshsim::core
