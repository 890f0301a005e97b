# Sourced by the demo and viewer scripts: runs a private Orthanc with the Iris plugin on
# 127.0.0.1, in a temporary folder, on free ports, with authentication on.
#   orthanc_start [extra-config-json]   sets ORTHANC_URL ORTHANC_DICOM_PORT ORTHANC_USER
#                                       ORTHANC_PASSWORD ORTHANC_PID ORTHANC_DIR
#   orthanc_stop                        stops it by PID and removes the folder
# Needs: root, build_dir.

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

orthanc_start() {
  local extra=${1:-"{}"}
  ORTHANC_DIR=$(mktemp -d "${TMPDIR:-/tmp}/iris-orthanc-XXXXXX")
  ORTHANC_USER=iris
  ORTHANC_PASSWORD=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
  local http_port dicom_port
  http_port=$(free_port)
  dicom_port=$(free_port)
  ORTHANC_DICOM_PORT=$dicom_port
  ORTHANC_URL="http://127.0.0.1:$http_port"
  /usr/bin/python3 - "$ORTHANC_DIR/orthanc.json" "$extra" <<PY
import json, sys
config = {
    "Name": "IrisDemo",
    "StorageDirectory": "$ORTHANC_DIR/storage",
    "IndexDirectory": "$ORTHANC_DIR/storage",
    "HttpPort": $http_port,
    "DicomPort": $dicom_port,
    "DicomAet": "ORTHANC",
    "RemoteAccessAllowed": False,
    "AuthenticationEnabled": True,
    "RegisteredUsers": {"$ORTHANC_USER": "$ORTHANC_PASSWORD"},
    "StableAge": 2,
    "UserMetadata": {"IrisStatus": 1024},
    "Plugins": ["$build_dir/OrthancPlugin/libOrthancIris.so"],
    "Iris": {"DatabasePath": "$ORTHANC_DIR/storage/iris.sqlite",
             "ModelPath": "$root/models/iris-default.pt"},
}
def merge(base, patch):
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value
merge(config, json.loads(sys.argv[2]))
json.dump(config, open(sys.argv[1], "w"), indent=2)
PY
  /usr/sbin/Orthanc "$ORTHANC_DIR/orthanc.json" >"$ORTHANC_DIR/orthanc.log" 2>&1 &
  ORTHANC_PID=$!
  local waited=0
  until curl -sf -u "$ORTHANC_USER:$ORTHANC_PASSWORD" "$ORTHANC_URL/system" >/dev/null; do
    if ! kill -0 "$ORTHANC_PID" 2>/dev/null; then
      echo "Orthanc exited during start-up; its log:" >&2
      tail -n 30 "$ORTHANC_DIR/orthanc.log" >&2
      return 1
    fi
    if [ "$waited" -ge 600 ]; then
      echo "Orthanc did not answer within 60 s" >&2
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

orthanc_stop() {
  if [ -n "${ORTHANC_PID:-}" ] && kill -0 "$ORTHANC_PID" 2>/dev/null; then
    kill "$ORTHANC_PID"
    wait "$ORTHANC_PID" 2>/dev/null || true
  fi
  ORTHANC_PID=
  if [ -n "${ORTHANC_DIR:-}" ]; then
    rm -rf "$ORTHANC_DIR"
  fi
}

orthanc_get() {
  curl -sf -u "$ORTHANC_USER:$ORTHANC_PASSWORD" "$ORTHANC_URL$1"
}
