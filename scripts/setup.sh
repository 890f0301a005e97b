#!/usr/bin/env bash
# Installs every Debian package Iris for Orthanc needs (only those missing), then configures and
# builds into build/. Idempotent: with everything present it only runs an incremental build.
#   scripts/setup.sh [--no-build]
# Environment: IRIS_BUILD_DIR (default <repo>/build), IRIS_BUILD_JOBS (default: number of cores).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${IRIS_BUILD_DIR:-$root/build}
jobs=${IRIS_BUILD_JOBS:-$(nproc)}

log() { printf '[setup] %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_missing_packages() {
  local wanted=() missing=() package
  mapfile -t wanted < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$root/scripts/packages.txt")
  for package in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$package")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "all ${#wanted[@]} Debian packages present"
    return
  fi
  log "installing ${#missing[@]} missing package(s): ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() {
  if [ ! -f "$build_dir/build.ninja" ]; then
    log "configuring $build_dir"
    cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release
  fi
  log "building with $jobs job(s)"
  cmake --build "$build_dir" -j "$jobs"
}

install_missing_packages
if [ "${1:-}" != "--no-build" ]; then
  build
fi
