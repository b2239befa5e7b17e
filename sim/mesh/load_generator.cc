#include "sim/mesh/load_generator.h"

#include <cmath>

#include "sim/mesh/mesh.h"
#include "sim/mesh/sidecar.h"

namespace meshsim::sim {

namespace {
constexpr std::uint64_t kOpenLoop = ~std::uint64_t{0};

Duration exponential(RandomStream& random, double mean_seconds) {
  return core::fromSeconds(-std::log(random.uniformOpen01()) * mean_seconds);
}
}  // namespace

LoadGenerator::LoadGenerator(Mesh& mesh, Workload& client)
    : mesh_(mesh),
      client_(client),
      spec_(mesh.scenario().workload),
      arrivals_(mesh.stream("load-generator", "arrivals")),
      mix_(mesh.stream("load-generator", "mix")),
      think_(mesh.stream("load-generator", "think-time")) {}

void LoadGenerator::start() {
  if (spec_.kind == WorkloadKind::Closed) {
    for (std::uint64_t user = 0; user < spec_.users; ++user) {
      const Duration think =
          spec_.think_time ? sampleDuration(*spec_.think_time, think_) : Duration::zero();
      mesh_.sim().scheduleAfter(think, Event::member<&LoadGenerator::onUserWake>(this, user));
    }
    return;
  }
  if (spec_.arrivals == Arrivals::Schedule && spec_.schedule.size() > 1) {
    mesh_.sim().scheduleAt(SimTime(spec_.schedule[1].at),
                           Event::member<&LoadGenerator::onRateChange>(this));
  }
  if (spec_.arrivals == Arrivals::Bursty) {
    mesh_.sim().scheduleAfter(exponential(arrivals_, core::toSeconds(spec_.bursty.on)),
                              Event::member<&LoadGenerator::onRateChange>(this));
  }
  scheduleNextArrival();
}

double LoadGenerator::currentRate() const {
  switch (spec_.arrivals) {
    case Arrivals::Poisson:
    case Arrivals::Constant:
      return spec_.rate;
    case Arrivals::Bursty:
      return bursty_on_ ? spec_.bursty.on_rate : spec_.bursty.off_rate;
    case Arrivals::Schedule:
      return spec_.schedule.empty() ? 0.0 : spec_.schedule[schedule_step_].rate;
  }
  return 0.0;
}

void LoadGenerator::scheduleNextArrival() {
  const double rate = currentRate();
  if (rate <= 0) {
    next_arrival_ = EventId{};
    return;
  }
  const Duration gap = spec_.arrivals == Arrivals::Constant ? core::fromSeconds(1.0 / rate)
                                                            : exponential(arrivals_, 1.0 / rate);
  next_arrival_ = mesh_.sim().scheduleAfter(gap, Event::member<&LoadGenerator::onArrival>(this));
}

void LoadGenerator::onArrival() {
  issue(kOpenLoop);
  scheduleNextArrival();
}

void LoadGenerator::onRateChange() {
  // Poisson arrivals are memoryless, so redrawing the pending gap at the new rate is exact.
  if (spec_.arrivals == Arrivals::Schedule) {
    ++schedule_step_;
    if (schedule_step_ + 1 < spec_.schedule.size()) {
      mesh_.sim().scheduleAt(SimTime(spec_.schedule[schedule_step_ + 1].at),
                             Event::member<&LoadGenerator::onRateChange>(this));
    }
  } else {
    bursty_on_ = !bursty_on_;
    const Duration mean = bursty_on_ ? spec_.bursty.on : spec_.bursty.off;
    mesh_.sim().scheduleAfter(exponential(arrivals_, core::toSeconds(mean)),
                              Event::member<&LoadGenerator::onRateChange>(this));
  }
  mesh_.sim().cancel(next_arrival_);
  scheduleNextArrival();
}

void LoadGenerator::onUserWake(std::uint64_t user) {
  issue(user);
}

void LoadGenerator::issue(std::uint64_t user) {
  // Pick an entry point by weight (weights are normalised by the loader).
  const double u = spec_.mix.size() > 1 ? mix_.uniform01() : 0.0;
  double cumulative = 0;
  const MixEntry* entry = &spec_.mix.back();
  for (const MixEntry& candidate : spec_.mix) {
    cumulative += candidate.weight;
    if (u < cumulative) {
      entry = &candidate;
      break;
    }
  }
  const ServiceSpec& service = mesh_.scenario().services[entry->service];
  AppCall::Target target;
  target.from = mesh_.metrics().loadGenerator();
  target.service = entry->service;
  target.request.method = entry->method;
  target.request.path = entry->path;
  target.request.authority = service.name;
  for (const auto& [name, value] : entry->headers) {
    target.request.headers.add(name, value);
  }
  target.request.body_bytes = service.request_bytes;
  target.request.grpc = service.protocol == Protocol::Grpc;
  const bool measured = mesh_.measuring();
  mesh_.traces().maybeSample(target.request, measured);
  if (measured) {
    mesh_.metrics().series[target.from].increment(mesh_.seriesTime(), kSeriesArrivals);
  }
  ++in_flight_;
  auto* call = new AppCall(mesh_, *client_.sidecar, *this, std::move(target));
  call->tag = user;
  call->start();
}

void LoadGenerator::onCallDone(AppCall& call, bool ok) {
  --in_flight_;
  if (call.measured()) {
    MeshMetrics& metrics = mesh_.metrics();
    ++metrics.requests;
    ++(ok ? metrics.succeeded : metrics.failed);
    const Duration latency = mesh_.sim().now() - call.startedAt();
    metrics.latency.record(latency);
    TimeSeries& series = metrics.series[metrics.loadGenerator()];
    const SimTime at = mesh_.seriesTime();
    series.increment(at, kSeriesCompleted);
    if (!ok) {
      series.increment(at, kSeriesErrors);
    }
    series.record(at, latency);
  }
  if (call.tag != kOpenLoop) {
    const Duration think =
        spec_.think_time ? sampleDuration(*spec_.think_time, think_) : Duration::zero();
    mesh_.sim().scheduleAfter(think, Event::member<&LoadGenerator::onUserWake>(this, call.tag));
  }
}

}  // namespace meshsim::sim
