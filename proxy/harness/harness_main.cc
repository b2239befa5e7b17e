// meshproxy-harness: runs a scenario for real (meshproxy + test services on 127.0.0.1) and in the
// simulator, and shows whether they agree.
#include <pthread.h>
#include <unistd.h>
#include <climits>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "proxy/common/scenario_pods.h"
#include "proxy/harness/real_mesh.h"
#include "proxy/harness/validation.h"
#include "sim/cli/scenario_arguments.h"

namespace {

constexpr const char* kUsage =
    "usage: meshproxy-harness SCENARIO [--set key=value]... [--replications N]\n"
    "                         [--tolerance FRACTION] [--bin-dir DIR] [--serve]\n"
    "Starts the scenario's pods for real on 127.0.0.1 (meshsim-testservice + meshproxy each),\n"
    "drives its open-loop workload for its duration, scrapes every proxy's /stats, runs the same\n"
    "scenario N times (default 5) in the simulator and prints both side by side. Exit status 0:\n"
    "every checked row agrees (default tolerance 0.1), 1: a mismatch, 2: bad input or a failure.\n"
    "--serve: only start the real mesh, print each pod's addresses and keep it running until\n"
    "SIGINT/SIGTERM (for experiments and benchmarks such as wrk).\n";

// The real mesh until SIGINT or SIGTERM; every process is stopped on the way out.
int serve(const meshsim::sim::Scenario& scenario,
          const meshsim::proxy::ValidationOptions& options) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  const auto dir =
      std::filesystem::temp_directory_path() / ("meshproxy-serve-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  int status = 0;
  try {
    meshsim::proxy::RealMeshOptions mesh_options;
    mesh_options.bin_dir = options.bin_dir;
    mesh_options.scenario_file = options.scenario_file;
    mesh_options.overrides = options.overrides;
    mesh_options.work_dir = dir.string();
    meshsim::proxy::RealMesh mesh(scenario, mesh_options, std::chrono::steady_clock::now());
    for (const meshsim::proxy::RealPod& pod : mesh.pods()) {
      std::cout << "pod " << pod.pod.name << " app=" << pod.app << " inbound=" << pod.inbound
                << " outbound=" << pod.outbound << " admin=" << pod.admin
                << " app_pid=" << pod.app_process->pid()
                << " proxy_pid=" << pod.proxy_process->pid() << "\n";
    }
    std::cout << "serving; SIGINT or SIGTERM stops every process" << std::endl;
    int received = 0;
    sigwait(&stop_signals, &received);
    mesh.stop();
  } catch (const std::exception& error) {
    std::cerr << "meshproxy-harness: " << error.what() << "\n";
    status = 2;
  }
  std::filesystem::remove_all(dir);
  return status;
}

std::string ownDirectory() {
  char path[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) {
    return ".";
  }
  path[n] = '\0';
  return std::filesystem::path(path).parent_path().string();
}

int run(const std::vector<std::string>& args) {
  meshsim::proxy::ValidationOptions options;
  options.bin_dir = ownDirectory();
  bool serve_only = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string option = args[i];
    bool missing = false;
    if (auto set = meshsim::cli::optionValue(args, i, "--set", missing)) {
      options.overrides.push_back(*set);
    } else if (auto n = meshsim::cli::optionValue(args, i, "--replications", missing)) {
      try {
        options.replications = std::stoul(*n);
      } catch (const std::exception&) {
        missing = true;
      }
    } else if (auto t = meshsim::cli::optionValue(args, i, "--tolerance", missing)) {
      try {
        options.tolerance = std::stod(*t);
      } catch (const std::exception&) {
        missing = true;
      }
    } else if (auto dir = meshsim::cli::optionValue(args, i, "--bin-dir", missing)) {
      options.bin_dir = *dir;
    } else if (args[i] == "--serve") {
      serve_only = true;
    } else if (args[i].rfind("--", 0) == 0 || !options.scenario_file.empty()) {
      std::cerr << "meshproxy-harness: unexpected argument '" << args[i] << "'\n" << kUsage;
      return 2;
    } else {
      options.scenario_file = args[i];
    }
    if (missing) {
      std::cerr << "meshproxy-harness: " << option << " needs a valid value\n" << kUsage;
      return 2;
    }
  }
  if (options.scenario_file.empty() || options.replications == 0) {
    std::cerr << kUsage;
    return 2;
  }
  const auto variant = meshsim::cli::loadScenarioOrReport(options.scenario_file, options.overrides);
  if (!variant) {
    return 2;
  }
  if (serve_only) {
    const auto limits = meshsim::proxy::realMeshLimitations(variant->scenario);
    for (const std::string& problem : limits) {
      std::cerr << options.scenario_file << ": " << problem << "\n";
    }
    return limits.empty() ? serve(variant->scenario, options) : 2;
  }
  const auto problems = meshsim::proxy::validationProblems(variant->scenario);
  for (const std::string& problem : problems) {
    std::cerr << options.scenario_file << ": " << problem << "\n";
  }
  if (!problems.empty()) {
    return 2;
  }
  try {
    const meshsim::proxy::ValidationResult result =
        meshsim::proxy::validateAgainstReal(*variant, options, std::cerr);
    std::cout << "scenario " << variant->scenario.name << ": real mesh on 127.0.0.1 vs "
              << options.replications << " simulated replications\n";
    meshsim::proxy::printComparison(std::cout, result.rows, options.tolerance);
    std::cout << "sidecar CPU per request, measured on the real proxies and simulated with: "
              << std::chrono::duration_cast<std::chrono::microseconds>(
                     result.sidecar_cpu_per_request)
                     .count()
              << " us\n";
    if (result.load.unanswered > 0) {
      std::cout << result.load.unanswered << " requests were still unanswered at the end\n";
    }
    for (const std::string& exit : result.exits) {
      if (!exit.ends_with(": exit 0")) {
        std::cout << "unclean exit: " << exit << "\n";
      }
    }
    std::cout << (result.passed ? "AGREE" : "DISAGREE") << "\n";
    return result.passed ? 0 : 1;
  } catch (const std::exception& error) {
    std::cerr << "meshproxy-harness: " << error.what() << "\n";
    return 2;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  return run(std::vector<std::string>(argv + 1, argv + argc));
}
