#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace meshsim::proxy {

// Bad command-line or file input about addresses and listeners; what() is the user's message.
class AddressError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "IP:PORT" with a numeric IPv4 address or a bracketed IPv6 one ("[::1]:80"); nullopt otherwise.
// meshproxy never resolves names: its endpoints come from a file that lists addresses.
std::optional<boost::asio::ip::tcp::endpoint> parseEndpoint(std::string_view text);

// A listening socket from a listen spec: "IP:PORT" binds (port 0: the kernel picks one) and
// "fd:N" adopts a socket already bound and listening that the parent process handed down, so a
// harness can choose every port before it starts anything. Throws AddressError.
boost::asio::ip::tcp::acceptor openListener(boost::asio::io_context& io, const std::string& spec);

std::string toString(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace meshsim::proxy
