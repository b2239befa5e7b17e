#include "proxy/http/asio_upstream_transport.h"

#include <boost/asio/post.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <utility>

#include "proxy/common/socket_address.h"
#include "proxy/http/message_conversion.h"
#include "proxy/tls/workload_certificates.h"

namespace meshsim::proxy {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

core::UpstreamConnectionPtr AsioUpstreamTransport::connect(core::Host& host, core::HttpProtocol,
                                                           core::ConnectionCallbacks& callbacks) {
  auto connection = std::make_shared<AsioUpstreamConnection>(io_, *this, callbacks, limits_);
  connection->start(parseEndpoint(host.address()), tls_policy_ ? tls_policy_(host) : ClientTls{});
  return core::UpstreamConnectionPtr(
      connection.get(), core::UpstreamConnectionDeleter{[](core::UpstreamConnection* c) {
        static_cast<AsioUpstreamConnection*>(c)->release();
      }});
}

AsioUpstreamConnection::AsioUpstreamConnection(asio::io_context& io,
                                               AsioUpstreamTransport& transport,
                                               core::ConnectionCallbacks& callbacks,
                                               const ServerLimits& limits)
    : socket_(io), transport_(transport), callbacks_(callbacks), limits_(limits) {}

void AsioUpstreamConnection::start(const std::optional<tcp::endpoint>& endpoint, ClientTls tls) {
  self_ = shared_from_this();
  tls_settings_ = std::move(tls);
  if (!endpoint) {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      self->onConnect(asio::error::address_family_not_supported);
    });
    return;
  }
  socket_.async_connect(*endpoint,
                        [self = shared_from_this()](const boost::system::error_code& error) {
                          self->onConnect(error);
                        });
}

void AsioUpstreamConnection::onConnect(const boost::system::error_code& error) {
  if (state_ != State::kConnecting) {
    return;
  }
  if (error) {
    const bool remote =
        error == asio::error::connection_refused || error == asio::error::connection_reset ||
        error == asio::error::host_unreachable || error == asio::error::network_unreachable;
    connectFailed(remote ? core::ConnectFailure::kRemote : core::ConnectFailure::kLocal);
    return;
  }
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  if (tls_settings_.context == nullptr) {
    becomeConnected();
    return;
  }
  tls_.emplace(std::move(socket_), *tls_settings_.context);
  tls_->async_handshake(asio::ssl::stream_base::client,
                        [self = shared_from_this()](const boost::system::error_code& tls_error) {
                          self->onHandshake(tls_error);
                        });
}

void AsioUpstreamConnection::onHandshake(const boost::system::error_code& error) {
  if (state_ != State::kConnecting) {
    return;
  }
  // A server that rejects us or cannot prove the expected identity: the peer refused the
  // connection, as the simulator reports a rejected handshake.
  const bool ok = !error && (tls_settings_.principal.empty() ||
                             peerSpiffeId(tls_->native_handle()) == tls_settings_.principal);
  transport_.countHandshake(ok);
  if (!ok) {
    connectFailed(core::ConnectFailure::kRemote);
    return;
  }
  becomeConnected();
}

void AsioUpstreamConnection::connectFailed(core::ConnectFailure failure) {
  closeSocket();
  state_ = State::kClosed;
  callbacks_.onConnectFailed(failure);
}

void AsioUpstreamConnection::becomeConnected() {
  state_ = State::kConnected;
  readResponse();
  callbacks_.onConnected();
}

void AsioUpstreamConnection::readResponse() {
  parser_.emplace();
  parser_->header_limit(limits_.max_header_bytes);
  parser_->body_limit(limits_.max_body_bytes);
  onStream([this](auto& stream) {
    http::async_read(stream, buffer_, *parser_,
                     [self = shared_from_this()](const boost::system::error_code& error,
                                                 std::size_t) { self->onRead(error); });
  });
}

core::UpstreamStream& AsioUpstreamConnection::newStream(const core::Request& request,
                                                        core::StreamCallbacks& callbacks) {
  stream_ = &callbacks;
  writing_ = std::make_unique<HttpRequest>(toHttpRequest(request));
  onStream([this](auto& stream) {
    http::async_write(stream, *writing_,
                      [self = shared_from_this()](const boost::system::error_code& error,
                                                  std::size_t) { self->onWritten(error); });
  });
  return *this;
}

void AsioUpstreamConnection::onWritten(const boost::system::error_code& error) {
  if (state_ != State::kConnected) {
    return;
  }
  if (error) {
    drop(core::ResetReason::kConnectionTermination);
  }
}

void AsioUpstreamConnection::onRead(const boost::system::error_code& error) {
  if (state_ != State::kConnected) {
    return;
  }
  if (error) {
    const bool protocol =
        error.category() == http::make_error_code(http::error::bad_target).category() &&
        error != http::error::end_of_stream && error != http::error::partial_message;
    drop(protocol ? core::ResetReason::kProtocolError : core::ResetReason::kConnectionTermination);
    return;
  }
  if (stream_ == nullptr) {
    // A response nobody asked for: the framing is lost.
    drop(core::ResetReason::kProtocolError);
    return;
  }
  const bool keep_alive = parser_->get().keep_alive();
  const core::Response response = toCoreResponse(parser_->get());
  core::StreamCallbacks* stream = std::exchange(stream_, nullptr);
  if (keep_alive) {
    // Read ahead before anyone hears of the response: the pool may put the next request on this
    // connection from inside the callbacks.
    readResponse();
  }
  stream->onResponse(response);
  if (state_ != State::kConnected) {
    return;  // closed or released from inside onResponse()
  }
  if (keep_alive) {
    callbacks_.onStreamClosed();
  } else {
    closeSocket();
    state_ = State::kClosed;
    callbacks_.onConnectionClosed();
  }
}

void AsioUpstreamConnection::reset() {
  // HTTP/1: the rest of the response can no longer be framed, so the connection goes too.
  stream_ = nullptr;
  if (state_ == State::kConnected) {
    closeSocket();
    state_ = State::kClosed;
    callbacks_.onConnectionClosed();
  }
}

void AsioUpstreamConnection::drop(core::ResetReason reason) {
  closeSocket();
  state_ = State::kClosed;
  callbacks_.onConnectionClosed();
  if (core::StreamCallbacks* stream = std::exchange(stream_, nullptr)) {
    stream->onReset(reason);
  }
}

void AsioUpstreamConnection::close() {
  stream_ = nullptr;
  closeSocket();
  state_ = State::kClosed;
}

void AsioUpstreamConnection::release() {
  close();
  // Destroys this object on return when no socket operation is pending any more.
  const std::shared_ptr<AsioUpstreamConnection> last = std::move(self_);
}

void AsioUpstreamConnection::closeSocket() {
  tcp::socket& lowest = socket();
  if (lowest.is_open()) {
    boost::system::error_code ignored;
    lowest.close(ignored);
  }
}

}  // namespace meshsim::proxy
