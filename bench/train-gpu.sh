#!/usr/bin/env bash
# Trains a larger Iris config on an NVIDIA GPU, then evaluates it on the hippocampus val split.
# Builds the inference library (network, pipeline, training) and a train/eval-only `iris` CLI
# against the machine's LibTorch with g++ alone, as bench/gpu.sh does: no CMake, no CUDA toolkit,
# no DCMTK (bench/TrainGpuMain.cpp leaves out the DICOM subcommands).
#
# Usage: bench/train-gpu.sh [LIBTORCH_DIR]      (or LIBTORCH=... bench/train-gpu.sh)
#   LIBTORCH_DIR: an unpacked libtorch or a Python torch package directory (site-packages/torch).
# Needs: g++ (C++17), libnifti2-dev or libnifti-dev (nifti1_io.h, -lniftiio -lznz), zlib,
# nlohmann/json.hpp ($NLOHMANN_JSON_INCLUDE, the LibTorch include folder or /usr/include).
# Environment: DATA (shared data, default <repo>/../shared/data), OUT (default build-train-gpu),
# STEPS (default 20000), CONFIG (a training JSON; default: a 128³-patch config below),
# DEVICE (default cuda), TRAIN_ARGS (extra `iris train` arguments), LIBTORCH_INCLUDE/LIBTORCH_LIB.
# Output: $OUT/run/model.pt, $OUT/run/train.log, $OUT/eval.json, $OUT/eval.md.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
libtorch="${1:-${LIBTORCH:-}}"
include="${LIBTORCH_INCLUDE:-${libtorch:+$libtorch/include}}"
lib="${LIBTORCH_LIB:-${libtorch:+$libtorch/lib}}"
out="${OUT:-$repo/build-train-gpu}"
data="${DATA:-$repo/../shared/data}"
if [[ -z "$include" || ! -f "$include/torch/csrc/api/include/torch/torch.h" ]]; then
  echo "train-gpu.sh: no LibTorch headers under '${include}': pass the libtorch folder" >&2
  exit 2
fi
json=""
for candidate in "${NLOHMANN_JSON_INCLUDE:-}" "$include" /usr/include /usr/local/include; do
  if [[ -n "$candidate" && -f "$candidate/nlohmann/json.hpp" ]]; then json="$candidate"; break; fi
done
nifti=""
for candidate in "${NIFTI_INCLUDE:-}" /usr/include/nifti /usr/local/include/nifti; do
  if [[ -n "$candidate" && -f "$candidate/nifti1_io.h" ]]; then nifti="$candidate"; break; fi
done
if [[ -z "$json" || -z "$nifti" ]]; then
  echo "train-gpu.sh: nlohmann/json.hpp or nifti1_io.h not found (NLOHMANN_JSON_INCLUDE, NIFTI_INCLUDE)" >&2
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

mkdir -p "$out/obj" "$out/generated/iris"
version="$(sed -n 's/^project([^)]*VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt" | head -1)"
sed "s/@PROJECT_VERSION@/${version:-0}/" "$repo/cmake/Version.h.in" >"$out/generated/iris/Version.h"
flags=(-std=c++17 -O3 -DNDEBUG -fPIC "-D_GLIBCXX_USE_CXX11_ABI=$abi" -I"$repo" -I"$out/generated")
for dir in "$include" "$include/torch/csrc/api/include" "$json" "$nifti"; do
  case "$dir" in /usr/include | /usr/local/include) ;; *) flags+=(-isystem "$dir") ;; esac
done
sources=(inference/*.cpp inference/modules/*.cpp inference/training/*.cpp dicom/Nifti.cpp
  dicom/Volume.cpp tools/CommandLine.cpp tools/TrainingCommands.cpp bench/TrainGpuMain.cpp)
cd "$repo"
# shellcheck disable=SC2206
sources=(${sources[@]})
jobs="$(nproc)"
echo "Compiling ${#sources[@]} sources with $jobs jobs (ABI $abi, CUDA libs: ${cuda_libs[*]:-none})"
pids=()
for source in "${sources[@]}"; do
  g++ "${flags[@]}" -c "$repo/$source" -o "$out/obj/$(echo "$source" | tr / _).o" &
  pids+=($!)
  if (( ${#pids[@]} >= jobs )); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
# --no-as-needed keeps torch_cuda linked: it registers the CUDA backend at load time.
g++ "$out"/obj/*.o -o "$out/iris" -L"$lib" -Wl,-rpath,"$lib" -Wl,--no-as-needed \
  "${cuda_libs[@]}" -ltorch -ltorch_cpu -lc10 -Wl,--as-needed -lniftiio -lznz -lz -ldl -lpthread

device="${DEVICE:-cuda}"
if [[ "$device" == cuda ]] && ! { ((${#cuda_libs[@]})) && nvidia-smi -L >/dev/null 2>&1; }; then
  echo "train-gpu.sh: no CUDA LibTorch or no GPU visible; set DEVICE=cpu to train on the CPU" >&2
  exit 3
fi
config="${CONFIG:-$out/train-gpu.config.json}"
if [[ -z "${CONFIG:-}" ]]; then
  # The larger config: 128³ patches, the released widths halved, 2 blocks per stage.
  cat >"$config" <<'JSON'
{
 "model": {"channels": [32, 64, 128, 256, 512], "num_block": [2, 2, 2, 2],
           "num_query_tokens": 10, "patch_size": 128, "tn": 256},
 "dataset_weights": {"msd_hippocampus": 0.6}, "other_weight": 0.25, "max_classes": 5,
 "episodes_per_step": 4, "learning_rate": 0.001, "warmup_fraction": 0.02,
 "ema_decay": 0.999, "memory_bank_moment": 0.99
}
JSON
fi
mkdir -p "$out/run"
# shellcheck disable=SC2086
"$out/iris" train --manifest "$data/manifest.json" --out "$out/run" --device "$device" \
  --steps "${STEPS:-20000}" --config "$config" --spacing 1.0 --crop 128 --threads "$jobs" \
  --checkpoint-every 500 --log-every 50 ${TRAIN_ARGS:-} | tee "$out/run/train.log"
"$out/iris" eval --model "$out/run/model.pt" --manifest "$data/manifest.json" --split val \
  --datasets msd_hippocampus --strategy all --references 3 --threads "$jobs" --device "$device" \
  --json "$out/eval.json" --markdown "$out/eval.md"
echo "Wrote $out/run/model.pt, $out/eval.json and $out/eval.md"
