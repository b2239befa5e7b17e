#!/usr/bin/env bash
# README command 1: set up a fresh Debian 12 machine, build meshsim and run the main job: the
# default scenario (Istio Bookinfo), printing its summary.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
cmake --preset release
cmake --build --preset release --target meshsim meshsim-gui
./build/release/sim/meshsim run scenarios/bookinfo.yaml
