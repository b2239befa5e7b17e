#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>

#include "core/upstream/transport.h"
#include "proxy/http/http_server.h"

namespace meshsim::proxy {

// The core's upstream transport port over TCP with Beast's HTTP/1.1 client: one connection per
// pooled core connection, one request at a time on it (§3.2), keep-alive between requests. A read
// is always outstanding on a connected connection, so a peer that closes an idle connection is
// noticed at once (onConnectionClosed), as Envoy's codec notices it.
class AsioUpstreamTransport final : public core::UpstreamTransport {
 public:
  explicit AsioUpstreamTransport(boost::asio::io_context& io, ServerLimits limits = {})
      : io_(io), limits_(limits) {}

  // `host.address()` is "IP:PORT"; anything else fails to connect (kLocal) on a later turn.
  core::UpstreamConnectionPtr connect(core::Host& host, core::HttpProtocol protocol,
                                      core::ConnectionCallbacks& callbacks) override;

 private:
  boost::asio::io_context& io_;
  const ServerLimits limits_;
};

// One upstream connection, also its own (single) stream. It owns itself through self_ until the
// pool releases it; pending socket operations keep it alive until they complete.
class AsioUpstreamConnection final : public core::UpstreamConnection,
                                     public core::UpstreamStream,
                                     public std::enable_shared_from_this<AsioUpstreamConnection> {
 public:
  AsioUpstreamConnection(boost::asio::io_context& io, core::ConnectionCallbacks& callbacks,
                         const ServerLimits& limits);

  void start(const std::optional<boost::asio::ip::tcp::endpoint>& endpoint);
  void release();

  // core::UpstreamConnection
  core::UpstreamStream& newStream(const core::Request& request,
                                  core::StreamCallbacks& callbacks) override;
  void close() override;
  // core::UpstreamStream
  void reset() override;

 private:
  enum class State : std::uint8_t { kConnecting, kConnected, kClosed };

  void onConnect(const boost::system::error_code& error);
  void readResponse();
  void onRead(const boost::system::error_code& error);
  void onWritten(const boost::system::error_code& error);
  // The connection is gone under its owner: tell the pool first, then reset the open stream.
  void drop(core::ResetReason reason);
  void closeSocket();

  boost::asio::ip::tcp::socket socket_;
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
