#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "proxy/common/scenario_pods.h"
#include "proxy/harness/child_process.h"
#include "sim/scenario/scenario.h"

namespace meshsim::proxy {

// One pod of the real mesh: its app (meshsim-testservice) and its sidecar (meshproxy).
struct RealPod {
  PodRef pod;
  std::string inbound;  // the sidecar's listener for peers (what the endpoints file lists)
  std::string outbound;
  std::string admin;
  std::string app;
  std::unique_ptr<ChildProcess> app_process;
  std::unique_ptr<ChildProcess> proxy_process;
};

// Where to find the programs and what to hand them.
struct RealMeshOptions {
  std::string bin_dir;        // holds meshproxy and meshsim-testservice
  std::string scenario_file;  // passed to every child, with the same overrides
  std::vector<std::string> overrides;
  std::string work_dir;  // the endpoints file and the mesh's certificates go here
  bool mtls = true;      // issue certificates so meshproxies use mTLS where the policy says so
  std::chrono::milliseconds ready_timeout{10000};
};

// The scenario as real processes on 127.0.0.1: for every pod a test service and a meshproxy,
// ports chosen by the kernel up front (the harness binds them and hands the sockets down), an
// endpoints file listing every pod's inbound listener, and (with mtls) a test CA and one
// certificate per pod carrying its SPIFFE identity, so sidecars authenticate each other. Everything
// stops when the object goes away.
class RealMesh {
 public:
  // Starts every process and waits for each ready line; `origin` is when faults count from.
  // Throws std::runtime_error naming the process that failed to start.
  RealMesh(const sim::Scenario& scenario, const RealMeshOptions& options,
           std::chrono::steady_clock::time_point origin);
  ~RealMesh();

  const std::vector<RealPod>& pods() const { return pods_; }
  // The inbound listeners of `service`'s pods, where the load generator sends its requests.
  std::vector<boost::asio::ip::tcp::endpoint> entryPoints(sim::Index service) const;
  // Every pod's /stats, parsed; throws std::runtime_error when a proxy does not answer.
  std::vector<std::map<std::string, std::uint64_t>> scrapeStats() const;
  // CPU time all meshproxy processes have used so far.
  std::chrono::nanoseconds proxyCpu() const;
  // Processes that exited on their own (crashed) so far.
  std::vector<std::string> exitedProcesses();
  // Stops every process (SIGTERM, then SIGKILL) and returns "<name>: <status>" per process.
  std::vector<std::string> stop();

 private:
  std::vector<RealPod> pods_;
};

}  // namespace meshsim::proxy
