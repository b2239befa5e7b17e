// meshsim-testservice: one app replica of a scenario, for the real mesh (proxy/harness).
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "proxy/common/process_options.h"
#include "proxy/common/scenario_pods.h"
#include "proxy/common/socket_address.h"
#include "proxy/upstream_service/test_service.h"
#include "sim/cli/scenario_arguments.h"

namespace {

constexpr const char* kUsage =
    "usage: meshsim-testservice --scenario FILE --pod NAME [--listen LISTEN]\n"
    "                           [--sidecar IP:PORT] [--origin-ns N] [--set key=value]...\n"
    "LISTEN is IP:PORT (port 0: the kernel picks one) or fd:N (an inherited listening socket).\n"
    "--sidecar is where the app's calls go (its meshproxy's outbound listener); --origin-ns is\n"
    "the steady-clock time (ns) fault times count from (default: now).\n";

int run(const std::vector<std::string>& args) {
  std::string scenario_path;
  std::string pod_name;
  std::string listen = "127.0.0.1:0";
  std::optional<boost::asio::ip::tcp::endpoint> sidecar;
  auto origin = std::chrono::steady_clock::now();
  std::vector<std::string> overrides;
  for (std::size_t i = 0; i < args.size(); ++i) {
    bool missing = false;
    if (auto v = meshsim::cli::optionValue(args, i, "--scenario", missing)) {
      scenario_path = *v;
    } else if (auto pod = meshsim::cli::optionValue(args, i, "--pod", missing)) {
      pod_name = *pod;
    } else if (auto spec = meshsim::cli::optionValue(args, i, "--listen", missing)) {
      listen = *spec;
    } else if (auto set = meshsim::cli::optionValue(args, i, "--set", missing)) {
      overrides.push_back(*set);
    } else if (auto address = meshsim::cli::optionValue(args, i, "--sidecar", missing)) {
      sidecar = meshsim::proxy::parseEndpoint(*address);
      if (!sidecar && !missing) {
        std::cerr << "meshsim-testservice: --sidecar needs IP:PORT, not '" << *address << "'\n";
        return 2;
      }
    } else if (auto ns = meshsim::cli::optionValue(args, i, "--origin-ns", missing)) {
      try {
        origin = std::chrono::steady_clock::time_point(std::chrono::nanoseconds(std::stoll(*ns)));
      } catch (const std::exception&) {
        std::cerr << "meshsim-testservice: --origin-ns needs a number\n";
        return 2;
      }
    } else {
      std::cerr << "meshsim-testservice: unknown argument '" << args[i] << "'\n" << kUsage;
      return 2;
    }
    if (missing) {
      std::cerr << "meshsim-testservice: " << args[i] << " needs a value\n" << kUsage;
      return 2;
    }
  }
  if (scenario_path.empty() || pod_name.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  const auto variant = meshsim::cli::loadScenarioOrReport(scenario_path, overrides);
  if (!variant) {
    return 2;
  }
  const auto pod = meshsim::proxy::findPod(variant->scenario, pod_name);
  if (!pod) {
    std::cerr << "meshsim-testservice: scenario '" << variant->scenario.name << "' has no pod '"
              << pod_name << "'\n";
    return 2;
  }
  boost::asio::io_context io(1);
  try {
    meshsim::proxy::TestService service(io, variant->scenario, *pod,
                                        meshsim::proxy::openListener(io, listen), sidecar, origin);
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& error, int) {
      if (!error) {
        service.stop();
        io.stop();
      }
    });
    std::cout << "meshsim-testservice ready pod=" << pod->name
              << " listen=" << meshsim::proxy::toString(service.localEndpoint()) << std::endl;
    io.run();
  } catch (const meshsim::proxy::AddressError& error) {
    std::cerr << "meshsim-testservice: " << error.what() << "\n";
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  meshsim::proxy::dieWithParentIfAsked();
  return run(std::vector<std::string>(argv + 1, argv + argc));
}
