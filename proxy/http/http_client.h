#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <optional>

#include "proxy/http/http_server.h"

namespace meshsim::proxy {

// The outcome of one client exchange: a response, or the error that ended it (timed_out when the
// deadline passed first).
using ClientCallback = std::function<void(const boost::system::error_code&, HttpResponse)>;

// Sends `request` on a new connection to `to` and reads the response; the callback runs once on
// `io`. With a timeout the connection is closed when it expires (what an app's client does).
void sendRequest(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& to,
                 HttpRequest request, std::optional<std::chrono::nanoseconds> timeout,
                 ClientCallback callback);

// The same, blocking, on a private io_context (admin scrapes, tests). Throws
// boost::system::system_error on failure.
HttpResponse fetch(const boost::asio::ip::tcp::endpoint& to, HttpRequest request,
                   std::chrono::nanoseconds timeout = std::chrono::seconds(5));

}  // namespace meshsim::proxy
