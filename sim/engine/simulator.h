#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "core/common/event_loop.h"
#include "sim/engine/event.h"

namespace meshsim::sim {

using core::Duration;
using SimTime = core::MonotonicTime;

// The discrete-event engine (DESIGN.md "Engine"). Pending events live in a 4-ary min-heap keyed by
// (time, sequence): equal times fire in the order they were scheduled, so a run is a pure function
// of its inputs. Payloads live in a slot table; a heap entry is live while its slot still carries
// its sequence number. cancel() frees the slot at once and leaves the heap entry to be skipped when
// it surfaces (no heap-position bookkeeping on every sift, which is the hot loop); the heap is
// compacted whenever stale entries outnumber live ones, so memory follows events pending, not
// events ever cancelled.
//
// The Simulator is also the core's EventLoop port: timers created here are engine events.
// Timers must not outlive the Simulator that made them.
class Simulator final : public core::EventLoop {
 public:
  Simulator();
  ~Simulator() override;
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // core::EventLoop
  SimTime now() const override { return now_; }
  core::TimerPtr createTimer(core::Callback callback) override;

  // Schedules `event` at `time`; a time in the past is clamped to now (it fires after every event
  // already scheduled for now).
  EventId scheduleAt(SimTime time, Event event);
  EventId scheduleAfter(Duration delay, Event event) { return scheduleAt(now_ + delay, event); }
  // Removes a pending event. Returns false when the id is stale (already fired or cancelled),
  // including the event currently firing.
  bool cancel(EventId id);
  bool isPending(EventId id) const;

  // Fires the earliest pending event. Returns false when there was none.
  bool step();
  // Fires every event with time <= `end`, then sets the clock to `end` (unless stopped first).
  void runUntil(SimTime end);
  // Fires events until none is pending (or stop() is called).
  void runUntilEmpty();
  // Makes the current run call return after the event that is firing now.
  void stop() { stopped_ = true; }

  std::size_t pendingEvents() const { return heap_.size() - stale_; }
  std::uint64_t eventsFired() const { return fired_; }
  // A hash of the trace of fired events (time, scheduling sequence, argument): two runs with the
  // same fingerprint fired the same events at the same times in the same order.
  std::uint64_t fingerprint() const { return fingerprint_; }

 private:
  // 16 bytes, like a bare (time, sequence) pair: the sequence number (high 40 bits, 10^12 events
  // per run) and the payload slot (low 24 bits, 16.7 M events pending at once) share one word.
  // Sequence numbers are unique, so comparing the packed word compares sequences.
  static constexpr int kSlotBits = 24;
  static constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSlotBits) - 1;
  struct HeapEntry {
    std::int64_t time;
    std::uint64_t key;  // sequence << kSlotBits | slot

    std::uint64_t sequence() const { return key >> kSlotBits; }
    std::uint32_t slot() const { return static_cast<std::uint32_t>(key & kSlotMask); }
  };
  struct Slot {
    Event event;
    std::uint64_t sequence;  // of the live event in this slot; EventId::kNone when free
  };
  // A core::Timer backed by one engine event; pooled so arming per-request timers never allocates
  // once the pool has warmed up.
  class EngineTimer final : public core::Timer {
   public:
    explicit EngineTimer(Simulator& sim) : sim_(sim) {}
    void enable(Duration delay) override;
    void disable() override;
    bool enabled() const override { return sim_.isPending(pending_); }

    Simulator& sim_;
    core::Callback callback_;
    EventId pending_;

   private:
    void fire();
  };

  static bool earlier(const HeapEntry& a, const HeapEntry& b) {
    return a.time < b.time || (a.time == b.time && a.key < b.key);
  }
  bool isLive(const HeapEntry& entry) const {
    return slots_[entry.slot()].sequence == entry.sequence();
  }
  void siftUp(std::uint32_t index, HeapEntry entry);
  void siftDown(std::uint32_t index, HeapEntry entry);
  void popTop();
  // Drops stale entries from the top so heap_.front(), if any, is a live event.
  void skipStaleTop();
  void compact();
  void releaseSlot(std::uint32_t slot);
  void recycleTimer(EngineTimer* timer);

  SimTime now_{};
  std::uint64_t next_sequence_ = 0;
  std::uint64_t fired_ = 0;
  std::uint64_t fingerprint_ = 0xcbf29ce484222325ULL;
  std::size_t stale_ = 0;  // heap entries whose event was cancelled
  bool stopped_ = false;
  std::vector<HeapEntry> heap_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::deque<EngineTimer> timers_;  // stable addresses; recycled through free_timers_
  std::vector<EngineTimer*> free_timers_;
};

}  // namespace meshsim::sim
