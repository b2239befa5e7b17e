#include "sim/mesh/fault_timeline.h"

#include <variant>

#include "sim/mesh/mesh.h"
#include "sim/mesh/replica.h"
#include "sim/mesh/sidecar.h"

namespace meshsim::sim {

namespace {
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;
}  // namespace

FaultTimeline::FaultTimeline(Mesh& mesh) : mesh_(mesh) {}

void FaultTimeline::schedule() {
  const auto& faults = mesh_.scenario().faults;
  for (std::size_t i = 0; i < faults.size(); ++i) {
    mesh_.sim().scheduleAt(SimTime(faults[i].at), Event::member<&FaultTimeline::onStart>(this, i));
    if (faults[i].until) {
      mesh_.sim().scheduleAt(SimTime(*faults[i].until),
                             Event::member<&FaultTimeline::onEnd>(this, i));
    }
  }
}

void FaultTimeline::onStart(std::uint64_t index) {
  apply(index, true);
}
void FaultTimeline::onEnd(std::uint64_t index) {
  apply(index, false);
}

std::vector<Workload*> FaultTimeline::targets(const FaultTarget& target) {
  std::vector<Workload*> out;
  for (auto& workload : mesh_.workloads()) {
    if (workload->app && workload->service == target.service &&
        (target.version == kAll || workload->version == target.version) &&
        (target.replica == kAll || workload->replica == target.replica)) {
      out.push_back(workload.get());
    }
  }
  return out;
}

void FaultTimeline::apply(std::size_t index, bool start) {
  const FaultSpec& fault = mesh_.scenario().faults[index];
  std::visit(Overloaded{
                 [&](const ErrorRateFault& f) {
                   for (Workload* w : targets(f.target)) {
                     w->app->setErrorOverride(start ? std::optional<ErrorModel>(ErrorModel{
                                                          f.probability, f.status, std::nullopt})
                                                    : std::nullopt);
                   }
                 },
                 [&](const LatencyFault& f) {
                   for (Workload* w : targets(f.target)) {
                     w->app->setAddedLatency(start ? f.add : nullptr);
                   }
                 },
                 [&](const CrashFault& f) {
                   for (Workload* w : targets(f.target)) {
                     if (start) {
                       w->app->crash();
                     } else {
                       w->app->restart();
                     }
                     // Encode (workload, ready) for the endpoint update that follows.
                     mesh_.sim().scheduleAfter(
                         kEndpointUpdateDelay,
                         Event::member<&FaultTimeline::onEndpointUpdate>(
                             this, (static_cast<std::uint64_t>(w->id) << 1) | (start ? 0 : 1)));
                   }
                 },
                 [&](const SlowReplicaFault& f) {
                   for (Workload* w : targets(f.target)) {
                     w->app->setSlowFactor(start ? f.factor : 1.0);
                   }
                 },
                 [&](const PartitionFault& f) {
                   mesh_.network().setPartitioned(f.zone_a, f.zone_b, start);
                 },
                 [&](const LinkLossFault& f) {
                   mesh_.network().setExtraLoss(f.zone_a, f.zone_b, start ? f.loss : 0.0);
                 },
                 [&](const TrafficSplitFault&) { mesh_.applyPolicyFault(index, start); },
                 [&](const IstioFault&) { mesh_.applyPolicyFault(index, start); },
             },
             fault.action);
}

void FaultTimeline::onEndpointUpdate(std::uint64_t encoded) {
  Workload& target = *mesh_.workloads()[encoded >> 1];
  const bool ready = (encoded & 1) != 0;
  if (ready != target.up) {
    return;  // it died again (or came back) in the meantime; a later update settles it
  }
  for (auto& workload : mesh_.workloads()) {
    for (auto& cluster : workload->sidecar->outbound().clusters()) {
      for (core::Host* host : cluster->hosts()) {
        if (host->address() == target.address) {
          cluster->setHostReady(*host, ready);
        }
      }
    }
  }
}

}  // namespace meshsim::sim
