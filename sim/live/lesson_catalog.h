#pragma once

#include <span>
#include <string_view>

namespace meshsim::sim {

// Which policy knob a lesson asks the learner to turn (the GUI's knob panel opens on it).
enum class KnobKind {
  kLoad,
  kReplicas,
  kRetries,
  kTimeout,
  kOutlierDetection,
  kConnectionPool,
  kTrafficSplit,
  kFaultInjection
};

// A resilience pattern taught with a shipped scenario: what to watch and the one knob to try.
struct Lesson {
  std::string_view title;
  std::string_view scenario;  // file name under scenarios/
  std::string_view explanation;
  KnobKind knob;
  std::string_view service;  // the knob's destination service
  std::string_view try_this;
};

std::span<const Lesson> lessons();

}  // namespace meshsim::sim
