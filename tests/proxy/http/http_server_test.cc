#include "proxy/http/http_server.h"

#include <gtest/gtest.h>

#include "proxy/common/socket_address.h"
#include "proxy/http/http_client.h"
#include "tests/proxy/http/http_test_server.h"

namespace meshsim::proxy {
namespace {

namespace http = boost::beast::http;
using testing::exchangeRaw;
using testing::IoThread;

// Answers with the request target, or holds the request when asked to.
class EchoHandler : public RequestHandler {
 public:
  void onRequest(const std::shared_ptr<HttpSession>& session, HttpRequest request) override {
    if (request.target() == "/hold") {
      held = session;
      return;
    }
    session->respond(textResponse(200, std::string(request.target()), request.version()));
  }
  void onRejected(unsigned status) override { rejected.push_back(status); }
  void onHangup(const std::shared_ptr<HttpSession>&) override { ++hangups; }

  std::vector<unsigned> rejected;
  int hangups = 0;
  std::shared_ptr<HttpSession> held;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerLimits limits;
    limits.max_header_bytes = 1024;
    limits.max_body_bytes = 2048;
    io_.sync([&] {
      server_ =
          std::make_unique<HttpServer>(openListener(io_.io(), "127.0.0.1:0"), handler_, limits, 2);
      server_->start();
    });
    endpoint_ = server_->localEndpoint();
  }
  void TearDown() override {
    io_.sync([&] {
      server_.reset();
      handler_.held.reset();
    });
  }

  std::string statusLine(const std::string& bytes) {
    const std::string response = exchangeRaw(endpoint_, bytes);
    return response.substr(0, response.find("\r\n"));
  }

  IoThread io_;
  EchoHandler handler_;
  std::unique_ptr<HttpServer> server_;
  boost::asio::ip::tcp::endpoint endpoint_;
};

TEST_F(HttpServerTest, MalformedRequestsGet400AndTheServerKeepsServing) {
  EXPECT_EQ(statusLine("GARBAGE\r\n\r\n"), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(statusLine("GET / HTTP/9.9\r\n\r\n"), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(statusLine("GET / HTTP/1.1\r\nBad Header\r\n\r\n"), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(statusLine("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(statusLine(std::string("GET /\0 HTTP/1.1\r\n\r\n", 20)), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(statusLine("GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            "HTTP/1.1 200 OK");
  io_.sync([&] { EXPECT_EQ(handler_.rejected, (std::vector<unsigned>{400, 400, 400, 400, 400})); });
}

TEST_F(HttpServerTest, OversizedHeadersGet431AndOversizedBodies413) {
  const std::string big(2000, 'a');
  EXPECT_EQ(statusLine("GET / HTTP/1.1\r\nX-Big: " + big + "\r\n\r\n"),
            "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(statusLine("POST / HTTP/1.1\r\nContent-Length: 4096\r\n\r\n" + std::string(4096, 'b')),
            "HTTP/1.1 413 Payload Too Large");
  io_.sync([&] { EXPECT_EQ(handler_.rejected, (std::vector<unsigned>{431, 413})); });
}

TEST_F(HttpServerTest, KeepAliveServesRequestsInTurnOnOneConnection) {
  const std::string response = exchangeRaw(endpoint_,
                                           "GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two "
                                           "HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(response.find("\r\n\r\n/one"), std::string::npos);
  EXPECT_NE(response.find("\r\n\r\n/two"), std::string::npos);
}

TEST_F(HttpServerTest, StopClosesConnectionsWithRequestsInFlight) {
  std::promise<std::string> result;
  std::thread client(
      [&] { result.set_value(exchangeRaw(endpoint_, "GET /hold HTTP/1.1\r\n\r\n", false)); });
  // The request is held once the handler has seen it; poll on the io thread until then.
  bool held = false;
  while (!held) {
    io_.sync([&] { held = handler_.held != nullptr; });
  }
  io_.sync([&] { server_->stop(); });
  client.join();
  EXPECT_EQ(result.get_future().get(), "");
  io_.sync([&] { EXPECT_EQ(handler_.hangups, 0); });
  io_.sync([&] {
    // A late response into a closed session is dropped.
    handler_.held->respond(textResponse(200, "late"));
    EXPECT_FALSE(handler_.held->open());
  });
}

TEST_F(HttpServerTest, AClientThatGoesAwayWhileWaitingIsReported) {
  // exchangeRaw ends its side after the request: the server sees the hang-up while holding it.
  EXPECT_EQ(exchangeRaw(endpoint_, "GET /hold HTTP/1.1\r\n\r\n"), "");
  int hangups = 0;
  while (hangups == 0) {
    io_.sync([&] { hangups = handler_.hangups; });
  }
  io_.sync([&] { EXPECT_FALSE(handler_.held->open()); });
}

TEST_F(HttpServerTest, ClientFetchGetsTheResponse) {
  HttpRequest request(http::verb::get, "/fetched", 11);
  EXPECT_EQ(fetch(endpoint_, std::move(request)).body(), "/fetched");
}

}  // namespace
}  // namespace meshsim::proxy
