#include "proxy/http/http_server.h"

#include <boost/asio/write.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "proxy/tls/workload_certificates.h"

namespace meshsim::proxy {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

HttpResponse textResponse(unsigned status, std::string body, unsigned version, bool keep_alive) {
  HttpResponse response(static_cast<http::status>(status), version);
  response.set(http::field::content_type, "text/plain");
  response.body() = std::move(body);
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

HttpSession::HttpSession(tcp::socket socket, HttpServer& server, std::uint32_t worker)
    : socket_(std::move(socket)), server_(server), worker_(worker) {}

void HttpSession::start() {
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  const ServerTls& tls = server_.tls();
  if (tls.context == nullptr || tls.accept == ServerTls::Accept::kPlaintext) {
    readRequest();
  } else if (tls.accept == ServerTls::Accept::kMutualTls) {
    startTls();
  } else {
    boost::beast::async_detect_ssl(
        socket_, buffer_,
        [self = shared_from_this()](const boost::system::error_code& error, bool is_tls) {
          if (error) {
            self->close();
          } else if (is_tls) {
            self->startTls();
          } else {
            self->readRequest();
          }
        });
  }
}

void HttpSession::startTls() {
  tls_.emplace(std::move(socket_), *server_.tls().context);
  // Bytes already read while detecting TLS belong to the handshake.
  tls_->async_handshake(
      boost::asio::ssl::stream_base::server, buffer_.data(),
      [self = shared_from_this()](const boost::system::error_code& error, std::size_t used) {
        self->onHandshake(error, used);
      });
}

void HttpSession::onHandshake(const boost::system::error_code& error, std::size_t used) {
  server_.countHandshake(!error);
  if (error) {
    close();
    return;
  }
  buffer_.consume(used);
  peer_principal_ = peerSpiffeId(tls_->native_handle());
  readRequest();
}

void HttpSession::readRequest() {
  parser_.emplace();
  parser_->header_limit(server_.limits().max_header_bytes);
  parser_->body_limit(server_.limits().max_body_bytes);
  onStream([this](auto& stream) {
    http::async_read(stream, buffer_, *parser_,
                     [self = shared_from_this()](const boost::system::error_code& error,
                                                 std::size_t) { self->onRead(error); });
  });
}

void HttpSession::onRead(const boost::system::error_code& error) {
  if (!open()) {
    return;
  }
  if (error == http::error::header_limit) {
    reject(431);
    return;
  }
  if (error == http::error::body_limit) {
    reject(413);
    return;
  }
  // Beast's parse errors share one category; the end of the stream (clean or mid-message) is no
  // request to answer.
  if (error && error.category() == http::make_error_code(http::error::bad_target).category() &&
      error != http::error::end_of_stream && error != http::error::partial_message) {
    reject(400);
    return;
  }
  if (error) {
    close();
    return;
  }
  HttpRequest request = parser_->release();
  request_keep_alive_ = request.keep_alive();
  awaiting_response_ = true;
  watchForHangup();
  server_.handler().onRequest(shared_from_this(), std::move(request));
}

void HttpSession::watchForHangup() {
  const std::uint64_t request = ++requests_;
  socket().async_wait(tcp::socket::wait_read,
                      [self = shared_from_this(), request](const boost::system::error_code& error) {
                        self->onReadable(error, request);
                      });
}

void HttpSession::onReadable(const boost::system::error_code& error, std::uint64_t request) {
  // Readable with nothing to read: the client's end of the stream (or an error). Readable with
  // bytes: a pipelined request (or a TLS record), left for after the response.
  boost::system::error_code ignored;
  if (requests_ != request || !awaiting_response_ || !open() ||
      (!error && socket().available(ignored) > 0)) {
    return;
  }
  close();
  server_.handler().onHangup(shared_from_this());
}

void HttpSession::reject(unsigned status) {
  server_.handler().onRejected(status);
  awaiting_response_ = true;
  request_keep_alive_ = false;
  respond(textResponse(status,
                       status == 431   ? "request header fields too large\n"
                       : status == 413 ? "payload too large\n"
                                       : "bad request\n",
                       11, false));
}

void HttpSession::respond(HttpResponse response) {
  if (!open() || !awaiting_response_) {
    return;
  }
  awaiting_response_ = false;
  const bool keep_alive = request_keep_alive_ && response.keep_alive();
  response.keep_alive(keep_alive);
  writing_ = std::make_shared<HttpResponse>(std::move(response));
  onStream([this, keep_alive](auto& stream) {
    http::async_write(stream, *writing_,
                      [self = shared_from_this(), keep_alive](
                          const boost::system::error_code& error, std::size_t) {
                        self->onWritten(error, keep_alive);
                      });
  });
}

void HttpSession::onWritten(const boost::system::error_code& error, bool keep_alive) {
  writing_.reset();
  if (error || !keep_alive) {
    close();
    return;
  }
  readRequest();
}

void HttpSession::close() {
  tcp::socket& lowest = socket();
  if (lowest.is_open()) {
    boost::system::error_code ignored;
    lowest.shutdown(tcp::socket::shutdown_both, ignored);
    lowest.close(ignored);
  }
}

HttpServer::HttpServer(tcp::acceptor acceptor, RequestHandler& handler, ServerLimits limits,
                       std::uint32_t workers)
    : acceptor_(std::move(acceptor)),
      local_(acceptor_.local_endpoint()),
      accept_retry_(acceptor_.get_executor()),
      handler_(handler),
      limits_(limits),
      workers_(workers == 0 ? 1 : workers) {}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::start() {
  accept();
}

void HttpServer::accept() {
  acceptor_.async_accept([this](const boost::system::error_code& error, tcp::socket socket) {
    // Aborted: the server is stopping or gone; `this` may no longer exist.
    if (error == asio::error::operation_aborted || stopped_) {
      return;
    }
    if (error) {
      // Out of descriptors or memory: pause instead of spinning on the failing accept.
      accept_retry_.expires_after(std::chrono::milliseconds(50));
      accept_retry_.async_wait([this](const boost::system::error_code& wait_error) {
        if (!wait_error && !stopped_) {
          accept();
        }
      });
      return;
    }
    auto session =
        std::make_shared<HttpSession>(std::move(socket), *this, next_worker_++ % workers_);
    std::erase_if(sessions_, [](const auto& weak) { return weak.expired(); });
    sessions_.push_back(session);
    session->start();
    accept();
  });
}

void HttpServer::stop() {
  if (stopped_) {
    return;
  }
  stopped_ = true;
  accept_retry_.cancel();
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (const auto& weak : sessions_) {
    if (const auto session = weak.lock()) {
      session->close();
    }
  }
  sessions_.clear();
}

}  // namespace meshsim::proxy
