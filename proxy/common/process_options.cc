#include "proxy/common/process_options.h"

#include <sys/prctl.h>
#include <unistd.h>
#include <csignal>
#include <cstdlib>

namespace meshsim::proxy {

void dieWithParentIfAsked() {
  const char* parent = std::getenv(kDieWithParentVariable);
  if (parent == nullptr) {
    return;
  }
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  // The parent may have died before prctl took effect.
  if (std::to_string(::getppid()) != parent) {
    std::_Exit(3);
  }
}

}  // namespace meshsim::proxy
