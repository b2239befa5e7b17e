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

// Linkerd's default response classifier, as its breaker sees responses (§4.7): HTTP 5xx, or a
// gRPC DATA_LOSS, DEADLINE_EXCEEDED, INTERNAL, PERMISSION_DENIED or UNAVAILABLE status.
bool linkerdFailure(const Response& response) {
  if (response.grpc_status) {
    switch (*response.grpc_status) {
      case 4:   // DEADLINE_EXCEEDED
      case 7:   // PERMISSION_DENIED
      case 13:  // INTERNAL
      case 14:  // UNAVAILABLE
      case 15:  // DATA_LOSS
        return true;
      default:
        return false;
    }
  }
  return FailureAccrual::isFailureStatus(response.status);
}

// How a transport failure looks to Linkerd's retry layer (§1.10a). Linkerd never dispatches to an
// endpoint that is not connected; a request whose connection fails here would, in Linkerd, have
// waited in the balancer for another endpoint, so it is classified as the retryable fail-fast
// error [UNVERIFIED mapping].
LinkerdAttemptError linkerdErrorFor(ResetReason reason, bool request_started) {
  if (!request_started) {
    return LinkerdAttemptError::kFailFast;
  }
  return reason == ResetReason::kRemoteRefusedStreamReset ? LinkerdAttemptError::kRefusedStream
                                                          : LinkerdAttemptError::kOther;
}

}  // namespace

void UpstreamAttempt::onPoolReady(UpstreamStream& stream, Host& host, bool /*new_connection*/) {
  filter_->onAttemptPoolReady(*this, stream, host);
}

void UpstreamAttempt::onPoolFailure(ResetReason reason, Host& host) {
  filter_->onAttemptPoolFailure(*this, reason, host);
}

void UpstreamAttempt::onResponse(const Response& response) {
  filter_->onAttemptResponse(*this, response);
}

void UpstreamAttempt::onReset(ResetReason reason) {
  filter_->onAttemptReset(*this, reason);
}

void UpstreamAttempt::onPerTryTimeout() {
  filter_->onAttemptPerTryTimeout(*this);
}

RouterFilter::RouterFilter(Proxy& proxy)
    : proxy_(proxy),
      fault_timer_(
          proxy.loop().createTimer(Callback::member<&RouterFilter::onFaultDelayElapsed>(this))),
      route_timer_(proxy.loop().createTimer(Callback::member<&RouterFilter::onRouteTimeout>(this))),
      backoff_timer_(
          proxy.loop().createTimer(Callback::member<&RouterFilter::onBackoffElapsed>(this))),
      deliver_timer_(proxy.loop().createTimer(Callback::member<&RouterFilter::deliver>(this))) {
  for (UpstreamAttempt& attempt : attempt_slots_) {
    attempt.filter_ = this;
  }
}

RouterFilter::~RouterFilter() {
  cleanup();
}

void RouterFilter::resetState() {
  state_ = State::kIdle;
  starting_ = false;
  shadow_ = false;
  hedge_on_per_try_timeout_ = false;
  outcome_ = RequestOutcome{};
  routes_.reset();
  route_ = nullptr;
  cluster_ = nullptr;
  stream_id_ = 0;
  flags_ = 0;
  fault_state_ = FaultStreamState{};
  retry_headers_ = RetryRequestHeaders{};
  retry_state_.reset();
  linkerd_retry_.reset();
  profile_retry_ = nullptr;
  profile_budget_ = nullptr;
  lb_context_ = LoadBalancerContext{};
  previous_hosts_.reset();
  per_try_timeout_ = Duration::zero();
  route_timeout_ = Duration::zero();
  attempts_ = 0;
  host_ = nullptr;
}

