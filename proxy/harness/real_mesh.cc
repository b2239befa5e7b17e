#include "proxy/harness/real_mesh.h"

#include <stdexcept>

#include "proxy/admin/proxy_stats.h"
#include "proxy/common/endpoints_file.h"
#include "proxy/common/socket_address.h"
#include "proxy/http/http_client.h"
#include "proxy/tls/workload_certificates.h"

namespace meshsim::proxy {

namespace {

constexpr int kFirstChildFd = 3;

void expectReady(ChildProcess& process, const std::string& what,
                 std::chrono::milliseconds timeout) {
  const std::optional<std::string> line = process.readLine(timeout);
  if (!line || line->find(" ready ") == std::string::npos) {
    throw std::runtime_error(what + " did not start (" + process.stop() + ")");
  }
}

}  // namespace

RealMesh::RealMesh(const sim::Scenario& scenario, const RealMeshOptions& options,
                   std::chrono::steady_clock::time_point origin) {
  struct Sockets {
    LoopbackListener app;
    LoopbackListener inbound;
    LoopbackListener outbound;
    LoopbackListener admin;
  };
  std::vector<Sockets> sockets;
  std::vector<PodEndpoint> endpoints;
  for (const PodRef& pod : scenarioPods(scenario)) {
    Sockets& s = sockets.emplace_back();
    RealPod& real = pods_.emplace_back();
    real.pod = pod;
    real.app = s.app.address();
    real.inbound = s.inbound.address();
    real.outbound = s.outbound.address();
    real.admin = s.admin.address();
    endpoints.push_back({pod.name, real.inbound});
  }
  const std::string endpoints_file = options.work_dir + "/endpoints";
  writeEndpointsFile(endpoints_file, endpoints);
  if (options.mtls) {
    TestCertificateAuthority authority;
    authority.writeRoot(options.work_dir);
    for (const RealPod& real : pods_) {
      const sim::ServiceSpec& service = scenario.services[real.pod.service];
      authority.issue(
          options.work_dir, real.pod.name,
          "spiffe://cluster.local/ns/" + service.namespace_name + "/sa/" + service.service_account);
    }
  }

  const std::string origin_ns = std::to_string(
      std::chrono::duration_cast<std::chrono::nanoseconds>(origin.time_since_epoch()).count());
  for (std::size_t i = 0; i < pods_.size(); ++i) {
    RealPod& real = pods_[i];
    std::vector<std::string> app_args = {options.bin_dir + "/meshsim-testservice",
                                         "--scenario",
                                         options.scenario_file,
                                         "--pod",
                                         real.pod.name,
                                         "--listen",
                                         "fd:" + std::to_string(kFirstChildFd),
                                         "--sidecar",
                                         real.outbound,
                                         "--origin-ns",
                                         origin_ns};
    std::vector<std::string> proxy_args = {options.bin_dir + "/meshproxy",
                                           "--scenario",
                                           options.scenario_file,
                                           "--pod",
                                           real.pod.name,
                                           "--endpoints",
                                           endpoints_file,
                                           "--app",
                                           real.app,
                                           "--inbound",
                                           "fd:" + std::to_string(kFirstChildFd),
                                           "--outbound",
                                           "fd:" + std::to_string(kFirstChildFd + 1),
                                           "--admin",
                                           "fd:" + std::to_string(kFirstChildFd + 2)};
    if (options.mtls) {
      proxy_args.insert(proxy_args.end(), {"--tls-dir", options.work_dir});
    }
    for (const std::string& set : options.overrides) {
      app_args.insert(app_args.end(), {"--set", set});
      proxy_args.insert(proxy_args.end(), {"--set", set});
    }
    real.app_process = std::make_unique<ChildProcess>(
        app_args, std::vector<std::pair<int, int>>{{sockets[i].app.fd(), kFirstChildFd}});
    real.proxy_process = std::make_unique<ChildProcess>(
        proxy_args, std::vector<std::pair<int, int>>{{sockets[i].inbound.fd(), kFirstChildFd},
                                                     {sockets[i].outbound.fd(), kFirstChildFd + 1},
                                                     {sockets[i].admin.fd(), kFirstChildFd + 2}});
  }
  sockets.clear();
  for (RealPod& real : pods_) {
    expectReady(*real.app_process, "meshsim-testservice for " + real.pod.name,
                options.ready_timeout);
    expectReady(*real.proxy_process, "meshproxy for " + real.pod.name, options.ready_timeout);
  }
}

RealMesh::~RealMesh() {
  stop();
}

std::vector<boost::asio::ip::tcp::endpoint> RealMesh::entryPoints(sim::Index service) const {
  std::vector<boost::asio::ip::tcp::endpoint> out;
  for (const RealPod& real : pods_) {
    if (real.pod.service == service) {
      out.push_back(*parseEndpoint(real.inbound));
    }
  }
  return out;
}

std::vector<std::map<std::string, std::uint64_t>> RealMesh::scrapeStats() const {
  std::vector<std::map<std::string, std::uint64_t>> out;
  for (const RealPod& real : pods_) {
    HttpRequest request(boost::beast::http::verb::get, "/stats", 11);
    request.set(boost::beast::http::field::host, real.admin);
    try {
      out.push_back(parseStatsText(fetch(*parseEndpoint(real.admin), std::move(request)).body()));
    } catch (const boost::system::system_error& error) {
      throw std::runtime_error("meshproxy for " + real.pod.name +
                               ": /stats failed: " + error.what());
    }
  }
  return out;
}

std::chrono::nanoseconds RealMesh::proxyCpu() const {
  std::chrono::nanoseconds total{0};
  for (const RealPod& real : pods_) {
    total += real.proxy_process->cpuTime();
  }
  return total;
}

std::vector<std::string> RealMesh::exitedProcesses() {
  std::vector<std::string> out;
  for (RealPod& real : pods_) {
    for (ChildProcess* process : {real.app_process.get(), real.proxy_process.get()}) {
      if (process != nullptr && !process->running()) {
        out.push_back(process->name() + " for " + real.pod.name + " (" + process->stop() + ")");
      }
    }
  }
  return out;
}

std::vector<std::string> RealMesh::stop() {
  std::vector<std::string> out;
  // Sidecars first, so no app sees its proxy vanish mid-call and log about it.
  for (RealPod& real : pods_) {
    if (real.proxy_process) {
      out.push_back("meshproxy " + real.pod.name + ": " + real.proxy_process->stop());
    }
  }
  for (RealPod& real : pods_) {
    if (real.app_process) {
      out.push_back("meshsim-testservice " + real.pod.name + ": " + real.app_process->stop());
    }
  }
  return out;
}

}  // namespace meshsim::proxy
