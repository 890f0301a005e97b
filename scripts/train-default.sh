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
OUT="${OUT:-$repo/train-run}"
source "$repo/scripts/lib/training.sh"
readonly stage1Commit=5f0f083

if [[ -z "${IRIS:-}" ]]; then
  IRIS="$(build_iris "$repo")"
fi
mkdir -p "$OUT"
stepsDone() { [[ -f "$OUT/state/trainer.json" ]] && sed -n 's/^ *"step": *\([0-9]*\).*/\1/p' "$OUT/state/trainer.json" || echo 0; }
set_training_flags "$DATA/manifest.json"

if (($(stepsDone) < 2500)); then
  if [[ -z "${IRIS_STAGE1:-}" ]]; then
    source1="$OUT/stage1-source"
    if [[ ! -d "$source1" ]]; then
      mkdir -p "$source1"
      git -C "$repo" archive "$stage1Commit" | tar -x -C "$source1"
    fi
    IRIS_STAGE1="$(build_iris "$source1")"
  fi
  "$IRIS_STAGE1" train "${training_flags[@]}" $(resume_flag) --synthetic-ratio 0.1 \
    --config "$repo/models/iris-default.config.json" --steps 2500
fi
if (($(stepsDone) < 3000)); then
  "$IRIS" train "${training_flags[@]}" --resume --synthetic-ratio 0.35 \
    --config "$repo/models/iris-default.config.json" --steps 4300 --stop-at 3000
fi
"$IRIS" train "${training_flags[@]}" --resume --synthetic-ratio 0.35 \
  --config "$repo/models/iris-default.finetune.config.json" --steps 4000
export_float16 "$OUT/model.pt" "$OUT/iris-default.pt"
echo "Wrote $OUT/iris-default.pt"
