// Implements proxy-semantics.md §1.2(b) (reset reasons).
#pragma once

#include <cstdint>
#include <string_view>

namespace meshsim::core {

// Why an upstream attempt ended without a usable response head, as reported by the connection pool
// or stream (Envoy Http::StreamResetReason, the subset the retry and outlier logic distinguish).
// A per-try timeout is delivered as kLocalReset (proxy-semantics §1.2 "usually wrong" bullets).
enum class ResetReason : std::uint8_t {
  kLocalConnectionFailure,    // the local side could not set the connection up
  kRemoteConnectionFailure,   // connection refused / reset during connect
  kConnectionTimeout,         // connect_timeout elapsed
  kLocalReset,                // we reset the stream (incl. per-try timeout)
  kRemoteReset,               // the peer reset the stream
  kRemoteRefusedStreamReset,  // HTTP/2 REFUSED_STREAM
  kOverflow,                  // circuit-breaker / pool overflow: never retried (§1.2(b))
  kConnectionTermination,     // the connection closed under an active stream
  kProtocolError,             // malformed upstream response
};

constexpr bool isConnectFailure(ResetReason reason) {
  return reason == ResetReason::kLocalConnectionFailure ||
         reason == ResetReason::kRemoteConnectionFailure ||
         reason == ResetReason::kConnectionTimeout;
}

constexpr std::string_view resetReasonName(ResetReason reason) {
  switch (reason) {
    case ResetReason::kLocalConnectionFailure:
      return "local connection failure";
    case ResetReason::kRemoteConnectionFailure:
      return "remote connection failure";
    case ResetReason::kConnectionTimeout:
      return "connection timeout";
    case ResetReason::kLocalReset:
      return "local reset";
    case ResetReason::kRemoteReset:
      return "remote reset";
    case ResetReason::kRemoteRefusedStreamReset:
      return "remote refused stream reset";
    case ResetReason::kOverflow:
      return "overflow";
    case ResetReason::kConnectionTermination:
      return "connection termination";
    case ResetReason::kProtocolError:
      return "protocol error";
  }
  return "unknown";
}

}  // namespace meshsim::core
