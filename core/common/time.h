// Core infrastructure (DESIGN.md "The seam"); implements no proxy-semantics.md section.
#pragma once

#include <chrono>
#include <cstdint>

namespace meshsim::core {

// Time is integer nanoseconds everywhere (DESIGN.md "Engine"): std::chrono gives us the integer
// representation, unit-safe arithmetic and the duration literals (10ms, 5s) for free.
using Duration = std::chrono::nanoseconds;

// Tag clock for monotonic time points. It has no now(): time is only ever read through the
// EventLoop port, so the simulator, a manual test loop and a real sidecar can all supply it.
struct MonotonicClock {
  using rep = Duration::rep;
  using period = Duration::period;
  using duration = Duration;
  using time_point = std::chrono::time_point<MonotonicClock, Duration>;
  static constexpr bool is_steady = true;
};

using MonotonicTime = MonotonicClock::time_point;

inline constexpr MonotonicTime kTimeZero{};

// Whole milliseconds, rounding toward zero; Envoy's policy knobs and back-off are in ms.
constexpr std::int64_t toMilliseconds(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

constexpr double toSeconds(Duration d) {
  return std::chrono::duration<double>(d).count();
}

// Nearest nanosecond to a number of seconds; distributions sample doubles in seconds.
constexpr Duration fromSeconds(double s) {
  return Duration(static_cast<std::int64_t>(s * 1e9 + (s >= 0 ? 0.5 : -0.5)));
}

}  // namespace meshsim::core

namespace meshsim {
// Duration literals (1ns, 250us, 10ms, 5s, 2min, 1h) for every meshsim namespace.
using namespace std::chrono_literals;
}  // namespace meshsim
