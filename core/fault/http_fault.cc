#include "core/fault/http_fault.h"

#include <array>
#include <string_view>
#include <utility>

namespace meshsim::core {

std::optional<std::uint32_t> grpcStatusFromName(std::string_view name) {
  static constexpr std::array<std::string_view, 17> kNames = {"OK",
                                                              "CANCELLED",
                                                              "UNKNOWN",
                                                              "INVALID_ARGUMENT",
                                                              "DEADLINE_EXCEEDED",
                                                              "NOT_FOUND",
                                                              "ALREADY_EXISTS",
                                                              "PERMISSION_DENIED",
                                                              "RESOURCE_EXHAUSTED",
                                                              "FAILED_PRECONDITION",
                                                              "ABORTED",
                                                              "OUT_OF_RANGE",
                                                              "UNIMPLEMENTED",
                                                              "INTERNAL",
                                                              "UNAVAILABLE",
                                                              "DATA_LOSS",
                                                              "UNAUTHENTICATED"};
  for (std::uint32_t code = 0; code < kNames.size(); ++code) {
    if (kNames[code] == name) {
      return code;
    }
  }
  return std::nullopt;
}

std::optional<HttpFault> translateIstioFault(const IstioFaultInjection& in,
                                             ConfigDiagnostics& diagnostics,
                                             const std::string& path) {
  HttpFault out;
  if (in.delay.has_value()) {
    const auto& d = *in.delay;
    if (d.fixed_delay.has_value()) {
      FaultDelay delay;
      delay.fixed_delay = *d.fixed_delay;
      delay.percentage = d.percentage.has_value()
                             ? fractionFromIstioPercentage(*d.percentage)
                             : FractionalPercent::hundred(
                                   d.percent > 0 ? static_cast<std::uint32_t>(d.percent) : 0u);
      out.delay = delay;
    } else {
      diagnostics.push_back({ConfigDiagnostic::Severity::kWarning, path + ".delay",
                             d.exponential_delay.has_value()
                                 ? "exponentialDelay is not supported by Istio; delay dropped"
                                 : "delay without fixedDelay; delay dropped"});
    }
  }
  if (in.abort.has_value()) {
    const auto& a = *in.abort;
    FaultAbort abort;
    if (a.percentage.has_value()) {
      abort.percentage = fractionFromIstioPercentage(*a.percentage);
    }
    if (a.http_status.has_value()) {
      abort.http_status = *a.http_status;
      out.abort = abort;
    } else if (a.grpc_status.has_value()) {
      if (auto code = grpcStatusFromName(*a.grpc_status)) {
        abort.grpc_status = *code;
        out.abort = abort;
      } else {
        diagnostics.push_back({ConfigDiagnostic::Severity::kError, path + ".abort.grpcStatus",
                               "unknown gRPC status '" + *a.grpc_status + "'; abort dropped"});
      }
    } else {
      diagnostics.push_back({ConfigDiagnostic::Severity::kWarning, path + ".abort",
                             "abort without httpStatus or grpcStatus; abort dropped"});
    }
  }
  if (!out.delay.has_value() && !out.abort.has_value()) {
    return std::nullopt;
  }
  return out;
}

}  // namespace meshsim::core
