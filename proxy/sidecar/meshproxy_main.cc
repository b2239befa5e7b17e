// meshproxy: a real HTTP/1.1 sidecar for one pod of a scenario, running the proxy core.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "proxy/common/endpoints_file.h"
#include "proxy/common/process_options.h"
#include "proxy/common/scenario_pods.h"
#include "proxy/common/socket_address.h"
#include "proxy/sidecar/mesh_proxy.h"
#include "sim/cli/scenario_arguments.h"

namespace {

constexpr const char* kUsage =
    "usage: meshproxy --scenario FILE --pod NAME --endpoints FILE --app IP:PORT\n"
    "                 [--inbound LISTEN] [--outbound LISTEN] [--admin LISTEN]\n"
    "                 [--tls-dir DIR] [--max-header-bytes N] [--set key=value]...\n"
    "LISTEN is IP:PORT (port 0: the kernel picks one) or fd:N (an inherited listening socket).\n"
    "--tls-dir holds ca.crt and the pod's NAME.crt/NAME.key (meshproxy-harness writes them);\n"
    "without it every connection is plaintext.\n"
    "Prints one line 'meshproxy ready pod=... inbound=... outbound=... admin=...' once serving.\n";

int run(const std::vector<std::string>& args) {
  std::string scenario_path;
  std::string pod_name;
  std::string endpoints_path;
  std::vector<std::string> overrides;
  meshsim::proxy::MeshProxySettings settings;
  for (std::size_t i = 0; i < args.size(); ++i) {
    bool missing = false;
    if (auto v = meshsim::cli::optionValue(args, i, "--scenario", missing)) {
      scenario_path = *v;
    } else if (auto pod = meshsim::cli::optionValue(args, i, "--pod", missing)) {
      pod_name = *pod;
    } else if (auto endpoints = meshsim::cli::optionValue(args, i, "--endpoints", missing)) {
      endpoints_path = *endpoints;
    } else if (auto app = meshsim::cli::optionValue(args, i, "--app", missing)) {
      settings.app_address = *app;
    } else if (auto in = meshsim::cli::optionValue(args, i, "--inbound", missing)) {
      settings.inbound = *in;
    } else if (auto out = meshsim::cli::optionValue(args, i, "--outbound", missing)) {
      settings.outbound = *out;
    } else if (auto admin = meshsim::cli::optionValue(args, i, "--admin", missing)) {
      settings.admin = *admin;
    } else if (auto tls = meshsim::cli::optionValue(args, i, "--tls-dir", missing)) {
      settings.tls_dir = *tls;
    } else if (auto set = meshsim::cli::optionValue(args, i, "--set", missing)) {
      overrides.push_back(*set);
    } else if (auto header = meshsim::cli::optionValue(args, i, "--max-header-bytes", missing)) {
      try {
        settings.limits.max_header_bytes = static_cast<std::uint32_t>(std::stoul(*header));
      } catch (const std::exception&) {
        std::cerr << "meshproxy: --max-header-bytes needs a number\n";
        return 2;
      }
    } else {
      std::cerr << "meshproxy: unknown argument '" << args[i] << "'\n" << kUsage;
      return 2;
    }
    if (missing) {
      std::cerr << "meshproxy: " << args[i] << " needs a value\n" << kUsage;
      return 2;
    }
  }
  if (scenario_path.empty() || pod_name.empty() || endpoints_path.empty() ||
      settings.app_address.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const auto variant = meshsim::cli::loadScenarioOrReport(scenario_path, overrides);
  if (!variant) {
    return 2;
  }
  const auto pod = meshsim::proxy::findPod(variant->scenario, pod_name);
  if (!pod) {
    std::cerr << "meshproxy: scenario '" << variant->scenario.name << "' has no pod '" << pod_name
              << "'\n";
    return 2;
  }
  const auto problems = meshsim::proxy::realMeshLimitations(variant->scenario);
  for (const std::string& problem : problems) {
    std::cerr << "meshproxy: " << problem << "\n";
  }
  if (!problems.empty()) {
    return 2;
  }
  boost::asio::io_context io(1);
  try {
    meshsim::proxy::MeshProxy proxy(io, variant->scenario, variant->policies, *pod,
                                    meshsim::proxy::readEndpointsFile(endpoints_path), settings);
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    proxy.onShutdown([&] {
      signals.cancel();
      io.stop();
    });
    signals.async_wait([&](const boost::system::error_code& error, int) {
      if (!error) {
        proxy.shutdown();
      }
    });
    std::cout << "meshproxy ready pod=" << pod->name
              << " inbound=" << meshsim::proxy::toString(proxy.inboundEndpoint())
              << " outbound=" << meshsim::proxy::toString(proxy.outboundEndpoint())
              << " admin=" << meshsim::proxy::toString(proxy.adminEndpoint()) << std::endl;
    io.run();
  } catch (const std::runtime_error& error) {
    std::cerr << "meshproxy: " << error.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  meshsim::proxy::dieWithParentIfAsked();
  return run(std::vector<std::string>(argv + 1, argv + argc));
}
