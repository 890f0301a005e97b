# Sourced by the demo, the viewer script and the browser test: the demo's hippocampus task (three
# bundled reference cases, two coloured classes) and its held-out query case.
#   demo_task_config            prints the Orthanc configuration fragment that declares the task
#   demo_send_query <folder>    writes the query case as a DICOM MR series into <folder> and
#                               sends it to Orthanc with storescu
#   demo_wait_for_seg           waits up to 300 s for the plugin's SEG of the first series; sets
#                               DEMO_SERIES and DEMO_SEG_SERIES, or says why and returns 1
# Needs: root, iris (the CLI), model, and orthanc.sh's variables.

demo_data=$root/config/demo

demo_task_config() {
  cat <<JSON
{
 "Iris": {"ModelPath": "$model",
          "Tasks": [{
   "id": "hippocampus",
   "description": "Hippocampus (anterior and posterior) on T1 MR, by example",
   "match": {"Modality": "MR"},
   "strategy": "ensemble",
   "classes": [
     {"name": "Hippocampus anterior", "colour": [230, 25, 75]},
     {"name": "Hippocampus posterior", "colour": [60, 180, 75]}],
   "references": [
     {"image": "$demo_data/reference-001-image.nii.gz", "labels": "$demo_data/reference-001-labels.nii.gz",
      "classes": {"Hippocampus anterior": 1, "Hippocampus posterior": 2}},
     {"image": "$demo_data/reference-003-image.nii.gz", "labels": "$demo_data/reference-003-labels.nii.gz",
      "classes": {"Hippocampus anterior": 1, "Hippocampus posterior": 2}},
     {"image": "$demo_data/reference-004-image.nii.gz", "labels": "$demo_data/reference-004-labels.nii.gz",
      "classes": {"Hippocampus anterior": 1, "Hippocampus posterior": 2}}]}]}}
JSON
}

demo_send_query() {
  local folder=$1
  "$iris" nifti2dicom "$demo_data/query-015-image.nii.gz" "$folder" --modality MR >/dev/null || return 1
  storescu -aec ORTHANC 127.0.0.1 "$ORTHANC_DICOM_PORT" "$folder"/* || {
    echo "storescu could not send the series" >&2
    return 1
  }
}

demo_wait_for_seg() {
  local status=""
  DEMO_SERIES=$(orthanc_get /series | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)[0])')
  for _ in $(seq 1 600); do
    status=$(orthanc_get "/series/$DEMO_SERIES/metadata/IrisStatus" 2>/dev/null || true)
    case "$status" in
      done*) DEMO_SEG_SERIES=${status#done: }; return 0 ;;
      failed*) echo "the job failed: $status" >&2; return 1 ;;
    esac
    sleep 0.5
  done
  echo "no SEG after 300 s (status: ${status:-none})" >&2
  return 1
}
