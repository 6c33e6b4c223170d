#!/usr/bin/env python3
"""Writes the malformed inputs of tests/bad-inputs/ (run from the repository
root: python3 tests/bad-inputs/make-fixtures.py [ROOT]). The outputs are
committed, except the IDX folders: their files carry MNIST's file names, so
tests/cli/faults.sh writes them at test time into a scratch ROOT. faults.sh
feeds each to rdrop and expects exit status 1 or 2 and a
one-line message naming the file. Needs only the Python standard library."""
import gzip
import os
import struct
import sys
import zlib

ROOT = sys.argv[1] if len(sys.argv) > 1 else "tests/bad-inputs"


def write(path, data):
    path = os.path.join(ROOT, path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


# ---- IDX: a folder per case holding the training files, one of them bad ----
def idx(magic, dims, payload):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + payload


N = 2
PIXELS = bytes((i * 7) % 256 for i in range(N * 28 * 28))
GOOD_IMAGES = idx(0x803, [N, 28, 28], PIXELS)
GOOD_LABELS = idx(0x801, [N], bytes([3, 7]))
IDX_CASES = {  # case: (images, labels)
    "images-empty": (b"", GOOD_LABELS),
    "images-short-header": (GOOD_IMAGES[:10], GOOD_LABELS),
    "images-truncated": (GOOD_IMAGES[:500], GOOD_LABELS),
    "images-trailing-bytes": (GOOD_IMAGES + b"extra", GOOD_LABELS),
    "images-bad-magic": (idx(0x1234, [N, 28, 28], PIXELS), GOOD_LABELS),
    "images-float-type": (idx(0xD03, [N, 28, 28], PIXELS), GOOD_LABELS),
    "images-wrong-dims": (idx(0x801, [N], PIXELS), GOOD_LABELS),
    "images-zero-count": (idx(0x803, [0, 28, 28], b""), GOOD_LABELS),
    "images-huge-count": (idx(0x803, [0xFFFFFFFF, 28, 28], PIXELS), GOOD_LABELS),
    "images-huge-side": (idx(0x803, [N, 100000, 100000], PIXELS), GOOD_LABELS),
    "images-lying-count": (idx(0x803, [100000000, 28, 28], PIXELS), GOOD_LABELS),
    "labels-out-of-range": (GOOD_IMAGES, idx(0x801, [N], bytes([3, 10]))),
    "labels-count-mismatch": (GOOD_IMAGES, idx(0x801, [N + 1], bytes([1, 2, 3]))),
    "labels-truncated": (GOOD_IMAGES, GOOD_LABELS[:9]),
}
for case, (images, labels) in IDX_CASES.items():
    write(f"idx/{case}/train-images-idx3-ubyte", images)
    write(f"idx/{case}/train-labels-idx1-ubyte", labels)
gz = gzip.compress(GOOD_IMAGES, mtime=0)
write("idx/gz-truncated/train-images-idx3-ubyte.gz", gz[: len(gz) // 2])
write("idx/gz-truncated/train-labels-idx1-ubyte", GOOD_LABELS)
corrupt = bytearray(gz)
corrupt[len(gz) // 2] ^= 0xFF
write("idx/gz-corrupt/train-images-idx3-ubyte.gz", bytes(corrupt))
write("idx/gz-corrupt/train-labels-idx1-ubyte", GOOD_LABELS)
write("idx/gz-no-trailer/train-images-idx3-ubyte.gz", gz[:-8])
write("idx/gz-no-trailer/train-labels-idx1-ubyte", GOOD_LABELS)

# ---- Checkpoints (layout: include/rdrop/checkpoint.h) ----
def checkpoint(inputs=4, hidden=(3,), classes=2, act=0, n_params=None, version=1,
               magic=b"RDROPCK\0", okind=0, params=None, trailing=b"", fix_crc=True):
    arch = [inputs, len(hidden), classes, act] + list(hidden) + [0] * (8 - len(hidden))
    count = 0
    fan_in = inputs
    for out in list(hidden) + [classes]:
        count += fan_in * out + out
        fan_in = out
    n = count if n_params is None else n_params
    if params is None:
        params = [0.01 * (i % 7) for i in range(count)]
    body = magic + struct.pack("<II", version, 0x01020304)
    body += struct.pack("<12i", *arch) + struct.pack("<3f", 0.3, 0.0, 1.0)
    body += struct.pack("<Q", n) + struct.pack(f"<{len(params)}f", *params)
    body += struct.pack("<iq", okind, 5) + struct.pack(f"<{len(params)}f", *([0.0] * len(params)))
    body += struct.pack("<iiq", 1, 0, 5) + bytes(range(32)) + bytes(range(32))  # position, RNGs
    body += struct.pack("<8d", *([0.0] * 8)) + struct.pack("<di", -1.0, 0) + trailing
    crc = zlib.crc32(body) if fix_crc else 0x12345678
    return body + struct.pack("<I", crc)


good = checkpoint()
write("ckpt/empty.ckpt", b"")
write("ckpt/short-header.ckpt", good[:10])
write("ckpt/truncated-half.ckpt", good[: len(good) // 2])
flipped = bytearray(good)
flipped[100] ^= 0x40
write("ckpt/flipped-byte.ckpt", bytes(flipped))
write("ckpt/bad-magic.ckpt", checkpoint(magic=b"NOTACKPT"))
write("ckpt/bad-crc.ckpt", checkpoint(fix_crc=False))
write("ckpt/version-99.ckpt", checkpoint(version=99))
write("ckpt/huge-layer.ckpt", checkpoint(hidden=(2**31 - 1,), n_params=23, params=[0.0] * 23))
write("ckpt/negative-layer.ckpt", checkpoint(hidden=(-3,), n_params=23, params=[0.0] * 23))
write("ckpt/lying-param-count.ckpt", checkpoint(n_params=2**40))
write("ckpt/bad-activation.ckpt", checkpoint(act=7))
write("ckpt/bad-optimizer.ckpt", checkpoint(okind=9))
write("ckpt/trailing-bytes.ckpt", checkpoint(trailing=b"junk"))
nan_params = [0.0] * 23
nan_params[5] = float("nan")
write("ckpt/nan-parameter.ckpt", checkpoint(params=nan_params))

# ---- Safetensors (layout: include/rdrop/safetensors.h, docs/interop.md) ----
def safetensors(header, data=b"", length=None):
    text = header.encode() if isinstance(header, str) else header
    n = len(text) if length is None else length
    return struct.pack("<Q", n) + text + data


def tensor(name, shape, begin, dtype="F32"):
    end = begin + 4 * (shape[0] * (shape[1] if len(shape) > 1 else 1))
    return f'"{name}":{{"dtype":"{dtype}","shape":{list(shape)},"data_offsets":[{begin},{end}]}}'.replace(" ", "")


# a 3 -> 2 -> 2 MLP: 0.weight [2, 3], 0.bias [2], 3.weight [2, 2], 3.bias [2]
ST_TENSORS = ",".join([tensor("0.weight", (2, 3), 0), tensor("0.bias", (2,), 24),
                       tensor("3.weight", (2, 2), 32), tensor("3.bias", (2,), 48)])
ST_DATA = struct.pack("<14f", *[0.125 * i for i in range(14)])
ST_CASES = {
    "empty": b"",
    "short-length": b"\x10\x00\x00",
    "huge-header-length": safetensors("{}", length=2**40),
    "truncated-header": safetensors("{" + ST_TENSORS + "}", ST_DATA, length=4000),
    "truncated-data": safetensors("{" + ST_TENSORS + "}", ST_DATA[:-4]),
    "trailing-bytes": safetensors("{" + ST_TENSORS + "}", ST_DATA + b"junk"),
    "not-json": safetensors("{this is not json}", ST_DATA),
    "not-an-object": safetensors("[1, 2, 3]"),
    "dtype-f16": safetensors("{" + ST_TENSORS.replace("F32", "F16", 1) + "}", ST_DATA),
    "wrong-shape": safetensors("{" + ST_TENSORS.replace("[2,3]", "[3,2]") + "}", ST_DATA),
    "offsets-overlap": safetensors("{" + ST_TENSORS.replace("[24,32]", "[16,24]") + "}", ST_DATA),
    "offsets-gap": safetensors("{" + ",".join([tensor("0.weight", (2, 3), 0), tensor("0.bias", (2,), 28),
                                               tensor("3.weight", (2, 2), 36), tensor("3.bias", (2,), 52)])
                               + "}", ST_DATA + b"\0" * 4),
    "offsets-outside": safetensors("{" + ST_TENSORS.replace("[48,56]", "[48,99999]") + "}", ST_DATA),
    "unknown-name": safetensors("{" + ST_TENSORS.replace("3.bias", "3.beta") + "}", ST_DATA),
    "wrong-layout": safetensors("{" + ST_TENSORS.replace('"3.', '"2.') + "}", ST_DATA),
    "missing-bias": safetensors("{" + tensor("0.weight", (2, 3), 0) + "}", ST_DATA[:24]),
    "nan-value": safetensors("{" + ST_TENSORS + "}", ST_DATA[:20] + struct.pack("<f", float("nan")) + ST_DATA[24:]),
    "duplicate-key": safetensors("{" + ST_TENSORS + "," + tensor("3.bias", (2,), 48) + "}", ST_DATA),
    "deep-nesting": safetensors('{"__metadata__":' + "[" * 200 + "]" * 200 + "}"),
    "bad-utf8": safetensors(b'{"__metadata__":{"x":"\xc0\x80"},' + ST_TENSORS.encode() + b"}", ST_DATA),
    "metadata-not-strings": safetensors('{"__metadata__":{"dropout":0.5},' + ST_TENSORS + "}", ST_DATA),
    "metadata-bad-activation": safetensors('{"__metadata__":{"activation":"gelu"},' + ST_TENSORS + "}", ST_DATA),
    "metadata-wrong-architecture": safetensors('{"__metadata__":{"architecture":"784-10"},' + ST_TENSORS + "}",
                                               ST_DATA),
}
for name, data in ST_CASES.items():
    write(f"safetensors/{name}.safetensors", data)

# ---- Experiment configs: each wrong in one way ----
CONFIGS = {
    "unknown-key": "[train]\nlearning_rate = 0.1\n",
    "unknown-section": "[optimizer]\nlr = 0.1\n",
    "outside-section": "lr = 0.1\n",
    "syntax-error": "[train]\nthis line has no equals sign\n",
    "wrong-type-int": "[train]\nepochs = three\n",
    "wrong-type-bool": "[data]\nnormalize = maybe\n",
    "wrong-enum": "[train]\noptimizer = rmsprop\n",
    "negative-lr": "[train]\nlr = -0.1\n",
    "nan-lr": "[train]\nlr = nan\n",
    "inf-alpha": "[train]\nalpha = inf\n",
    "dropout-above-1": "[model]\ndropout = 1.5\n",
    "negative-batch": "[train]\nbatch_size = -5\n",
    "zero-epochs": "[train]\nepochs = 0\n",
    "absurd-epochs": "[train]\nepochs = 1e12\n",
    "huge-layer": "[model]\nhidden = 1000000000000\n",
    "zero-layer": "[model]\nhidden = 256,0\n",
    "too-many-layers": "[model]\nhidden = 8,8,8,8,8,8,8,8,8\n",
    "seed-negative": "[train]\nseed = -1\n",
    "duplicate-key": "[train]\nlr = 0.1\nlr = 0.2\n",
    "long-line": "[data]\ndir = " + "d" * 300 + "\n",
    "warmup-too-long": "[train]\nepochs = 2\nwarmup_epochs = 5\n",
    "missing-model-file": "[model]\nfile = no-such-model.ini\n",
    "memory-too-big": "[model]\nhidden = 1000000,1000000\n",
    "memory-limit": "[train]\nmemory_limit_mb = 1\n",
    "binary-garbage": "\x00\x01\x02[\xff\xfe]\n=\x00\n",
}
for name, text in CONFIGS.items():
    write(f"config/{name}.ini", text.encode("latin-1"))

# ---- Images for `rdrop predict` ----
def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(w, h, rows):
    raw = b"".join(b"\0" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b""))


digit = png(8, 8, [bytes(255 if x == 4 else 0 for x in range(8)) for _ in range(8)])
write("image/empty.png", b"")
write("image/text.png", b"this is not an image\n")
write("image/truncated.png", digit[: len(digit) // 2])
write("image/blank.png", png(8, 8, [bytes([200] * 8)] * 8))
write("image/huge-dimensions.png", png(20000, 20000, [b""])[:33] + png_chunk(b"IEND", b""))
write("image/gif-not-supported.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