std::size_t RouterFilter::attemptsInFlight() const {
  std::size_t n = 0;
  for (const UpstreamAttempt& attempt : attempt_slots_) {
    n += attempt.in_use_ ? 1 : 0;
  }
  return n;
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
  state_ = State::kRouting;
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
  state_ = State::kRouting;
  route_timeout_ = route_->timeout;
  if (route_->linkerd_profile_retry) {
    // A ServiceProfile disables annotation retries (§1.10); the budget is the destination's.
    profile_retry_ = &*route_->linkerd_profile_retry;
    profile_budget_ = &cluster_->linkerdRetryBudget();
  } else if (route_->linkerd_retry) {
    linkerd_retry_.emplace(*route_->linkerd_retry, request_.body_bytes);
    per_try_timeout_ = route_->linkerd_retry->per_attempt_timeout.value_or(Duration::zero());
  } else {
    retry_headers_ = RetryRequestHeaders::consume(request_.headers);
    const RetryPolicy& policy = route_->retry_policy ? *route_->retry_policy : kNoRetryPolicy;
    // Timeouts (§1.5, FilterUtility::finalTimeout): the route timer starts now, at the end of the
    // downstream request, after any injected delay; a per-try timeout that is not shorter than a
    // non-zero route timeout is ignored.
    per_try_timeout_ = retry_headers_.per_try_timeout.value_or(policy.per_try_timeout);
    if (route_timeout_ > Duration::zero() && per_try_timeout_ >= route_timeout_) {
      per_try_timeout_ = Duration::zero();
    }
    // FilterUtility::finalHedgingParams: the request header overrides the route.
    hedge_on_per_try_timeout_ =
        retry_headers_.hedge_on_per_try_timeout.value_or(policy.hedge_on_per_try_timeout);
    if (RetryState::wouldCreate(policy, &retry_headers_)) {
      retry_state_.emplace(policy, &retry_headers_, cluster_->resources().retries(),
                           cluster_->stats());
      if (policy.previous_hosts_predicate) {
        lb_context_.addRetryHostPredicate(previous_hosts_);
      }
    }
  }
  if (route_timeout_ > Duration::zero()) {
    route_timer_->enable(route_timeout_);
  }
  startAttempt(false);
}

UpstreamAttempt* RouterFilter::acquireAttempt() {
  for (UpstreamAttempt& attempt : attempt_slots_) {
    if (!attempt.in_use_) {
      if (!attempt.per_try_timer_) {
        attempt.per_try_timer_ = proxy_.loop().createTimer(
            Callback::member<&UpstreamAttempt::onPerTryTimeout>(&attempt));
      }
      attempt.in_use_ = true;
      attempt.pending_ = nullptr;
      attempt.stream_ = nullptr;
      attempt.host_ = nullptr;
      attempt.attached_ = false;
      attempt.retried_ = false;
      attempt.timeout_recorded_ = false;
      return &attempt;
    }
  }
  return nullptr;
}

void RouterFilter::releaseAttempt(UpstreamAttempt& attempt) {
  if (attempt.per_try_timer_) {
    attempt.per_try_timer_->disable();
  }
  attempt.in_use_ = false;
  attempt.pending_ = nullptr;
  attempt.stream_ = nullptr;
}

void RouterFilter::startAttempt(bool is_retry) {
  UpstreamAttempt* attempt = acquireAttempt();
  if (attempt == nullptr) {
    // Unreachable: a retry is only scheduled when a slot will be free for it.
    if (!othersMayAnswer()) {
      finishLocal(503, static_cast<ResponseFlags>(ResponseFlag::kUpstreamOverflow));
    }
    return;
  }
  lb_context_.setForAttempt(is_retry, retry_state_ ? retry_state_->hostSelectionMaxAttempts() : 1);
  Host* host = cluster_->chooseHost(worker_, &lb_context_);
  if (host == nullptr) {
    // No healthy upstream: a local 503 UH, not retried (Envoy sendNoHealthyUpstreamResponse).
    ++cluster_->stats().upstream_cx_none_healthy;
    releaseAttempt(*attempt);
    finishLocal(503, static_cast<ResponseFlags>(ResponseFlag::kNoHealthyUpstream));
    return;
  }
  lb_context_.onHostAttempted(*host);
  cluster_->onAttemptDispatched(*host);
  ++attempts_;
  host_ = host;
  attempt->host_ = host;
  PendingStream* pending = cluster_->pool(worker_, *host).newStream(request_, *attempt, *attempt);
  if (pending != nullptr) {
    attempt->pending_ = pending;
  }
}

