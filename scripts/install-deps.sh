#!/usr/bin/env bash
# Installs the Debian packages QNN Workbench builds against, and only those
# that are missing: `dpkg -s` is checked first, so a second run touches nothing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-svg-dev libgl-dev libqcustomplot-dev
  libtorch-dev libopenblas0-openmp
  nlohmann-json3-dev zlib1g-dev libstb-dev
  python3-torch xvfb xauth
  libcli11-dev libssl-dev libssh-dev openssh-server openssh-client
  libonnx-dev libprotobuf-dev protobuf-compiler libxrt-dev
  ccache libcurl4-openssl-dev python3-onnx
  slurm-wlm munge qemu-user g++-aarch64-linux-gnu g++-arm-linux-gnueabihf
)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
