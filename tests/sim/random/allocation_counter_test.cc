#include "tests/sim/random/allocation_counter.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <new>

namespace {
std::size_t g_allocations = 0;
}  // namespace

// Replaces the global allocation functions for the whole meshsim_sim_tests program, so that tests
// can assert that a hot path (e.g. Distribution::sample) allocates nothing. The array forms and
// the aligned forms keep their default definitions, which forward to these. AddressSanitizer
// supplies its own allocation functions, so under it the counter is off and the tests skip.
#if defined(__SANITIZE_ADDRESS__)
#define MESHSIM_COUNT_ALLOCATIONS 0
#else
#define MESHSIM_COUNT_ALLOCATIONS 1
void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#endif

namespace meshsim::sim::testing {

std::size_t allocationCount() {
  return g_allocations;
}

bool allocationCountingEnabled() {
  return MESHSIM_COUNT_ALLOCATIONS != 0;
}

namespace {

TEST(AllocationCounterTest, CountsEachNew) {
  if (!allocationCountingEnabled()) {
    GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
  }
  const std::size_t before = allocationCount();
  auto a = std::make_unique<int>(1);
  auto b = std::make_unique<double>(2.0);
  EXPECT_EQ(allocationCount(), before + 2);
}

}  // namespace
}  // namespace meshsim::sim::testing
