#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>

namespace meshsim::proxy {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// What a server accepts from a client before it answers with an error of its own.
struct ServerLimits {
  // Request line plus header fields; larger => 431. Envoy's default max_request_headers_kb is 60.
  std::uint32_t max_header_bytes = 60 * 1024;
  std::uint64_t max_body_bytes = 1 << 20;  // larger => 413
};

// What a listener's TLS accepts (PeerAuthentication, §7.1): kDisable plaintext only, kStrict mTLS
// only (a plaintext client fails the handshake), kPermissive either, told apart by the first
// bytes as Istio's inbound listener does.
struct ServerTls {
  boost::asio::ssl::context* context = nullptr;  // nullptr: plaintext only
  enum class Accept : std::uint8_t { kPlaintext, kMutualTls, kBoth } accept = Accept::kPlaintext;
};

class HttpSession;

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Answer with session->respond(), now or later, exactly once.
  virtual void onRequest(const std::shared_ptr<HttpSession>& session, HttpRequest request) = 0;
  // The server answered a request it could not parse itself (400, 413, 431).
  virtual void onRejected(unsigned status) = 0;
  // The client closed its connection before the answer (e.g. an app-level timeout); the session
  // is closed and a later respond() goes nowhere.
  virtual void onHangup(const std::shared_ptr<HttpSession>& session) = 0;
};

class HttpServer;

// One accepted HTTP/1.1 connection: reads a request, hands it to the handler, writes the response,
// reads the next one (no pipelining, like Envoy's HTTP/1 codec one request at a time). Malformed
// requests get 400, oversized headers 431 and oversized bodies 413, then the connection closes.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, HttpServer& server, std::uint32_t worker);

  void start();
  // Writes the response to the current request; ignored once the connection is closed.
  void respond(HttpResponse response);
  void close();
  bool open() const { return socket().is_open(); }
  // The client's SPIFFE id from its verified certificate; empty on plaintext connections.
  const std::string& peerPrincipal() const { return peer_principal_; }
  // Envoy pins a downstream connection to one worker (§3.4); the server assigns them in turn.
  std::uint32_t worker() const { return worker_; }

 private:
  using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

  const boost::asio::ip::tcp::socket& socket() const { return tls_ ? tls_->next_layer() : socket_; }
  boost::asio::ip::tcp::socket& socket() { return tls_ ? tls_->next_layer() : socket_; }
  // Runs `operation` on the connection's stream: TLS or plain TCP.
  template <class Operation>
  void onStream(Operation&& operation) {
    if (tls_) {
      operation(*tls_);
    } else {
      operation(socket_);
    }
  }
  void startTls();
  void onHandshake(const boost::system::error_code& error, std::size_t used);
  void readRequest();
  void onRead(const boost::system::error_code& error);
  // While a request is with the handler nothing is read (no pipelining), so the end of the
  // client's stream is watched for separately.
  void watchForHangup();
  void onReadable(const boost::system::error_code& error, std::uint64_t request);
  void reject(unsigned status);
  void onWritten(const boost::system::error_code& error, bool keep_alive);

  boost::asio::ip::tcp::socket socket_;
  std::optional<TlsStream> tls_;
  HttpServer& server_;
  const std::uint32_t worker_;
  std::string peer_principal_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::shared_ptr<HttpResponse> writing_;
  bool request_keep_alive_ = false;
  bool awaiting_response_ = false;
  // Which request a hang-up watch belongs to: a watch left over from an earlier request on a
  // keep-alive connection must not take the next request's bytes for a hang-up.
  std::uint64_t requests_ = 0;
};

// Accepts connections on a listener and runs an HttpSession for each. stop() closes the listener
// and every live connection; handlers still holding a session then respond into nothing.
class HttpServer {
 public:
  HttpServer(boost::asio::ip::tcp::acceptor acceptor, RequestHandler& handler,
             ServerLimits limits = {}, std::uint32_t workers = 1);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Before start(): `tls.context` must outlive the server.
  void setTls(ServerTls tls) { tls_ = tls; }
  const ServerTls& tls() const { return tls_; }
  void start();
  void stop();
  boost::asio::ip::tcp::endpoint localEndpoint() const { return local_; }
  // TLS handshakes completed and failed on accepted connections.
  std::uint64_t tlsHandshakes() const { return tls_handshakes_; }
  std::uint64_t tlsFailures() const { return tls_failures_; }
  void countHandshake(bool ok) { ++(ok ? tls_handshakes_ : tls_failures_); }
  RequestHandler& handler() { return handler_; }
  const ServerLimits& limits() const { return limits_; }

 private:
  void accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::endpoint local_;
  boost::asio::steady_timer accept_retry_;
  RequestHandler& handler_;
  const ServerLimits limits_;
  const std::uint32_t workers_;
  ServerTls tls_;
  std::uint32_t next_worker_ = 0;
  std::uint64_t tls_handshakes_ = 0;
  std::uint64_t tls_failures_ = 0;
  std::list<std::weak_ptr<HttpSession>> sessions_;
  bool stopped_ = false;
};

// A small local reply (errors, admin pages) with a text body.
HttpResponse textResponse(unsigned status, std::string body, unsigned version = 11,
                          bool keep_alive = true);

}  // namespace meshsim::proxy
