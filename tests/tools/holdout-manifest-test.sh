#!/usr/bin/env bash
# scripts/lib/holdout-manifest.py on the shared manifest: the held-out cases come from the train
# split by the fixed rule, the val cases are hidden from both training and selection, paths stay
# valid, the output is the same on every run, and an impossible request fails with a reason.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
manifest="${IRIS_SHARED_DIR:-$repo/../shared}/data/manifest.json"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
script="$repo/scripts/lib/holdout-manifest.py"

/usr/bin/python3 "$script" "$manifest" "$work/a.json"
/usr/bin/python3 "$script" "$manifest" "$work/b.json"
cmp "$work/a.json" "$work/b.json"

/usr/bin/python3 - "$manifest" "$work/a.json" <<'PY'
import json, os, sys
with open(sys.argv[1]) as file:
    original = {e["id"]: e for e in json.load(file)["entries"]}
with open(sys.argv[2]) as file:
    copy = json.load(file)
split = {e["id"]: e.get("split") for e in copy["entries"]}
hippocampus = lambda s: sorted(i for i, e in original.items()
                               if e["dataset"] == "msd_hippocampus" and e.get("split") == s)
train, val = hippocampus("train"), hippocampus("val")
expected = sorted(train[(k * len(train)) // 20 + 3] for k in range(20))
assert copy["held_out"] == expected, copy["held_out"]
assert sorted(i for i, s in split.items() if s == "val") == expected
assert sorted(i for i, s in split.items() if s == "test") == val, "val cases must become test"
assert sorted(i for i, s in split.items() if s == "train") == sorted(set(train) - set(expected))
for entry in copy["entries"]:
    if entry["id"] not in original:
        raise AssertionError(f"unknown case {entry['id']}")
    if entry.get("split") is None:
        assert original[entry["id"]].get("split") is None, entry["id"]
    for key in ("image", "label"):
        assert os.path.isabs(entry[key]) and os.path.exists(entry[key]), entry[key]
print(f"held out {len(expected)} of {len(train)} train cases; {len(val)} val cases hidden")
PY

if /usr/bin/python3 "$script" "$manifest" "$work/c.json" --count 150 2> "$work/error.txt"; then
  echo "holding out 150 of 200 cases should fail" >&2
  exit 1
fi
grep -q "too few to hold out 150" "$work/error.txt"
[[ ! -e "$work/c.json" ]]
echo "holdout-manifest: ok"
