#include "proxy/common/socket_address.h"

#include <sys/socket.h>
#include <charconv>

namespace meshsim::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;

std::optional<tcp::endpoint> parseEndpoint(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return std::nullopt;
  }
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return std::nullopt;
    }
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() || port > 65535 ||
      port_text.empty()) {
    return std::nullopt;
  }
  boost::system::error_code parse_error;
  const asio::ip::address address = asio::ip::make_address(std::string(host), parse_error);
  if (parse_error) {
    return std::nullopt;
  }
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

tcp::acceptor openListener(asio::io_context& io, const std::string& spec) {
  tcp::acceptor acceptor(io);
  boost::system::error_code error;
  if (spec.rfind("fd:", 0) == 0) {
    int fd = -1;
    const auto [end, parse] = std::from_chars(spec.data() + 3, spec.data() + spec.size(), fd);
    if (parse != std::errc() || end != spec.data() + spec.size() || fd < 0) {
      throw AddressError("'" + spec + "' is not a listen spec (IP:PORT or fd:N)");
    }
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) {
      throw AddressError("fd " + std::to_string(fd) + " is not a socket");
    }
    acceptor.assign(local.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, error);
    if (error) {
      throw AddressError("cannot adopt fd " + std::to_string(fd) + ": " + error.message());
    }
    return acceptor;
  }
  const std::optional<tcp::endpoint> endpoint = parseEndpoint(spec);
  if (!endpoint) {
    throw AddressError("'" + spec + "' is not a listen spec (IP:PORT or fd:N)");
  }
  acceptor.open(endpoint->protocol(), error);
  if (!error) {
    acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  }
  if (!error) {
    acceptor.bind(*endpoint, error);
  }
  if (!error) {
    acceptor.listen(asio::socket_base::max_listen_connections, error);
  }
  if (error) {
    throw AddressError("cannot listen on " + spec + ": " + error.message());
  }
  return acceptor;
}

std::string toString(const tcp::endpoint& endpoint) {
  const asio::ip::address address = endpoint.address();
  std::string out;
  if (address.is_v6()) {
    out += '[';
    out += address.to_string();
    out += ']';
  } else {
    out = address.to_string();
  }
  out += ':';
  out += std::to_string(endpoint.port());
  return out;
}

}  // namespace meshsim::proxy
