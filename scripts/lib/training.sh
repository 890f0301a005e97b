# Sourced by scripts/train-default.sh and scripts/train-budget.sh: what every run of the default
# model's recipe shares. Needs: repo and OUT. Sets the defaults of DATA (shared data folder,
# ../shared/data next to the checkout), THREADS (2) and SEED (1).
#   build_iris <source folder>      builds its iris (Release); prints the binary's path
#   resume_flag                     prints --resume once $OUT holds a saved state
#   set_training_flags <manifest>   sets the array training_flags: data, seed, crop, logging
#   export_float16 <model> <out>    writes the model as the shipped checkpoint format
DATA="${DATA:-$repo/../shared/data}"
THREADS="${THREADS:-2}"
SEED="${SEED:-1}"

build_iris() {
  cmake -S "$1" -B "$1/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$1/build-release" -j "$THREADS" iris >&2
  echo "$1/build-release/tools/iris"
}

resume_flag() { [[ -f "$OUT/state/trainer.json" ]] && echo --resume || true; }

set_training_flags() {
  training_flags=(--manifest "$1" --out "$OUT" --seed "$SEED" --threads "$THREADS"
    --checkpoint-every 50 --log-every 10 --spacing 1.0 --crop 48
    --datasets msd_hippocampus,sct_spinalcord,sts_sarcoma,mricron_colin27,itksnap_mricrop)
}

# float16 storage keeps the shipped file under 50 MB; the loader widens it to float32.
export_float16() { "$IRIS" import-checkpoint "$1" "$2" --precision float16; }
