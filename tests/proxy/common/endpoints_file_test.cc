#include "proxy/common/endpoints_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "proxy/common/socket_address.h"

namespace meshsim::proxy {
namespace {

std::string writeTemp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("meshproxy-test-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(SocketAddressTest, ParsesNumericEndpointsOnly) {
  EXPECT_EQ(parseEndpoint("127.0.0.1:8080")->port(), 8080);
  EXPECT_TRUE(parseEndpoint("[::1]:80")->address().is_v6());
  EXPECT_FALSE(parseEndpoint("localhost:80"));
  EXPECT_FALSE(parseEndpoint("127.0.0.1"));
  EXPECT_FALSE(parseEndpoint("127.0.0.1:"));
  EXPECT_FALSE(parseEndpoint("127.0.0.1:65536"));
  EXPECT_FALSE(parseEndpoint("127.0.0.1:80x"));
  EXPECT_FALSE(parseEndpoint("[::1:80"));
}

TEST(SocketAddressTest, ListenSpecsBindOrAdoptAndRejectGarbage) {
  boost::asio::io_context io;
  auto bound = openListener(io, "127.0.0.1:0");
  EXPECT_NE(bound.local_endpoint().port(), 0);
  EXPECT_EQ(toString(bound.local_endpoint()).rfind("127.0.0.1:", 0), 0u);
  EXPECT_THROW(openListener(io, "fd:x"), AddressError);
  EXPECT_THROW(openListener(io, "fd:999"), AddressError);
  EXPECT_THROW(openListener(io, "nowhere"), AddressError);
}

TEST(EndpointsFileTest, RoundTripsAndSkipsCommentsAndBlankLines) {
  const std::string path = writeTemp("ok", "# pods\n\nfront-v1-0 127.0.0.1:1000  # inline\n");
  const auto endpoints = readEndpointsFile(path);
  ASSERT_EQ(endpoints.size(), 1u);
  EXPECT_EQ(endpoints[0].pod, "front-v1-0");
  EXPECT_EQ(endpoints[0].address, "127.0.0.1:1000");
  writeEndpointsFile(path, {{"a-v1-0", "127.0.0.1:1"}, {"a-v1-1", "127.0.0.1:2"}});
  EXPECT_EQ(readEndpointsFile(path).size(), 2u);
  std::filesystem::remove(path);
}

TEST(EndpointsFileTest, ErrorsNameFileAndLine) {
  const std::string path =
      writeTemp("bad", "a-v1-0 127.0.0.1:1\nb-v1-0 somewhere:80\na-v1-0 127.0.0.1:2\n");
  try {
    readEndpointsFile(path);
    FAIL() << "expected an error";
  } catch (const AddressError& error) {
    EXPECT_EQ(std::string(error.what()), path + ":2: 'somewhere:80' is not an IP:PORT address");
  }
  std::ofstream(path) << "a-v1-0 127.0.0.1:1\na-v1-0 127.0.0.1:2\n";
  EXPECT_THROW(readEndpointsFile(path), AddressError);
  std::ofstream(path) << "a-v1-0\n";
  EXPECT_THROW(readEndpointsFile(path), AddressError);
  std::filesystem::remove(path);
  EXPECT_THROW(readEndpointsFile(path), AddressError);
}

}  // namespace
}  // namespace meshsim::proxy
