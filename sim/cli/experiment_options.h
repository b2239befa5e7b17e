#pragma once

#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "sim/cli/scenario_arguments.h"
#include "sim/experiment/warmup_pilot.h"

namespace meshsim::cli {

// A positive count (replications, threads) up to `limit`, or nullopt.
inline std::optional<std::size_t> positiveCount(const std::string& text, std::size_t limit) {
  if (text.empty() || text.size() > 9 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const std::size_t value = std::stoul(text);
  if (value == 0 || value > limit) {
    return std::nullopt;
  }
  return value;
}

inline std::size_t defaultThreads() {
  return std::max(1u, std::thread::hardware_concurrency());
}

// Resolves `warmup: auto` in `variants` (resolveAutoWarmups) and warns on stderr about each
// detection that hit MSER-5's search limit: the run goes on, but its steady state is doubtful.
inline void resolveWarmups(const char* command, const std::vector<sim::Variant*>& variants,
                           std::size_t threads, bool shared) {
  for (const std::size_t v : sim::resolveAutoWarmups(variants, threads, shared)) {
    const sim::Scenario& scenario = variants[v]->scenario;
    std::fprintf(stderr,
                 "meshsim %s: warning: %s: warm-up detection (MSER-5) hit its search limit, so "
                 "the transient may last longer than half the pilot run (%.3g s); the run is too "
                 "short for a trustworthy steady state: increase `duration`. Going on with a "
                 "%.3g s warm-up.\n",
                 command, scenario.file.c_str(), core::toSeconds(scenario.duration),
                 core::toSeconds(scenario.warmup));
  }
}

// "done / total jobs" on stderr, redrawn in place, only when stderr is a terminal.
class JobCounter {
 public:
  explicit JobCounter(const char* what) : what_(what), tty_(isatty(fileno(stderr)) != 0) {}
  void update(std::size_t done, std::size_t total) const {
    if (tty_) {
      std::fprintf(stderr, "\r%s: %zu / %zu simulations done", what_, done, total);
      std::fflush(stderr);
    }
  }
  void clear() const {
    if (tty_) {
      std::fprintf(stderr, "\r%70s\r", "");
      std::fflush(stderr);
    }
  }

 private:
  const char* what_;
  bool tty_;
};

}  // namespace meshsim::cli
