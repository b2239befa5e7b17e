#include "proxy/http/http_client.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <memory>

namespace meshsim::proxy {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

class ClientExchange : public std::enable_shared_from_this<ClientExchange> {
 public:
  ClientExchange(asio::io_context& io, HttpRequest request, ClientCallback callback)
      : socket_(io), timer_(io), request_(std::move(request)), callback_(std::move(callback)) {}

  void start(const tcp::endpoint& to, std::optional<std::chrono::nanoseconds> timeout) {
    if (timeout) {
      timer_.expires_after(*timeout);
      timer_.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
        if (!error) {
          self->finish(asio::error::timed_out);
        }
      });
    }
    socket_.async_connect(to, [self = shared_from_this()](const boost::system::error_code& error) {
      self->onConnect(error);
    });
  }

 private:
  void onConnect(const boost::system::error_code& error) {
    if (error || done_) {
      finish(error);
      return;
    }
    boost::system::error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    http::async_write(
        socket_, request_,
        [self = shared_from_this()](const boost::system::error_code& write_error, std::size_t) {
          if (write_error) {
            self->finish(write_error);
            return;
          }
          http::async_read(self->socket_, self->buffer_, self->response_,
                           [self](const boost::system::error_code& read_error, std::size_t) {
                             self->finish(read_error);
                           });
        });
  }

  void finish(const boost::system::error_code& error) {
    if (done_) {
      return;
    }
    done_ = true;
    timer_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
    callback_(error, std::move(response_));
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  HttpRequest request_;
  ClientCallback callback_;
  boost::beast::flat_buffer buffer_;
  HttpResponse response_;
  bool done_ = false;
};

}  // namespace

void sendRequest(asio::io_context& io, const tcp::endpoint& to, HttpRequest request,
                 std::optional<std::chrono::nanoseconds> timeout, ClientCallback callback) {
  request.keep_alive(false);
  request.prepare_payload();
  std::make_shared<ClientExchange>(io, std::move(request), std::move(callback))->start(to, timeout);
}

HttpResponse fetch(const tcp::endpoint& to, HttpRequest request, std::chrono::nanoseconds timeout) {
  asio::io_context io(1);
  boost::system::error_code result;
  HttpResponse out;
  sendRequest(io, to, std::move(request), timeout,
              [&](const boost::system::error_code& error, HttpResponse response) {
                result = error;
                out = std::move(response);
              });
  io.run();
  if (result) {
    throw boost::system::system_error(result);
  }
  return out;
}

}  // namespace meshsim::proxy
