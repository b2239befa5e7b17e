#include "proxy/http/message_conversion.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <string_view>

namespace meshsim::proxy {

namespace http = boost::beast::http;

namespace {

constexpr std::array<std::string_view, 9> kHopByHop = {
    "connection", "keep-alive", "proxy-connection", "transfer-encoding",
    "te",         "upgrade",    "trailer",          "content-length",
    "host"};

std::string lowerCase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

template <class Fields>
void copyEndToEnd(const Fields& from, core::HeaderList& to) {
  for (const auto& field : from) {
    std::string name = lowerCase(field.name_string());
    if (std::find(kHopByHop.begin(), kHopByHop.end(), name) == kHopByHop.end()) {
      to.add(std::move(name), std::string(field.value()));
    }
  }
}

template <class Message>
void copyToBeast(const core::HeaderList& from, Message& to) {
  for (const auto& [name, value] : from.fields()) {
    if (std::find(kHopByHop.begin(), kHopByHop.end(), name) == kHopByHop.end()) {
      to.insert(name, value);
    }
  }
}

}  // namespace

core::Request toCoreRequest(const HttpRequest& request) {
  core::Request out;
  out.method = std::string(request.method_string());
  out.path = std::string(request.target());
  out.authority = std::string(request[http::field::host]);
  copyEndToEnd(request, out.headers);
  out.body_bytes = request.body().size();
  const auto content_type = out.headers.get("content-type");
  out.grpc = content_type && content_type->substr(0, 16) == "application/grpc";
  return out;
}

HttpRequest toHttpRequest(const core::Request& request) {
  HttpRequest out;
  out.method_string(request.method);
  out.target(request.path);
  out.version(11);
  out.set(http::field::host, request.authority);
  copyToBeast(request.headers, out);
  out.body().assign(request.body_bytes, 'x');
  out.keep_alive(true);
  out.prepare_payload();
  return out;
}

core::Response toCoreResponse(const HttpResponse& response) {
  core::Response out;
  out.status = response.result_int();
  copyEndToEnd(response, out.headers);
  out.body_bytes = response.body().size();
  if (const auto grpc_status = out.headers.get("grpc-status")) {
    std::uint32_t value = 0;
    const auto [end, error] =
        std::from_chars(grpc_status->data(), grpc_status->data() + grpc_status->size(), value);
    if (error == std::errc() && end == grpc_status->data() + grpc_status->size()) {
      out.grpc_status = value;
    }
  }
  return out;
}

HttpResponse toHttpResponse(const core::Response& response) {
  HttpResponse out;
  out.version(11);
  out.result(response.status);
  copyToBeast(response.headers, out);
  out.body().assign(response.body_bytes, 'x');
  out.keep_alive(true);
  out.prepare_payload();
  return out;
}

}  // namespace meshsim::proxy
