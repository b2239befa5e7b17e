#include "sim/mesh/replica.h"

#include <algorithm>

#include "sim/mesh/mesh.h"
#include "sim/mesh/sidecar.h"

namespace meshsim::sim {

// --- AppStream / AppConnection --------------------------------------------------------------

void AppStream::reset() {
  // The inbound sidecar gave up on this request (its caller went away): the app keeps working,
  // but nobody will read the answer.
  callbacks_ = nullptr;
  if (job_ != nullptr) {
    job_->detachStream();
    job_ = nullptr;
  }
  // HTTP/1 cannot reuse a connection whose request was abandoned mid-flight (transport.h).
  notifying_ = true;
  connection_.terminateAfterReset();
  notifying_ = false;
  connection_.streamDone(*this);
}

void AppStream::respond(const core::Response& response) {
  job_ = nullptr;
  if (callbacks_ == nullptr) {
    return;
  }
  core::StreamCallbacks* callbacks = callbacks_;
  callbacks_ = nullptr;
  notifying_ = true;
  callbacks->onResponse(response);
  if (!connection_.closed()) {
    connection_.callbacks().onStreamClosed();
  }
  notifying_ = false;
  connection_.streamDone(*this);
}

void AppStream::respondLater(Simulator& sim, std::uint32_t status) {
  deferred_ = true;
  deferred_status_ = status;
  sim.scheduleAfter(Duration::zero(), Event::member<&AppStream::onDeferredReply>(this));
}

void AppStream::onDeferredReply() {
  deferred_ = false;
  core::Response response;
  response.status = deferred_status_;
  if (callbacks_ != nullptr) {
    respond(response);
  } else {
    connection_.streamDone(*this);
  }
}

void AppStream::terminate() {
  job_ = nullptr;
  if (callbacks_ != nullptr) {
    core::StreamCallbacks* callbacks = callbacks_;
    callbacks_ = nullptr;
    callbacks->onReset(core::ResetReason::kConnectionTermination);
  }
}

core::UpstreamStream& AppConnection::newStream(const core::Request& request,
                                               core::StreamCallbacks& callbacks) {
  std::erase_if(streams_, [](const auto& stream) { return stream->collectable(); });
  streams_.push_back(std::make_unique<AppStream>(*this, callbacks));
  AppStream& stream = *streams_.back();
  replica_.accept(stream, request);
  return stream;
}

void AppConnection::onConnectEvent() {
  connect_pending_ = false;
  if (!closed_) {
    if (replica_.workload().up) {
      callbacks_.onConnected();
    } else {
      closed_ = true;
      callbacks_.onConnectFailed(core::ConnectFailure::kRemote);
    }
  }
  streamDoneCheck();
}

void AppConnection::terminateAfterReset() {
  if (!closed_) {
    closed_ = true;
    callbacks_.onConnectionClosed();
  }
}

void AppConnection::terminate() {
  if (closed_) {
    return;
  }
  closed_ = true;
  callbacks_.onConnectionClosed();
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    streams_[i]->terminate();
  }
}

void AppConnection::release() {
  released_ = true;
  closed_ = true;
  streamDoneCheck();
}

void AppConnection::streamDone(AppStream&) {
  streamDoneCheck();
}

void AppConnection::streamDoneCheck() {
  if (released_ && !connect_pending_ &&
      std::all_of(streams_.begin(), streams_.end(),
                  [](const auto& stream) { return stream->collectable(); })) {
    std::erase(replica_.connections_, this);
    delete this;
  }
}

// --- AppJob --------------------------------------------------------------------------------

AppJob::AppJob(Replica& replica, AppStream* stream, const core::Request& request, Index operation)
    : replica_(replica), stream_(stream), request_(request), operation_(operation) {}

void AppJob::onCallDone(AppCall& call, bool ok) {
  std::erase(calls_, &call);
  if (!ok) {
    any_call_failed_ = true;
  }
  if (--outstanding_ == 0) {
    ++step_;
    runStep();
  }
}

