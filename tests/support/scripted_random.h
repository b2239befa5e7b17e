#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>

#include "core/common/random.h"

namespace meshsim::testing {

// A RandomGenerator that returns scripted values first, then a fixed SplitMix64 sequence. Tests of
// policy code script the exact draws (e.g. `random() % 100`) that a scenario in the spec describes.
class ScriptedRandom final : public core::RandomGenerator {
 public:
  ScriptedRandom() = default;
  ScriptedRandom(std::initializer_list<std::uint64_t> values) : script_(values) {}

  void push(std::uint64_t value) { script_.push_back(value); }
  std::size_t draws() const { return draws_; }

  std::uint64_t random() override {
    ++draws_;
    if (!script_.empty()) {
      const std::uint64_t value = script_.front();
      script_.pop_front();
      return value;
    }
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::deque<std::uint64_t> script_;
  std::uint64_t state_ = 0;
  std::size_t draws_ = 0;
};

}  // namespace meshsim::testing
