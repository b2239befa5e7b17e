#!/usr/bin/env bash
# Installs every Debian package meshsim needs to build, test, benchmark and run its notebooks.
# Idempotent: packages already present are skipped; runs `apt-get update` only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git clang-format
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost-dev libboost-graph-dev libeigen3-dev libyaml-cpp-dev libssl-dev
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev
  python3-pandas python3-matplotlib python3-nbclient python3-nbformat python3-ipykernel
)
if [ "${MESHSIM_NO_GUI:-0}" = 1 ]; then
  packages=("${packages[@]/qt6-base-dev/}")
  packages=("${packages[@]/qt6-charts-dev/}")
  packages=("${packages[@]/libqt6opengl6-dev/}")
fi

missing=()
for p in "${packages[@]}"; do
  [ -n "$p" ] || continue
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
