#include "proxy/upstream_service/test_service.h"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <variant>
#include <vector>

#include "proxy/http/http_client.h"
#include "proxy/http/message_conversion.h"

namespace meshsim::proxy {

namespace http = boost::beast::http;

// One request the app works on: its worker, its compute timer and its call plan's progress.
struct TestJob {
  TestJob(boost::asio::io_context& io, std::shared_ptr<HttpSession> s, HttpRequest r, sim::Index op)
      : session(std::move(s)), request(std::move(r)), operation(op), timer(io) {}

  std::shared_ptr<HttpSession> session;
  HttpRequest request;
  sim::Index operation;
  boost::asio::steady_timer timer;
  std::size_t step = 0;
  std::uint32_t outstanding = 0;
  bool any_call_failed = false;
  bool holds_worker = false;
};

namespace {

bool targets(const sim::FaultTarget& target, const PodRef& pod) {
  return target.service == pod.service &&
         (target.version == sim::kAll || target.version == pod.version) &&
         (target.replica == sim::kAll || target.replica == pod.replica);
}

}  // namespace

TestService::TestService(boost::asio::io_context& io, const sim::Scenario& scenario,
                         const PodRef& pod, boost::asio::ip::tcp::acceptor acceptor,
                         std::optional<boost::asio::ip::tcp::endpoint> sidecar,
                         std::chrono::steady_clock::time_point origin)
    : io_(io),
      scenario_(scenario),
      pod_(pod),
      service_(scenario.services[pod.service]),
      version_(service_.versions[pod.version]),
      sidecar_(sidecar),
      origin_(origin),
      server_(std::move(acceptor), *this, ServerLimits{}, 1),
      service_random_(scenario.seed, 0, pod.name, "service-time"),
      error_random_(scenario.seed, 0, pod.name, "errors"),
      call_random_(scenario.seed, 0, pod.name, "calls"),
      fault_random_(scenario.seed, 0, pod.name, "fault-latency") {
  server_.start();
}

void TestService::onRequest(const std::shared_ptr<HttpSession>& session, HttpRequest request) {
  const std::optional<sim::Index> operation = version_.findOperation(
      std::string_view(request.target()), std::string_view(request.method_string()));
  if (!operation) {
    session->respond(textResponse(404, "no such operation\n", request.version()));
    return;
  }
  auto job = std::make_shared<TestJob>(io_, session, std::move(request), *operation);
  if (busy_ < version_.concurrency) {
    startWork(job);
  } else if (waiting_.size() < version_.queue_capacity) {
    waiting_.push_back(std::move(job));
  } else {
    session->respond(textResponse(503, "queue full\n", job->request.version()));
  }
}

core::Duration TestService::faultLatency() {
  const core::Duration now = std::chrono::steady_clock::now() - origin_;
  core::Duration added{0};
  for (const sim::FaultSpec& fault : scenario_.faults) {
    if (now < fault.at || (fault.until && now >= *fault.until)) {
      continue;
    }
    if (const auto* latency = std::get_if<sim::LatencyFault>(&fault.action);
        latency != nullptr && targets(latency->target, pod_)) {
      added += sim::sampleDuration(*latency->add, fault_random_);
    }
  }
  return added;
}

void TestService::startWork(const std::shared_ptr<TestJob>& job) {
  ++busy_;
  job->holds_worker = true;
  const sim::OperationSpec& operation = version_.operations[job->operation];
  const sim::Distribution& service_time =
      operation.service_time ? *operation.service_time : *version_.service_time;
  double factor = 1.0;
  const core::Duration now = std::chrono::steady_clock::now() - origin_;
  for (const sim::FaultSpec& fault : scenario_.faults) {
    const auto* slow = std::get_if<sim::SlowReplicaFault>(&fault.action);
    if (slow != nullptr && targets(slow->target, pod_) && now >= fault.at &&
        (!fault.until || now < *fault.until)) {
      factor = slow->factor;
    }
  }
  const double seconds = std::max(0.0, service_time.sample(service_random_) * factor);
  job->timer.expires_after(core::fromSeconds(seconds) + faultLatency());
  job->timer.async_wait([this, job](const boost::system::error_code& error) {
    if (error) {
      return;
    }
    if (!service_.hold_worker_while_waiting) {
      releaseWorker(*job);
    }
    runStep(job);
  });
}

void TestService::runStep(const std::shared_ptr<TestJob>& job) {
  const sim::OperationSpec& operation = version_.operations[job->operation];
  while (job->step < operation.calls.size()) {
    std::vector<const sim::CallSpec*> calls;
    for (const sim::CallSpec& call : operation.calls[job->step].calls) {
      // Draw only for optional calls, as the simulator does.
      if (call.probability < 1.0 && call_random_.uniform01() >= call.probability) {
        continue;
      }
      calls.push_back(&call);
    }
    if (!calls.empty()) {
      job->outstanding = static_cast<std::uint32_t>(calls.size());
      for (const sim::CallSpec* call : calls) {
        this->call(job, *call, 0);
      }
      return;
    }
    ++job->step;
  }
  complete(job);
}

void TestService::call(const std::shared_ptr<TestJob>& job, const sim::CallSpec& spec,
                       std::uint32_t attempt) {
  if (!sidecar_) {
    onCallDone(job, false);
    return;
  }
  const sim::ServiceSpec& callee = scenario_.services[spec.service];
  core::Request request = toCoreRequest(job->request);  // apps propagate request headers
  request.method = spec.method;
  request.path = spec.path;
  request.authority = callee.name;
  request.body_bytes = callee.request_bytes;
  sendRequest(
      io_, *sidecar_, toHttpRequest(request), spec.timeout,
      [this, job, &spec, attempt](const boost::system::error_code& error, HttpResponse response) {
        const bool ok = !error && response.result_int() < 500;
        if (!ok && attempt < spec.retries) {
          call(job, spec, attempt + 1);
          return;
        }
        onCallDone(job, ok);
      });
}

void TestService::onCallDone(const std::shared_ptr<TestJob>& job, bool ok) {
  if (!ok) {
    job->any_call_failed = true;
  }
  if (--job->outstanding == 0) {
    ++job->step;
    runStep(job);
  }
}

std::uint32_t TestService::responseStatus(const TestJob& job) {
  const sim::OperationSpec& operation = version_.operations[job.operation];
  if (job.any_call_failed && operation.on_call_failure == sim::OnCallFailure::Fail) {
    return 500;
  }
  sim::ErrorModel errors = version_.errors;
  const core::Duration now = std::chrono::steady_clock::now() - origin_;
  for (const sim::FaultSpec& fault : scenario_.faults) {
    const auto* rate = std::get_if<sim::ErrorRateFault>(&fault.action);
    if (rate != nullptr && targets(rate->target, pod_) && now >= fault.at &&
        (!fault.until || now < *fault.until)) {
      errors = sim::ErrorModel{rate->probability, rate->status, std::nullopt};
    }
  }
  const double p = errors.failureProbability(static_cast<double>(busy_) /
                                             static_cast<double>(version_.concurrency));
  if (p > 0 && error_random_.uniform01() < p) {
    return static_cast<std::uint32_t>(errors.status);
  }
  return 200;
}

void TestService::complete(const std::shared_ptr<TestJob>& job) {
  const std::uint32_t status = responseStatus(*job);
  releaseWorker(*job);
  core::Response response;
  response.status = status;
  response.body_bytes = service_.response_bytes;
  job->session->respond(toHttpResponse(response));
}

void TestService::releaseWorker(TestJob& job) {
  if (!job.holds_worker) {
    return;
  }
  job.holds_worker = false;
  --busy_;
  if (!waiting_.empty()) {
    std::shared_ptr<TestJob> next = std::move(waiting_.front());
    waiting_.pop_front();
    startWork(next);
  }
}

}  // namespace meshsim::proxy
