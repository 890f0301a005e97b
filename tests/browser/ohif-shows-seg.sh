#!/usr/bin/env bash
# End-to-end browser test (ctest label "browser"): Orthanc with the Iris and DICOMweb plugins
# receives the demo's MR series by C-STORE and stores its SEG; two SEGs "from another tool" whose
# references are missing join the study; OHIF, served by scripts/viewer/server.mjs, shows the
# study in Debian's headless Chromium driven by playwright-core (ohif-shows-seg.mjs), which
# compares OHIF's label map with the SEG as pydicom reads it (seg-voxels.py). Then Orthanc
# Explorer's series page runs the plugin's "Segment with Iris" action (explorer-segments.mjs).
#   tests/browser/ohif-shows-seg.sh <build dir>
# Installs Chromium (apt) and the pinned npm packages when missing. Exits 77, which ctest reports
# as skipped, only when Chromium cannot be installed. Screenshots: <build dir>/tests/browser/artifacts.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=$(cd "${1:?usage: ohif-shows-seg.sh <build dir>}" && pwd)
artifacts=$build_dir/tests/browser/artifacts
chromium=${IRIS_CHROMIUM:-/usr/bin/chromium}
iris=$build_dir/tools/iris
model=${IRIS_MODEL:-$root/models/iris-default.pt}

# shellcheck source=../../scripts/lib/npm.sh
source "$root/scripts/lib/npm.sh"
# shellcheck source=../../scripts/lib/orthanc.sh
source "$root/scripts/lib/orthanc.sh"
# shellcheck source=../../scripts/lib/viewer.sh
source "$root/scripts/lib/viewer.sh"
# shellcheck source=../../scripts/lib/demo-case.sh
source "$root/scripts/lib/demo-case.sh"

log() { printf '[browser] %s\n' "$*"; }
elapsed() { echo "$(($(date +%s) - $1)) s"; }
work=$(mktemp -d "${TMPDIR:-/tmp}/iris-browser-XXXXXX")
cleanup() {
  viewer_stop
  orthanc_stop
  rm -rf "$work"
}
trap cleanup EXIT

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

# Debian's chromium package; apt's lists may be stale on a fresh machine, hence the update.
install_chromium() {
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -q)
  as_root "${apt[@]}" install --no-install-recommends chromium >"$work/apt.log" 2>&1 ||
    { as_root "${apt[@]}" update >>"$work/apt.log" 2>&1 &&
      as_root "${apt[@]}" install --no-install-recommends chromium >>"$work/apt.log" 2>&1; }
}

started=$(date +%s)
if [ ! -x "$chromium" ]; then
  log "installing Debian's chromium"
  if ! install_chromium || [ ! -x "$chromium" ]; then
    echo "SKIP: Chromium cannot be installed, so OHIF was not tested in a browser:" \
         "$(tail -n 2 "$work/apt.log" | tr '\n' ' ')"
    exit 77
  fi
fi
npm_ci_into "$root/tests/browser" "$build_dir/tests/browser/node"
viewer_install
log "Chromium, playwright-core and OHIF ready after $(elapsed "$started")"

started=$(date +%s)
orthanc_start "$(viewer_orthanc_config "$(demo_task_config)")"
demo_send_query "$work/query" >/dev/null
demo_wait_for_seg
log "the plugin stored its SEG $(elapsed "$started") after Orthanc started"

# Two SEGs from "another tool", made from ours: one whose referenced instances are missing, one
# whose referenced series is missing too.
seg_instance=$(orthanc_get "/series/$DEMO_SEG_SERIES" |
  /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["Instances"][0])')
orthanc_get "/instances/$seg_instance/file" >"$work/iris-seg.dcm"
/usr/bin/python3 "$root/tests/browser/seg-with-missing-references.py" \
  "$work/iris-seg.dcm" "$work/missing-instances.dcm" "Other tool: missing references"
/usr/bin/python3 "$root/tests/browser/seg-with-missing-references.py" --series \
  "$work/iris-seg.dcm" "$work/missing-series.dcm" "Other tool: missing series"
for seg in missing-instances missing-series; do
  curl -sf -u "$ORTHANC_USER:$ORTHANC_PASSWORD" --data-binary "@$work/$seg.dcm" \
    "$ORTHANC_URL/instances" >/dev/null
done
# And one that another tool made: dcmqi's liver SEG, without the CT series it references (so
# alone in its study).
foreign_seg=$(curl -sf -u "$ORTHANC_USER:$ORTHANC_PASSWORD" \
  --data-binary "@${IRIS_SHARED_DIR:-$root/../shared}/data/dcmqi_seg/liver.dcm" \
  "$ORTHANC_URL/instances" | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["ParentSeries"])')

/usr/bin/python3 "$root/tests/browser/seg-voxels.py" "$work/iris-seg.dcm" >"$work/iris-seg-voxels.json"

viewer_start 0
# The proxy carries Orthanc's credentials: it answers DICOMweb reads and nothing else.
proxy_status() { curl -s -o /dev/null -w '%{http_code}' --path-as-is "$@"; }
for check in "200 $VIEWER_URL/dicom-web/studies" \
             "400 $VIEWER_URL/dicom-web/../system" \
             "400 $VIEWER_URL/dicom-web/%2e%2e/tools/find" \
             "405 -X DELETE $VIEWER_URL/dicom-web/studies/1.2.3" \
             "405 -X POST $VIEWER_URL/dicom-web/studies"; do
  read -r want args <<<"$check"
  # shellcheck disable=SC2086 # args holds curl's options and the address
  got=$(proxy_status $args)
  if [ "$got" != "$want" ]; then
    log "FAIL: the viewer's proxy answered $got, not $want, to: $args"
    exit 1
  fi
done
log "the viewer's proxy refuses dot segments and writes"
expected=$(demo_task_config | /usr/bin/python3 -c 'import json, sys
task = json.load(sys.stdin)["Iris"]["Tasks"][0]
print(json.dumps([{"label": c["name"], "rgb": c["colour"]} for c in task["classes"]]))')
started=$(date +%s)
set +e
IRIS_STUDY_URL=$(viewer_study_url "$DEMO_SERIES") IRIS_EXPECTED_SEGMENTS=$expected \
  IRIS_FOREIGN_STUDY_URL=$(viewer_study_url "$foreign_seg") \
  IRIS_EXPECTED_VOXELS=$work/iris-seg-voxels.json \
  IRIS_ARTIFACTS=$artifacts IRIS_NODE_MODULES=$build_dir/tests/browser/node/node_modules \
  IRIS_CHROMIUM=$chromium node "$root/tests/browser/ohif-shows-seg.mjs" 2>&1 |
  sed 's/^/[browser] /'
status=${PIPESTATUS[0]}
if [ "$status" -eq 0 ]; then
  # The plugin's Orthanc Explorer actions on the same series (explorer-segments.mjs).
  IRIS_ORTHANC_URL=$ORTHANC_URL IRIS_ORTHANC_USER=$ORTHANC_USER \
    IRIS_ORTHANC_PASSWORD=$ORTHANC_PASSWORD IRIS_SERIES=$DEMO_SERIES IRIS_ARTIFACTS=$artifacts \
    IRIS_NODE_MODULES=$build_dir/tests/browser/node/node_modules IRIS_CHROMIUM=$chromium \
    node "$root/tests/browser/explorer-segments.mjs" 2>&1 | sed 's/^/[browser] /'
  status=${PIPESTATUS[0]}
fi
set -e
log "browser part: $(elapsed "$started"), screenshots in $artifacts"
exit "$status"
