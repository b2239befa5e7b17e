// Micro-benchmarks of the proxy core's hot paths (issue 3, item 5): host picking per balancer,
// outlier reporting, and a whole request through Proxy/RouterFilter. Links only meshsim_core, so
// every port (random generator, event loop, upstream transport) is implemented here, as a host of
// the core would.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "core/common/event_loop.h"
#include "core/common/manual_event_loop.h"
#include "core/common/random.h"
#include "core/lb/load_balancer.h"
#include "core/lb/load_balancer_config.h"
#include "core/lb/load_balancer_context.h"
#include "core/lb/load_balancer_factory.h"
#include "core/lb/p2c_peak_ewma_balancer.h"
#include "core/outlier/outlier_detection_config.h"
#include "core/outlier/outlier_detector.h"
#include "core/policy/cluster_policy.h"
#include "core/proxy/proxy.h"
#include "core/retry/istio_retry.h"
#include "core/retry/retry_policy.h"
#include "core/stats/cluster_stats.h"
#include "core/upstream/host.h"
#include "core/upstream/transport.h"

namespace meshsim::core {
namespace {

// SplitMix64 (Steele, Lea, Flood 2014): a few cycles per draw, so generator cost stays out of the
// numbers as far as possible while the streams remain deterministic run to run.
class SplitMix64 final : public RandomGenerator {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t random() override {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

// ---------------------------------------------------------------------------------------------
// A minimal event loop for driving the proxy: zero-delay timers go to a FIFO, delayed ones to a
// binary heap; both carry (deadline, arming sequence) so timers fire in the same order as
// ManualEventLoop and the simulator. Disarming is lazy: a queue entry is live only while its
// timer is armed with the same sequence. Timers are never freed while the loop lives, only put on
// a free list, so a stale entry can always be checked safely.
class BenchEventLoop final : public EventLoop {
 public:
  BenchEventLoop() = default;
  BenchEventLoop(const BenchEventLoop&) = delete;
  BenchEventLoop& operator=(const BenchEventLoop&) = delete;

  MonotonicTime now() const override { return now_; }

  TimerPtr createTimer(Callback callback) override {
    BenchTimer* timer;
    if (free_.empty()) {
      storage_.push_back(std::make_unique<BenchTimer>(*this));
      timer = storage_.back().get();
    } else {
      timer = free_.back();
      free_.pop_back();
    }
    timer->callback_ = callback;
    return TimerPtr(timer, TimerDeleter{[](Timer* t) {
                      auto* bench = static_cast<BenchTimer*>(t);
                      bench->armed_ = false;
                      bench->loop_.free_.push_back(bench);
                    }});
  }

  // Fires the earliest armed timer, moving time forward to it. False if nothing is armed.
  bool runOne() {
    for (;;) {
      while (ready_head_ < ready_.size() && !live(ready_[ready_head_])) {
        ++ready_head_;
      }
      while (!delayed_.empty() && !live(delayed_.top())) {
        delayed_.pop();
      }
      const bool have_ready = ready_head_ < ready_.size();
      if (!have_ready && delayed_.empty()) {
        return false;
      }
      Entry next;
      if (have_ready && (delayed_.empty() || !later(ready_[ready_head_], delayed_.top()))) {
        next = ready_[ready_head_++];
        if (ready_head_ == ready_.size()) {
          ready_.clear();
          ready_head_ = 0;
        }
      } else {
        next = delayed_.top();
        delayed_.pop();
      }
      if (next.deadline > now_) {
        now_ = next.deadline;
      }
      next.timer->armed_ = false;
      next.timer->callback_();
      return true;
    }
  }

 private:
  class BenchTimer final : public Timer {
   public:
    explicit BenchTimer(BenchEventLoop& loop) : loop_(loop) {}
    void enable(Duration delay) override {
      armed_ = true;
      sequence_ = loop_.next_sequence_++;
      const Entry entry{loop_.now_ + std::max(delay, Duration::zero()), sequence_, this};
      if (delay <= Duration::zero()) {
        loop_.ready_.push_back(entry);
      } else {
        loop_.delayed_.push(entry);
      }
    }
    void disable() override { armed_ = false; }
    bool enabled() const override { return armed_; }

