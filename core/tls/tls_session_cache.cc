#include "core/tls/tls_session_cache.h"

namespace meshsim::core {

TlsClientSessionCache::TlsClientSessionCache(std::uint32_t max_session_keys, TlsVersion version)
    : max_session_keys_(max_session_keys), single_use_(version == TlsVersion::kTls13) {
  sessions_.reserve(max_session_keys_);
}

bool TlsClientSessionCache::startHandshake(const TlsServerContext& server, MonotonicTime now) {
  if (sessions_.empty()) {
    return false;
  }
  const Session offered = sessions_.front();
  if (single_use_) {
    sessions_.erase(sessions_.begin());
  }
  return server.stateless_tickets && offered.ticket_key_id == server.ticket_key_id &&
         now - offered.issued < offered.lifetime;
}

void TlsClientSessionCache::onHandshakeComplete(const TlsServerContext& server, MonotonicTime now) {
  if (max_session_keys_ == 0 || !server.stateless_tickets) {
    return;
  }
  if (sessions_.size() == max_session_keys_) {
    sessions_.pop_back();
  }
  sessions_.insert(sessions_.begin(), Session{server.ticket_key_id, now, server.session_timeout});
}

}  // namespace meshsim::core
