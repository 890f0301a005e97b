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
out="${OUT:-$repo/build-train-gpu}"
data="${DATA:-$repo/../shared/data}"
# shellcheck source=lib/libtorch.sh
source "$repo/bench/lib/libtorch.sh"
libtorch_detect train-gpu.sh "${1:-}"
nifti=""
for candidate in "${NIFTI_INCLUDE:-}" /usr/include/nifti /usr/local/include/nifti; do
  if [[ -n "$candidate" && -f "$candidate/nifti1_io.h" ]]; then nifti="$candidate"; break; fi
done
if [[ -z "$nifti" ]]; then
  echo "train-gpu.sh: nifti1_io.h not found; set NIFTI_INCLUDE" >&2
  exit 2
fi
libtorch_add_system_include "$nifti"

mkdir -p "$out/generated/iris"
version="$(sed -n 's/^project([^)]*VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt" | head -1)"
sed "s/@PROJECT_VERSION@/${version:-0}/" "$repo/cmake/Version.h.in" >"$out/generated/iris/Version.h"
flags+=(-I"$out/generated")
cd "$repo"
sources=(inference/*.cpp inference/modules/*.cpp inference/training/*.cpp dicom/Nifti.cpp
  dicom/Volume.cpp tools/CommandLine.cpp tools/TrainingCommands.cpp bench/TrainGpuMain.cpp)
libtorch_compile "$out/obj" "${sources[@]}"
libtorch_link "$out/obj" "$out/iris" -lniftiio -lznz -lz
jobs="$(nproc)"

device="${DEVICE:-cuda}"
if [[ "$device" == cuda ]] && ! { ((${#cuda_libs[@]})) && nvidia-smi -L >/dev/null 2>&1; }; then
  echo "train-gpu.sh: no CUDA LibTorch or no GPU visible; set DEVICE=cpu to train on the CPU" >&2
  exit 3
fi
config="${CONFIG:-$out/train-gpu.config.json}"
if [[ -z "${CONFIG:-}" ]]; then
  # The larger config: 128³ patches, the released widths halved, 2 blocks per stage, with the
  # trained memory bank and the class-separation loss of the shipped CPU model from step 0.
  cat >"$config" <<'JSON'
{
 "model": {"channels": [32, 64, 128, 256, 512], "num_block": [2, 2, 2, 2],
           "num_query_tokens": 10, "patch_size": 128, "tn": 256},
 "dataset_weights": {"msd_hippocampus": 0.6}, "other_weight": 0.25, "max_classes": 5,
 "episodes_per_step": 4, "learning_rate": 0.001, "warmup_fraction": 0.02,
 "ema_decay": 0.999, "memory_bank_moment": 0.99,
 "bank_episode_probability": 0.5, "bank_alignment_weight": 0.5,
 "class_separation_weight": 1.0, "class_separation_margin": 0.4
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
