#!/usr/bin/python3
"""Writes the PyTorch references of the parity test (tests/unit/test_parity.c).

A 784-10-8-10 ReLU MLP with dropout 0 starts from PyTorch's own nn.Linear
initialization (torch.manual_seed(0)), saved as init.safetensors. Then, for
each recipe below, 20 steps on the first 256 MNIST training images, one batch
of all 256 a step, pixels / 255 in float32 as rdrop scales them (no
normalization), one thread:

  adam   torch.optim.Adam(lr=1e-2), cross-entropy
  sgd    torch.optim.SGD(lr=0.1, momentum=0.9), cross-entropy
  rdrop  Adam(lr=1e-2), R-Drop's objective with alpha = 1 on torch.cat([x, x]):
         mean CE over the 2B rows + alpha * [KL(pa||pb) + KL(pb||pa)] / (4B)
         (dropout 0: both copies are equal and the KL term is 0, but its
         gradient path runs)

and writes NAME.safetensors: the parameters after the 20 steps, named as
nn.Sequential's state_dict (rdrop reads them with its own reader), with
__metadata__ "losses": the loss of each step (computed before the step's
update) as 20 comma-separated float32 values printed with 9 significant
digits (exact), and "recipe": the line above.

Needs Debian's python3-torch (PyTorch 1.13) and numpy; the safetensors
package is not needed: the format is written here with json and struct.
Run from the repository root:
  /usr/bin/python3 tests/parity/make_reference.py [--data DIR] [--out DIR]
"""
import argparse
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

HIDDEN = (10, 8)
STEPS = 20
N = 256


def save_safetensors(path, state, metadata):
    """The safetensors layout: u64 header length, JSON, raw little-endian data."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, t in state.items():
        data = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def load_idx(path, count):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    return arr[:count]


def find(d, name):
    for candidate in (name + ".gz", name):
        if os.path.exists(os.path.join(d, candidate)):
            return os.path.join(d, candidate)
    sys.exit(f"make_reference.py: {d}/{name}(.gz): not found")


def build():
    layers, width = [], 784
    for h in HIDDEN:
        layers += [nn.Linear(width, h), nn.ReLU(), nn.Dropout(0.0)]
        width = h
    return nn.Sequential(*layers, nn.Linear(width, 10))


def rdrop_loss(logits, y, alpha):
    b = y.shape[0]
    logp = F.log_softmax(logits, dim=1)
    ce = F.nll_loss(logp, torch.cat([y, y]))
    lpa, lpb = logp[:b], logp[b:]
    kl = (F.kl_div(lpa, lpb, reduction="sum", log_target=True) +
          F.kl_div(lpb, lpa, reduction="sum", log_target=True)) / (4 * b)
    return ce + alpha * kl


RECIPES = {
    "adam": ("Adam lr 0.01, cross-entropy",
             lambda ps: torch.optim.Adam(ps, lr=1e-2, foreach=False), False),
    "sgd": ("SGD lr 0.1 momentum 0.9, cross-entropy",
            lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, foreach=False), False),
    "rdrop": ("Adam lr 0.01, R-Drop objective alpha 1 (dropout 0)",
              lambda ps: torch.optim.Adam(ps, lr=1e-2, foreach=False), True),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("MNIST_MIRROR_DIR") or "data/mnist")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    a = ap.parse_args()
    torch.set_num_threads(1)
    x = torch.from_numpy(load_idx(find(a.data, "train-images-idx3-ubyte"), N).reshape(N, 784).copy())
    x = x.float() / 255.0  # float32 division, as rdrop's (float)v / 255.0f
    y = torch.from_numpy(load_idx(find(a.data, "train-labels-idx1-ubyte"), N).astype(np.int64))

    torch.manual_seed(0)
    model = build()
    init = {k: v.clone() for k, v in model.state_dict().items()}
    arch = "-".join(str(s) for s in (784,) + HIDDEN + (10,))
    meta = {"format": "pt", "architecture": arch, "activation": "relu", "dropout": "0",
            "input_dropout": "0", "norm_mean": "0", "norm_std": "1",
            "made_by": "tests/parity/make_reference.py, torch.manual_seed(0), PyTorch " + torch.__version__}
    save_safetensors(os.path.join(a.out, "init.safetensors"), init, meta)

    for name, (recipe, make_opt, rdrop) in RECIPES.items():
        model.load_state_dict(init)
        opt = make_opt(model.parameters())
        losses = []
        for _ in range(STEPS):
            opt.zero_grad()
            if rdrop:
                loss = rdrop_loss(model(torch.cat([x, x])), y, 1.0)
            else:
                loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        m = dict(meta, losses=",".join("%.9g" % v for v in losses), recipe=recipe)
        save_safetensors(os.path.join(a.out, name + ".safetensors"), model.state_dict(), m)
        print(f"{name}: loss {losses[0]:.6f} -> {losses[-1]:.6f} ({recipe})")


if __name__ == "__main__":
    main()