    BenchEventLoop& loop_;
    Callback callback_;
    std::uint64_t sequence_ = 0;
    bool armed_ = false;
  };

  struct Entry {
    MonotonicTime deadline{};
    std::uint64_t sequence = 0;
    BenchTimer* timer = nullptr;
  };
  static bool later(const Entry& a, const Entry& b) {
    return a.deadline != b.deadline ? a.deadline > b.deadline : a.sequence > b.sequence;
  }
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const { return later(a, b); }
  };
  static bool live(const Entry& e) { return e.timer->armed_ && e.timer->sequence_ == e.sequence; }

  MonotonicTime now_ = kTimeZero;
  std::uint64_t next_sequence_ = 0;
  std::vector<Entry> ready_;
  std::size_t ready_head_ = 0;
  std::priority_queue<Entry, std::vector<Entry>, Later> delayed_;
  std::vector<std::unique_ptr<BenchTimer>> storage_;
  std::vector<BenchTimer*> free_;
};

// One step of each loop: the bench loop fires the next timer wherever it is; ManualEventLoop has
// no "next deadline" query, so it fires what is due and otherwise moves on by 1 ms (retry
// back-offs are whole milliseconds apart at most 1 ms too late, which only shifts simulated time).
void step(BenchEventLoop& loop) {
  benchmark::DoNotOptimize(loop.runOne());
}
void step(ManualEventLoop& loop) {
  if (loop.runReady() == 0) {
    loop.advance(std::chrono::milliseconds(1));
  }
}

// ---------------------------------------------------------------------------------------------
// An upstream transport whose peers answer at once: a connection is up on the next loop turn and
// every request gets its response on the next turn after it was sent. A fraction of responses are
// 503. HTTP/1.1 only (the Istio default protocol): the pool puts one stream at a time on a
// connection, so the connection object doubles as its stream. Connections are recycled.
class InstantTransport final : public UpstreamTransport {
 public:
  InstantTransport(EventLoop& loop, std::uint32_t fail_per_mille, std::uint64_t seed)
      : loop_(loop), fail_per_mille_(fail_per_mille), random_(seed) {
    unavailable_.status = 503;
  }

  UpstreamConnectionPtr connect(Host& /*host*/, HttpProtocol /*protocol*/,
                                ConnectionCallbacks& callbacks) override {
    InstantConnection* connection;
    if (free_.empty()) {
      storage_.push_back(std::make_unique<InstantConnection>(*this));
      connection = storage_.back().get();
    } else {
      connection = free_.back();
      free_.pop_back();
    }
    ++connects_;
    connection->open(callbacks);
    return UpstreamConnectionPtr(connection, UpstreamConnectionDeleter{[](UpstreamConnection* c) {
                                   static_cast<InstantConnection*>(c)->release();
                                 }});
  }

  std::uint64_t connects() const { return connects_; }

 private:
  class InstantConnection final : public UpstreamConnection, public UpstreamStream {
   public:
    explicit InstantConnection(InstantTransport& transport)
        : transport_(transport),
          timer_(transport.loop_.createTimer(Callback::member<&InstantConnection::onTimer>(this))) {
    }

    void open(ConnectionCallbacks& callbacks) {
      callbacks_ = &callbacks;
      stream_callbacks_ = nullptr;
      state_ = State::kConnecting;
      timer_->enable(Duration::zero());
    }
    void release() {
      close();
      transport_.free_.push_back(this);
    }

    UpstreamStream& newStream(const Request& /*request*/, StreamCallbacks& callbacks) override {
      stream_callbacks_ = &callbacks;
      state_ = State::kStreaming;
      timer_->enable(Duration::zero());
      return *this;
    }
    void close() override {
      ++generation_;
      state_ = State::kClosed;
      timer_->disable();
    }
    // HTTP/1: a locally reset stream takes its connection with it (transport.h).
    void reset() override {
      close();
      callbacks_->onConnectionClosed();
    }

