#include "proxy/admin/proxy_stats.h"

#include <charconv>
#include <sstream>
#include <string_view>

namespace meshsim::proxy {

namespace {

struct Sample {
  std::string labels;
  std::uint64_t value = 0;
};

struct Family {
  bool gauge = false;
  std::vector<Sample> samples;
};

std::string promName(std::string_view prefix, std::string_view stat) {
  std::string name(prefix);
  for (const char c : stat) {
    name += (c == '.' || c == '-') ? '_' : c;
  }
  return name;
}

}  // namespace

void ListenerStats::recordResponse(unsigned status) {
  ++downstream_rq_total;
  if (status >= 100 && status < 600) {
    ++downstream_rq_by_class[status / 100 - 1];
  }
}

void ListenerStats::recordFlags(core::ResponseFlags flags) {
  if (flags == 0) {
    return;
  }
  std::string_view text;
  const std::string all = core::responseFlagsString(flags);
  text = all;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    ++response_flags[std::string(text.substr(0, comma))];
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
}

std::string adminClusterName(const std::string& listener, const std::string& cluster) {
  return listener == "inbound" && cluster == "inbound" ? "inbound|9080||" : cluster;
}

std::string renderStatsText(const std::vector<ProxyStatsView>& views) {
  std::map<std::string, std::uint64_t> lines;
  for (const ProxyStatsView& view : views) {
    const std::string http = "http." + view.listener + ".";
    const ListenerStats& stats = *view.stats;
    lines[http + "downstream_rq_total"] = stats.downstream_rq_total;
    lines["meshproxy." + view.listener + ".downstream_rq_cancelled"] =
        stats.downstream_rq_cancelled;
    for (std::size_t c = 0; c < stats.downstream_rq_by_class.size(); ++c) {
      lines[http + "downstream_rq_" + std::to_string(c + 1) + "xx"] =
          stats.downstream_rq_by_class[c];
    }
    for (const auto& [status, count] : stats.rejected) {
      lines["meshproxy." + view.listener + ".rejected_" + std::to_string(status)] = count;
    }
    lines["meshproxy." + view.listener + ".ssl.handshake"] = stats.ssl_handshake;
    lines["meshproxy." + view.listener + ".ssl.connection_error"] = stats.ssl_connection_error;
    for (const auto& [flag, count] : stats.response_flags) {
      lines["meshproxy." + view.listener + ".response_flags." + flag] = count;
    }
    if (view.proxy == nullptr) {
      continue;
    }
    for (const auto& cluster : view.proxy->clusters()) {
      const std::string prefix =
          "cluster." + adminClusterName(view.listener, cluster->name()) + ".";
      cluster->stats().forEach([&](std::string_view name, std::uint64_t value, bool) {
        lines[prefix + std::string(name)] = value;
      });
    }
  }
  std::string out;
  for (const auto& [name, value] : lines) {
    out += name + ": " + std::to_string(value) + "\n";
  }
  return out;
}

std::string renderStatsPrometheus(const std::vector<ProxyStatsView>& views) {
  std::map<std::string, Family> families;
  for (const ProxyStatsView& view : views) {
    const std::string http_label = "envoy_http_conn_manager_prefix=\"" + view.listener + "\"";
    const ListenerStats& stats = *view.stats;
    families["envoy_http_downstream_rq_total"].samples.push_back(
        {http_label, stats.downstream_rq_total});
    for (std::size_t c = 0; c < stats.downstream_rq_by_class.size(); ++c) {
      families["envoy_http_downstream_rq_xx"].samples.push_back(
          {http_label + ",envoy_response_code_class=\"" + std::to_string(c + 1) + "\"",
           stats.downstream_rq_by_class[c]});
    }
    families["meshproxy_ssl_handshake_total"].samples.push_back(
        {"listener=\"" + view.listener + "\"", stats.ssl_handshake});
    families["meshproxy_ssl_connection_error_total"].samples.push_back(
        {"listener=\"" + view.listener + "\"", stats.ssl_connection_error});
    for (const auto& [status, count] : stats.rejected) {
      families["meshproxy_rejected_total"].samples.push_back(
          {"listener=\"" + view.listener + "\",status=\"" + std::to_string(status) + "\"", count});
    }
    for (const auto& [flag, count] : stats.response_flags) {
      families["meshproxy_response_flags_total"].samples.push_back(
          {"listener=\"" + view.listener + "\",response_flags=\"" + flag + "\"", count});
    }
    if (view.proxy == nullptr) {
      continue;
    }
    for (const auto& cluster : view.proxy->clusters()) {
      const std::string label =
          "envoy_cluster_name=\"" + adminClusterName(view.listener, cluster->name()) + "\"";
      cluster->stats().forEach([&](std::string_view name, std::uint64_t value, bool gauge) {
        Family& family = families[promName("envoy_cluster_", name)];
        family.gauge = gauge;
        family.samples.push_back({label, value});
      });
    }
  }
  std::string out;
  for (const auto& [name, family] : families) {
    out += "# TYPE " + name + (family.gauge ? " gauge\n" : " counter\n");
    for (const Sample& sample : family.samples) {
      out += name + "{" + sample.labels + "} " + std::to_string(sample.value) + "\n";
    }
  }
  return out;
}

std::map<std::string, std::uint64_t> parseStatsText(const std::string& text) {
  std::map<std::string, std::uint64_t> stats;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t colon = line.rfind(": ");
    if (colon == std::string::npos) {
      continue;
    }
    std::uint64_t value = 0;
    const char* begin = line.data() + colon + 2;
    const char* end = line.data() + line.size();
    const auto [stop, error] = std::from_chars(begin, end, value);
    if (error == std::errc() && stop == end) {
      stats[line.substr(0, colon)] = value;
    }
  }
  return stats;
}

}  // namespace meshsim::proxy
