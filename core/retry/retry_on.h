// Implements proxy-semantics.md §1.1-§1.2 (retry_on parsing).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/retry/retry_policy.h"

namespace meshsim::core {

// The result of parsing a comma-separated `retry_on` list. Unknown tokens are kept as diagnostics:
// Envoy ignores them in route configuration, and so does the state machine, but a linter wants
// them.
struct RetryOnParseResult {
  std::uint32_t bits = 0;
  std::vector<std::string> unknown_tokens;

  bool allValid() const { return unknown_tokens.empty(); }
};

// Route-configuration parse: every token is tried as an HTTP and as a gRPC condition, because Envoy
// runs both parsers over `retry_on` (proxy-semantics §1.1). Tokens are split on ',', surrounding
// whitespace is trimmed and empty tokens are skipped (Envoy StringUtil::splitToken(.., trim)).
RetryOnParseResult parseRetryOn(std::string_view list);

// Header parses: `x-envoy-retry-on` understands only the HTTP names and `x-envoy-retry-grpc-on`
// only the gRPC names (E: retry_state_impl.cc parseRetryOn / parseRetryGrpcOn).
RetryOnParseResult parseHttpRetryOn(std::string_view list);
RetryOnParseResult parseGrpcRetryOn(std::string_view list);

// Envoy's token for a single RetryOn bit ("" for a combination or an unknown bit).
std::string_view retryOnName(std::uint32_t bit);

// Canonical comma-separated list of the set bits, in bit order.
std::string retryOnString(std::uint32_t bits);

}  // namespace meshsim::core