   private:
    enum class State : std::uint8_t { kConnecting, kIdle, kStreaming, kClosed };

    void onTimer() {
      if (state_ == State::kConnecting) {
        state_ = State::kIdle;
        callbacks_->onConnected();
        return;
      }
      state_ = State::kIdle;
      const bool fail = transport_.random_.random() % 1000 < transport_.fail_per_mille_;
      const std::uint64_t generation = generation_;
      stream_callbacks_->onResponse(fail ? transport_.unavailable_ : transport_.ok_);
      // The requester may have closed the connection from its callback; the pool must not hear
      // about a stream of a connection it no longer owns.
      if (generation == generation_) {
        callbacks_->onStreamClosed();
      }
    }

    InstantTransport& transport_;
    TimerPtr timer_;
    ConnectionCallbacks* callbacks_ = nullptr;
    StreamCallbacks* stream_callbacks_ = nullptr;
    State state_ = State::kClosed;
    std::uint64_t generation_ = 0;
  };

  EventLoop& loop_;
  const std::uint32_t fail_per_mille_;
  SplitMix64 random_;
  Response ok_;
  Response unavailable_;
  std::uint64_t connects_ = 0;
  std::vector<std::unique_ptr<InstantConnection>> storage_;
  std::vector<InstantConnection*> free_;
};

// ---------------------------------------------------------------------------------------------
// 1. Host picking.

// Weighted sets use weights 1..5 so round robin and least request switch to their EDF schedulers
// (proxy-semantics §5.2, §5.3); active request counts 0..3 give least request something to compare.
struct BenchHosts {
  BenchHosts(std::int64_t count, bool weighted) {
    HostVector hosts;
    for (std::int64_t i = 0; i < count; ++i) {
      const auto index = static_cast<std::uint32_t>(i);
      storage.push_back(std::make_unique<Host>(
          index, "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + ":8080",
          weighted ? 1 + index % 5 : 1));
      for (std::uint32_t r = 0; r < index % 4; ++r) {
        storage.back()->incActiveRequests();
      }
      hosts.push_back(storage.back().get());
    }
    priorities.push_back(std::move(hosts));
  }

