#!/usr/bin/env python3
"""Writes a copy of a manifest that holds out part of one dataset's train split for model selection.

  holdout-manifest.py <manifest.json> <out.json> [--dataset msd_hippocampus] [--count 20]

The held-out ("dev") cases follow a fixed rule, like the manifest's own val rule: of the dataset's
N train cases sorted by id, those at 0-based index (k*N)//count + 3 for k = 0..count-1. In the copy
they are marked "val", so `iris eval --split val` scores them and `iris train` never sees them;
the original val cases become "test", so neither command touches them. Paths become absolute, so
the copy may live anywhere.
"""
import argparse
import json
import os
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("manifest")
    parser.add_argument("out")
    parser.add_argument("--dataset", default="msd_hippocampus")
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args()

    with open(args.manifest) as file:
        manifest = json.load(file)
    root = os.path.dirname(os.path.abspath(args.manifest))
    train = sorted(entry["id"] for entry in manifest["entries"]
                   if entry["dataset"] == args.dataset and entry.get("split") == "train")
    if len(train) < 2 * args.count:
        sys.exit(f"{args.manifest}: {args.dataset} has {len(train)} train cases, too few to hold "
                 f"out {args.count}")
    held_out = {train[(k * len(train)) // args.count + 3] for k in range(args.count)}

    for entry in manifest["entries"]:
        for key in ("image", "label"):
            entry[key] = os.path.join(root, entry[key])
        if entry["id"] in held_out:
            entry["split"] = "val"
        elif entry.get("split") == "val":
            entry["split"] = "test"
    manifest["description"] = (f"{args.manifest} with {args.count} {args.dataset} train cases held "
                               f"out as 'val' for model selection; its val cases marked 'test'")
    manifest["held_out"] = sorted(held_out)
    with open(args.out, "w") as file:
        json.dump(manifest, file, indent=1)
    print(f"{args.out}: held out {len(held_out)} of {len(train)} {args.dataset} train cases")


if __name__ == "__main__":
    main()
