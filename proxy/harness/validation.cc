#include "proxy/harness/validation.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "proxy/common/scenario_pods.h"
#include "proxy/harness/real_mesh.h"
#include "sim/mesh/mesh.h"

namespace meshsim::proxy {

namespace {

// Time for every process to start before the load (and the fault clock) begins.
constexpr std::chrono::milliseconds kStartMargin{1000};
// How often the real proxies' ejection counters are read during the load.
constexpr std::chrono::milliseconds kEjectionPoll{50};

// A private directory for the endpoints file, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "meshproxy-harness-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("cannot create a temporary directory");
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

std::vector<std::string> validationProblems(const sim::Scenario& scenario) {
  std::vector<std::string> problems = realMeshLimitations(scenario);
  if (scenario.workload.kind != sim::WorkloadKind::Open ||
      (scenario.workload.arrivals != sim::Arrivals::Poisson &&
       scenario.workload.arrivals != sim::Arrivals::Constant)) {
    problems.push_back("workload: the harness drives open-loop poisson or constant arrivals only");
  }
  if (scenario.warmup != core::Duration::zero() || scenario.warmup_auto) {
    problems.push_back("warmup: the harness compares whole runs; set warmup: 0s");
  }
  return problems;
}

ValidationResult validateAgainstReal(const sim::Variant& variant, const ValidationOptions& options,
                                     std::ostream& log) {
  const sim::Scenario& scenario = variant.scenario;
  ValidationResult result;
  MeshCounts real;
  {
    TempDir dir;
    RealMeshOptions mesh_options;
    mesh_options.bin_dir = options.bin_dir;
    mesh_options.scenario_file = options.scenario_file;
    mesh_options.overrides = options.overrides;
    mesh_options.work_dir = dir.path();
    const auto origin = std::chrono::steady_clock::now() + kStartMargin;
    log << "real: starting " << scenarioPods(scenario).size()
        << " pods (meshsim-testservice + meshproxy each) on 127.0.0.1\n";
    RealMesh mesh(scenario, mesh_options, origin);
    if (std::chrono::steady_clock::now() > origin) {
      log << "real: processes took longer than " << kStartMargin.count()
          << " ms to start; fault times are late by the difference\n";
    }
    std::this_thread::sleep_until(origin);
    std::vector<std::vector<boost::asio::ip::tcp::endpoint>> entry_points;
    for (sim::Index s = 0; s < scenario.services.size(); ++s) {
      entry_points.push_back(mesh.entryPoints(s));
    }
    LoadOptions load;
    load.rate = scenario.workload.rate;
    load.duration = scenario.duration;
    load.seed = scenario.seed;
    log << "real: " << load.rate << " rps for " << core::toSeconds(load.duration) << " s\n";
    const std::chrono::nanoseconds cpu_before = mesh.proxyCpu();
    // Ejection timing: every proxy's /stats, polled beside the load.
    MeshCounts ejections;
    std::atomic<bool> loading{true};
    std::thread watcher([&] {
      const auto start = std::chrono::steady_clock::now();
      while (loading) {
        try {
          const double seconds =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          noteFirstEjections(realCounts(scenario, mesh.scrapeStats(), LoadResult{}), seconds,
                             ejections);
        } catch (const std::runtime_error&) {
          // A proxy that does not answer is reported after the load; timing is best effort.
        }
        std::this_thread::sleep_for(kEjectionPoll);
      }
    });
    result.load = driveLoad(scenario, entry_points, load);
    loading = false;
    watcher.join();
    const std::chrono::nanoseconds proxy_cpu = mesh.proxyCpu() - cpu_before;
    if (result.load.interrupted) {
      throw std::runtime_error("interrupted");
    }
    const std::vector<std::string> crashed = mesh.exitedProcesses();
    if (!crashed.empty()) {
      std::string message = "processes exited during the run:";
      for (const std::string& process : crashed) {
        message += " " + process;
      }
      throw std::runtime_error(message);
    }
    const auto stats = mesh.scrapeStats();
    real = realCounts(scenario, stats, result.load);
    real.first_ejection_s = ejections.first_ejection_s;
    std::uint64_t proxied = 0;  // requests through one proxy, both listeners of every sidecar
    for (const auto& pod : stats) {
      for (const char* listener :
           {"http.outbound.downstream_rq_total", "http.inbound.downstream_rq_total"}) {
        if (const auto it = pod.find(listener); it != pod.end()) {
          proxied += it->second;
        }
      }
    }
    if (proxied > 0) {
      result.sidecar_cpu_per_request =
          std::chrono::duration_cast<core::Duration>(proxy_cpu / proxied);
    }
    result.exits = mesh.stop();
  }
  // The simulated sidecars cost what meshproxy cost here (DESIGN: calibrated on the machine).
  sim::Scenario simulated = scenario;
  if (result.sidecar_cpu_per_request > core::Duration::zero()) {
    for (sim::ServiceSpec& service : simulated.services) {
      service.sidecar.cpu_per_request = result.sidecar_cpu_per_request;
    }
  }
  log << "simulated: " << options.replications << " replications, sidecar CPU "
      << std::chrono::duration_cast<std::chrono::microseconds>(result.sidecar_cpu_per_request)
             .count()
      << " us per request (measured)\n";
  std::vector<MeshCounts> runs;
  for (std::size_t r = 0; r < options.replications; ++r) {
    sim::Mesh mesh(simulated, variant.policies, r);
    // Ejection timing from the progress callback (every 1 % of the run), which only reads.
    MeshCounts ejections;
    const double total = core::toSeconds(simulated.warmup + simulated.duration);
    mesh.run([&](double fraction) {
      noteFirstEjections(simulatedCounts(mesh), fraction * total, ejections);
    });
    runs.push_back(simulatedCounts(mesh));
    runs.back().first_ejection_s = ejections.first_ejection_s;
  }
  result.rows = compare(real, meanCounts(runs), options.tolerance);
  result.passed = result.load.unanswered == 0;
  for (const ComparisonRow& row : result.rows) {
    result.passed = result.passed && row.ok;
  }
  for (const std::string& exit : result.exits) {
    result.passed = result.passed && exit.ends_with(": exit 0");
  }
  return result;
}

}  // namespace meshsim::proxy
