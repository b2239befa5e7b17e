#include "proxy/admin/proxy_stats.h"

#include <gtest/gtest.h>

namespace meshsim::proxy {
namespace {

TEST(ProxyStatsTest, ListenerCountersByClassRejectionAndFlag) {
  ListenerStats stats;
  stats.recordResponse(200);
  stats.recordResponse(503);
  stats.recordResponse(503);
  stats.recordFlags(core::ResponseFlag::kUpstreamOverflow | core::ResponseFlag::kDelayInjected);
  stats.recordFlags(0);
  ++stats.rejected[431];
  const auto parsed = parseStatsText(renderStatsText({{"outbound", &stats, nullptr}}));
  EXPECT_EQ(parsed.at("http.outbound.downstream_rq_total"), 3u);
  EXPECT_EQ(parsed.at("http.outbound.downstream_rq_2xx"), 1u);
  EXPECT_EQ(parsed.at("http.outbound.downstream_rq_5xx"), 2u);
  EXPECT_EQ(parsed.at("meshproxy.outbound.rejected_431"), 1u);
  EXPECT_EQ(parsed.at("meshproxy.outbound.response_flags.UO"), 1u);
  EXPECT_EQ(parsed.at("meshproxy.outbound.response_flags.DI"), 1u);
  EXPECT_EQ(parsed.at("meshproxy.outbound.ssl.handshake"), 0u);
  EXPECT_EQ(parsed.at("meshproxy.outbound.downstream_rq_cancelled"), 0u);
  EXPECT_EQ(parsed.size(), 12u);
}

TEST(ProxyStatsTest, PrometheusTextHasOneTypeLinePerFamily) {
  ListenerStats stats;
  stats.recordResponse(200);
  const std::string text = renderStatsPrometheus({{"inbound", &stats, nullptr}});
  EXPECT_NE(text.find("# TYPE envoy_http_downstream_rq_total counter\n"
                      "envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix=\"inbound\"} "
                      "1\n"),
            std::string::npos);
  EXPECT_NE(text.find("envoy_http_downstream_rq_xx{envoy_http_conn_manager_prefix=\"inbound\","
                      "envoy_response_code_class=\"2\"} 1\n"),
            std::string::npos);
}

TEST(ProxyStatsTest, ParseSkipsMalformedLines) {
  const auto parsed = parseStatsText("a: 1\nb: x\nno colon\nc: 2 3\nd: 18446744073709551615\n");
  EXPECT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed.at("d"), 18446744073709551615u);
}

TEST(ProxyStatsTest, InboundClusterUsesIstioName) {
  EXPECT_EQ(adminClusterName("inbound", "inbound"), "inbound|9080||");
  EXPECT_EQ(adminClusterName("outbound", "reviews|v2"), "reviews|v2");
}

}  // namespace
}  // namespace meshsim::proxy