  std::vector<std::unique_ptr<Host>> storage;
  HostsPerPriority priorities;
};

void BM_ChooseHost(benchmark::State& state, LoadBalancerConfig::Policy policy, bool weighted) {
  BenchHosts hosts(state.range(0), weighted);
  ClusterStats stats;
  SplitMix64 random(42);
  LoadBalancerConfig config;
  config.policy = policy;
  const std::unique_ptr<LoadBalancer> lb =
      createLoadBalancer(config, hosts.priorities, stats, random);
  if (lb == nullptr) {
    state.SkipWithError("invalid load balancer config");
    return;
  }
  const bool hashed = policy == LoadBalancerConfig::Policy::RingHash ||
                      policy == LoadBalancerConfig::Policy::Maglev;
  // As the router fills it for a first attempt; hash balancers get a fresh key each request.
  LoadBalancerContext context;
  context.setForAttempt(false, 5);
  for (auto _ : state) {
    if (hashed) {
      context.setHashKey(random.random());
    }
    Host* host = lb->chooseHost(&context, random);
    benchmark::DoNotOptimize(host);
  }
  state.SetItemsProcessed(state.iterations());
}

using Policy = LoadBalancerConfig::Policy;
BENCHMARK_CAPTURE(BM_ChooseHost, round_robin, Policy::RoundRobin, false)->Arg(10)->Arg(100);
BENCHMARK_CAPTURE(BM_ChooseHost, round_robin_weighted_edf, Policy::RoundRobin, true)
    ->Arg(10)
    ->Arg(100);
BENCHMARK_CAPTURE(BM_ChooseHost, least_request_p2c, Policy::LeastRequest, false)->Arg(10)->Arg(100);
BENCHMARK_CAPTURE(BM_ChooseHost, least_request_weighted, Policy::LeastRequest, true)
    ->Arg(10)
    ->Arg(100);
BENCHMARK_CAPTURE(BM_ChooseHost, random, Policy::Random, false)->Arg(10)->Arg(100);
BENCHMARK_CAPTURE(BM_ChooseHost, ring_hash, Policy::RingHash, false)->Arg(10)->Arg(100);
BENCHMARK_CAPTURE(BM_ChooseHost, maglev, Policy::Maglev, false)->Arg(10)->Arg(100);

// Linkerd's balancer is not an Envoy LoadBalancer (it needs the clock), so it is built directly.
// Endpoints get different RTT estimates and pending counts; time moves 1 µs per pick so every
// load() read really decays its estimate.
void BM_ChooseHostLinkerdP2cPeakEwma(benchmark::State& state) {
  BenchHosts hosts(state.range(0), false);
  SplitMix64 random(42);
  MonotonicTime now = kTimeZero;
  P2cPeakEwmaBalancer balancer(hosts.priorities[0], now);
  for (Host* host : hosts.priorities[0]) {
    for (std::uint32_t r = 0; r <= host->index() % 4; ++r) {
      balancer.onRequestStart(*host);
    }
    now += std::chrono::milliseconds(1);
    balancer.onRequestEnd(*host, std::chrono::milliseconds(5 + host->index() % 20), now);
  }
  for (auto _ : state) {
    now += std::chrono::microseconds(1);
    Host* host = balancer.chooseHost(now, random);
    benchmark::DoNotOptimize(host);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChooseHostLinkerdP2cPeakEwma)->Arg(10)->Arg(100);

// ---------------------------------------------------------------------------------------------
// 2. Outlier reporting: Envoy defaults (consecutive_5xx 5, max_ejection_percent 10) on 10 hosts,
// 20 % 503s spread over the hosts, so hosts are now and then ejected. Host and status sequences
// are drawn beforehand to keep the generator out of the timing; the loop moves 10 ms every 1024
// reports (≈100 k rq/s) so interval ticks and unejections happen too.
void BM_OutlierPutHttpResponseCode(benchmark::State& state) {
  constexpr std::size_t kHosts = 10;
  constexpr std::size_t kPattern = 4096;
  BenchHosts hosts(kHosts, false);
  ClusterStats stats;
  SplitMix64 random(7);
  ManualEventLoop loop;
  OutlierDetector detector(loop, random, OutlierDetectionConfig{}, stats, hosts.priorities[0]);
  std::array<Host*, kPattern> host_of{};
  std::array<std::uint32_t, kPattern> code_of{};
  for (std::size_t i = 0; i < kPattern; ++i) {
    host_of[i] = hosts.priorities[0][random.random() % kHosts];
    code_of[i] = random.random() % 100 < 20 ? 503 : 200;
  }
  std::size_t i = 0;
  for (auto _ : state) {
    detector.putHttpResponseCode(*host_of[i], code_of[i]);
    if (++i == kPattern) {
      i = 0;
    }
    if ((i & 1023) == 0) {
      loop.advance(std::chrono::milliseconds(10));
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["ejections"] = static_cast<double>(stats.outlier_ejections_enforced_total);
}
BENCHMARK(BM_OutlierPutHttpResponseCode);

// ---------------------------------------------------------------------------------------------
// 3. Whole requests through the proxy: Istio profile and cluster defaults (2 workers, least
// request, HTTP/1.1 pools), 3 hosts, no route timeout, and Istio's default retry policy with 5xx
// added (as a VirtualService `retryOn: 5xx,...` with 2 attempts would give). Requests are kept
// `inflight` deep, alternating workers; one benchmark iteration runs the loop until at least one
// more request completes, so items_per_second is requests per second.
template <class Loop>
struct ProxyHarness final : DownstreamCallbacks {
  explicit ProxyHarness(std::uint32_t fail_per_mille)
      : random(1),
        transport(loop, fail_per_mille, 2),
        proxy(makeConfig(), loop, random, transport) {}

  static ProxyConfig makeConfig() {
    ProxyConfig config;
    config.profile = ProxyProfile::kIstio;
    RouteEntry route;
    route.name = "default";
    route.clusters.push_back(WeightedCluster{"backend", 100});
    route.timeout = Duration::zero();
    RetryPolicy retry = istioDefaultRetryPolicy();
    retry.retry_on |= kRetryOn5xx;
    route.retry_policy = retry;
    VirtualHost vhost;
    vhost.name = "backend";
    vhost.domains = {"*"};
    vhost.routes.push_back(std::move(route));
    config.routes = RouteConfiguration({vhost});
    ClusterDefinition cluster{"backend", ClusterPolicy::defaultsFor(ProxyProfile::kIstio), {}};
    for (int i = 0; i < 3; ++i) {
      Endpoint endpoint;
      endpoint.address = "10.0.0." + std::to_string(i + 1) + ":9080";
      cluster.endpoints.push_back(std::move(endpoint));
    }
    config.clusters.push_back(std::move(cluster));
    return config;
  }

  void onRequestComplete(const RequestOutcome& outcome) override {
    ++completed;
    if (outcome.response.status != 200) {
      ++failed;
    }
  }

  void startOne() {
    Request request;
    request.authority = "backend";
    proxy.startRequest(std::move(request), static_cast<std::uint32_t>(started % 2), *this);
    ++started;
  }

  // Keeps `inflight` requests open and runs the loop until one more completes.
  void completeOne(std::uint64_t inflight) {
    while (started - completed < inflight) {
      startOne();
    }
    const std::uint64_t before = completed;
    while (completed == before) {
      step(loop);
    }
  }

  Loop loop;
  SplitMix64 random;
  InstantTransport transport;
  Proxy proxy;
  std::uint64_t started = 0;
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;
};

template <class Loop>
void BM_ProxyRequest(benchmark::State& state) {
  const auto inflight = static_cast<std::uint64_t>(state.range(0));
  const auto fail_per_mille = static_cast<std::uint32_t>(state.range(1));
  auto harness = std::make_unique<ProxyHarness<Loop>>(fail_per_mille);
  // Warm up: connections opened, filters and pending entries pooled.
  for (int i = 0; i < 1000; ++i) {
    harness->completeOne(inflight);
  }
  const ClusterStats& stats = harness->proxy.clusters()[0]->stats();
  const std::uint64_t completed0 = harness->completed;
  const std::uint64_t failed0 = harness->failed;
  const std::uint64_t retries0 = stats.upstream_rq_retry;
  const std::uint64_t connects0 = harness->transport.connects();
  const std::uint64_t pending0 = stats.upstream_rq_pending_total;
  for (auto _ : state) {
    harness->completeOne(inflight);
  }
  const auto completed = static_cast<double>(harness->completed - completed0);
  state.SetItemsProcessed(static_cast<std::int64_t>(completed));
  state.counters["retry_per_rq"] =
      static_cast<double>(stats.upstream_rq_retry - retries0) / completed;
  state.counters["non200_per_rq"] = static_cast<double>(harness->failed - failed0) / completed;
  state.counters["pending_per_rq"] =
      static_cast<double>(stats.upstream_rq_pending_total - pending0) / completed;
  state.counters["new_conns"] = static_cast<double>(harness->transport.connects() - connects0);
}

void proxyArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"inflight", "fail_permille"});
  for (std::int64_t inflight : {1, 16}) {
    for (std::int64_t fail : {0, 100}) {
      b->Args({inflight, fail});
    }
  }
}
BENCHMARK_TEMPLATE(BM_ProxyRequest, BenchEventLoop)->Apply(proxyArgs);
BENCHMARK_TEMPLATE(BM_ProxyRequest, ManualEventLoop)->Apply(proxyArgs);

}  // namespace
}  // namespace meshsim::core

BENCHMARK_MAIN();
