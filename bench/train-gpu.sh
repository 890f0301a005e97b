#!/usr/bin/env bash
# Trains Iris on an NVIDIA GPU for a given wall-clock budget, then evaluates it on the hippocampus
# val split exactly as the model card evaluates the shipped model. Builds the inference library
# (network, pipeline, training) and a torch-only `iris` CLI (train, eval, import-checkpoint)
# against the machine's LibTorch with g++ alone, as bench/gpu.sh does: no CMake, no CUDA
# toolkit, no DCMTK (bench/TrainGpuMain.cpp leaves out the DICOM subcommands).
#
# Usage: bench/train-gpu.sh [LIBTORCH_DIR]      (or LIBTORCH=... bench/train-gpu.sh)
#   LIBTORCH_DIR: an unpacked libtorch or a Python torch package directory (site-packages/torch).
# Needs: g++ (C++17), libnifti2-dev or libnifti-dev (nifti1_io.h, -lniftiio -lznz), zlib,
# nlohmann/json.hpp ($NLOHMANN_JSON_INCLUDE, the LibTorch include folder or /usr/include).
# Environment:
#   CONFIG   training JSON; default $OUT/train-gpu.config.json, written from the shipped model's
#            final recipe (models/iris-default.finetune.config.json) with 4 episodes per step, so
#            its weights fit models/ (50 MB) and it segments on the CPU as fast as the shipped
#            model. bench/train-gpu.wide.config.json
#            is a wider network at 128³ (with CROP=128), whose weights are too large to ship.
#   STEPS    steps to train; default: as many as TRAIN_SECONDS allow at the rate a 40-step probe
#            measures (steps 20-40, after cuDNN's autotuning), schedule included.
#   TRAIN_SECONDS  training budget (default 3600); FINISH_BY (epoch seconds), when set, caps it so
#            that training ends EVAL_RESERVE seconds (default 150) before then.
#   IRIS     an `iris` already built (this script's earlier build, or the CMake one): no build.
#   CROP (default: the config's patch size), DATA (shared data, default <repo>/../shared/data),
#   OUT (default build-train-gpu), DEVICE (default cuda), TRAIN_ARGS (extra `iris train`
#   arguments; default: the final recipe's --synthetic-ratio 0.35 --seed 1),
#   LIBTORCH_INCLUDE/LIBTORCH_LIB.
# Output: $OUT/run/ (model.pt, train.log), $OUT/iris-gpu.pt (float16, as models/ ships),
# $OUT/eval.json, $OUT/eval.md.
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

iris="${IRIS:-}"
if [[ -z "$iris" ]]; then
  mkdir -p "$out/generated/iris"
  version="$(sed -n 's/^project([^)]*VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt" | head -1)"
  sed "s/@PROJECT_VERSION@/${version:-0}/" "$repo/cmake/Version.h.in" >"$out/generated/iris/Version.h"
  flags+=(-I"$out/generated")
  cd "$repo"
  sources=(inference/*.cpp inference/modules/*.cpp inference/training/*.cpp dicom/Nifti.cpp
    dicom/Volume.cpp tools/CommandLine.cpp tools/NetworkCommands.cpp tools/TrainingCommands.cpp
    bench/TrainGpuMain.cpp)
  libtorch_compile "$out/obj" "${sources[@]}"
  libtorch_link "$out/obj" "$out/iris" -lniftiio -lznz -lz
  iris="$out/iris"
fi
jobs="$(nproc)"

device="${DEVICE:-cuda}"
if [[ "$device" == cuda ]] && ! { ((${#cuda_libs[@]})) && nvidia-smi -L >/dev/null 2>&1; }; then
  echo "train-gpu.sh: no CUDA LibTorch or no GPU visible; set DEVICE=cpu to train on the CPU" >&2
  exit 3
fi
config="${CONFIG:-}"
if [[ -z "$config" ]]; then
  # The final recipe, 4 episodes per step: derived, so it cannot drift from the shipped recipe.
  recipe="$repo/models/iris-default.finetune.config.json"
  config="$out/train-gpu.config.json"
  mkdir -p "$out"
  sed 's/"episodes_per_step": 1,/"episodes_per_step": 4,/' "$recipe" >"$config"
  if ! grep -q '"episodes_per_step": 4,' "$config"; then
    echo "train-gpu.sh: $recipe has no \"episodes_per_step\": 1 to raise to 4" >&2
    exit 2
  fi
fi
# shellcheck disable=SC2206
train_args=(${TRAIN_ARGS:---synthetic-ratio 0.35 --seed 1})
train() { # OUT_DIR STEPS LOG_EVERY
  "$iris" train --manifest "$data/manifest.json" --out "$1" --device "$device" --steps "$2" \
    --config "$config" --spacing 1.0 ${CROP:+--crop "$CROP"} --threads "$jobs" \
    --checkpoint-every 500 --log-every "$3" "${train_args[@]}"
}
steps="${STEPS:-}"
if [[ -z "$steps" ]]; then
  rm -rf "$out/probe"
  train "$out/probe" 40 20 | tee "$out/probe.log"
  rate="$(sed -n 's|^step 40/40  \([0-9.]*\) steps/s.*|\1|p' "$out/probe.log")"
  if [[ -z "$rate" ]]; then
    echo "train-gpu.sh: no 'step 40/40 ... steps/s' line in $out/probe.log; set STEPS" >&2
    exit 4
  fi
  seconds="${TRAIN_SECONDS:-3600}"
  if [[ -n "${FINISH_BY:-}" ]]; then
    left=$((FINISH_BY - $(date +%s) - ${EVAL_RESERVE:-150}))
    seconds=$((left < seconds ? left : seconds))
  fi
  # The real run loads its data again (as long as the probe did before its first step).
  steps="$(awk -v r="$rate" -v s="$seconds" 'BEGIN { n = int(r * s * 0.95 / 50) * 50; print (n < 100 ? 100 : n) }')"
  echo "probe: $rate steps/s; training $steps steps in about $seconds s"
fi
mkdir -p "$out/run"
train "$out/run" "$steps" 50 | tee "$out/run/train.log"
"$iris" import-checkpoint "$out/run/model.pt" "$out/iris-gpu.pt" --precision float16
"$iris" eval --model "$out/iris-gpu.pt" --manifest "$data/manifest.json" --split val \
  --datasets msd_hippocampus --strategy all --references 3 --ensemble-references 5 \
  --tuning-references 3 --tuning-cases 3 --threads "$jobs" --device "$device" \
  --json "$out/eval.json" --markdown "$out/eval.md"
echo "Wrote $out/iris-gpu.pt, $out/eval.json and $out/eval.md"
