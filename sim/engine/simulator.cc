#include "sim/engine/simulator.h"

#include <algorithm>
#include <cassert>

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
  std::uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(Slot{event, 0, 1});
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    slots_[slot].event = event;
  }
  const HeapEntry entry{std::max(time, now_).time_since_epoch().count(), next_sequence_++, slot};
  heap_.emplace_back();
  siftUp(static_cast<std::uint32_t>(heap_.size() - 1), entry);
  return EventId{slot, slots_[slot].generation};
}

bool Simulator::isPending(EventId id) const {
  return id.valid() && id.slot < slots_.size() && slots_[id.slot].generation == id.generation;
}

bool Simulator::cancel(EventId id) {
  if (!isPending(id)) {
    return false;
  }
  const std::uint32_t index = slots_[id.slot].heap_index;
  removeAt(index);
  releaseSlot(id.slot);
  return true;
}

void Simulator::releaseSlot(std::uint32_t slot) {
  // Bump the generation so outstanding ids for this slot go stale; skip 0, which means "no event".
  std::uint32_t& generation = slots_[slot].generation;
  generation = generation + 1 == 0 ? 1 : generation + 1;
  free_slots_.push_back(slot);
}

void Simulator::siftUp(std::uint32_t index, HeapEntry entry) {
  while (index > 0) {
    const std::uint32_t parent = (index - 1) / kArity;
    if (!earlier(entry, heap_[parent])) {
      break;
    }
    place(index, heap_[parent]);
    index = parent;
  }
  place(index, entry);
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
    place(index, heap_[best]);
    index = best;
  }
  place(index, entry);
}

void Simulator::removeAt(std::uint32_t index) {
  const HeapEntry last = heap_.back();
  heap_.pop_back();
  if (index == heap_.size()) {
    return;
  }
  // The moved entry may belong above or below the hole.
  if (index > 0 && earlier(last, heap_[(index - 1) / kArity])) {
    siftUp(index, last);
  } else {
    siftDown(index, last);
  }
}

bool Simulator::step() {
  if (heap_.empty()) {
    return false;
  }
  const HeapEntry top = heap_.front();
  const Event event = slots_[top.slot].event;
  removeAt(0);
  // Released before firing: cancelling the firing event is a no-op and its slot can be reused by
  // whatever the callback schedules.
  releaseSlot(top.slot);
  now_ = SimTime(Duration(top.time));
  ++fired_;
  fingerprint_ = (fingerprint_ ^ static_cast<std::uint64_t>(top.time)) * 0x100000001b3ULL;
  fingerprint_ = (fingerprint_ ^ top.sequence) * 0x100000001b3ULL;
  fingerprint_ = (fingerprint_ ^ event.arg) * 0x100000001b3ULL;
  event.fire(event.context, event.arg);
  return true;
}

void Simulator::runUntil(SimTime end) {
  stopped_ = false;
  const std::int64_t end_ns = end.time_since_epoch().count();
  while (!stopped_ && !heap_.empty() && heap_.front().time <= end_ns) {
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
