// The HTTP messages proxy-semantics.md §1-§7 act on; implements no section of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meshsim::core {

// An ordered list of header fields. Names are stored lower-case (HTTP/2 and Envoy's HeaderMap
// lower-case them); lookups take a lower-case name. Lists are short, so a linear scan beats a map.
class HeaderList {
 public:
  void add(std::string name, std::string value);
  // Replaces every field called `name` with one field.
  void set(std::string_view name, std::string value);
  void remove(std::string_view name);
  // The first value of `name`, if present.
  std::optional<std::string_view> get(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }

  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// What the proxy core needs to know about a downstream request. The body is modelled by its size
// only: the simulator never materialises payloads.
struct Request {
  std::string method = "GET";
  std::string path = "/";
  std::string authority;  // Host / :authority: the destination service name
  std::string scheme = "http";
  HeaderList headers;
  std::uint64_t body_bytes = 0;
  bool grpc = false;
};

// An upstream (or locally generated) response's head.
struct Response {
  std::uint32_t status = 200;
  // gRPC status carried in the response *headers* (trailers-only responses); trailers after a body
  // never trigger retries (proxy-semantics.md §1.2), so only this one is modelled.
  std::optional<std::uint32_t> grpc_status;
  HeaderList headers;
  std::uint64_t body_bytes = 0;
};

}  // namespace meshsim::core