void RouterFilter::onAttemptPoolReady(UpstreamAttempt& attempt, UpstreamStream& stream,
                                      Host& host) {
  attempt.pending_ = nullptr;
  attempt.stream_ = &stream;
  attempt.attached_ = true;
  attempt.started_ = proxy_.loop().now();
  if (OutlierDetector* outlier = cluster_->outlierDetector()) {
    outlier->putResult(host, OutlierResult::LocalOriginConnectSuccess);
  }
  cluster_->onRequestStart(host);
  // The per-try timeout starts when the stream is attached, not when it was queued (§1.5).
  if (per_try_timeout_ > Duration::zero()) {
    attempt.per_try_timer_->enable(per_try_timeout_);
  }
}

void RouterFilter::onAttemptPoolFailure(UpstreamAttempt& attempt, ResetReason reason, Host& host) {
  attempt.pending_ = nullptr;
  if (reason == ResetReason::kOverflow) {
    // Circuit-breaker overflow: 503 UO, never retried, invisible to outlier detection and failure
    // accrual (§10.6). With other attempts outstanding only this one is dropped (Envoy
    // onUpstreamReset).
    releaseAttempt(attempt);
    if (othersMayAnswer()) {
      return;
    }
    finishLocal(503, static_cast<ResponseFlags>(ResponseFlag::kUpstreamOverflow));
    return;
  }
  if (OutlierDetector* outlier = cluster_->outlierDetector()) {
    outlier->putResult(host, OutlierResult::LocalOriginConnectFailed);
  }
  cluster_->onAttemptResult(host, false);
  handleAttemptFailure(attempt, reason, /*request_started=*/false);
}

void RouterFilter::onAttemptResponse(UpstreamAttempt& attempt, const Response& response) {
  Host& host = *attempt.host_;
  endAttempt(attempt);
  const std::uint32_t code =
      response.grpc_status ? grpcToHttpStatus(*response.grpc_status) : response.status;
  if (OutlierDetector* outlier = cluster_->outlierDetector()) {
    outlier->putHttpResponseCode(host, code);
  }
  cluster_->onAttemptResult(host, !linkerdFailure(response));
  countResponseClass(cluster_->stats(), response.status);
  ++(code >= 500 ? host.stats().rq_error : host.stats().rq_success);

  bool could_not_retry = false;
  if (retry_state_) {
    if (attempt.retried_) {
      // Already hedged: never retried again; would it have been? (Envoy onUpstreamHeaders.)
      could_not_retry = retry_state_->wouldRetryFromHeaders(response) != RetryDecision::kNoRetry;
    } else {
      const RetryOutcome outcome = retry_state_->shouldRetryHeaders(response, proxy_.random());
      if (outcome.retry()) {
        releaseAttempt(attempt);
        scheduleRetry(outcome.delay);
        return;
      }
      // A refused retry forwards the upstream's own response, flagged URX or UO (§1.3).
      flags_ |= outcome.responseFlags();
      could_not_retry = outcome.status == RetryStatus::kNoOverflow ||
                        outcome.status == RetryStatus::kNoRetryLimitExceeded;
    }
  } else if (linkerd_retry_) {
    if (const auto delay = linkerd_retry_->shouldRetryResponse(response, proxy_.random())) {
      ++cluster_->stats().upstream_rq_retry;
      releaseAttempt(attempt);
      scheduleRetry(*delay);
      return;
    }
    if (route_->linkerd_retry->retriesResponse(response) &&
        linkerd_retry_->retriesDone() >= route_->linkerd_retry->limit) {
      ++cluster_->stats().upstream_rq_retry_limit_exceeded;
      flags_ |= static_cast<ResponseFlags>(ResponseFlag::kUpstreamRetryLimitExceeded);
    }
  } else if (profile_retry_ != nullptr) {
    // Tower semantics (§1.10b): a response that is not retried deposits, a retry withdraws.
    switch (linkerdProfileShouldRetry(*profile_retry_, &response, request_.body_bytes,
                                      *profile_budget_, proxy_.loop().now())) {
      case LinkerdProfileRetryResult::kRetry:
        ++cluster_->stats().upstream_rq_retry;
        releaseAttempt(attempt);
        scheduleRetry(Duration::zero());
        return;
      case LinkerdProfileRetryResult::kBudgetExhausted:
        ++cluster_->stats().upstream_rq_retry_overflow;
        break;
      case LinkerdProfileRetryResult::kNoRetryDeposited:
      case LinkerdProfileRetryResult::kNotReplayable:
        break;
    }
  }
  releaseAttempt(attempt);
  // A bad response while another attempt may still answer is dropped (§1.3, §1.5 hedging).
  if (could_not_retry && othersMayAnswer()) {
    return;
  }
  // The first acceptable response wins; cleanup() resets every other attempt (Envoy
  // resetOtherUpstreams).
  host_ = &host;
  finish(response, false);
}

