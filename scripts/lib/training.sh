# Sourced by the scripts that train the default model's recipe (train-default.sh and
# train-budget.sh): what every run shares. Needs: repo and OUT. Sets the
# defaults of DATA (shared data folder, ../shared/data next to the checkout), THREADS (2) and
# SEED (1).
#   build_iris <source folder>      builds its iris (Release); prints the binary's path
#   resume_flag                     prints --resume once $OUT holds a saved state
#   steps_done                      prints the steps of $OUT's saved state (0 without one)
#   set_training_flags <manifest>   sets the array training_flags: data, seed, crop, logging
#   export_float16 <model> <out>    writes the model as the shipped checkpoint format
#   prepare_held_out_run            sets IRIS (built unless given) and training_flags for a copy
#                                   of the manifest, $OUT/selection-manifest.json, that holds out
#                                   20 msd_hippocampus train cases (scripts/lib/holdout-manifest.py)
#   score_held_out <model> <prefix> scores the model on those cases (one-shot with 5 references,
#                                   memory bank) into <prefix>.json and <prefix>.md
DATA="${DATA:-$repo/../shared/data}"
THREADS="${THREADS:-2}"
SEED="${SEED:-1}"

build_iris() {
  cmake -S "$1" -B "$1/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$1/build-release" -j "$THREADS" iris >&2
  echo "$1/build-release/tools/iris"
}

resume_flag() { [[ -f "$OUT/state/trainer.json" ]] && echo --resume || true; }

steps_done() {
  [[ -f "$OUT/state/trainer.json" ]] &&
    sed -n 's/^ *"step": *\([0-9]*\).*/\1/p' "$OUT/state/trainer.json" || echo 0
}

set_training_flags() {
  training_flags=(--manifest "$1" --out "$OUT" --seed "$SEED" --threads "$THREADS"
    --checkpoint-every 50 --log-every 10 --spacing 1.0 --crop 48
    --datasets msd_hippocampus,sct_spinalcord,sts_sarcoma,mricron_colin27,itksnap_mricrop)
}

# float16 storage keeps the shipped file under 50 MB; the loader widens it to float32.
export_float16() { "$IRIS" import-checkpoint "$1" "$2" --precision float16; }

prepare_held_out_run() {
  if [[ -z "${IRIS:-}" ]]; then
    IRIS="$(build_iris "$repo")"
  fi
  mkdir -p "$OUT"
  selection_manifest="$OUT/selection-manifest.json"
  /usr/bin/python3 "$repo/scripts/lib/holdout-manifest.py" "$DATA/manifest.json" \
    "$selection_manifest"
  set_training_flags "$selection_manifest"
}

# A reference that fails pulls the one-shot mean down, so several are scored.
score_held_out() {
  [[ -f "$2.json" ]] && return
  "$IRIS" eval --model "$1" --manifest "$selection_manifest" --split val \
    --datasets msd_hippocampus --strategy one-shot,memory-bank --references 5 \
    --threads "$THREADS" --json "$2.json.partial" --markdown "$2.md"
  mv "$2.json.partial" "$2.json"
}
