#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest. Exits non-zero when any
# test fails. Extra arguments go to ctest (e.g. -L unit, -R Health).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${IRIS_BUILD_DIR:-$root/build}

"$root/scripts/setup.sh"
cd "$build_dir"
ctest --output-on-failure --timeout 900 -j "$(nproc)" "$@"
