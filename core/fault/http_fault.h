// Implements proxy-semantics.md §6.3 (fault model and Istio mapping).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/common/config_diagnostic.h"
#include "core/common/fractional_percent.h"
#include "core/common/time.h"

namespace meshsim::core {

// Envoy's envoy.extensions.filters.http.fault.v3.HTTPFault, reduced to what Istio emits
// (proxy-semantics §6.3): a fixed delay and/or an abort, each with its own percentage.
struct FaultDelay {
  Duration fixed_delay{0};
  FractionalPercent percentage;
};

struct FaultAbort {
  // Exactly one of the two is set; a gRPC abort is sent as HTTP 200 + grpc-status.
  std::optional<std::uint32_t> http_status;
  std::optional<std::uint32_t> grpc_status;
  // Unset in Istio's output when `abort.percentage` is absent: the proto default is 0 % (never).
  FractionalPercent percentage;
};

struct HttpFault {
  std::optional<FaultDelay> delay;
  std::optional<FaultAbort> abort;
  std::optional<std::uint64_t> max_active_faults;  // unset => unlimited
};

// Istio's networking.v1alpha3.HTTPFaultInjection as written in a VirtualService.
struct IstioFaultInjection {
  struct Delay {
    std::optional<Duration> fixed_delay;
    std::optional<Duration> exponential_delay;  // accepted by the API, not supported by Istio
    std::optional<double> percentage;           // Percent{value}
    std::int32_t percent = 0;                   // deprecated integer percent
  };
  struct Abort {
    std::optional<std::uint32_t> http_status;
    std::optional<std::string> grpc_status;  // e.g. "UNAVAILABLE"
    std::optional<double> percentage;
  };
  std::optional<Delay> delay;
  std::optional<Abort> abort;
};

// Istio's TranslateFault (I: route.go, proxy-semantics §6.3): percentage => MILLION, deprecated
// percent => HUNDRED, abort percentage absent => never; exponential delay and unknown gRPC status
// names drop that part with a diagnostic. Returns nullopt when nothing remains.
std::optional<HttpFault> translateIstioFault(const IstioFaultInjection& in,
                                             ConfigDiagnostics& diagnostics,
                                             const std::string& path = "fault");

// gRPC status code for an Istio/gRPC status name ("UNAVAILABLE" => 14), nullopt if unknown.
std::optional<std::uint32_t> grpcStatusFromName(std::string_view name);

}  // namespace meshsim::core
