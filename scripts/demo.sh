#!/usr/bin/env bash
# The main job, from a fresh Debian bookworm machine: installs what is missing, builds, starts
# Orthanc with the Iris plugin and a hippocampus task (the shipped model plus three bundled
# reference cases), sends an MR series it has never seen with storescu, waits for the DICOM-SEG
# the plugin stores in the same study, validates it with dciodvfy, prints its Dice against the
# known label and writes a PNG montage of the SEG over the image.
#   scripts/demo.sh [--keep]    --keep leaves Orthanc running and prints how to reach it
# Exit 0 on success; nothing is left running unless --keep.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${IRIS_BUILD_DIR:-$root/build}
output_dir=${IRIS_DEMO_OUTPUT:-$build_dir/demo}
keep=0
case "${1:-}" in
  --keep) keep=1 ;;
  "") ;;
  *) echo "usage: scripts/demo.sh [--keep]" >&2; exit 2 ;;
esac

"$root/scripts/setup.sh"
iris=$build_dir/tools/iris
model=${IRIS_MODEL:-$root/models/iris-default.pt} # IRIS_MODEL: demo another checkpoint
if [ ! -f "$model" ]; then
  echo "[demo] the model $model is missing" >&2
  exit 1
fi

# shellcheck source=lib/orthanc.sh
source "$root/scripts/lib/orthanc.sh"
# shellcheck source=lib/demo-case.sh
source "$root/scripts/lib/demo-case.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/iris-demo-XXXXXX")
cleanup() {
  rm -rf "$work"
  if [ "$keep" -eq 0 ]; then
    orthanc_stop
  fi
}
trap cleanup EXIT

fail() {
  echo "[demo] FAILED: $*" >&2
  if [ -n "${ORTHANC_DIR:-}" ] && [ -f "$ORTHANC_DIR/orthanc.log" ]; then
    echo "[demo] the plugin's job log:" >&2
    grep "job=" "$ORTHANC_DIR/orthanc.log" | tail -n 15 >&2 || true
  fi
  exit 1
}

json_field() { # json_field <python expression on `d`>, reads JSON on stdin
  /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"
}

task=$(demo_task_config)
orthanc_start "$task"
echo "[demo] Orthanc $(orthanc_get /system | json_field 'd["Version"]') with the Iris plugin at $ORTHANC_URL"
orthanc_get /iris/health | json_field '"[demo] plugin: " + d["status"] + ", device " + str(d.get("device"))'

# The query: a held-out (validation) case, written as a DICOM MR series.
echo "[demo] sending the MR series with storescu"
demo_send_query "$work/query" || fail "the query series could not be written or sent"
sent=$(date +%s.%N)

demo_wait_for_seg || fail "no SEG"
elapsed=$(/usr/bin/python3 -c "import time; print(f'{time.time() - $sent:.1f}')")
seg_series=$DEMO_SEG_SERIES
seg_instance=$(orthanc_get "/series/$seg_series" | json_field 'd["Instances"][0]')
echo "[demo] SEG stored $elapsed s after sending (StableAge 2 s included): series $seg_series"
orthanc_get "/instances/$seg_instance/file" >"$work/seg.dcm"

errors=$(dciodvfy -new "$work/seg.dcm" 2>&1 | grep -c '^Error' || true)
[ "$errors" -eq 0 ] || fail "dciodvfy reports $errors error(s): $(dciodvfy -new "$work/seg.dcm" 2>&1 | grep '^Error' | head -3)"
echo "[demo] dciodvfy: 0 errors"

"$iris" dice "$demo_data/query-015-labels.nii.gz" "$work/seg.dcm" --series "$work/query" \
  --json "$work/dice.json" | sed 's/^/[demo] /'
parts=$(json_field 'd["mean_dice"]' <"$work/dice.json")
mkdir -p "$output_dir"
"$iris" montage "$work/query" "$work/seg.dcm" "$output_dir/hippocampus-seg.png" >/dev/null
echo "[demo] montage of the SEG over the image: $output_dir/hippocampus-seg.png"
# A sanity floor on the mean Dice of the two parts: below what the model reaches (about 0.86,
# models/README.md), above a model that finds the hippocampus but ignores which part its
# reference marks (about 0.4) and far above a broken pipeline (about 0.05).
/usr/bin/python3 -c "import sys; sys.exit(0 if $parts >= 0.7 else 1)" ||
  fail "the mean Dice of the hippocampus parts, $parts, is below 0.7: the model or the pipeline is broken"

if [ "$keep" -eq 1 ]; then
  echo "[demo] Orthanc stays up (PID $ORTHANC_PID, folder $ORTHANC_DIR)."
  echo "[demo] Open $ORTHANC_URL/app/explorer.html#series?uuid=$seg_series as $ORTHANC_USER / $ORTHANC_PASSWORD"
  echo "[demo] Stop it with: kill $ORTHANC_PID && rm -rf $ORTHANC_DIR"
fi
echo "[demo] OK"
