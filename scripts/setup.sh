#!/usr/bin/env bash
# Installs fenceline's build, test and recording dependencies from Debian's packages.
# Idempotent; needs root (or sudo). Nothing is downloaded from anywhere but apt.
set -euo pipefail
pkgs=(
  build-essential cmake ninja-build pkg-config
  libboost-program-options-dev rapidjson-dev libtbb-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev etcd-server etcd-client
  clang libclang-rt-14-dev
  zlib1g-dev libzstd-dev
  chromium libxml2-utils
  zookeeper libzookeeper-mt-dev redis-server libhiredis-dev
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