void RouterFilter::onAttemptReset(UpstreamAttempt& attempt, ResetReason reason) {
  Host& host = *attempt.host_;
  attempt.stream_ = nullptr;
  endAttempt(attempt);
  ++cluster_->stats().upstream_rq_rx_reset;
  if (OutlierDetector* outlier = cluster_->outlierDetector()) {
    outlier->putResult(host, OutlierResult::LocalOriginConnectFailed);
  }
  cluster_->onAttemptResult(host, false);
  handleAttemptFailure(attempt, reason, /*request_started=*/true);
}

void RouterFilter::handleAttemptFailure(UpstreamAttempt& attempt, ResetReason reason,
                                        bool request_started) {
  const bool retried = attempt.retried_;
  releaseAttempt(attempt);
  if (retry_state_ && !retried) {
    const RetryOutcome outcome =
        retry_state_->shouldRetryReset(reason, request_started, proxy_.random());
    if (outcome.retry()) {
      scheduleRetry(outcome.delay);
      return;
    }
    flags_ |= outcome.responseFlags();
  } else if (linkerd_retry_) {
    if (const auto delay = linkerd_retry_->shouldRetryError(
            linkerdErrorFor(reason, request_started), proxy_.random())) {
      ++cluster_->stats().upstream_rq_retry;
      scheduleRetry(*delay);
      return;
    }
  } else if (profile_retry_ != nullptr) {
    // Transport errors are never retried by profile retries; the result still deposits (§1.10b).
    linkerdProfileShouldRetry(*profile_retry_, nullptr, request_.body_bytes, *profile_budget_,
                              proxy_.loop().now());
  }
  if (othersMayAnswer()) {
    return;
  }
  // "upstream connect error or disconnect/reset before headers": 503, or 502 for a protocol error.
  finishLocal(reason == ResetReason::kProtocolError ? 502 : 503,
              static_cast<ResponseFlags>(flagForReset(reason)));
}

void RouterFilter::onAttemptPerTryTimeout(UpstreamAttempt& attempt) {
  if (hedge_on_per_try_timeout_) {
    onSoftPerTryTimeout(attempt);
    return;
  }
  Host& host = *attempt.host_;
  ++cluster_->stats().upstream_rq_per_try_timeout;
  ++host.stats().rq_timeout;
  UpstreamStream* stream = attempt.stream_;
  attempt.stream_ = nullptr;
  endAttempt(attempt);
  releaseAttempt(attempt);
  stream->reset();
  if (OutlierDetector* outlier = cluster_->outlierDetector()) {
    outlier->putResult(host, OutlierResult::LocalOriginTimeout);
  }
  // Delivered to the retry logic as a local reset: retried only with 5xx, gateway-error or reset
  // (§1.2(b), §10 item 3). Linkerd's per-attempt timeout is always retryable (§1.10a); the
  // abandoned attempt reports nothing to failure accrual, as Linkerd's classifier only hears
  // responses and errors, not a dropped response future.
  if (retry_state_) {
    const RetryOutcome outcome =
        retry_state_->shouldRetryReset(ResetReason::kLocalReset, true, proxy_.random());
    if (outcome.retry()) {
      scheduleRetry(outcome.delay);
      return;
    }
    flags_ |= outcome.responseFlags();
  } else if (linkerd_retry_) {
    if (const auto delay = linkerd_retry_->shouldRetryError(
            LinkerdAttemptError::kResponseHeadersTimeout, proxy_.random())) {
      ++cluster_->stats().upstream_rq_retry;
      scheduleRetry(*delay);
      return;
    }
  }
  if (othersMayAnswer()) {
    return;
  }
  finishLocal(504, static_cast<ResponseFlags>(ResponseFlag::kUpstreamRequestTimeout));
}

