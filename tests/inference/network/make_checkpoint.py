"""Writes checkpoint files shaped like the released Iris ones, from the shared parity weights.

usage: make_checkpoint.py <iris_tiny.pt> <out.pth> training|plain|broken
  training: {model, ema_model, config: {model: ...}, optimizer, scheduler, epoch}; `model` holds
            zeros so that a loader taking it instead of the EMA weights is caught.
  plain:    a bare OrderedDict state_dict with DataParallel "module." prefixes.
  broken:   a state_dict with one tensor missing, one unexpected and one of the wrong shape.
"""
import collections
import json
import sys

import torch

source, target, mode = sys.argv[1:4]
vectors = torch.load(source)
config = json.loads(vectors["config_json"])
state = collections.OrderedDict()
for key, value in vectors.items():
    if not key.startswith("state_dict."):
        continue
    name = key[len("state_dict."):]
    if name.endswith("pos_embed.embedding"):
        full = torch.zeros(1, 1, 128, 128, 128)
        d, h, w = value.shape[2:]
        full[:, :, :d, :h, :w] = value
        value = full
    state[name] = value.clone()

if mode == "training":
    zeros = collections.OrderedDict((k, torch.zeros_like(v)) for k, v in state.items())
    params = list(range(len(state)))
    checkpoint = {
        "model": zeros,
        "ema_model": state,
        "config": {"model": dict(config, type="iris"), "train": {"lr": 2e-3, "betas": [0.9, 0.999]}},
        "optimizer": {"state": {0: {"step": torch.tensor(3.0), "exp_avg": torch.zeros(4)}},
                      "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": params}]},
        "scheduler": {"last_epoch": 7, "_last_lr": [1e-3]},
        "epoch": 7,
    }
    torch.save(checkpoint, target)
elif mode == "plain":
    torch.save(collections.OrderedDict(("module." + k, v) for k, v in state.items()), target)
elif mode == "broken":
    del state["out.norm.bias"]
    state["out.extra.weight"] = torch.zeros(3)
    state["encoder.inc.conv1.weight"] = torch.zeros(8, 1, 3, 3, 5)
    torch.save(state, target)
else:
    sys.exit("unknown mode " + mode)
