#include "core/proxy/router_filter.h"

#include "core/proxy/cluster.h"
#include "core/proxy/proxy.h"

namespace meshsim::core {

namespace {

// Used when retries come only from x-envoy-retry-on headers: RetryState needs a policy to point at.
const RetryPolicy kNoRetryPolicy{};

// Envoy maps grpc-status in response headers to an HTTP code for outlier detection and stats
// (Grpc::Utility::grpcToHttpStatus).
std::uint32_t grpcToHttpStatus(std::uint32_t grpc_status) {
  static constexpr std::uint32_t kMap[] = {200, 499, 500, 400, 504, 404, 409, 403, 429,
                                           400, 409, 400, 501, 500, 503, 500, 401};
  return grpc_status < std::size(kMap) ? kMap[grpc_status] : 500;
}

// The response flag Envoy sets when an attempt ends in `reason` and is not retried (§1.8).
ResponseFlag flagForReset(ResetReason reason) {
  switch (reason) {
    case ResetReason::kLocalConnectionFailure:
    case ResetReason::kRemoteConnectionFailure:
    case ResetReason::kConnectionTimeout:
      return ResponseFlag::kUpstreamConnectionFailure;
    case ResetReason::kOverflow:
      return ResponseFlag::kUpstreamOverflow;
    case ResetReason::kConnectionTermination:
      return ResponseFlag::kUpstreamConnectionTermination;
    case ResetReason::kLocalReset:
      return ResponseFlag::kLocalReset;
    case ResetReason::kRemoteReset:
    case ResetReason::kRemoteRefusedStreamReset:
    case ResetReason::kProtocolError:
      return ResponseFlag::kUpstreamRemoteReset;
  }
  return ResponseFlag::kUpstreamRemoteReset;
}

void countResponseClass(ClusterStats& stats, std::uint32_t status) {
  ++stats.upstream_rq_completed;
  switch (status / 100) {
    case 1:
      ++stats.upstream_rq_1xx;
      break;
    case 2:
      ++stats.upstream_rq_2xx;
      break;
    case 3:
      ++stats.upstream_rq_3xx;
      break;
    case 4:
      ++stats.upstream_rq_4xx;
      break;
    default:
      ++stats.upstream_rq_5xx;
      break;
  }
}

}  // namespace

RouterFilter::RouterFilter(Proxy& proxy)
    : proxy_(proxy),
      fault_timer_(
          proxy.loop().createTimer(Callback::member<&RouterFilter::onFaultDelayElapsed>(this))),
      per_try_timer_(
          proxy.loop().createTimer(Callback::member<&RouterFilter::onPerTryTimeout>(this))),
      route_timer_(proxy.loop().createTimer(Callback::member<&RouterFilter::onRouteTimeout>(this))),
      backoff_timer_(
          proxy.loop().createTimer(Callback::member<&RouterFilter::onBackoffElapsed>(this))),
      deliver_timer_(proxy.loop().createTimer(Callback::member<&RouterFilter::deliver>(this))) {}

RouterFilter::~RouterFilter() {
  cleanup();
}

void RouterFilter::resetState() {
  state_ = State::kIdle;
  starting_ = false;
  shadow_ = false;
  outcome_ = RequestOutcome{};
  routes_.reset();
  route_ = nullptr;
  cluster_ = nullptr;
  stream_id_ = 0;
  flags_ = 0;
  fault_state_ = FaultStreamState{};
  retry_headers_ = RetryRequestHeaders{};
  retry_state_.reset();
  lb_context_ = LoadBalancerContext{};
  previous_hosts_.reset();
  per_try_timeout_ = Duration::zero();
  route_timeout_ = Duration::zero();
  attempts_ = 0;
  pending_ = nullptr;
  stream_ = nullptr;
  host_ = nullptr;
}

void RouterFilter::start(Request request, std::uint32_t worker, DownstreamCallbacks* downstream,
                         const std::string* peer_principal) {
  resetState();
  request_ = std::move(request);
  worker_ = worker;
  downstream_ = downstream;
  starting_ = true;

  // RBAC runs first on the inbound chain (§7.5): a denial is a local 403, never routed.
  if (AuthorizationEngine* authz = proxy_.authorization()) {
    const AuthzRequest authz_request{&request_,
                                     peer_principal ? *peer_principal : std::string_view(),
                                     proxy_.config().inbound_port};
    if (!authz->evaluate(authz_request).allowed) {
      finishLocal(kRbacDeniedStatus, static_cast<ResponseFlags>(ResponseFlag::kRbacAccessDenied));
      starting_ = false;
      return;
    }
  }

  routes_ = proxy_.sharedRoutes();
  route_ = routes_->route(request_);
  if (route_ == nullptr) {
    finishLocal(404, static_cast<ResponseFlags>(ResponseFlag::kNoRouteFound));
    starting_ = false;
    return;
  }
  // One draw per downstream stream, reused for the split and the mirrors (§0.1, §6.2).
  stream_id_ = proxy_.random().random();
  const WeightedCluster* chosen = pickCluster(*route_, stream_id_);
  if (chosen != nullptr && chosen->index < proxy_.clusters().size()) {
    cluster_ = proxy_.clusters()[chosen->index].get();
  }
  if (cluster_ == nullptr) {
    finishLocal(503, static_cast<ResponseFlags>(ResponseFlag::kNoClusterFound));
    starting_ = false;
    return;
  }
  for (const MirrorPolicy& mirror : route_->mirrors) {
    if (mirror.index < proxy_.clusters().size() && shouldMirror(mirror, stream_id_)) {
      proxy_.acquire().startShadow(request_, worker_, *proxy_.clusters()[mirror.index],
                                   route_->timeout);
    }
  }
  if (route_->fault) {
    applyFault(proxy_.faults().onRequestHeaders(*route_->fault, proxy_.random(), fault_state_));
  } else {
    beginRouting();
  }
  starting_ = false;
}

void RouterFilter::startShadow(const Request& request, std::uint32_t worker, Cluster& cluster,
                               Duration timeout) {
  resetState();
  request_ = request;
  // Envoy suffixes the authority of shadow requests with -shadow (§6.4).
  request_.authority += "-shadow";
  worker_ = worker;
  downstream_ = nullptr;
  shadow_ = true;
  starting_ = true;
  cluster_ = &cluster;
  route_timeout_ = timeout;
  if (route_timeout_ > Duration::zero()) {
    route_timer_->enable(route_timeout_);
  }
  startAttempt(false);
  starting_ = false;
}

void RouterFilter::applyFault(const FaultDecision& decision) {
  flags_ |= decision.flags;
  switch (decision.action) {
    case FaultAction::kDelay:
      state_ = State::kFaultDelay;
      fault_timer_->enable(decision.delay);
      return;
    case FaultAction::kAbort: {
      // Aborts are local replies before the router: never retried, no upstream stats (§6.3).
      Response response;
      response.status = decision.http_status;
      response.grpc_status = decision.grpc_status;
      finish(response, true);
      return;
    }
    case FaultAction::kContinue:
      beginRouting();
      return;
  }
}

void RouterFilter::onFaultDelayElapsed() {
  applyFault(proxy_.faults().onDelayElapsed(*route_->fault, proxy_.random(), fault_state_));
}

void RouterFilter::beginRouting() {
  retry_headers_ = RetryRequestHeaders::consume(request_.headers);
  const RetryPolicy& policy = route_->retry_policy ? *route_->retry_policy : kNoRetryPolicy;

  // Timeouts (§1.5, FilterUtility::finalTimeout): the route timer starts now, at the end of the
  // downstream request, after any injected delay; a per-try timeout that is not shorter than a
  // non-zero route timeout is ignored.
  route_timeout_ = route_->timeout;
  per_try_timeout_ = retry_headers_.per_try_timeout.value_or(policy.per_try_timeout);
  if (route_timeout_ > Duration::zero() && per_try_timeout_ >= route_timeout_) {
    per_try_timeout_ = Duration::zero();
  }
  if (RetryState::wouldCreate(policy, &retry_headers_)) {
    retry_state_.emplace(policy, &retry_headers_, cluster_->resources().retries(),
                         cluster_->stats());
    if (policy.previous_hosts_predicate) {
      lb_context_.addRetryHostPredicate(previous_hosts_);
    }
  }
  if (route_timeout_ > Duration::zero()) {
    route_timer_->enable(route_timeout_);
  }
  startAttempt(false);
}

void RouterFilter::startAttempt(bool is_retry) {
  lb_context_.setForAttempt(is_retry, retry_state_ ? retry_state_->hostSelectionMaxAttempts() : 1);
  Host* host = cluster_->chooseHost(worker_, &lb_context_);
  if (host == nullptr) {
    // No healthy upstream: a local 503 UH, not retried (Envoy sendNoHealthyUpstreamResponse).
    ++cluster_->stats().upstream_cx_none_healthy;
    finishLocal(503, static_cast<ResponseFlags>(ResponseFlag::kNoHealthyUpstream));
    return;
  }
  lb_context_.onHostAttempted(*host);
  ++attempts_;
  host_ = host;
  state_ = State::kAttemptPending;
  PendingStream* pending = cluster_->pool(worker_, *host).newStream(request_, *this, *this);
  if (pending != nullptr) {
    pending_ = pending;
  }
}

void RouterFilter::onPoolReady(UpstreamStream& stream, Host& host, bool /*new_connection*/) {
  pending_ = nullptr;
  stream_ = &stream;
  state_ = State::kAttemptActive;
  attempt_started_ = proxy_.loop().now();
  if (OutlierDetector* outlier = cluster_->outlierDetector()) {
    outlier->putResult(host, OutlierResult::LocalOriginConnectSuccess);
  }
  cluster_->onRequestStart(host);
  // The per-try timeout starts when the stream is attached, not when it was queued (§1.5).
  if (per_try_timeout_ > Duration::zero()) {
    per_try_timer_->enable(per_try_timeout_);
  }
}

void RouterFilter::onPoolFailure(ResetReason reason, Host& host) {
  pending_ = nullptr;
  if (reason == ResetReason::kOverflow) {
    // Circuit-breaker overflow: 503 UO, never retried, invisible to outlier detection (§10.6).
    finishLocal(503, static_cast<ResponseFlags>(ResponseFlag::kUpstreamOverflow));
    return;
  }
  if (OutlierDetector* outlier = cluster_->outlierDetector()) {
    outlier->putResult(host, OutlierResult::LocalOriginConnectFailed);
  }
  handleResetOutcome(reason, /*request_started=*/false);
}

void RouterFilter::onResponse(const Response& response) {
  stream_ = nullptr;
  endAttempt();
  const std::uint32_t code =
      response.grpc_status ? grpcToHttpStatus(*response.grpc_status) : response.status;
  if (OutlierDetector* outlier = cluster_->outlierDetector()) {
    outlier->putHttpResponseCode(*host_, code);
  }
  countResponseClass(cluster_->stats(), response.status);
  ++(code >= 500 ? host_->stats().rq_error : host_->stats().rq_success);
  if (retry_state_) {
    const RetryOutcome outcome = retry_state_->shouldRetryHeaders(response, proxy_.random());
    if (outcome.retry()) {
      scheduleRetry(outcome);
      return;
    }
    // A refused retry forwards the upstream's own response, flagged URX or UO (§1.3).
    flags_ |= outcome.responseFlags();
  }
  finishUpstream(response);
}

void RouterFilter::onReset(ResetReason reason) {
  stream_ = nullptr;
  endAttempt();
  ++cluster_->stats().upstream_rq_rx_reset;
  if (OutlierDetector* outlier = cluster_->outlierDetector()) {
    outlier->putResult(*host_, OutlierResult::LocalOriginConnectFailed);
  }
  handleResetOutcome(reason, /*request_started=*/true);
}

void RouterFilter::handleResetOutcome(ResetReason reason, bool request_started) {
  if (retry_state_) {
    const RetryOutcome outcome =
        retry_state_->shouldRetryReset(reason, request_started, proxy_.random());
    if (outcome.retry()) {
      scheduleRetry(outcome);
      return;
    }
    flags_ |= outcome.responseFlags();
  }
  // "upstream connect error or disconnect/reset before headers": 503, or 502 for a protocol error.
  finishLocal(reason == ResetReason::kProtocolError ? 502 : 503,
              static_cast<ResponseFlags>(flagForReset(reason)));
}

void RouterFilter::onPerTryTimeout() {
  ++cluster_->stats().upstream_rq_per_try_timeout;
  ++host_->stats().rq_timeout;
  UpstreamStream* stream = stream_;
  stream_ = nullptr;
  endAttempt();
  stream->reset();
  if (OutlierDetector* outlier = cluster_->outlierDetector()) {
    outlier->putResult(*host_, OutlierResult::LocalOriginTimeout);
  }
  // Delivered to the retry logic as a local reset: retried only with 5xx, gateway-error or reset
  // (§1.2(b), §10 item 3).
  if (retry_state_) {
    const RetryOutcome outcome =
        retry_state_->shouldRetryReset(ResetReason::kLocalReset, true, proxy_.random());
    if (outcome.retry()) {
      scheduleRetry(outcome);
      return;
    }
    flags_ |= outcome.responseFlags();
  }
  finishLocal(504, static_cast<ResponseFlags>(ResponseFlag::kUpstreamRequestTimeout));
}

void RouterFilter::scheduleRetry(const RetryOutcome& outcome) {
  state_ = State::kBackoff;
  backoff_timer_->enable(outcome.delay);
}

void RouterFilter::onBackoffElapsed() {
  startAttempt(true);
}

void RouterFilter::onRouteTimeout() {
  // One timer for the whole request including retries and back-off (§1.5).
  ++cluster_->stats().upstream_rq_timeout;
  if (state_ == State::kAttemptActive) {
    ++host_->stats().rq_timeout;
    if (OutlierDetector* outlier = cluster_->outlierDetector()) {
      outlier->putResult(*host_, OutlierResult::LocalOriginTimeout);
    }
  }
  finishLocal(504, static_cast<ResponseFlags>(ResponseFlag::kUpstreamRequestTimeout));
}

void RouterFilter::endAttempt() {
  per_try_timer_->disable();
  if (state_ == State::kAttemptActive) {
    cluster_->onRequestEnd(*host_, proxy_.loop().now() - attempt_started_);
  }
}

void RouterFilter::finishUpstream(const Response& response) {
  finish(response, false);
}

void RouterFilter::finishLocal(std::uint32_t status, ResponseFlags flags) {
  flags_ |= flags;
  Response response;
  response.status = status;
  if (hasFlag(flags, ResponseFlag::kUpstreamOverflow)) {
    response.headers.add("x-envoy-overloaded", "true");
  }
  finish(response, true);
}

void RouterFilter::finish(const Response& response, bool local_reply) {
  cleanup();
  state_ = State::kDone;
  outcome_.response = response;
  outcome_.flags = flags_;
  outcome_.attempts = attempts_;
  outcome_.last_host = host_;
  outcome_.cluster = cluster_;
  outcome_.local_reply = local_reply;
  if (starting_) {
    deliver_timer_->enable(Duration::zero());
  } else {
    deliver();
  }
}

void RouterFilter::deliver() {
  DownstreamCallbacks* downstream = downstream_;
  downstream_ = nullptr;
  if (downstream != nullptr) {
    downstream->onRequestComplete(outcome_);
  }
  proxy_.release(*this);
}

void RouterFilter::cancel() {
  if (state_ == State::kDone) {
    // Completion already decided (possibly waiting for delivery): drop it.
    deliver_timer_->disable();
    downstream_ = nullptr;
    proxy_.release(*this);
    return;
  }
  cleanup();
  state_ = State::kDone;
  downstream_ = nullptr;
  proxy_.release(*this);
}

void RouterFilter::cleanup() {
  fault_timer_->disable();
  per_try_timer_->disable();
  route_timer_->disable();
  backoff_timer_->disable();
  if (pending_ != nullptr) {
    PendingStream* pending = pending_;
    pending_ = nullptr;
    pending->cancel();
  }
  if (stream_ != nullptr) {
    UpstreamStream* stream = stream_;
    stream_ = nullptr;
    if (state_ == State::kAttemptActive) {
      cluster_->onRequestEnd(*host_, proxy_.loop().now() - attempt_started_);
    }
    stream->reset();
  }
  // Releases a retry unit still held by a pending retry (§1.3).
  retry_state_.reset();
  if (fault_state_.fault_active) {
    proxy_.faults().onStreamDestroyed(fault_state_);
  }
}

}  // namespace meshsim::core
