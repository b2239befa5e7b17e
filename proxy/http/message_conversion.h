#pragma once

#include "core/http/message.h"
#include "proxy/http/http_server.h"

namespace meshsim::proxy {

// Between Beast's HTTP/1.1 messages and the core's. The core models a body by its size only, so a
// forwarded message keeps its length and headers, not its bytes (the test service's bodies carry
// no information). Hop-by-hop fields (Connection, Keep-Alive, Transfer-Encoding, ...) stay on
// their own hop; Host becomes the core's authority and back.
core::Request toCoreRequest(const HttpRequest& request);
HttpRequest toHttpRequest(const core::Request& request);
core::Response toCoreResponse(const HttpResponse& response);
HttpResponse toHttpResponse(const core::Response& response);

}  // namespace meshsim::proxy
