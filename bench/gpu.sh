#!/usr/bin/env bash
# Builds the Iris network (inference/ model sources) and its benchmark against a LibTorch and
# runs it: every config at 64³ and 128³, plus the paper's Table 3 workload (full config,
# 10 queries × 15 classes at 128³, one reference) on CUDA when the LibTorch sees a GPU.
#
# Usage: bench/gpu.sh [LIBTORCH_DIR]        (or LIBTORCH=... bench/gpu.sh)
#   LIBTORCH_DIR: an unpacked libtorch (include/, lib/, share/cmake/Torch/) or a Python
#   torch package directory (site-packages/torch). Needs only g++ (C++17) and bash: no CMake,
#   no CUDA toolkit, no network. nlohmann/json.hpp is taken from $NLOHMANN_JSON_INCLUDE,
#   the LibTorch include folder, /usr/include or /usr/local/include.
# Environment: LIBTORCH_INCLUDE / LIBTORCH_LIB override the derived folders (Debian's CPU
# LibTorch: LIBTORCH_INCLUDE=/usr/include LIBTORCH_LIB=/usr/lib/x86_64-linux-gnu);
# BENCH_ARGS replaces the benchmark arguments; OUT (default build-gpu) is the output folder.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-$repo/build-gpu}"
# shellcheck source=lib/libtorch.sh
source "$repo/bench/lib/libtorch.sh"
libtorch_detect gpu.sh "${1:-}"
libtorch_compile "$out/obj" inference/IrisConfig.cpp inference/TaskEmbedding.cpp \
  inference/IrisModel.cpp inference/IrisNetwork.cpp inference/modules/IrisLayers.cpp \
  inference/modules/IrisStages.cpp bench/NetworkBench.cpp
libtorch_link "$out/obj" "$out/iris_network_bench"

device=cpu
if ((${#cuda_libs[@]})) && command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  device=cuda
  nvidia-smi -L
fi
if [[ -n "${BENCH_ARGS:-}" ]]; then
  read -r -a args <<<"$BENCH_ARGS"
elif [[ "$device" == cuda ]]; then
  args=(--device cuda --configs tiny,default,full --sizes 64,128 --runs 5 --paper)
else
  args=(--device cpu --configs tiny --sizes 64 --runs 5)
fi
"$out/iris_network_bench" "${args[@]}" --json "$out/gpu-bench.json" --markdown "$out/gpu-bench.md"
echo "Wrote $out/gpu-bench.json and $out/gpu-bench.md"