void AppJob::runStep() {
  const OperationSpec& operation = replica_.version().operations[operation_];
  Mesh& mesh = replica_.mesh();
  while (step_ < operation.calls.size()) {
    const CallStep& step = operation.calls[step_];
    for (const CallSpec& call : step.calls) {
      // Draw only for optional calls, so certain calls do not shift the stream (common random
      // numbers between variants).
      if (call.probability < 1.0 && replica_.call_random_.uniform01() >= call.probability) {
        continue;
      }
      const ServiceSpec& callee = mesh.scenario().services[call.service];
      AppCall::Target target;
      target.from = replica_.workload().service;
      target.service = call.service;
      target.request.method = call.method;
      target.request.path = call.path;
      target.request.authority = callee.name;
      target.request.headers = request_.headers;  // apps propagate request headers downstream
      target.request.body_bytes = callee.request_bytes;
      target.request.grpc = callee.protocol == Protocol::Grpc;
      target.timeout = call.timeout;
      target.retries = call.retries;
      auto* app_call = new AppCall(mesh, *replica_.workload().sidecar, *this, std::move(target));
      calls_.push_back(app_call);
      ++outstanding_;
    }
    if (outstanding_ > 0) {
      // Start them only now: a call that fails at once must not finish the step early.
      const std::vector<AppCall*> started = calls_;
      for (AppCall* call : started) {
        call->start();
      }
      return;
    }
    ++step_;
  }
  replica_.complete(this);
}

// --- Replica -------------------------------------------------------------------------------

Replica::Replica(Mesh& mesh, Workload& workload, const ServiceSpec& service,
                 const VersionSpec& version)
    : mesh_(mesh),
      workload_(workload),
      service_(service),
      version_(version),
      service_random_(mesh.stream(workload.name, "service-time")),
      error_random_(mesh.stream(workload.name, "errors")),
      call_random_(mesh.stream(workload.name, "calls")) {}

Replica::~Replica() {
  dropJobs();
  for (AppConnection* connection : std::vector<AppConnection*>(connections_)) {
    delete connection;
  }
}

void Replica::dropJobs() {
  for (AppJob* job : jobs_) {
    // The inbound proxy is torn down after the apps' jobs and resets its streams to the app then:
    // they must not reach back into a deleted job.
    if (job->stream_ != nullptr) {
      job->stream_->attach(nullptr);
    }
    delete job;
  }
  jobs_.clear();
  waiting_.clear();
}

core::UpstreamConnectionPtr Replica::connect(core::ConnectionCallbacks& callbacks) {
  auto* connection = new AppConnection(*this, callbacks);
  connections_.push_back(connection);
  mesh_.sim().scheduleAfter(Duration::zero(),
                            Event::member<&AppConnection::onConnectEvent>(connection));
  return core::UpstreamConnectionPtr(
      connection, core::UpstreamConnectionDeleter{[](core::UpstreamConnection* c) {
        static_cast<AppConnection*>(c)->release();
      }});
}

void Replica::accept(AppStream& stream, const core::Request& request) {
  const bool measured = mesh_.measuring();
  ServiceMetrics& metrics = mesh_.metrics().services[workload_.service];
  if (measured) {
    ++metrics.received;
    mesh_.metrics().series[workload_.service].increment(mesh_.seriesTime(), kSeriesArrivals);
  }
  const std::optional<Index> operation = version_.findOperation(request.path, request.method);
  if (!operation) {
    stream.respondLater(mesh_.sim(), 404);
    return;
  }
  if (waiting_.size() >= version_.queue_capacity) {
    // The app's own overload answer.
    if (measured) {
      ++metrics.rejected;
      mesh_.metrics().series[workload_.service].increment(mesh_.seriesTime(), kSeriesRejected);
    }
    stream.respondLater(mesh_.sim(), 503);
    return;
  }
  auto* job = new AppJob(*this, &stream, request, *operation);
  stream.attach(job);
  job->arrived_ = mesh_.sim().now();
  job->measured_ = measured;
  job->epoch_ = epoch_;
  if (const auto trace = TraceRecorder::extract(request.headers)) {
    // The server span: a child of the caller's client span; the app's own calls become its
    // children, as they copy the request headers.
    job->trace_id_ = trace->trace_id;
    job->parent_span_id_ = trace->span_id;
    job->span_id_ = mesh_.traces().newSpanId();
    TraceRecorder::inject(job->request_.headers, job->trace_id_, job->span_id_,
                          job->parent_span_id_);
  }
  jobs_.push_back(job);
  if (busy_ < version_.concurrency) {
    startWork(job);
  } else {
    waiting_.push_back(job);
  }
}

void Replica::startWork(AppJob* job) {
  ++busy_;
  job->holds_worker_ = true;
  job->worker_since_ = mesh_.sim().now();
  const OperationSpec& operation = version_.operations[job->operation_];
  const Distribution& service_time =
      operation.service_time ? *operation.service_time : *version_.service_time;
  double seconds = service_time.sample(service_random_) * slow_factor_;
  if (added_latency_) {
    seconds += added_latency_->sample(service_random_);
  }
  job->compute_ = core::fromSeconds(std::max(seconds, 0.0));
  job->computing_ = true;
  // The job itself is the event's context: an address as the argument would enter the
  // simulator's fingerprint and make it differ between identical runs.
  mesh_.sim().scheduleAfter(job->compute_, Event::member<&AppJob::onComputeDone>(job));
}

