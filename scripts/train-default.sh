#!/usr/bin/env bash
# Trains the shipped default model (models/iris-default.pt) on the CPU, from a clean checkout:
#   scripts/train-default.sh            # builds build-release/tools/iris, then trains
# Environment: DATA (shared data folder, default ../shared/data next to the checkout),
# OUT (run folder, default train-run), IRIS (a prebuilt iris binary: skips the build),
# STEPS (default 1200: ~70 min on 2 shared cores), THREADS (default 2), SEED (default 1).
# Re-running with RESUME=1 continues an interrupted run bit-identically from its last state.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${DATA:-$repo/../shared/data}"
OUT="${OUT:-$repo/train-run}"
STEPS="${STEPS:-1200}"
THREADS="${THREADS:-2}"
SEED="${SEED:-1}"
if [[ -z "${IRIS:-}" ]]; then
  cmake -S "$repo" -B "$repo/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$repo/build-release" -j "$THREADS" iris
  IRIS="$repo/build-release/tools/iris"
fi
mkdir -p "$OUT"
args=(train --manifest "$DATA/manifest.json" --out "$OUT" --steps "$STEPS" --seed "$SEED"
  --threads "$THREADS" --checkpoint-every 100 --log-every 10 --spacing 1.0 --crop 48
  --synthetic-ratio 0.15
  --datasets msd_hippocampus,sct_spinalcord,sts_sarcoma,mricron_colin27,itksnap_mricrop
  --config "$repo/models/iris-default.config.json")
if [[ "${RESUME:-0}" == 1 ]]; then
  args+=(--resume)
fi
"$IRIS" "${args[@]}"
