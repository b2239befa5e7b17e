// Implements proxy-semantics.md §5.5-§5.6 (the xxHash64 they hash with).
#pragma once

#include <cstdint>
#include <string_view>

namespace meshsim::core {

// XXH64 (Yann Collet's xxHash, 64-bit variant), written from the published algorithm description.
// Ring hash and maglev hash host keys with it (proxy-semantics §5.5, §5.6), so ring positions and
// maglev permutations match Envoy's for the same host addresses. Input bytes are read
// little-endian regardless of the machine, as the specification requires.
std::uint64_t xxHash64(std::string_view input, std::uint64_t seed = 0);

}  // namespace meshsim::core
