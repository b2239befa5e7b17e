#include "core/fault/fault_injector.h"

#include <gtest/gtest.h>

#include "tests/support/scripted_random.h"

namespace meshsim::core {
namespace {

using testing::ScriptedRandom;

HttpFault translate(const IstioFaultInjection& in, ConfigDiagnostics& diags) {
  auto out = translateIstioFault(in, diags);
  EXPECT_TRUE(out.has_value());
  return out.value_or(HttpFault{});
}

TEST(HttpFaultTranslationTest, PercentageMapping) {
  ConfigDiagnostics diags;
  IstioFaultInjection in;
  in.delay = IstioFaultInjection::Delay{5s, std::nullopt, 50.0, 0};
  in.abort = IstioFaultInjection::Abort{503, std::nullopt, 0.1};
  HttpFault f = translate(in, diags);
  EXPECT_TRUE(diags.empty());
  EXPECT_EQ(f.delay->fixed_delay, 5s);
  EXPECT_EQ(f.delay->percentage, FractionalPercent::million(500'000));
  EXPECT_EQ(f.abort->percentage, FractionalPercent::million(1'000));
  EXPECT_EQ(f.abort->http_status, 503u);

  // Deprecated integer percent => HUNDRED; neither => 0 (never).
  in.delay = IstioFaultInjection::Delay{5s, std::nullopt, std::nullopt, 30};
  EXPECT_EQ(translate(in, diags).delay->percentage, FractionalPercent::hundred(30));
  in.delay = IstioFaultInjection::Delay{5s, std::nullopt, std::nullopt, 0};
  EXPECT_EQ(translate(in, diags).delay->percentage, FractionalPercent::hundred(0));
  // Abort without percentage => 0 % => never.
  in.abort = IstioFaultInjection::Abort{500, std::nullopt, std::nullopt};
  EXPECT_EQ(translate(in, diags).abort->percentage.numerator, 0u);
}

TEST(HttpFaultTranslationTest, ExponentialDelayDroppedAndGrpcAbort) {
  ConfigDiagnostics diags;
  IstioFaultInjection in;
  in.delay = IstioFaultInjection::Delay{std::nullopt, 1s, 100.0, 0};
  EXPECT_FALSE(translateIstioFault(in, diags).has_value());  // nothing left
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].path, "fault.delay");

  in.abort = IstioFaultInjection::Abort{std::nullopt, "UNAVAILABLE", 100.0};
  auto f = translateIstioFault(in, diags);
  ASSERT_TRUE(f.has_value());
  EXPECT_FALSE(f->delay.has_value());
  EXPECT_EQ(f->abort->grpc_status, 14u);
  EXPECT_FALSE(f->abort->http_status.has_value());

  in.abort = IstioFaultInjection::Abort{std::nullopt, "NOPE", 100.0};
  diags.clear();
  EXPECT_FALSE(translateIstioFault(in, diags).has_value());
  EXPECT_TRUE(hasErrors(diags));
}

HttpFault abortOnly(std::uint32_t status, FractionalPercent pct) {
  HttpFault f;
  f.abort = FaultAbort{status, std::nullopt, pct};
  return f;
}

TEST(FaultInjectorTest, FiftyPercentAbortUsesModuloHundred) {
  FaultInjector injector;
  const HttpFault fault = abortOnly(503, FractionalPercent::hundred(50));
  ScriptedRandom rng{49, 50, 149, 150};
  FaultStreamState s1, s2, s3, s4;
  auto d1 = injector.onRequestHeaders(fault, rng, s1);
  EXPECT_EQ(d1.action, FaultAction::kAbort);
  EXPECT_EQ(d1.http_status, 503u);
  EXPECT_TRUE(hasFlag(d1.flags, ResponseFlag::kFaultInjected));
  EXPECT_EQ(injector.onRequestHeaders(fault, rng, s2).action, FaultAction::kContinue);
  EXPECT_EQ(injector.onRequestHeaders(fault, rng, s3).action, FaultAction::kAbort);
  EXPECT_EQ(injector.onRequestHeaders(fault, rng, s4).action, FaultAction::kContinue);
  EXPECT_EQ(rng.draws(), 4u);  // one draw per request: no delay configured, no delay draw
  EXPECT_EQ(injector.stats().aborts_injected, 2u);
  EXPECT_EQ(injector.stats().active_faults, 2u);
  injector.onStreamDestroyed(s1);
  injector.onStreamDestroyed(s2);
  injector.onStreamDestroyed(s3);
  EXPECT_EQ(injector.stats().active_faults, 0u);
}

TEST(FaultInjectorTest, MillionDenominatorFromIstioPercentage) {
  FaultInjector injector;
  const HttpFault fault = abortOnly(500, fractionFromIstioPercentage(50.0));
  ScriptedRandom rng{499'999, 500'000};
  FaultStreamState s1, s2;
  EXPECT_EQ(injector.onRequestHeaders(fault, rng, s1).action, FaultAction::kAbort);
  EXPECT_EQ(injector.onRequestHeaders(fault, rng, s2).action, FaultAction::kContinue);
}

TEST(FaultInjectorTest, AbsentAbortPercentageNeverAborts) {
  ConfigDiagnostics diags;
  IstioFaultInjection in;
  in.abort = IstioFaultInjection::Abort{503, std::nullopt, std::nullopt};
  const HttpFault fault = translate(in, diags);
  FaultInjector injector;
  ScriptedRandom rng{0, 0, 0};  // even the smallest draw fails 0 % (0 % 100 < 0 is false)
  for (int i = 0; i < 3; ++i) {
    FaultStreamState s;
    EXPECT_EQ(injector.onRequestHeaders(fault, rng, s).action, FaultAction::kContinue);
  }
  EXPECT_EQ(injector.stats().aborts_injected, 0u);
}

TEST(FaultInjectorTest, DelayThenAbortCheckedAfterDelayWithIndependentDraw) {
  HttpFault fault;
  fault.delay = FaultDelay{7s, FractionalPercent::hundred(50)};
  fault.abort = FaultAbort{503, std::nullopt, FractionalPercent::hundred(50)};
  FaultInjector injector;
  // Draw #1 = 10 (< 50: delay). No abort draw yet.
  ScriptedRandom rng{10, 99, 10};
  FaultStreamState s;
  auto d = injector.onRequestHeaders(fault, rng, s);
  EXPECT_EQ(d.action, FaultAction::kDelay);
  EXPECT_EQ(d.delay, 7s);
  EXPECT_TRUE(hasFlag(d.flags, ResponseFlag::kDelayInjected));
  EXPECT_EQ(rng.draws(), 1u);
  EXPECT_EQ(injector.stats().delays_injected, 1u);
  // Draw #2 = 99 after the delay: abort test fails, request continues; the active fault ends.
  auto after = injector.onDelayElapsed(fault, rng, s);
  EXPECT_EQ(after.action, FaultAction::kContinue);
  EXPECT_EQ(rng.draws(), 2u);
  EXPECT_EQ(injector.stats().active_faults, 0u);

  // Next request: delay draw 60 fails, abort draw made immediately.
  ScriptedRandom rng2{60, 10};
  FaultStreamState s2;
  auto d2 = injector.onRequestHeaders(fault, rng2, s2);
  EXPECT_EQ(d2.action, FaultAction::kAbort);
  EXPECT_EQ(rng2.draws(), 2u);
  EXPECT_FALSE(hasFlag(d2.flags, ResponseFlag::kDelayInjected));
}

TEST(FaultInjectorTest, DelayFollowedByAbortCountsOneActiveFault) {
  HttpFault fault;
  fault.delay = FaultDelay{100ms, FractionalPercent::hundred(100)};
  fault.abort = FaultAbort{std::nullopt, 14, FractionalPercent::hundred(100)};
  fault.max_active_faults = 1;
  FaultInjector injector;
  ScriptedRandom rng{0, 0};
  FaultStreamState s;
  EXPECT_EQ(injector.onRequestHeaders(fault, rng, s).action, FaultAction::kDelay);
  auto d = injector.onDelayElapsed(fault, rng, s);
  EXPECT_EQ(d.action, FaultAction::kAbort);
  EXPECT_EQ(d.http_status, 200u);  // gRPC abort: HTTP 200 + grpc-status
  EXPECT_EQ(d.grpc_status, 14u);
  EXPECT_EQ(injector.stats().active_faults, 1u);
  EXPECT_EQ(injector.stats().faults_overflow, 0u);
  EXPECT_EQ(injector.stats().delays_injected, 1u);
  EXPECT_EQ(injector.stats().aborts_injected, 1u);
  injector.onStreamDestroyed(s);
  EXPECT_EQ(injector.stats().active_faults, 0u);
}

TEST(FaultInjectorTest, MaxActiveFaultsOverflow) {
  HttpFault fault;
  fault.delay = FaultDelay{1s, FractionalPercent::hundred(100)};
  fault.abort = FaultAbort{503, std::nullopt, FractionalPercent::hundred(100)};
  fault.max_active_faults = 1;
  FaultInjector injector;
  ScriptedRandom rng;
  FaultStreamState first, second;
  EXPECT_EQ(injector.onRequestHeaders(fault, rng, first).action, FaultAction::kDelay);
  // Second request: delay refused (overflow), then the abort is tried and refused again.
  EXPECT_EQ(injector.onRequestHeaders(fault, rng, second).action, FaultAction::kContinue);
  EXPECT_EQ(injector.stats().faults_overflow, 2u);
  EXPECT_FALSE(second.fault_active);
  injector.onStreamDestroyed(first);
  FaultStreamState third;
  EXPECT_EQ(injector.onRequestHeaders(fault, rng, third).action, FaultAction::kDelay);
}

TEST(FaultInjectorTest, SubMillisecondDelayIsNotInjected) {
  HttpFault fault;
  fault.delay = FaultDelay{500us, FractionalPercent::hundred(100)};
  FaultInjector injector;
  ScriptedRandom rng{0};
  FaultStreamState s;
  EXPECT_EQ(injector.onRequestHeaders(fault, rng, s).action, FaultAction::kContinue);
  EXPECT_EQ(rng.draws(), 1u);  // the percent test still draws
  EXPECT_EQ(injector.stats().delays_injected, 0u);
  // Delays are whole milliseconds.
  fault.delay->fixed_delay = 1500us;
  EXPECT_EQ(injector.onRequestHeaders(fault, rng, s).delay, 1ms);
}

}  // namespace
}  // namespace meshsim::core
