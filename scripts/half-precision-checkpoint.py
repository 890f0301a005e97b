#!/usr/bin/python3
"""Stores the weights of an Iris checkpoint (our format) as float16, halving its size.

Usage: scripts/half-precision-checkpoint.py <in.pt> <out.pt>
The C++ loader copies every tensor into the float32 model, so the file loads as before; the
weights are rounded to float16 once (relative error <= 2^-11).
"""
import sys

import torch

source, target = sys.argv[1], sys.argv[2]
checkpoint = torch.load(source, map_location="cpu")
for key, value in list(checkpoint.items()):
    if key.startswith("state_dict.") and torch.is_tensor(value) and value.is_floating_point():
        checkpoint[key] = value.half()
torch.save(checkpoint, target)
