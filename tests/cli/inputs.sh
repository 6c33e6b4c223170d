#!/bin/sh
# Careless and hostile input (issue 18), the classes rdrop now checks, each
# with the example that was found and another instance:
#   - sizes the data or a checkpoint implies are cross-checked before use
#     (labels against model.classes, pixels against model.inputs; training
#     and test sets; eval of a checkpoint);
#   - a gzip "bomb" (a header claiming far more images than the file holds
#     compressed) is refused against the memory limit before it is inflated,
#     and a subset is read without holding the whole set;
#   - resume trusts the checkpoint, not files a user can edit: a mid-epoch
#     resume after editing config.ini's batch_size is refused; a run resumes
#     from another folder; a damaged metrics.csv is refused naming its line;
#   - contradictory answers: kl --logits with a tiny probability, the
#     optimizer named in a resume mismatch, compare refusing train.seed,
#     eval of a many-class model without a classes^2 confusion matrix.
# Run by `make test-cli` with $RDROP set; training needs MNIST.
set -u
NAME=inputs.sh
. tests/cli/lib/common.sh
MNIST=${MNIST_MIRROR_DIR:-data/mnist}
case $MNIST in /*) ;; *) MNIST=$(pwd)/$MNIST ;; esac
if [ ! -f "$MNIST/train-images-idx3-ubyte.gz" ] && [ ! -f "$MNIST/train-images-idx3-ubyte" ]; then
    echo "inputs.sh: skipped: no MNIST in $MNIST (set MNIST_MIRROR_DIR or run make data)"
    echo "inputs.sh: 0 passed, 0 failed"
    exit 0
fi
small="--set data.dir=$MNIST --set data.train_subset=500 --set train.epochs=1 --set train.mc_passes=2 --quiet"

# expect STATUS PATTERN: the last run's exit status, and one stderr line matching PATTERN.
expect() {
    [ "$status" -eq "$1" ] || fail "$args: exit $status, want $1"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "$args: want one line on stderr"
    grep -Eq -- "$2" "$tmp/err" || fail "$args: stderr does not match $2"
    ok
}

# ---- sizes ----------------------------------------------------------------
run train experiments/smoke.ini $small --set model.classes=2 --out "$tmp/c2"
expect 2 "train-labels-idx1-ubyte.*|$MNIST: has label 9 but the model has 2 classes"
[ ! -e "$tmp/c2/last.ckpt" ] || fail "a refused run wrote a checkpoint"; ok
run train experiments/smoke.ini $small --set model.inputs=100 --out "$tmp/i100"
expect 2 "images have 784 pixels \(28x28\) but the model takes 100 inputs"
# a test set of other images: 5x5 pixels
mkdir -p "$tmp/tiny"
python3 - "$tmp/tiny" <<'EOF' || fail "python3 could not write the tiny test set"
import gzip, struct, sys
d = sys.argv[1]
with gzip.open(d + "/t10k-images-idx3-ubyte.gz", "wb") as f:
    f.write(struct.pack(">IIII", 0x803, 3, 5, 5) + bytes(75))
with gzip.open(d + "/t10k-labels-idx1-ubyte.gz", "wb") as f:
    f.write(struct.pack(">II", 0x801, 3) + bytes([1, 2, 3]))
# and 20 test images of 28x28, for the many-class model below
import os
os.makedirs(d + "28", exist_ok=True)
with gzip.open(d + "28/t10k-images-idx3-ubyte.gz", "wb") as f:
    f.write(struct.pack(">IIII", 0x803, 20, 28, 28) + bytes(range(256)) * 61 + bytes(64))
with gzip.open(d + "28/t10k-labels-idx1-ubyte.gz", "wb") as f:
    f.write(struct.pack(">II", 0x801, 20) + bytes(i % 10 for i in range(20)))
EOF
run train experiments/smoke.ini $small --set "data.test_dir=$tmp/tiny" --out "$tmp/tiny-run"
expect 2 "$tmp/tiny: images have 25 pixels \(5x5\) but the model takes 784 inputs"
# eval of a model with fewer classes than the test set's labels
run train experiments/smoke.ini $small --out "$tmp/ok"
[ "$status" -eq 0 ] || fail "training the small model: exit $status"; ok
run eval "$tmp/ok/last.ckpt" --data "$tmp/tiny"
expect 2 "$tmp/tiny: images have 25 pixels"

# ---- labels against model.classes, wherever labels are read -------------
# 30 images whose labels go up to 255 (train), up to 12 (test)
mkdir -p "$tmp/l255" "$tmp/l12"
python3 - "$tmp/l255" "$tmp/l12" <<'EOF' || fail "python3 could not write the label sets"
import gzip, struct, sys
for d, top in ((sys.argv[1], 255), (sys.argv[2], 12)):
    for part in ("train", "t10k"):
        with gzip.open(d + "/%s-images-idx3-ubyte.gz" % part, "wb") as f:
            f.write(struct.pack(">IIII", 0x803, 30, 28, 28) + bytes(range(256)) * 91 + bytes(224))
        with gzip.open(d + "/%s-labels-idx1-ubyte.gz" % part, "wb") as f:
            f.write(struct.pack(">II", 0x801, 30) + bytes(round(i * top / 29) for i in range(30)))
EOF
few="--set data.train_subset=0 --set train.epochs=1 --set train.mc_passes=2 --set model.hidden=8 --quiet"
run train experiments/smoke.ini --set "data.dir=$tmp/l255" --set model.classes=256 $few --out "$tmp/c256"
[ "$status" -eq 0 ] || fail "labels up to 255 and model.classes = 256: exit $status, $(cat "$tmp/err")"; ok
run train experiments/smoke.ini --set "data.dir=$tmp/l255" $few --out "$tmp/c10"
expect 2 "l255/train-labels-idx1-ubyte.gz: has label 18 \(at index 2\) but the model has 10 classes \(0 to 9\)"
run train experiments/smoke.ini --set "data.dir=$MNIST" --set "data.test_dir=$tmp/l12" $few --out "$tmp/t12"
expect 2 "l12/t10k-labels-idx1-ubyte.gz: has label 10 \(at index 23\) but the model has 10 classes"
run train experiments/smoke.ini --set "data.dir=$tmp/l12" --set model.classes=12 $few --out "$tmp/c12"
expect 2 "has label 12 \(at index 28\) but the model has 12 classes \(0 to 11\)"
run eval "$tmp/c256/last.ckpt" --data "$tmp/l12"
[ "$status" -eq 0 ] || fail "eval of the 256-class model on labels up to 12: exit $status"; ok
run eval "$tmp/ok/last.ckpt" --data "$tmp/l12"
expect 2 "l12/t10k-labels-idx1-ubyte.gz: has label 10 \(at index 23\) but the model has 10 classes"

# ---- messages that say what is wrong -------------------------------------
# an image whose header claims a size beyond the limits: its size and the
# limit, whatever the format (not stb_image's "unknown image type")
python3 - "$tmp" <<'EOF' || fail "python3 could not write the images"
import struct, sys, zlib
d = sys.argv[1]
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 0, 0, 0, 0)
open(d + "/claims.png", "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
bmp = b"BM" + struct.pack("<IHHI", 54, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 70000, -12, 1, 8, 0, 0, 0, 0, 0, 0)
open(d + "/claims.bmp", "wb").write(bmp)
sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 65000, 65000, 1) + b"\x01\x11\x00"
open(d + "/claims.jpg", "wb").write(b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 4) + b"JF" + sof + b"\xff\xd9")
EOF
run predict "$tmp/ok/last.ckpt" "$tmp/claims.png"
expect 1 "claims.png: its header says 60000x60000 pixels: too large \(at most 16384 a side, 40 Mpixels\)"
run predict "$tmp/ok/last.ckpt" "$tmp/claims.bmp"
expect 1 "claims.bmp: its header says 70000x12 pixels: too large"
run predict "$tmp/ok/last.ckpt" "$tmp/claims.jpg"
expect 1 "claims.jpg: its header says 65000x65000 pixels: too large"

# ---- memory: a header that claims 300,000 images in a 1 MB gzip file ------
mkdir -p "$tmp/bomb"
python3 - "$tmp/bomb" <<'EOF' || fail "python3 could not write the bomb"
import gzip, struct, sys
d, n = sys.argv[1], 300000
with gzip.open(d + "/train-images-idx3-ubyte.gz", "wb", compresslevel=1) as f:
    f.write(struct.pack(">IIII", 0x803, n, 28, 28))
    zeros = bytes(784 * 1000)
    for _ in range(n // 1000):
        f.write(zeros)
with gzip.open(d + "/train-labels-idx1-ubyte.gz", "wb") as f:
    f.write(struct.pack(">II", 0x801, n) + bytes(n))
EOF
run train experiments/smoke.ini $small --set "data.dir=$tmp/bomb" --set "data.test_dir=$MNIST" \
    --set data.train_subset=0 --set train.memory_limit_mb=100 --out "$tmp/b1"
expect 2 "train-images-idx3-ubyte.gz: 300000 images of 28x28 pixels need 225 MiB, more than the .* MiB left by train.memory_limit_mb"
# the same file with a subset of 10: read through, keeping 10 images (well under the limit)
run train experiments/smoke.ini $small --set "data.dir=$tmp/bomb" --set "data.test_dir=$MNIST" \
    --set data.train_subset=10 --set train.memory_limit_mb=100 --out "$tmp/b2"
[ "$status" -eq 0 ] || fail "a 10-image subset of the big file: exit $status"; ok
grep -q "data: $tmp/bomb: 10 train" "$tmp/out" || fail "the subset is not 10 images"; ok
# a subset larger than the file: all of it, and the banner says so
run train experiments/smoke.ini $small --set data.train_subset=70000 --set model.hidden=4 --set train.mc_passes=0 \
    --out "$tmp/all"
[ "$status" -eq 0 ] || fail "data.train_subset beyond the file: exit $status"; ok
grep -q "60000 train, 10000 test (data.train_subset = 70000: the file has only 60000)" "$tmp/out" ||
    fail "the banner does not say that data.train_subset asked for more than the file has"; ok

# ---- resume trusts the checkpoint ----------------------------------------
# a mid-epoch checkpoint: SIGTERM after the first epoch of a long run
empty_files "$tmp/out" "$tmp/err"
"$RDROP" train experiments/smoke.ini --set "data.dir=$MNIST" --set data.train_subset=60000 \
    --set train.epochs=50 --set train.threads=1 --set train.mc_passes=0 --out "$tmp/r" \
    >"$tmp/out" 2>"$tmp/err" &
pid=$!
# a quarter into epoch 2 (its first progress line on stderr): three quarters
# of an epoch of 60,000 samples are left, far more than a poll's 0.1 s on any
# machine (a timed sleep after epoch 1 was not: fast machines finished epoch 2)
wait_for_line '^epoch 2/[0-9]* batch' "$tmp/err" "$pid"
kill -TERM "$pid"
wait "$pid"
grep -Eq '^interrupted: checkpoint written to .*\(epoch [0-9]+, batch [1-9][0-9]*\)' "$tmp/out" ||
    fail "want a checkpoint in the middle of an epoch"; ok
cp "$tmp/r/config.ini" "$tmp/config.saved"
sed -i 's/^batch_size = .*/batch_size = 64/' "$tmp/r/config.ini"
run train --resume "$tmp/r" --quiet
expect 2 "middle of an epoch; train.batch_size differs from the run's \($tmp/r/last.ckpt\)"
sed -i 's/^seed = .*/seed = 7/' "$tmp/r/config.ini"
sed -i 's/^batch_size = .*/batch_size = 128/' "$tmp/r/config.ini"
run train --resume "$tmp/r" --quiet
expect 2 "middle of an epoch; train.seed differs"
cp "$tmp/config.saved" "$tmp/r/config.ini"
# a damaged metrics.csv (its epoch-1 row cut) is refused, naming the line
cp "$tmp/r/metrics.csv" "$tmp/metrics.saved"
printf 'epoch,lr\n1,0.1,x\n' >"$tmp/r/metrics.csv"
run train --resume "$tmp/r" --quiet --set train.epochs=2
expect 1 "$tmp/r/metrics.csv:2: not the row of epoch 1"
# the row of epoch 1 without its line break (a write cut short), a NUL byte in it
head -c -1 "$tmp/metrics.saved" >"$tmp/r/metrics.csv"
run train --resume "$tmp/r" --quiet --set train.epochs=2
expect 1 "$tmp/r/metrics.csv:2: line cut short"
sed '2s/,/\x00,/' "$tmp/metrics.saved" >"$tmp/r/metrics.csv"
run train --resume "$tmp/r" --quiet --set train.epochs=2
expect 1 "$tmp/r/metrics.csv:2: too long or not text"
cp "$tmp/metrics.saved" "$tmp/r/metrics.csv"
# from another folder: config.ini lists every [model] key, so its relative
# model.file is not needed
here=$(pwd)
case $RDROP in /*) exe=$RDROP ;; *) exe=$here/$RDROP ;; esac
(cd "$tmp" && "$exe" train --resume r --set train.epochs=2 --quiet >"$tmp/out" 2>"$tmp/err")
status=$?
args="train --resume from another folder"
[ "$status" -eq 0 ] || fail "$args: exit $status: $(cat "$tmp/err")"; ok
cd "$here"
# the optimizer of a mismatching checkpoint is named right
run train --resume "$tmp/r" --set train.optimizer=sgd --set train.epochs=3 --quiet
expect 2 "model 784-256-10 relu \(adam\) does not match the config's 784-256-10 relu \(sgd\)"

# ---- contradictory answers ------------------------------------------------
run kl 0,0 0,-200 --logits
[ "$status" -eq 0 ] || fail "kl: exit $status"; ok
grep -q '^  batchmean = 99.3069' "$tmp/out" || fail "kl --logits: batchmean must be 99.3069 like KL(P||Q)"; ok
grep -q '^  sum       = 99.3069' "$tmp/out" || fail "kl --logits: sum"; ok
! grep -q 'inf' "$tmp/out" || fail "kl --logits: nothing is infinite here"; ok
run compare experiments/smoke.ini experiments/smoke.ini:train.seed=5 --seeds 1 --out "$tmp/cmp"
expect 2 "compare sets train.seed itself"
run compare experiments/smoke.ini:train.method=dropout experiments/smoke.ini --seeds 1 --set train.seed=3 \
    --out "$tmp/cmp"
expect 2 "--set train.seed=3: compare sets train.seed itself"
# a 65,536-class model: eval prints no 65536x65536 matrix and allocates none
run train experiments/smoke.ini $small --set model.hidden=2 --set model.classes=65536 --set data.train_subset=50 \
    --set "data.test_dir=${tmp}/tiny28" --out "$tmp/wide"
[ "$status" -eq 0 ] || fail "training a 65536-class model: exit $status"; ok
run eval "$tmp/wide/last.ckpt" --data "$tmp/tiny28" --mc 1
[ "$status" -eq 0 ] || fail "eval of a 65536-class model: exit $status"; ok
! grep -q 'confusion' "$tmp/out" || fail "eval printed a confusion matrix of 65536 classes"; ok
grep -q '^full_acc = 0\.' "$tmp/out" || fail "eval of the wide model: no full_acc"; ok

echo "inputs.sh: $passed passed, 0 failed"