void RouterFilter::onSoftPerTryTimeout(UpstreamAttempt& attempt) {
  // Hedging (§1.5, Envoy onSoftPerTryTimeout): the attempt keeps running. Outlier detection hears
  // the timeout now, once. As in Envoy's code, neither upstream_rq_per_try_timeout nor the host's
  // rq_timeout counts a soft timeout; a later route timeout counts the attempt like any other.
  if (OutlierDetector* outlier = cluster_->outlierDetector()) {
    outlier->putResult(*attempt.host_, OutlierResult::LocalOriginTimeout);
  }
  attempt.timeout_recorded_ = true;
  if (!retry_state_) {
    return;
  }
  // One retry at a time waits for its back-off, and a new attempt needs a free slot
  // (kMaxAttemptsInFlight): otherwise the hedge is not launched.
  if (backoff_timer_->enabled() || attemptsInFlight() >= kMaxAttemptsInFlight) {
    return;
  }
  const RetryOutcome outcome = retry_state_->shouldHedgeRetryPerTryTimeout(proxy_.random());
  if (outcome.retry()) {
    attempt.retried_ = true;
    scheduleRetry(outcome.delay);
    return;
  }
  flags_ |= outcome.responseFlags();
}

bool RouterFilter::othersMayAnswer() const {
  return attemptsInFlight() > 0 || backoff_timer_->enabled();
}

void RouterFilter::scheduleRetry(Duration delay) {
  backoff_timer_->enable(delay);
}

void RouterFilter::onBackoffElapsed() {
  startAttempt(true);
}

void RouterFilter::onRouteTimeout() {
  // One timer for the whole request including retries and back-off (§1.5). Envoy counts
  // upstream_rq_timeout per attempt still in flight; with none (waiting for a back-off) it is
  // counted once here too, so every route timeout shows in the stat.
  bool counted = false;
  for (UpstreamAttempt& attempt : attempt_slots_) {
    if (!attempt.in_use_) {
      continue;
    }
    ++cluster_->stats().upstream_rq_timeout;
    counted = true;
    if (attempt.attached_) {
      ++attempt.host_->stats().rq_timeout;
      // A soft per-try timeout already reported this attempt to outlier detection.
      if (!attempt.timeout_recorded_) {
        if (OutlierDetector* outlier = cluster_->outlierDetector()) {
          outlier->putResult(*attempt.host_, OutlierResult::LocalOriginTimeout);
        }
      }
    }
  }
  if (!counted) {
    ++cluster_->stats().upstream_rq_timeout;
  }
  finishLocal(504, static_cast<ResponseFlags>(ResponseFlag::kUpstreamRequestTimeout));
}

void RouterFilter::endAttempt(UpstreamAttempt& attempt) {
  attempt.per_try_timer_->disable();
  if (attempt.attached_) {
    attempt.attached_ = false;
    cluster_->onRequestEnd(*attempt.host_, proxy_.loop().now() - attempt.started_);
  }
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
  route_timer_->disable();
  backoff_timer_->disable();
  // Pending attempts first: resetting a stream frees pool capacity, which must not hand it to an
  // attempt of this same request while it is being torn down.
  for (UpstreamAttempt& attempt : attempt_slots_) {
    if (attempt.in_use_ && attempt.pending_ != nullptr) {
      PendingStream* pending = attempt.pending_;
      releaseAttempt(attempt);
      pending->cancel();
    }
  }
  for (UpstreamAttempt& attempt : attempt_slots_) {
    if (!attempt.in_use_) {
      continue;
    }
    UpstreamStream* stream = attempt.stream_;
    endAttempt(attempt);
    releaseAttempt(attempt);
    if (stream != nullptr) {
      stream->reset();
    }
  }
  // Releases a retry unit still held by a pending retry (§1.3).
  retry_state_.reset();
  linkerd_retry_.reset();
  if (fault_state_.fault_active) {
    proxy_.faults().onStreamDestroyed(fault_state_);
  }
}

}  // namespace meshsim::core
