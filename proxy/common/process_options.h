#pragma once

#include <string>

namespace meshsim::proxy {

// Set by a harness in its children's environment: the child asks the kernel for SIGTERM when its
// parent dies, so a killed harness never leaves processes behind.
inline constexpr const char* kDieWithParentVariable = "MESHSIM_DIE_WITH_PARENT";

// Applies kDieWithParentVariable (Linux prctl PR_SET_PDEATHSIG) when it is set.
void dieWithParentIfAsked();

}  // namespace meshsim::proxy
