#!/usr/bin/python3
"""`rdrop eval --mc K` computed again in PyTorch, from an exported model.

Reads a model written by `rdrop export` (safetensors, the state_dict of an
nn.Sequential; docs/interop.md) and an MNIST-style test set (IDX, gzipped or
not), and prints, for each of N mask seeds, the four figures `rdrop eval`
prints (docs/dropout.md):

  full_acc  accuracy of the full network (model.eval(): dropout off)
  sub_acc   mean accuracy of K single dropout passes
  mc_acc    accuracy of the mean of the K passes' probabilities
  test_kl   mean over images of the mean over all pairs a < b of the K
            passes of [KL(p_a||p_b) + KL(p_b||p_a)] / 4

The passes are PyTorch's own: model.train() and K calls of the model, so each
pass draws fresh masks from nn.Dropout (Bernoulli, kept units scaled by
1/(1-p)), on the pixels too when the file's metadata has input_dropout > 0.
Seed s is torch.manual_seed(s); none of rdrop's code or random numbers is
used, so the figures agree with rdrop's only in distribution, which
tests/cli/mc_parity.sh checks over many seeds.

Output, one line per model and seed:
  MODEL seed=S full_acc=F sub_acc=A mc_acc=M test_kl=T
Run with Debian's PyTorch (apt-get install python3-torch):
  /usr/bin/python3 tests/parity/mc_check.py MODEL.safetensors... --data DIR \\
      [--mc 8] [--seeds 20] [--first-seed 0] [--threads 1]
"""
import argparse
import gzip
import json
import os
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    body = bytearray(data[8 + n:])
    tensors = {}
    for name, t in header.items():
        if t["dtype"] != "F32":
            sys.exit(f"mc_check.py: {path}: {name} is {t['dtype']}, want F32")
        start, end = t["data_offsets"]
        tensors[name] = torch.frombuffer(body[start:end], dtype=torch.float32).reshape(t["shape"]).clone()
    return tensors, meta


def build(meta):
    """The nn.Sequential of the file's layout, dropout modules included."""
    sizes = [int(s) for s in meta["architecture"].split("-")]
    act = nn.Tanh if meta.get("activation") == "tanh" else nn.ReLU
    p_in, p = float(meta.get("input_dropout", 0)), float(meta.get("dropout", 0))
    layers = [nn.Dropout(p_in)] if p_in > 0 else []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers += [act(), nn.Dropout(p)]
    return nn.Sequential(*layers)


def read_idx(folder, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            with (gzip.open(path) if path.endswith(".gz") else open(path, "rb")) as f:
                data = f.read()
            ndim = data[3]
            dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
            return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)
    sys.exit(f"mc_check.py: {folder}/{name}[.gz]: not found")


def figures(model, x, labels, passes):
    """full_acc, sub_acc, mc_acc, test_kl of one seed's K passes."""
    model.eval()
    full_acc = (model(x).argmax(dim=1) == labels).double().mean().item()
    model.train()  # dropout on: every call draws new masks
    logp = torch.stack([F.log_softmax(model(x).double(), dim=1) for _ in range(passes)])  # [K, n, classes]
    sub_acc = (logp.argmax(dim=2) == labels).double().mean().item()
    mc_acc = (logp.exp().mean(dim=0).argmax(dim=1) == labels).double().mean().item()
    test_kl = float("nan")
    if passes > 1:
        pair_kl = torch.zeros(x.shape[0], dtype=torch.float64)
        for a in range(passes):
            for b in range(a + 1, passes):
                # F.kl_div(input=log q, target=log p, log_target=True) sums to KL(p||q)
                kl_ab = F.kl_div(logp[b], logp[a], reduction="none", log_target=True).sum(dim=1)
                kl_ba = F.kl_div(logp[a], logp[b], reduction="none", log_target=True).sum(dim=1)
                pair_kl += (kl_ab + kl_ba) / 4
        test_kl = (pair_kl / (passes * (passes - 1) / 2)).mean().item()
    return full_acc, sub_acc, mc_acc, test_kl


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="+", metavar="MODEL", help="safetensors files written by rdrop export")
    ap.add_argument("--data", default="data/mnist",
                    help="folder with t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]")
    ap.add_argument("--mc", type=int, default=8, help="dropout passes per image (default 8)")
    ap.add_argument("--seeds", type=int, default=20, help="mask seeds (default 20)")
    ap.add_argument("--first-seed", type=int, default=0, help="the first seed (default 0)")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    a = ap.parse_args()
    if a.mc < 1 or a.seeds < 1:
        sys.exit("mc_check.py: --mc and --seeds must be at least 1")

    torch.set_num_threads(a.threads)
    images = read_idx(a.data, "t10k-images-idx3-ubyte")
    labels = read_idx(a.data, "t10k-labels-idx1-ubyte").long()
    pixels = images.reshape(images.shape[0], -1).float() / 255.0
    for path in a.models:
        tensors, meta = read_safetensors(path)
        model = build(meta)
        model.load_state_dict(tensors)
        x = (pixels - float(meta.get("norm_mean", 0))) / float(meta.get("norm_std", 1))
        with torch.no_grad():
            for seed in range(a.first_seed, a.first_seed + a.seeds):
                torch.manual_seed(seed)
                full_acc, sub_acc, mc_acc, test_kl = figures(model, x, labels, a.mc)
                print(f"{path} seed={seed} full_acc={full_acc:.4f} sub_acc={sub_acc:.6f} mc_acc={mc_acc:.6f} "
                      f"test_kl={test_kl:.6f}", flush=True)


if __name__ == "__main__":
    main()
