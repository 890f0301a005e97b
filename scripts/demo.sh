#!/usr/bin/env bash
# The main job, from a fresh Debian bookworm machine: installs what is missing, builds, starts
# Orthanc with the Iris plugin on 127.0.0.1 and shows the plugin's health.
#   scripts/demo.sh [--keep]    --keep leaves Orthanc running and prints how to reach it
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${IRIS_BUILD_DIR:-$root/build}
keep=0
case "${1:-}" in
  --keep) keep=1 ;;
  "") ;;
  *) echo "usage: scripts/demo.sh [--keep]" >&2; exit 2 ;;
esac

"$root/scripts/setup.sh"
# shellcheck source=lib/orthanc.sh
source "$root/scripts/lib/orthanc.sh"
if [ "$keep" -eq 0 ]; then
  trap orthanc_stop EXIT
fi

orthanc_start
echo "[demo] Orthanc $(orthanc_get /system | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["Version"])') with the Iris plugin at $ORTHANC_URL"
echo "[demo] GET /iris/health:"
orthanc_get /iris/health
echo

if [ "$keep" -eq 1 ]; then
  echo "[demo] Orthanc stays up (PID $ORTHANC_PID, folder $ORTHANC_DIR)."
  echo "[demo] Open $ORTHANC_URL/app/explorer.html as $ORTHANC_USER / $ORTHANC_PASSWORD"
  echo "[demo] Stop it with: kill $ORTHANC_PID && rm -rf $ORTHANC_DIR"
fi
