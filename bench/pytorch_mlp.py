#!/usr/bin/python3
"""The `rdrop bench` workload in PyTorch (CPU), for `make bench` to compare.

MLP 784-H-H-10, ReLU, dropout 0.3 after each hidden layer, Adam lr 1e-3,
batch B, full MNIST, pixels kept as uint8 and scaled to [0, 1] per batch
(as rdrop does). Modes:
  dropout  B rows a step, cross-entropy
  rdrop    the batch twice (torch.cat([x, x]), 2B rows, the official R-Drop
           recipe), loss = mean CE over 2B rows
           + alpha * (KL(pa||pb) + KL(pb||pa)) / (4B), alpha = 1
Timed like rdrop: the training steps only (batch assembly, forward, backward,
optimizer), per epoch; prints one line per epoch and a summary line
  torch MODE samples_per_s=MEDIAN rss_mib=PEAK threads=T blas_threads=N core=C
Run with /usr/bin/python3 (Debian's python3-torch).
"""
import argparse
import ctypes
import gzip
import os
import resource
import statistics
import struct
import sys
import time

import torch
import torch.nn.functional as F


def load_idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8)
    return arr.reshape(dims)


def find(dir_, name):
    for candidate in (name + ".gz", name):
        p = os.path.join(dir_, candidate)
        if os.path.exists(p):
            return p
    sys.exit(f"pytorch_mlp.py: {dir_}/{name}(.gz): not found")


def openblas_info():
    """The OpenBLAS core and threads torch's BLAS calls run with."""
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode(), lib.openblas_get_num_threads()
    except OSError:
        return "unknown", 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=["dropout", "rdrop"], default="rdrop")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    ap.add_argument("--steps", type=int, default=0, help="steps per epoch (0: full epochs)")
    ap.add_argument("--hidden", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--data", default=os.environ.get("MNIST_MIRROR_DIR") or "data/mnist")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    images = load_idx(find(a.data, "train-images-idx3-ubyte")).reshape(-1, 784)
    labels = load_idx(find(a.data, "train-labels-idx1-ubyte")).long()
    n = images.shape[0]

    h = a.hidden
    model = torch.nn.Sequential(
        torch.nn.Linear(784, h), torch.nn.ReLU(), torch.nn.Dropout(0.3),
        torch.nn.Linear(h, h), torch.nn.ReLU(), torch.nn.Dropout(0.3),
        torch.nn.Linear(h, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()

    rates = []
    for epoch in range(a.epochs):
        order = torch.randperm(n)
        steps = (n + a.batch - 1) // a.batch
        if a.steps:
            steps = min(steps, a.steps)
        samples = 0
        t0 = time.perf_counter()
        for s in range(steps):
            idx = order[s * a.batch:(s + 1) * a.batch]
            x = images[idx].float().div_(255.0)
            y = labels[idx]
            if a.mode == "rdrop":
                b = x.shape[0]
                logits = model(torch.cat([x, x]))
                ce = F.cross_entropy(logits, torch.cat([y, y]))
                lp = F.log_softmax(logits, dim=1)
                lpa, lpb = lp[:b], lp[b:]
                kl = (F.kl_div(lpb, lpa, reduction="sum", log_target=True)
                      + F.kl_div(lpa, lpb, reduction="sum", log_target=True)) / (4 * b)
                loss = ce + 1.0 * kl
            else:
                loss = F.cross_entropy(model(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            samples += x.shape[0]
        dt = time.perf_counter() - t0
        rates.append(samples / dt)
        print(f"torch {a.mode} epoch {epoch + 1}: {samples / dt:.0f} samples/s "
              f"({steps} steps, loss {loss.item():.4f})", flush=True)

    core, blas_threads = openblas_info()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"torch {a.mode} samples_per_s={statistics.median(rates):.0f} rss_mib={rss:.0f} "
          f"threads={a.threads} blas_threads={blas_threads} core={core} "
          f"epochs={' '.join(f'{r:.0f}' for r in rates)}", flush=True)


if __name__ == "__main__":
    main()
