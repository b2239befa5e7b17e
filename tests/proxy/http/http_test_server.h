#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <string>
#include <thread>

namespace meshsim::proxy::testing {

// Runs an io_context on its own thread for tests that talk to servers with blocking sockets.
class IoThread {
 public:
  IoThread() : work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~IoThread() {
    work_.reset();
    io_.stop();
    thread_.join();
  }
  boost::asio::io_context& io() { return io_; }
  // Runs `f` on the io thread and waits for it.
  template <class F>
  void sync(F f) {
    std::promise<void> done;
    boost::asio::post(io_, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

// Sends raw bytes on a new connection, ends its side unless told not to, and returns everything
// the server sends until it closes.
inline std::string exchangeRaw(const boost::asio::ip::tcp::endpoint& to, const std::string& bytes,
                               bool end_stream = true) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect(to);
  boost::asio::write(socket, boost::asio::buffer(bytes));
  // Nothing more comes: a server waiting for the rest of a message sees the end of the stream.
  boost::system::error_code error;
  if (end_stream) {
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_send, error);
  }
  std::string out;
  char chunk[4096];
  while (true) {
    const std::size_t n = socket.read_some(boost::asio::buffer(chunk), error);
    out.append(chunk, n);
    if (error) {
      return out;
    }
  }
}

}  // namespace meshsim::proxy::testing
