# Sourced by the viewer script and the browser test: the pinned OHIF build, Orthanc's DICOMweb
# plugin and the small server that joins them (scripts/viewer/server.mjs), all on 127.0.0.1.
#   viewer_orthanc_config [json]  prints the Orthanc configuration fragment that loads the Iris
#                                 and DICOMweb plugins (SeriesMetadata "Full"), added to json
#   viewer_install                checks the DICOMweb plugin is there, npm ci of scripts/viewer
#                                 (OHIF) into $build_dir/viewer; sets VIEWER_DIST, OHIF's folder
#   viewer_start [port]           serves VIEWER_DIST and proxies /dicom-web to ORTHANC_URL with
#                                 ORTHANC_USER and ORTHANC_PASSWORD; sets VIEWER_URL VIEWER_PID
#                                 (its output goes to VIEWER_LOG)
#   viewer_stop                   stops it by PID, removes its log
#   viewer_study_url <series id>  prints the OHIF address of that Orthanc series' study
# Needs: root, build_dir; npm.sh; orthanc.sh's variables for viewer_start.

dicomweb_plugin=${IRIS_DICOMWEB_PLUGIN:-/usr/share/orthanc/plugins/libOrthancDicomWeb.so}

viewer_orthanc_config() {
  /usr/bin/python3 -c 'import json, sys
config = json.loads(sys.argv[1])
config.update({"Plugins": [sys.argv[2], sys.argv[3]],
               "DicomWeb": {"Enable": True, "Root": "/dicom-web/", "SeriesMetadata": "Full",
                            "StudiesMetadata": "Full"}})
print(json.dumps(config))' "${1:-"{}"}" "$build_dir/OrthancPlugin/libOrthancIris.so" "$dicomweb_plugin"
}

viewer_install() {
  if [ ! -f "$dicomweb_plugin" ]; then
    echo "Orthanc's DICOMweb plugin is missing ($dicomweb_plugin): install the Debian package" \
         "orthanc-dicomweb (scripts/setup.sh does)" >&2
    return 1
  fi
  npm_ci_into "$root/scripts/viewer" "$build_dir/viewer" || return 1
  VIEWER_DIST=$build_dir/viewer/node_modules/@ohif/app/dist
  if [ ! -f "$VIEWER_DIST/index.html" ]; then
    echo "the OHIF package has no build at $VIEWER_DIST" >&2
    return 1
  fi
}

viewer_start() {
  local port=${1:-0}
  VIEWER_LOG=$(mktemp "${TMPDIR:-/tmp}/iris-viewer-XXXXXX.log")
  ORTHANC_URL=$ORTHANC_URL ORTHANC_USER=${ORTHANC_USER:-} ORTHANC_PASSWORD=${ORTHANC_PASSWORD:-} \
    node "$root/scripts/viewer/server.mjs" --dist "$VIEWER_DIST" --port "$port" >"$VIEWER_LOG" 2>&1 &
  VIEWER_PID=$!
  VIEWER_URL=""
  for _ in $(seq 1 100); do
    VIEWER_URL=$(sed -n 's/^viewer listening on \(http[^ ]*\)\/$/\1/p' "$VIEWER_LOG")
    [ -n "$VIEWER_URL" ] && break
    if ! kill -0 "$VIEWER_PID" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  if [ -z "$VIEWER_URL" ]; then
    echo "the viewer server did not start; its log:" >&2
    cat "$VIEWER_LOG" >&2
    return 1
  fi
}

viewer_stop() {
  if [ -n "${VIEWER_PID:-}" ] && kill -0 "$VIEWER_PID" 2>/dev/null; then
    kill "$VIEWER_PID"
    wait "$VIEWER_PID" 2>/dev/null || true
  fi
  VIEWER_PID=
  rm -f "${VIEWER_LOG:-}"
}

viewer_study_url() {
  local study
  study=$(orthanc_get "/series/$1/study" |
    /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["MainDicomTags"]["StudyInstanceUID"])') ||
    return 1
  echo "$VIEWER_URL/viewer?StudyInstanceUIDs=$study"
}
