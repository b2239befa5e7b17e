#pragma once

#include <cstddef>

namespace meshsim::sim::testing {

// Number of global operator new calls so far in this test program. The counting replacement of
// operator new/delete lives in allocation_counter_test.cc, a translation unit of its own so that
// GCC cannot inline it into callers (where it would report -Wmismatched-new-delete).
std::size_t allocationCount();
// False where the counter cannot be installed (AddressSanitizer builds).
bool allocationCountingEnabled();

}  // namespace meshsim::sim::testing
