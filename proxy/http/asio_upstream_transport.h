#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/upstream/transport.h"
#include "proxy/http/http_server.h"

namespace meshsim::proxy {

// How a connection to one host is secured (§7.2): plaintext without a context; else TLS with
// this client context, and the server must prove `principal` (its SPIFFE id) when one is given.
struct ClientTls {
  boost::asio::ssl::context* context = nullptr;
  std::string principal;
};
using ClientTlsPolicy = std::function<ClientTls(const core::Host&)>;

// The core's upstream transport port over TCP with Beast's HTTP/1.1 client: one connection per
// pooled core connection, one request at a time on it (§3.2), keep-alive between requests. A read
// is always outstanding on a connected connection, so a peer that closes an idle connection is
// noticed at once (onConnectionClosed), as Envoy's codec notices it.
class AsioUpstreamTransport final : public core::UpstreamTransport {
 public:
  // Without a policy every connection is plaintext.
  explicit AsioUpstreamTransport(boost::asio::io_context& io, ServerLimits limits = {},
                                 ClientTlsPolicy tls = {})
      : io_(io), limits_(limits), tls_policy_(std::move(tls)) {}

  // `host.address()` is "IP:PORT"; anything else fails to connect (kLocal) on a later turn.
  core::UpstreamConnectionPtr connect(core::Host& host, core::HttpProtocol protocol,
                                      core::ConnectionCallbacks& callbacks) override;

  // TLS handshakes completed and failed (including a server identity that did not match).
  std::uint64_t tlsHandshakes() const { return tls_handshakes_; }
  std::uint64_t tlsFailures() const { return tls_failures_; }
  void countHandshake(bool ok) { ++(ok ? tls_handshakes_ : tls_failures_); }

 private:
  boost::asio::io_context& io_;
  const ServerLimits limits_;
  const ClientTlsPolicy tls_policy_;
  std::uint64_t tls_handshakes_ = 0;
  std::uint64_t tls_failures_ = 0;
};

// One upstream connection, also its own (single) stream. It owns itself through self_ until the
// pool releases it; pending socket operations keep it alive until they complete.
class AsioUpstreamConnection final : public core::UpstreamConnection,
                                     public core::UpstreamStream,
                                     public std::enable_shared_from_this<AsioUpstreamConnection> {
 public:
  AsioUpstreamConnection(boost::asio::io_context& io, AsioUpstreamTransport& transport,
                         core::ConnectionCallbacks& callbacks, const ServerLimits& limits);

  void start(const std::optional<boost::asio::ip::tcp::endpoint>& endpoint, ClientTls tls);
  void release();

  // core::UpstreamConnection
  core::UpstreamStream& newStream(const core::Request& request,
                                  core::StreamCallbacks& callbacks) override;
  void close() override;
  // core::UpstreamStream
  void reset() override;

 private:
  enum class State : std::uint8_t { kConnecting, kConnected, kClosed };

  using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

  boost::asio::ip::tcp::socket& socket() { return tls_ ? tls_->next_layer() : socket_; }
  template <class Operation>
  void onStream(Operation&& operation) {
    if (tls_) {
      operation(*tls_);
    } else {
      operation(socket_);
    }
  }
  void onConnect(const boost::system::error_code& error);
  void onHandshake(const boost::system::error_code& error);
  void connectFailed(core::ConnectFailure failure);
  void becomeConnected();
  void readResponse();
  void onRead(const boost::system::error_code& error);
  void onWritten(const boost::system::error_code& error);
  // The connection is gone under its owner: tell the pool first, then reset the open stream.
  void drop(core::ResetReason reason);
  void closeSocket();

  boost::asio::ip::tcp::socket socket_;
  std::optional<TlsStream> tls_;
  ClientTls tls_settings_;
  AsioUpstreamTransport& transport_;
  core::ConnectionCallbacks& callbacks_;
  const ServerLimits limits_;
  std::shared_ptr<AsioUpstreamConnection> self_;
  State state_ = State::kConnecting;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
  std::unique_ptr<HttpRequest> writing_;
  core::StreamCallbacks* stream_ = nullptr;
};

}  // namespace meshsim::proxy
