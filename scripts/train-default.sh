#!/usr/bin/env bash
# Trains the shipped default model (models/iris-default.pt) on the CPU from a clone with its git
# history (stage 1 needs an older commit's synthetic-task generator):
#   scripts/train-default.sh     # two builds, then about 2 h 50 min of training on 2 cores
# Three stages in one run folder, each resuming the previous one's state exactly:
#   1. steps 0-2,500 with commit 5f0f083's iris (one class per synthetic task), synthetic 0.1;
#   2. steps 2,500-3,000 with this checkout's iris: multi-class synthetic tasks at 0.35, on a
#      4,300-step schedule (the run that was stopped at 3,000);
#   3. steps 3,000-4,000: the same plus the class-separation loss, the schedule cut to 4,000.
# Re-running after an interruption skips finished stages and resumes the current one.
# Environment: DATA (shared data folder, default ../shared/data next to the checkout), OUT (run
# folder, default train-run), THREADS (default 2), SEED (default 1), IRIS and IRIS_STAGE1
# (prebuilt iris binaries of this checkout and of commit 5f0f083: skip the builds).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${DATA:-$repo/../shared/data}"
OUT="${OUT:-$repo/train-run}"
THREADS="${THREADS:-2}"
SEED="${SEED:-1}"
readonly stage1Commit=5f0f083

build() # source folder -> path of its iris binary
{
  cmake -S "$1" -B "$1/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$1/build-release" -j "$THREADS" iris >&2
  echo "$1/build-release/tools/iris"
}
if [[ -z "${IRIS:-}" ]]; then
  IRIS="$(build "$repo")"
fi
mkdir -p "$OUT"
stepsDone() { [[ -f "$OUT/state/trainer.json" ]] && sed -n 's/^ *"step": *\([0-9]*\).*/\1/p' "$OUT/state/trainer.json" || echo 0; }
resumeFlag() { [[ -f "$OUT/state/trainer.json" ]] && echo --resume || true; }
common=(--manifest "$DATA/manifest.json" --out "$OUT" --seed "$SEED" --threads "$THREADS"
  --checkpoint-every 50 --log-every 10 --spacing 1.0 --crop 48
  --datasets msd_hippocampus,sct_spinalcord,sts_sarcoma,mricron_colin27,itksnap_mricrop)

if (($(stepsDone) < 2500)); then
  if [[ -z "${IRIS_STAGE1:-}" ]]; then
    source1="$OUT/stage1-source"
    if [[ ! -d "$source1" ]]; then
      mkdir -p "$source1"
      git -C "$repo" archive "$stage1Commit" | tar -x -C "$source1"
    fi
    IRIS_STAGE1="$(build "$source1")"
  fi
  "$IRIS_STAGE1" train "${common[@]}" $(resumeFlag) --synthetic-ratio 0.1 \
    --config "$repo/models/iris-default.config.json" --steps 2500
fi
if (($(stepsDone) < 3000)); then
  "$IRIS" train "${common[@]}" --resume --synthetic-ratio 0.35 \
    --config "$repo/models/iris-default.config.json" --steps 4300 --stop-at 3000
fi
"$IRIS" train "${common[@]}" --resume --synthetic-ratio 0.35 \
  --config "$repo/models/iris-default.finetune.config.json" --steps 4000
# float16 storage keeps the shipped file under 50 MB; the loader widens it to float32.
"$IRIS" import-checkpoint "$OUT/model.pt" "$OUT/iris-default.pt" --precision float16
echo "Wrote $OUT/iris-default.pt"
