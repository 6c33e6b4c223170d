#!/bin/sh
# CLI checks for `rdrop train`, `eval` and `predict`: exit statuses (0 success,
# 1 runtime error, 2 usage or config error), one-line error messages, the help
# texts, eval's confusion matrix, predict on a PNG, SIGTERM + --resume, and
# --continue.
# Run by `make test-cli` with $RDROP set to the rdrop binary, from the
# repository root. The checks that train need the real MNIST
# (${MNIST_MIRROR_DIR:-data/mnist}) and are skipped without it; the predict
# check needs python3 (standard library only) to write a PNG.
set -u
NAME=train.sh
. tests/cli/lib/common.sh

# ---- help ----------------------------------------------------------------
run --help
expect_status 0
for c in train eval predict kl gradcheck; do expect_out "^  $c +[A-Za-z]"; done
run train --help
expect_status 0
expect_out '^usage: rdrop train CONFIG'
for k in train.method train.alpha train.epochs train.seed train.batch_size train.threads \
         data.dir data.train_subset; do
    expect_out "^  $k "
done
cp "$tmp/out" "$tmp/train-help"

# ---- usage errors: exit 2 ------------------------------------------------
error 2 'expected a command'
error 2 "unknown command 'bogus'" bogus
error 2 "unknown option '--bogus'" train --bogus experiments/smoke.ini
error 2 "option '--out' needs a value" train experiments/smoke.ini --out
error 2 'expected a CONFIG' train
error 2 'unknown key "nosuch" in section [train]' train experiments/smoke.ini --set train.nosuch=1
error 2 'unknown section [nosuch]' train experiments/smoke.ini --set nosuch.epochs=1
error 2 'train.epochs: expected an integer, got "abc"' train experiments/smoke.ini --set train.epochs=abc
error 2 'train.method' train experiments/smoke.ini --set train.method=dropconnect
error 2 'expected section.key=value' train experiments/smoke.ini --set epochs
printf '[train]\nepochs = 3\nepoch = 4\n' >"$tmp/typo.ini"
error 2 "$tmp/typo.ini:3" train "$tmp/typo.ini"
error 2 'expected one checkpoint' eval
# option numbers: digits only, in range, no overflow (strtoull took 2^64 as 2^64-1)
error 2 '--seed 18446744073709551616: not a whole number from 0 to 18446744073709551615' eval x.ckpt --seed 18446744073709551616
error 2 '--seed -1: not a whole number' eval x.ckpt --seed -1
error 2 '--mc 0x8: not a whole number from 1 to 64' eval x.ckpt --mc 0x8
error 2 'expected a checkpoint and at least one image' predict x.ckpt

# ---- runtime errors: exit 1 ----------------------------------------------
error 1 "$tmp/nodata/train-images-idx3-ubyte.gz: not found" \
    train experiments/smoke.ini --set "data.dir=$tmp/nodata" --out "$tmp/r0" --quiet
echo 'not a checkpoint' >"$tmp/text.ckpt"
error 1 "$tmp/text.ckpt: not an rdrop checkpoint" eval "$tmp/text.ckpt"
error 1 "$tmp/none.ckpt: cannot open" eval "$tmp/none.ckpt"

mnist=${MNIST_MIRROR_DIR:-data/mnist}
if [ ! -r "$mnist/train-images-idx3-ubyte.gz" ] && [ ! -r "$mnist/train-images-idx3-ubyte" ]; then
    echo "train.sh: skipping the training checks: no MNIST in $mnist (set MNIST_MIRROR_DIR or run make data)"
    echo "train.sh: $passed passed, 0 failed"
    exit 0
fi

# ---- training ------------------------------------------------------------
run train experiments/smoke.ini --set "data.dir=$mnist" --out "$tmp/run" --quiet
expect_status 0
[ -z "$(tail -n 1 "$tmp/out" | grep -E '^final test_acc=0\.[0-9]{4} test_err=[0-9]+\.[0-9]{2}%$')" ] &&
    fail "last stdout line is not 'final test_acc=... test_err=...%'"; ok
for f in config.ini metrics.csv last.ckpt; do [ -s "$tmp/run/$f" ] || fail "no $f in the run folder"; ok; done
[ -e "$tmp/run/best.ckpt" ] && fail "best.ckpt without a validation split"; ok
# every key of the effective config is in `rdrop train --help`
keys=$(awk '/^\[/ { s = substr($1, 2, length($1) - 2) } / = / { print s "." $1 }' "$tmp/run/config.ini")
[ "$(echo "$keys" | wc -l)" -gt 30 ] || fail "config.ini has only $(echo "$keys" | wc -l) keys"; ok
for k in $keys; do grep -q "^  $k " "$tmp/train-help" || fail "train --help does not list $k"; done; ok

