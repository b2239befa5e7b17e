#include <cstring>
#include <iostream>
#include <string_view>

namespace {

constexpr std::string_view kUsage = R"(meshsim — discrete-event service-mesh simulator

Usage:
  meshsim --version        print the version
  meshsim --help           print this help

Commands (run, compare, sweep, analyze, lint, calibrate-tls, graph) arrive with the mesh model.
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::cout << "meshsim " << MESHSIM_VERSION << "\n";
    return 0;
  }
  if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << kUsage;
  return 2;
}
