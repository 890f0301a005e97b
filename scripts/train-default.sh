#!/usr/bin/env bash
# Trains the shipped default model (models/iris-default.pt) on the CPU, from a clean checkout:
#   scripts/train-default.sh            # builds build-release/tools/iris, then trains (~1 h 40 min)
# Environment: DATA (shared data folder, default ../shared/data next to the checkout),
# OUT (run folder, default train-run), IRIS (a prebuilt iris binary: skips the build),
# THREADS (default 2), SEED (default 1). An interrupted run continues bit-identically when the
# same command is re-run with --resume added (iris train).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${DATA:-$repo/../shared/data}"
OUT="${OUT:-$repo/train-run}"
THREADS="${THREADS:-2}"
SEED="${SEED:-1}"
if [[ -z "${IRIS:-}" ]]; then
  cmake -S "$repo" -B "$repo/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$repo/build-release" -j "$THREADS" iris
  IRIS="$repo/build-release/tools/iris"
fi
mkdir -p "$OUT"
"$IRIS" train --manifest "$DATA/manifest.json" --out "$OUT" --seed "$SEED" --threads "$THREADS" \
  --checkpoint-every 50 --log-every 10 --spacing 1.0 --crop 48 --synthetic-ratio 0.1 \
  --datasets msd_hippocampus,sct_spinalcord,sts_sarcoma,mricron_colin27,itksnap_mricrop \
  --config "$repo/models/iris-default.config.json" --steps 2500
# float16 storage keeps the shipped file under 50 MB; the loader widens it to float32.
"$IRIS" import-checkpoint "$OUT/model.pt" "$OUT/iris-default.pt" --precision float16
echo "Wrote $OUT/iris-default.pt"
