// Implements proxy-semantics.md §0.1 (percent checks), used by §6.3 and §6.4.
#pragma once

#include <cstdint>

namespace meshsim::core {

// Envoy's envoy.type.v3.FractionalPercent: numerator over a fixed denominator. Percent checks
// are `value % denominator < numerator` (proxy-semantics §0.1, ProtobufPercentHelper), where
// `value` is a fresh random() draw (faults) or the stream id (mirroring, §6.4).
struct FractionalPercent {
  enum class Denominator : std::uint32_t {
    kHundred = 100,
    kTenThousand = 10'000,
    kMillion = 1'000'000,
  };

  std::uint32_t numerator = 0;
  Denominator denominator = Denominator::kHundred;

  constexpr std::uint64_t denominatorValue() const {
    return static_cast<std::uint64_t>(denominator);
  }
  constexpr bool evaluate(std::uint64_t value) const {
    return value % denominatorValue() < numerator;
  }

  static constexpr FractionalPercent hundred(std::uint32_t n) { return {n, Denominator::kHundred}; }
  static constexpr FractionalPercent million(std::uint32_t n) { return {n, Denominator::kMillion}; }

  friend constexpr bool operator==(const FractionalPercent&, const FractionalPercent&) = default;
};

// Istio's Percent{value: double} => {value * 10 000, MILLION}, truncated like Go's uint32()
// conversion (I: route.go translatePercentToFractionalPercent, proxy-semantics §6.3).
inline FractionalPercent fractionFromIstioPercentage(double value) {
  if (!(value > 0.0)) {
    return FractionalPercent::million(0);
  }
  const double scaled = value * 10'000.0;
  return FractionalPercent::million(scaled >= 1'000'000.0 ? 1'000'000u
                                                          : static_cast<std::uint32_t>(scaled));
}

}  // namespace meshsim::core
