#!/usr/bin/env bash
# Shows Iris results in OHIF v3 (the pinned npm package @ohif/app, see scripts/viewer/), served on
# 127.0.0.1 by a small Node server that proxies /dicom-web to Orthanc's DICOMweb plugin.
#   scripts/viewer.sh [--port N]
#       The demo, viewed: installs what is missing, builds, starts a private Orthanc with the
#       Iris and DICOMweb plugins, sends the demo's held-out MR series, waits for its DICOM-SEG
#       and prints the OHIF address of the study. Runs until Ctrl-C, then leaves nothing behind.
#   scripts/viewer.sh --orthanc URL [--port N]
#       Serves OHIF for an Orthanc that already runs with the DICOMweb plugin (credentials from
#       ORTHANC_USER and ORTHANC_PASSWORD), e.g. the one of docker/compose.yml.
# The port defaults to 3000 (IRIS_VIEWER_PORT); 0 picks a free one.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${IRIS_BUILD_DIR:-$root/build}
port=${IRIS_VIEWER_PORT:-3000}
orthanc_url=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=${2:?--port needs a number}; shift 2 ;;
    --orthanc) orthanc_url=${2:?--orthanc needs a URL}; shift 2 ;;
    *) echo "usage: scripts/viewer.sh [--orthanc URL] [--port N]" >&2; exit 2 ;;
  esac
done

# shellcheck source=lib/npm.sh
source "$root/scripts/lib/npm.sh"
# shellcheck source=lib/orthanc.sh
source "$root/scripts/lib/orthanc.sh"
# shellcheck source=lib/viewer.sh
source "$root/scripts/lib/viewer.sh"

log() { printf '[viewer] %s\n' "$*" >&2; }
fail() {
  log "FAILED: $*"
  exit 1
}

work=""
cleanup() {
  viewer_stop
  if [ -z "$orthanc_url" ]; then
    orthanc_stop
  fi
  if [ -n "$work" ]; then
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 0' INT TERM

if [ -n "$orthanc_url" ]; then
  ORTHANC_URL=${orthanc_url%/}
  ORTHANC_USER=${ORTHANC_USER:-}
  ORTHANC_PASSWORD=${ORTHANC_PASSWORD:-}
  log "installing OHIF (npm ci, cached after the first run)"
  viewer_install || fail "OHIF could not be installed"
  viewer_start "$port" || fail "the viewer could not start on port $port"
  log "OHIF for $ORTHANC_URL: open $VIEWER_URL/ (Ctrl-C stops it)"
else
  "$root/scripts/setup.sh"
  iris=$build_dir/tools/iris
  model=${IRIS_MODEL:-$root/models/iris-default.pt}
  # shellcheck source=lib/demo-case.sh
  source "$root/scripts/lib/demo-case.sh"
  log "installing OHIF (npm ci, cached after the first run)"
  viewer_install || fail "OHIF could not be installed"
  work=$(mktemp -d "${TMPDIR:-/tmp}/iris-viewer-XXXXXX")
  orthanc_start "$(viewer_orthanc_config "$(demo_task_config)")" || fail "Orthanc did not start"
  log "Orthanc with the Iris and DICOMweb plugins at $ORTHANC_URL ($ORTHANC_USER / $ORTHANC_PASSWORD)"
  log "sending the demo's MR series; the SEG takes about a minute on 2 CPU cores"
  demo_send_query "$work/query" >/dev/null || fail "the demo series could not be sent"
  demo_wait_for_seg || fail "no SEG"
  viewer_start "$port" || fail "the viewer could not start on port $port"
  log "SEG stored. Open $(viewer_study_url "$DEMO_SERIES")"
  log "then click the SEG thumbnail in the study panel to load it (Ctrl-C stops everything)"
fi
wait "$VIEWER_PID"
