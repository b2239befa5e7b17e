#include "sim/engine/simulator.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace meshsim::sim {

namespace {
constexpr std::uint32_t kArity = 4;
}  // namespace

Simulator::Simulator() {
  heap_.reserve(1024);
  slots_.reserve(1024);
}

Simulator::~Simulator() = default;

EventId Simulator::scheduleAt(SimTime time, Event event) {
  const std::uint64_t sequence = next_sequence_++;
  std::uint32_t slot;
  if (free_slots_.empty()) {
    if (slots_.size() > kSlotMask) {
      // Far beyond any model we support; failing loudly beats corrupting the event order.
      std::fprintf(stderr, "meshsim: more than %llu events pending at once\n",
                   static_cast<unsigned long long>(kSlotMask + 1));
      std::abort();
    }
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(Slot{event, sequence});
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    slots_[slot] = Slot{event, sequence};
  }
  heap_.emplace_back();
  siftUp(static_cast<std::uint32_t>(heap_.size() - 1),
         HeapEntry{std::max(time, now_).time_since_epoch().count(), sequence << kSlotBits | slot});
  return EventId{slot, sequence};
}

bool Simulator::isPending(EventId id) const {
  return id.valid() && id.slot < slots_.size() && slots_[id.slot].sequence == id.sequence;
}

bool Simulator::cancel(EventId id) {
  if (!isPending(id)) {
    return false;
  }
  releaseSlot(id.slot);
  ++stale_;
  if (stale_ > 1024 && 2 * stale_ > heap_.size()) {
    compact();
  }
  return true;
}

void Simulator::releaseSlot(std::uint32_t slot) {
  slots_[slot].sequence = EventId::kNone;
  free_slots_.push_back(slot);
}

void Simulator::siftUp(std::uint32_t index, HeapEntry entry) {
  while (index > 0) {
    const std::uint32_t parent = (index - 1) / kArity;
    if (!earlier(entry, heap_[parent])) {
      break;
    }
    heap_[index] = heap_[parent];
    index = parent;
  }
  heap_[index] = entry;
}

void Simulator::siftDown(std::uint32_t index, HeapEntry entry) {
  const auto size = static_cast<std::uint32_t>(heap_.size());
  for (;;) {
    const std::uint32_t first = index * kArity + 1;
    if (first >= size) {
      break;
    }
    const std::uint32_t last = std::min(first + kArity, size);
    std::uint32_t best = first;
    for (std::uint32_t child = first + 1; child < last; ++child) {
      if (earlier(heap_[child], heap_[best])) {
        best = child;
      }
    }
    if (!earlier(heap_[best], entry)) {
      break;
    }
    heap_[index] = heap_[best];
    index = best;
  }
  heap_[index] = entry;
}

void Simulator::popTop() {
  const HeapEntry last = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) {
    siftDown(0, last);
  }
}

void Simulator::skipStaleTop() {
  while (!heap_.empty() && !isLive(heap_.front())) {
    popTop();
    --stale_;
  }
}

void Simulator::compact() {
  std::erase_if(heap_, [this](const HeapEntry& entry) { return !isLive(entry); });
  stale_ = 0;
  // Floyd's bottom-up heap construction: sift down every internal node, last parent first.
  if (heap_.size() > 1) {
    for (auto index = static_cast<std::uint32_t>((heap_.size() - 2) / kArity + 1); index-- > 0;) {
      siftDown(index, heap_[index]);
    }
  }
}

bool Simulator::step() {
  skipStaleTop();
  if (heap_.empty()) {
    return false;
  }
  const HeapEntry top = heap_.front();
  const Event event = slots_[top.slot()].event;
  popTop();
  // Released before firing: cancelling the firing event is a no-op and its slot can be reused by
  // whatever the callback schedules.
  releaseSlot(top.slot());
  now_ = SimTime(Duration(top.time));
  ++fired_;
  fingerprint_ = (fingerprint_ ^ static_cast<std::uint64_t>(top.time)) * 0x100000001b3ULL;
  fingerprint_ = (fingerprint_ ^ top.sequence()) * 0x100000001b3ULL;
  fingerprint_ = (fingerprint_ ^ event.arg) * 0x100000001b3ULL;
  event.fire(event.context, event.arg);
  return true;
}

void Simulator::runUntil(SimTime end) {
  stopped_ = false;
  const std::int64_t end_ns = end.time_since_epoch().count();
  for (;;) {
    skipStaleTop();
    if (stopped_ || heap_.empty() || heap_.front().time > end_ns) {
      break;
    }
    step();
  }
  if (!stopped_ && end > now_) {
    now_ = end;
  }
}

void Simulator::runUntilEmpty() {
  stopped_ = false;
  while (!stopped_ && step()) {
  }
}

// --- Timers -------------------------------------------------------------------------------------

void Simulator::EngineTimer::enable(Duration delay) {
  sim_.cancel(pending_);
  pending_ = sim_.scheduleAfter(std::max(delay, Duration::zero()),
                                Event::member<&EngineTimer::fire>(this));
}

void Simulator::EngineTimer::disable() {
  sim_.cancel(pending_);
  pending_ = EventId{};
}

void Simulator::EngineTimer::fire() {
  pending_ = EventId{};
  callback_();
}

core::TimerPtr Simulator::createTimer(core::Callback callback) {
  EngineTimer* timer;
  if (free_timers_.empty()) {
    timer = &timers_.emplace_back(*this);
  } else {
    timer = free_timers_.back();
    free_timers_.pop_back();
  }
  timer->callback_ = callback;
  timer->pending_ = EventId{};
  return core::TimerPtr(timer, core::TimerDeleter{[](core::Timer* t) {
                          auto* engine_timer = static_cast<EngineTimer*>(t);
                          engine_timer->sim_.recycleTimer(engine_timer);
                        }});
}

void Simulator::recycleTimer(EngineTimer* timer) {
  timer->disable();
  free_timers_.push_back(timer);
}

}  // namespace meshsim::sim
