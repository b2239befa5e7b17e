// Core infrastructure (DESIGN.md "The seam"); implements no proxy-semantics.md section.
#pragma once

namespace meshsim::core {

// A non-owning callback: a plain function pointer plus the object it acts on. Timers and events
// are armed on the per-request hot path, so they carry this instead of std::function, which may
// allocate and cannot be compared or inspected.
class Callback {
 public:
  using Fn = void (*)(void* context);

  constexpr Callback() = default;
  constexpr Callback(Fn fn, void* context) : fn_(fn), context_(context) {}

  // Callback::member<&Owner::onTimeout>(this) calls this->onTimeout().
  template <auto Method, class Owner>
  static Callback member(Owner* owner) {
    return Callback([](void* context) { (static_cast<Owner*>(context)->*Method)(); }, owner);
  }

  void operator()() const { fn_(context_); }
  explicit operator bool() const { return fn_ != nullptr; }

 private:
  Fn fn_ = nullptr;
  void* context_ = nullptr;
};

}  // namespace meshsim::core
