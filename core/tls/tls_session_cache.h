// Implements proxy-semantics.md §7.4 (session resumption).
#pragma once

#include <cstdint>
#include <vector>

#include "core/common/time.h"
#include "core/tls/handshake_cost_model.h"

namespace meshsim::core {

// Envoy UpstreamTlsContext.max_session_keys default (proxy-semantics §7.4); Istio keeps it.
inline constexpr std::uint32_t kDefaultMaxSessionKeys = 1;
// BoringSSL's default session timeout when DownstreamTlsContext.session_timeout is unset
// [UNVERIFIED: library default, not read in Envoy source].
inline constexpr Duration kDefaultSessionTimeout = std::chrono::hours(2);

// The server side of resumption: an Envoy server TLS context issues stateless session tickets
// encrypted with an internal random key, so only the same context can resume them. A new context
// (listener update, certificate rotation, another replica) has a new key: give it a new
// ticket_key_id.
struct TlsServerContext {
  std::uint64_t ticket_key_id = 0;
  bool stateless_tickets = true;  // disable_stateless_session_resumption = false
  Duration session_timeout = kDefaultSessionTimeout;
};

// One client TLS context's session store (Envoy ClientContextImpl, one per cluster transport
// socket): at most max_session_keys sessions, newest first. A new connection offers the newest
// session whatever host it connects to; TLS 1.3 sessions are single-use, so offering removes it.
// The server resumes only a ticket it issued itself and that has not expired. After every
// handshake the server sends a new ticket, which the client stores.
class TlsClientSessionCache {
 public:
  explicit TlsClientSessionCache(std::uint32_t max_session_keys = kDefaultMaxSessionKeys,
                                 TlsVersion version = TlsVersion::kTls13);

  // A connection to `server` starts its handshake: true if it resumes (cheap handshake).
  bool startHandshake(const TlsServerContext& server, MonotonicTime now);
  // The handshake finished; store the ticket the server issued, if it issues any.
  void onHandshakeComplete(const TlsServerContext& server, MonotonicTime now);

  std::size_t size() const { return sessions_.size(); }

 private:
  struct Session {
    std::uint64_t ticket_key_id;
    MonotonicTime issued;
    Duration lifetime;
  };

  std::uint32_t max_session_keys_;
  bool single_use_;
  std::vector<Session> sessions_;  // newest first
};

}  // namespace meshsim::core
