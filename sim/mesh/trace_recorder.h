#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/http/message.h"
#include "core/stats/response_flags.h"
#include "sim/engine/simulator.h"
#include "sim/random/random_stream.h"
#include "sim/scenario/scenario.h"

namespace meshsim::sim {

// B3 trace context as it travels in request headers (x-b3-traceid, x-b3-spanid,
// x-b3-parentspanid, x-b3-sampled), the propagation Istio's Zipkin tracer uses. Only sampled
// requests carry it, so unsampled requests pay one header scan and nothing else.
struct TraceContext {
  std::uint64_t trace_id = 0;
  std::uint64_t span_id = 0;  // the span that sent the request (0: none, the root)
};

// One finished span, kept compact; traces.json turns it into Zipkin v2 JSON.
struct SpanRecord {
  enum class Kind : std::uint8_t { kClient, kServer };
  std::uint64_t trace_id = 0;
  std::uint64_t id = 0;
  std::uint64_t parent_id = 0;  // 0: root span
  Kind kind = Kind::kClient;
  Index local_service = 0;   // the span's own service (== services: the load generator)
  Index remote_service = 0;  // the callee (client spans) or the service itself (server spans)
  std::string workload;      // pod name
  std::string path;
  SimTime start{};
  Duration duration{0};
  std::uint32_t status = 0;  // 0: no response (app-level timeout)
  core::ResponseFlags flags = 0;
  std::string upstream_cluster;
};

// Deterministic trace sampling and span storage: one sampling draw per end-to-end request from
// its own stream (so sampling never shifts any other stream), span ids from another. Storage is
// capped at `max_traces` sampled traces; later requests are drawn for but not sampled.
class TraceRecorder {
 public:
  TraceRecorder(RandomStream sampling, RandomStream ids, double rate, std::size_t max_traces);

  // Called once per end-to-end request: adds B3 headers to `request` when it is sampled.
  void maybeSample(core::Request& request, bool measured);
  std::uint64_t newSpanId();
  void add(SpanRecord span) { spans_.push_back(std::move(span)); }

  // The trace context a request carries, if it is sampled.
  static std::optional<TraceContext> extract(const core::HeaderList& headers);
  // Marks `headers` as sent by span `span_id` whose parent is `parent_id` (0: none).
  static void inject(core::HeaderList& headers, std::uint64_t trace_id, std::uint64_t span_id,
                     std::uint64_t parent_id);

  const std::vector<SpanRecord>& spans() const { return spans_; }
  std::size_t sampledTraces() const { return sampled_; }
  double rate() const { return rate_; }

 private:
  RandomStream sampling_;
  RandomStream ids_;
  double rate_;
  std::size_t max_traces_;
  std::size_t sampled_ = 0;
  std::vector<SpanRecord> spans_;
};

// 16 lower-case hex digits.
std::string hex64(std::uint64_t value);

}  // namespace meshsim::sim
