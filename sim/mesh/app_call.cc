#include "sim/mesh/app_call.h"

#include "core/proxy/cluster.h"
#include "sim/mesh/mesh.h"
#include "sim/mesh/sidecar.h"

namespace meshsim::sim {

AppCall::AppCall(Mesh& mesh, Sidecar& sidecar, CallOwner& owner, Target target)
    : mesh_(mesh), sidecar_(sidecar), owner_(owner), target_(std::move(target)) {
  mesh_.liveCalls().insert(this);
}

AppCall::~AppCall() {
  mesh_.liveCalls().erase(this);
}

void AppCall::start() {
  started_ = mesh_.sim().now();
  if (const auto trace = TraceRecorder::extract(target_.request.headers)) {
    trace_id_ = trace->trace_id;
    parent_span_id_ = trace->span_id;
  }
  measured_ = mesh_.measuring();
  attempt();
}

void AppCall::attempt() {
  ++attempts_;
  ++epoch_;
  attempt_started_ = mesh_.sim().now();
  if (trace_id_ != 0) {
    span_id_ = mesh_.traces().newSpanId();
    TraceRecorder::inject(target_.request.headers, trace_id_, span_id_, parent_span_id_);
  }
  if (target_.timeout) {
    timeout_ = mesh_.sim().scheduleAfter(*target_.timeout,
                                         Event::member<&AppCall::onTimeout>(this, epoch_));
  }
  // The app hands the request to its sidecar: a CPU pass on the outbound side first.
  ++pending_;
  sidecar_.pass(Event::member<&AppCall::onRequestPassDone>(this, epoch_));
}

void AppCall::onRequestPassDone(std::uint64_t epoch) {
  --pending_;
  if (done_ || epoch != epoch_) {
    maybeDelete();
    return;
  }
  filter_ =
      &sidecar_.outbound().startRequest(target_.request, sidecar_.nextOutboundWorker(), *this);
}

void AppCall::onRequestComplete(const core::RequestOutcome& outcome) {
  filter_ = nullptr;
  outcome_ = outcome;
  // The response crosses the outbound sidecar again on its way back to the app.
  ++pending_;
  sidecar_.pass(Event::member<&AppCall::onResponsePassDone>(this, epoch_));
}

void AppCall::onResponsePassDone(std::uint64_t epoch) {
  --pending_;
  if (done_ || epoch != epoch_) {
    maybeDelete();
    return;
  }
  mesh_.sim().cancel(timeout_);
  last_flags_ = outcome_.flags;
  last_status_ = outcome_.response.status;
  if (measured_) {
    EdgeMetrics& edge = mesh_.metrics().edge(target_.from, target_.service);
    ++edge.requests;
    edge.attempts += outcome_.attempts;
    edge.retries += outcome_.attempts > 1 ? outcome_.attempts - 1 : 0;
    ++edge.status_classes[std::min<std::uint32_t>(last_status_ / 100, 5)];
    countFlags(edge.flags, last_flags_);
    edge.latency.record(mesh_.sim().now() - attempt_started_);
  }
  recordAttempt(last_status_, last_flags_, outcome_.last_host);
  finishAttempt(last_status_ != 0 && last_status_ < 500);
}

void AppCall::onTimeout() {
  // The app stops waiting: it closes its request, which the sidecar sees as a downstream reset.
  if (done_) {
    return;
  }
  if (measured_) {
    EdgeMetrics& edge = mesh_.metrics().edge(target_.from, target_.service);
    ++edge.requests;
    ++edge.app_timeouts;
    ++edge.status_classes[0];
    if (filter_ != nullptr) {
      edge.attempts += filter_->attempts();
      edge.retries += filter_->attempts() > 1 ? filter_->attempts() - 1 : 0;
    }
  }
  if (filter_ != nullptr) {
    core::RouterFilter* filter = filter_;
    filter_ = nullptr;
    filter->cancel();
  }
  ++epoch_;  // a response still on its way back belongs to the abandoned attempt
  last_status_ = 0;
  last_flags_ = 0;
  recordAttempt(0, 0, nullptr);
  finishAttempt(false);
}

void AppCall::finishAttempt(bool ok) {
  if (!ok && attempts_ <= target_.retries) {
    attempt();
    return;
  }
  done_ = true;
  mesh_.sim().cancel(timeout_);
  if (measured_) {
    EdgeMetrics& edge = mesh_.metrics().edge(target_.from, target_.service);
    ++edge.calls;
    edge.failed_calls += ok ? 0 : 1;
  }
  owner_.onCallDone(*this, ok);
  maybeDelete();
}

void AppCall::recordAttempt(std::uint32_t status, core::ResponseFlags flags,
                            const core::Host* host) {
  const Duration latency = mesh_.sim().now() - attempt_started_;
  const Workload* destination =
      host != nullptr ? mesh_.workloadByAddress(host->address()) : nullptr;
  if (measured_) {
    MeshMetrics& metrics = mesh_.metrics();
    const Index source = metrics.deployment(target_.from, sidecar_.workload().version);
    const Index to =
        destination != nullptr
            ? metrics.deployment(destination->service, destination->version)
            : metrics.deployment(
                  target_.service,
                  static_cast<Index>(mesh_.scenario().services[target_.service].versions.size()));
    metrics.istioEdge(source, to).record(status, flags, latency);
  }
  if (trace_id_ != 0) {
    SpanRecord span;
    span.trace_id = trace_id_;
    span.id = span_id_;
    span.parent_id = parent_span_id_;
    span.kind = SpanRecord::Kind::kClient;
    span.local_service = target_.from;
    span.remote_service = target_.service;
    span.workload = sidecar_.workload().name;
    span.path = target_.request.path;
    span.start = attempt_started_;
    span.duration = latency;
    span.status = status;
    span.flags = flags;
    if (outcome_.cluster != nullptr && status != 0) {
      span.upstream_cluster = outcome_.cluster->name();
    }
    mesh_.traces().add(std::move(span));
  }
}

void AppCall::maybeDelete() {
  if (done_ && pending_ == 0 && filter_ == nullptr) {
    delete this;
  }
}

void AppCall::abandon() {
  done_ = true;
  mesh_.sim().cancel(timeout_);
  if (filter_ != nullptr) {
    core::RouterFilter* filter = filter_;
    filter_ = nullptr;
    filter->cancel();
  }
  maybeDelete();
}

}  // namespace meshsim::sim
