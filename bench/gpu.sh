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
libtorch="${1:-${LIBTORCH:-}}"
include="${LIBTORCH_INCLUDE:-${libtorch:+$libtorch/include}}"
lib="${LIBTORCH_LIB:-${libtorch:+$libtorch/lib}}"
out="${OUT:-$repo/build-gpu}"
if [[ -z "$include" || ! -f "$include/torch/csrc/api/include/torch/torch.h" ]]; then
  echo "gpu.sh: no LibTorch headers under '${include}': pass the libtorch folder" >&2
  exit 2
fi
json=""
for candidate in "${NLOHMANN_JSON_INCLUDE:-}" "$include" /usr/include /usr/local/include; do
  if [[ -n "$candidate" && -f "$candidate/nlohmann/json.hpp" ]]; then json="$candidate"; break; fi
done
if [[ -z "$json" ]]; then
  echo "gpu.sh: nlohmann/json.hpp not found; set NLOHMANN_JSON_INCLUDE" >&2
  exit 2
fi

# The ABI LibTorch was built with, from its CMake config (pip wheels before 2.6 use the old one).
abi=1
config_file="$(ls "$libtorch"/share/cmake/Torch/TorchConfig.cmake 2>/dev/null || true)"
if [[ -n "$config_file" ]] && grep -q "_GLIBCXX_USE_CXX11_ABI=0" "$config_file"; then abi=0; fi

cuda_libs=()
for name in torch_cuda c10_cuda; do
  if ls "$lib"/lib$name.so* >/dev/null 2>&1; then cuda_libs+=("-l$name"); fi
done

mkdir -p "$out/obj"
flags=(-std=c++17 -O3 -DNDEBUG -fPIC "-D_GLIBCXX_USE_CXX11_ABI=$abi" -I"$repo")
# The compiler's own folders must not be repeated with -isystem (it breaks #include_next).
for dir in "$include" "$include/torch/csrc/api/include" "$json"; do
  case "$dir" in /usr/include | /usr/local/include) ;; *) flags+=(-isystem "$dir") ;; esac
done
sources=(inference/IrisConfig.cpp inference/TaskEmbedding.cpp inference/IrisModel.cpp
  inference/IrisNetwork.cpp inference/modules/IrisLayers.cpp inference/modules/IrisStages.cpp
  bench/NetworkBench.cpp)
jobs="$(nproc)"
echo "Compiling ${#sources[@]} sources with $jobs jobs (ABI $abi, CUDA libs: ${cuda_libs[*]:-none})"
pids=()
for source in "${sources[@]}"; do
  g++ "${flags[@]}" -c "$repo/$source" -o "$out/obj/$(basename "$source").o" &
  pids+=($!)
  if (( ${#pids[@]} >= jobs )); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
# --no-as-needed keeps torch_cuda linked: it registers the CUDA backend at load time.
g++ "$out"/obj/*.o -o "$out/iris_network_bench" -L"$lib" -Wl,-rpath,"$lib" \
  -Wl,--no-as-needed "${cuda_libs[@]}" -ltorch -ltorch_cpu -lc10 -Wl,--as-needed -ldl -lpthread

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