void AppJob::onComputeDone() {
  replica_.onComputeDone(this);
}

void Replica::onComputeDone(AppJob* job) {
  job->computing_ = false;
  if (job->epoch_ != epoch_) {
    // The replica crashed while this job computed: it is gone with the process.
    std::erase(jobs_, job);
    delete job;
    return;
  }
  if (!service_.hold_worker_while_waiting) {
    releaseWorker(*job);
  }
  job->runStep();
}

void Replica::releaseWorker(AppJob& job) {
  if (!job.holds_worker_) {
    return;
  }
  job.holds_worker_ = false;
  --busy_;
  const SimTime now = mesh_.sim().now();
  const SimTime from = std::max(job.worker_since_, mesh_.measureFrom());
  if (now > from) {
    mesh_.metrics().services[workload_.service].worker_busy += now - from;
  }
  if (!waiting_.empty() && workload_.up) {
    AppJob* next = waiting_.front();
    waiting_.pop_front();
    startWork(next);
  }
}

std::uint32_t Replica::responseStatus(const AppJob& job) {
  const OperationSpec& operation = version_.operations[job.operation_];
  if (job.any_call_failed_ && operation.on_call_failure == OnCallFailure::Fail) {
    return 500;
  }
  const ErrorModel& errors = error_override_ ? *error_override_ : version_.errors;
  const double p = errors.failureProbability(static_cast<double>(busy_) /
                                             static_cast<double>(version_.concurrency));
  if (p > 0 && error_random_.uniform01() < p) {
    return static_cast<std::uint32_t>(errors.status);
  }
  return 200;
}

void Replica::complete(AppJob* job) {
  const std::uint32_t status = responseStatus(*job);
  releaseWorker(*job);
  ServiceMetrics& metrics = mesh_.metrics().services[workload_.service];
  if (job->measured_) {
    ++metrics.completed;
    if (status >= 500) {
      ++metrics.errors;
    }
    const Duration latency = mesh_.sim().now() - job->arrived_;
    metrics.latency.record(latency);
    TimeSeries& series = mesh_.metrics().series[workload_.service];
    const SimTime at = mesh_.seriesTime();
    series.increment(at, kSeriesCompleted);
    if (status >= 500) {
      series.increment(at, kSeriesErrors);
    }
    series.record(at, latency);
  }
  if (job->span_id_ != 0) {
    SpanRecord span;
    span.trace_id = job->trace_id_;
    span.id = job->span_id_;
    span.parent_id = job->parent_span_id_;
    span.kind = SpanRecord::Kind::kServer;
    span.local_service = workload_.service;
    span.remote_service = workload_.service;
    span.workload = workload_.name;
    span.path = job->request_.path;
    span.start = job->arrived_;
    span.duration = mesh_.sim().now() - job->arrived_;
    span.status = job->stream_ != nullptr ? status : 0;
    span.upstream_cluster = "inbound|9080||";
    mesh_.traces().add(std::move(span));
  }
  if (job->stream_ != nullptr) {
    core::Response response;
    response.status = status;
    response.body_bytes = service_.response_bytes;
    AppStream* stream = job->stream_;
    job->stream_ = nullptr;
    stream->respond(response);
  } else if (job->measured_) {
    // Nobody waits for this answer any more: the work was wasted (DESIGN.md step 6).
    ++metrics.wasted;
    metrics.wasted_work += job->compute_;
  }
  std::erase(jobs_, job);
  delete job;
}

void Replica::crash() {
  if (!workload_.up) {
    return;
  }
  workload_.up = false;
  ++epoch_;
  // Every connection to the pod is gone: its sidecar's peers and its own loopback.
  workload_.sidecar->dropServerConnections();
  for (AppConnection* connection : std::vector<AppConnection*>(connections_)) {
    connection->terminate();
  }
  waiting_.clear();
  busy_ = 0;
  for (AppJob* job : std::vector<AppJob*>(jobs_)) {
    for (AppCall* call : job->calls_) {
      call->abandon();
    }
    job->calls_.clear();
    // Its stream was terminated with the connection and may be gone already.
    job->detachStream();
    if (job->computing_) {
      continue;  // deleted when its compute event fires
    }
    std::erase(jobs_, job);
    delete job;
  }
}

void Replica::restart() {
  workload_.up = true;
}

}  // namespace meshsim::sim
