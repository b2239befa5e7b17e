#include "proxy/http/message_conversion.h"

#include <gtest/gtest.h>

namespace meshsim::proxy {
namespace {

namespace http = boost::beast::http;

TEST(MessageConversionTest, RequestKeepsEndToEndFieldsAndBodySize) {
  HttpRequest request(http::verb::post, "/charge?x=1", 11);
  request.set(http::field::host, "payment");
  request.set("X-Tenant", "shop");
  request.set(http::field::connection, "keep-alive");
  request.set("Content-Type", "application/grpc+proto");
  request.body() = "12345";
  request.prepare_payload();
  const core::Request core_request = toCoreRequest(request);
  EXPECT_EQ(core_request.method, "POST");
  EXPECT_EQ(core_request.path, "/charge?x=1");
  EXPECT_EQ(core_request.authority, "payment");
  EXPECT_EQ(core_request.headers.get("x-tenant"), "shop");
  EXPECT_FALSE(core_request.headers.has("connection"));
  EXPECT_FALSE(core_request.headers.has("content-length"));
  EXPECT_FALSE(core_request.headers.has("host"));
  EXPECT_EQ(core_request.body_bytes, 5u);
  EXPECT_TRUE(core_request.grpc);

  const HttpRequest back = toHttpRequest(core_request);
  EXPECT_EQ(back[http::field::host], "payment");
  EXPECT_EQ(back["x-tenant"], "shop");
  EXPECT_EQ(back.body().size(), 5u);
  EXPECT_EQ(back[http::field::content_length], "5");
}

TEST(MessageConversionTest, ResponseStatusHeadersAndGrpcStatus) {
  HttpResponse response(http::status::service_unavailable, 11);
  response.set("grpc-status", "14");
  response.set("x-envoy-overloaded", "true");
  response.set(http::field::transfer_encoding, "chunked");
  response.body() = "abc";
  const core::Response core_response = toCoreResponse(response);
  EXPECT_EQ(core_response.status, 503u);
  EXPECT_EQ(core_response.grpc_status, 14u);
  EXPECT_TRUE(core_response.headers.has("x-envoy-overloaded"));
  EXPECT_FALSE(core_response.headers.has("transfer-encoding"));
  EXPECT_EQ(toHttpResponse(core_response).result_int(), 503u);
  response.set("grpc-status", "x");
  EXPECT_FALSE(toCoreResponse(response).grpc_status);
}

}  // namespace
}  // namespace meshsim::proxy
