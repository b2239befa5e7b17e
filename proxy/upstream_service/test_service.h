#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "proxy/common/scenario_pods.h"
#include "proxy/http/http_server.h"
#include "sim/random/random_stream.h"
#include "sim/scenario/scenario.h"

namespace meshsim::proxy {

struct TestJob;

// A real app replica that behaves like the simulator's sim::Replica for one pod of a scenario:
// `concurrency` workers behind a bounded FIFO queue (full => 503), a service time drawn from the
// operation's distribution, the operation's call plan (sequential steps, parallel groups, call
// probabilities, app-level timeouts and retries) sent through its sidecar's outbound listener with
// Host = callee, then a status from the error model (500 if a call failed and on_call_failure is
// fail). error_rate, latency and slow_replica faults that target the pod apply between their
// at/until times, counted from `origin`. Random draws use the simulator's stream names for the pod.
class TestService final : public RequestHandler {
 public:
  TestService(boost::asio::io_context& io, const sim::Scenario& scenario, const PodRef& pod,
              boost::asio::ip::tcp::acceptor acceptor,
              std::optional<boost::asio::ip::tcp::endpoint> sidecar,
              std::chrono::steady_clock::time_point origin);

  void stop() { server_.stop(); }
  boost::asio::ip::tcp::endpoint localEndpoint() const { return server_.localEndpoint(); }

  void onRequest(const std::shared_ptr<HttpSession>& session, HttpRequest request) override;
  void onRejected(unsigned) override {}
  // The caller gave up; the work goes on and its answer is dropped (wasted work, as simulated).
  void onHangup(const std::shared_ptr<HttpSession>&) override {}

 private:
  friend struct TestJob;
  void startWork(const std::shared_ptr<TestJob>& job);
  void runStep(const std::shared_ptr<TestJob>& job);
  void call(const std::shared_ptr<TestJob>& job, const sim::CallSpec& spec, std::uint32_t attempt);
  void onCallDone(const std::shared_ptr<TestJob>& job, bool ok);
  void complete(const std::shared_ptr<TestJob>& job);
  void releaseWorker(TestJob& job);
  std::uint32_t responseStatus(const TestJob& job);
  core::Duration faultLatency();

  boost::asio::io_context& io_;
  const sim::Scenario& scenario_;
  const PodRef pod_;
  const sim::ServiceSpec& service_;
  const sim::VersionSpec& version_;
  const std::optional<boost::asio::ip::tcp::endpoint> sidecar_;
  const std::chrono::steady_clock::time_point origin_;
  HttpServer server_;
  sim::RandomStream service_random_;
  sim::RandomStream error_random_;
  sim::RandomStream call_random_;
  sim::RandomStream fault_random_;
  std::uint32_t busy_ = 0;
  std::deque<std::shared_ptr<TestJob>> waiting_;
};

}  // namespace meshsim::proxy