# a diverging run: exit 1, one line, and no checkpoint of the NaN model
run train experiments/smoke.ini --set "data.dir=$mnist" --set train.optimizer=sgd --set train.lr=1e6 \
    --out "$tmp/div" --quiet
expect_status 1
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "'rdrop $args': want one line on stderr"; ok
grep -Eq '^rdrop train: (non-finite loss|loss .* above train.max_loss).* training diverged and stopped; no checkpoint was written yet' "$tmp/err" ||
    fail "'rdrop $args': stderr does not say the loss diverged before a checkpoint"; ok
[ -e "$tmp/div/last.ckpt" ] && fail "a diverged run wrote last.ckpt"; ok

# ---- eval ----------------------------------------------------------------
run eval "$tmp/run/last.ckpt" --data "$mnist"
expect_status 0
expect_out '^test_acc=0\.[0-9]{4} test_err=[0-9.]+% test_loss=[0-9.]+$'
# 10 rows of "class c0 ... c9" (awk: mawk has no {n} in regexes); the entries
# sum to 10000, and the diagonal / 10000 is test_acc
check=$(awk '/^test_acc=/ { split($1, a, "="); acc = a[2] }
    /^confusion matrix/ { m = 1 }
    m && NF == 11 { rows++; for (j = 2; j <= 11; j++) { sum += $j; if (j == $1 + 2) diag += $j } }
    END { printf "%d %d %s", rows, sum, (sprintf("%.4f", diag / 10000) == acc) ? "same" : "differs" }' "$tmp/out")
[ "$check" = "10 10000 same" ] || fail "confusion matrix: rows, sum, diagonal vs test_acc: $check"; ok
head -c 1000 "$tmp/run/last.ckpt" >"$tmp/cut.ckpt"
error 1 "$tmp/cut.ckpt: CRC32 mismatch" eval "$tmp/cut.ckpt" --data "$mnist"

# ---- predict -------------------------------------------------------------
echo 'not an image' >"$tmp/text.png"
error 1 "$tmp/text.png: not a PNG, JPEG or BMP file" predict "$tmp/run/last.ckpt" "$tmp/text.png"
error 1 "$tmp/none.png: cannot open: No such file" predict "$tmp/run/last.ckpt" "$tmp/none.png"
if command -v python3 >/dev/null; then
    # test image 0 (a 7) as an 8-bit grayscale PNG; prints its label
    label=$(python3 - "$mnist" "$tmp/digit.png" <<'EOF'
import gzip, os, struct, sys, zlib
def idx(name):
    path = os.path.join(sys.argv[1], name)
    return gzip.open(path + ".gz") if os.path.exists(path + ".gz") else open(path, "rb")
with idx("t10k-images-idx3-ubyte") as f:
    _, _, rows, cols = struct.unpack(">IIII", f.read(16))
    pixels = f.read(rows * cols)
with idx("t10k-labels-idx1-ubyte") as f:
    label = f.read(9)[8]
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
raw = b"".join(b"\0" + pixels[r * cols:(r + 1) * cols] for r in range(rows))
with open(sys.argv[2], "wb") as out:
    out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", cols, rows, 8, 0, 0, 0, 0))
              + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
print(label)
EOF
) || fail "python3 could not write the PNG"
    run predict "$tmp/run/last.ckpt" "$tmp/digit.png"
    expect_status 0
    p='0\.[0-9]{4}'
    expect_out "^$tmp/digit.png: $label  \($label: $p, [0-9]: $p, [0-9]: $p\)$"
else
    echo "train.sh: skipping the predict check: no python3"
fi

# ---- SIGTERM writes a checkpoint; --resume finishes the run ---------------
empty_files "$tmp/out" "$tmp/err"
"$RDROP" train experiments/smoke.ini --set "data.dir=$mnist" --set data.train_subset=60000 \
    --set train.epochs=100 --set train.threads=1 --out "$tmp/sig" >"$tmp/out" 2>"$tmp/err" &
pid=$!
# a quarter into epoch 2 (its first progress line on stderr), with three
# quarters of 60,000 samples to go: the stop lands in the middle of an epoch
wait_for_line '^epoch 2/[0-9]* batch' "$tmp/err" "$pid"
kill -TERM "$pid"
wait "$pid"
status=$?
args="train (SIGTERM)"
expect_status 143
expect_out '^interrupted: checkpoint written to .*/last.ckpt \(epoch 2, batch [1-9][0-9]*\)'
done_epochs=$(($(wc -l <"$tmp/sig/metrics.csv") - 1))
# a mid-epoch checkpoint counts batches: another batch size is refused
run train --resume "$tmp/sig" --set train.batch_size=64 --quiet
expect_status 2
grep -q 'middle of an epoch; train.batch_size differs' "$tmp/err" || fail "mid-epoch resume with another batch size"; ok
run train --resume "$tmp/sig" --set "train.epochs=$((done_epochs + 1))" --quiet
expect_status 0
expect_out "^resuming after epoch $done_epochs, batch [0-9]+$"
expect_out '^final test_acc=0\.[0-9]{4}'
[ "$(wc -l <"$tmp/sig/metrics.csv")" -eq $((done_epochs + 2)) ] || fail "metrics.csv rows after resume"; ok

# ---- --continue: start, resume or nothing, whatever the folder holds ------
# (what a SLURM task runs: the same command again after a requeue)
cont="experiments/smoke.ini --set data.dir=$mnist --set data.train_subset=10000 --set train.epochs=6
      --set train.threads=1 --out $tmp/cont --continue --quiet"
empty_files "$tmp/out" "$tmp/err"
"$RDROP" train $cont >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for_line '^epoch 1/' "$tmp/out" "$pid"
kill -TERM "$pid"
wait "$pid"
status=$?
args="train --continue (SIGTERM)"
expect_status 143
run train $cont
expect_status 0
expect_out '^resuming after epoch [1-5], batch [0-9]+$'
[ "$(cut -d, -f1 "$tmp/cont/metrics.csv" | tr '\n' ' ')" = "epoch 1 2 3 4 5 6 " ] ||
    fail "--continue: metrics.csv does not hold epochs 1 to 6 once each"; ok
before=$(cksum <"$tmp/cont/metrics.csv")
run train $cont
expect_status 0
expect_out "^rdrop train: $tmp/cont has finished its 6 epochs; nothing to do\$"
[ "$(cksum <"$tmp/cont/metrics.csv")" = "$before" ] || fail "--continue of a finished run changed it"; ok
error 2 'train.epochs is "6" but the run asked for has "7"' train $cont --set train.epochs=7
error 2 '--continue decides itself' train $cont --force
# a metrics.csv or last.ckpt that is there but unreadable: an error naming
# it, and the run as it was (a silent start over would lose its epochs)
cp "$tmp/cont/metrics.csv" "$tmp/metrics.saved"
cp "$tmp/cont/last.ckpt" "$tmp/ckpt.saved"
sed -i '2s/^1,/1x,/' "$tmp/cont/metrics.csv"
error 1 "$tmp/cont/metrics.csv:2" train $cont
grep -qF "the run in $tmp/cont is kept as it is" "$tmp/err" || fail "--continue: no word that the run is kept"; ok
cmp -s "$tmp/cont/last.ckpt" "$tmp/ckpt.saved" || fail "--continue over a damaged metrics.csv changed last.ckpt"; ok
cp "$tmp/metrics.saved" "$tmp/cont/metrics.csv"
sed -i '$d' "$tmp/cont/metrics.csv" # epoch 6 gone: a run to resume, from a cut last.ckpt
head -c 100 "$tmp/ckpt.saved" >"$tmp/cont/last.ckpt"
error 1 "$tmp/cont/last.ckpt" train $cont
grep -qF "the run in $tmp/cont is kept as it is" "$tmp/err" || fail "--continue: no word that the run is kept"; ok
cp "$tmp/ckpt.saved" "$tmp/cont/last.ckpt"
cp "$tmp/metrics.saved" "$tmp/cont/metrics.csv"
# leftovers without a run to resume (metrics.csv lost): it starts over
rm "$tmp/cont/metrics.csv"
run train $cont
expect_status 0
expect_out "^rdrop train: $tmp/cont holds no run to resume: starting over\$"
expect_out '^final test_acc='

# ---- the reference engine gives the fast layer's very model --------------
# (one thread: the same arithmetic, so the final checkpoints are the same
# bytes; their epoch sums are zero at the end of a run)
for engine in fast reference; do
    run train experiments/smoke.ini --set "data.dir=$mnist" --set train.threads=1 --set train.mc_passes=2 \
        --set train.engine=$engine --out "$tmp/engine-$engine" --quiet
    expect_status 0
done
cmp -s "$tmp/engine-fast/last.ckpt" "$tmp/engine-reference/last.ckpt" ||
    fail "train.engine=reference and fast (1 thread) give different models"; ok
cmp -s "$tmp/engine-fast/metrics.csv" "$tmp/engine-reference/metrics.csv" &&
    fail "the two metrics.csv cannot be the same bytes: their times differ"; ok
[ "$(cut -d, -f1-8,11- "$tmp/engine-fast/metrics.csv")" = "$(cut -d, -f1-8,11- "$tmp/engine-reference/metrics.csv")" ] ||
    fail "train.engine=reference and fast: the metrics (times aside) differ"; ok

echo "train.sh: $passed passed, 0 failed"
