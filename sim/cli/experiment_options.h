#pragma once

#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace meshsim::cli {

// Value of `--name VALUE` or `--name=VALUE` at args[i] (advancing i), or nullopt if args[i] is
// not that option. Sets `missing` when the value is absent.
inline std::optional<std::string> optionValue(const std::vector<std::string>& args, std::size_t& i,
                                              std::string_view name, bool& missing) {
  const std::string& arg = args[i];
  if (arg == name) {
    if (i + 1 >= args.size()) {
      missing = true;
      return std::string();
    }
    return args[++i];
  }
  if (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0 &&
      arg[name.size()] == '=') {
    return arg.substr(name.size() + 1);
  }
  return std::nullopt;
}

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
