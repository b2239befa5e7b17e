#include "sim/mesh/trace_recorder.h"

#include <charconv>

namespace meshsim::sim {

namespace {

constexpr std::string_view kTraceId = "x-b3-traceid";
constexpr std::string_view kSpanId = "x-b3-spanid";
constexpr std::string_view kParentSpanId = "x-b3-parentspanid";
constexpr std::string_view kSampled = "x-b3-sampled";

std::uint64_t parseHex(std::string_view text) {
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return value;
}

}  // namespace

std::string hex64(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kDigits[value & 0xf];
    value >>= 4;
  }
  return out;
}

TraceRecorder::TraceRecorder(RandomStream sampling, RandomStream ids, double rate,
                             std::size_t max_traces)
    : sampling_(sampling), ids_(ids), rate_(rate), max_traces_(max_traces) {}

void TraceRecorder::maybeSample(core::Request& request, bool measured) {
  // Always draw, so whether a request is sampled does not depend on the ones before it.
  const bool chosen = sampling_.uniform01() < rate_;
  if (!chosen || !measured || sampled_ >= max_traces_) {
    return;
  }
  ++sampled_;
  const std::uint64_t trace_id = newSpanId();
  request.headers.set(kTraceId, hex64(trace_id));
  request.headers.set(kSampled, "1");
}

std::uint64_t TraceRecorder::newSpanId() {
  std::uint64_t id = 0;
  while (id == 0) {  // 0 means "no span" in SpanRecord
    id = ids_.next();
  }
  return id;
}

std::optional<TraceContext> TraceRecorder::extract(const core::HeaderList& headers) {
  if (headers.empty()) {
    return std::nullopt;
  }
  const auto sampled = headers.get(kSampled);
  if (!sampled || *sampled != "1") {
    return std::nullopt;
  }
  TraceContext context;
  context.trace_id = parseHex(headers.get(kTraceId).value_or("0"));
  context.span_id = parseHex(headers.get(kSpanId).value_or("0"));
  if (context.trace_id == 0) {
    return std::nullopt;
  }
  return context;
}

void TraceRecorder::inject(core::HeaderList& headers, std::uint64_t trace_id, std::uint64_t span_id,
                           std::uint64_t parent_id) {
  headers.set(kTraceId, hex64(trace_id));
  headers.set(kSpanId, hex64(span_id));
  if (parent_id != 0) {
    headers.set(kParentSpanId, hex64(parent_id));
  } else {
    headers.remove(kParentSpanId);
  }
  headers.set(kSampled, "1");
}

}  // namespace meshsim::sim
