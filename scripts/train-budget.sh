#!/usr/bin/env bash
# Trains a default-model candidate within the 2-hour CPU budget, in one run, and picks its best
# snapshot on held-out train cases, never on the val split:
#   scripts/train-budget.sh      # one build, then about 1 h 45 min of training and 10 min of
#                                # selection on 2 cores
# 1. scripts/lib/holdout-manifest.py holds out 20 msd_hippocampus train cases (a fixed rule)
#    as the selection set; training never sees them, nor the val cases.
# 2. One run of STEPS steps (the final recipe, models/iris-default.finetune.config.json), stopped
#    and resumed exactly at each of SNAPSHOTS to keep those weights (float16, as shipped).
# 3. Each snapshot is scored on the selection set: one-shot with 5 references, and the memory
#    bank. The snapshot with the highest min(one-shot, memory bank) mean Dice wins (ties: the
#    later one) and becomes $OUT/iris-default.pt. Score it on val once, with the card's `iris eval`.
# Re-running after an interruption resumes where it stopped. Environment: DATA (shared data
# folder, default ../shared/data next to the checkout), OUT (run folder, default train-budget),
# THREADS (default 2), SEED (default 1), IRIS (a prebuilt iris of this checkout: skip the build).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-$repo/train-budget}"
source "$repo/scripts/lib/training.sh"
STEPS=3200
SNAPSHOTS=(2800 3000 3200)
SYNTHETIC_RATIO=0.25

prepare_held_out_run
mkdir -p "$OUT/snapshots"

for stop in "${SNAPSHOTS[@]}"; do
  snapshot="$OUT/snapshots/step-$stop.pt"
  [[ -f "$snapshot" ]] && continue
  "$IRIS" train "${training_flags[@]}" $(resume_flag) --synthetic-ratio "$SYNTHETIC_RATIO" \
    --config "$repo/models/iris-default.finetune.config.json" --steps "$STEPS" --stop-at "$stop"
  export_float16 "$OUT/model.pt" "$snapshot.partial"
  mv "$snapshot.partial" "$snapshot"
done

for stop in "${SNAPSHOTS[@]}"; do
  score_held_out "$OUT/snapshots/step-$stop.pt" "$OUT/snapshots/step-$stop.selection"
done

chosen=$(/usr/bin/python3 - "$OUT/snapshots" "${SNAPSHOTS[@]}" <<'PY'
import json, sys
folder, steps = sys.argv[1], sys.argv[2:]
best = None
for step in steps:
    with open(f"{folder}/step-{step}.selection.json") as file:
        results = {r["strategy"]: r["dice_mean"] for r in json.load(file)["results"]}
    score = min(results["one-shot"], results["memory-bank"])
    print(f"step {step}: one-shot {results['one-shot']:.3f}, memory bank "
          f"{results['memory-bank']:.3f}, score {score:.3f}", file=sys.stderr)
    if best is None or score >= best[0]:
        best = (score, step)
print(best[1])
PY
)
cp "$OUT/snapshots/step-$chosen.pt" "$OUT/iris-default.pt"
echo "Chose step $chosen; wrote $OUT/iris-default.pt"
