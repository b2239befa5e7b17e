#pragma once

#include <cstdint>
#include <type_traits>

namespace meshsim::sim {

// An event payload, stored inline in the engine's slot table: a function pointer, the object it
// acts on and one word of argument. No allocation and no std::function per event (DESIGN.md).
struct Event {
  using Fn = void (*)(void* context, std::uint64_t arg);

  Fn fire = nullptr;
  void* context = nullptr;
  std::uint64_t arg = 0;

  // Event::member<&Owner::onArrival>(this, arg) calls this->onArrival(arg), or this->onArrival()
  // when the method takes no argument.
  template <auto Method, class Owner>
  static Event member(Owner* owner, std::uint64_t arg = 0) {
    return Event{[](void* context, std::uint64_t a) {
                   auto* self = static_cast<Owner*>(context);
                   if constexpr (std::is_invocable_v<decltype(Method), Owner*, std::uint64_t>) {
                     (self->*Method)(a);
                   } else {
                     (void)a;
                     (self->*Method)();
                   }
                 },
                 owner, arg};
  }
};

// Names one scheduled event: its payload slot and its scheduling sequence number. Slots are reused;
// the sequence tells a stale id from a live one, so cancelling an event that already fired (or was
// cancelled) is a harmless no-op.
struct EventId {
  static constexpr std::uint64_t kNone = ~std::uint64_t{0};

  std::uint32_t slot = 0;
  std::uint64_t sequence = kNone;

  bool valid() const { return sequence != kNone; }
  friend bool operator==(EventId, EventId) = default;
};

}  // namespace meshsim::sim
