#!/bin/sh
# CLI checks for `rdrop export`, `rdrop import` and model.init_from
# (docs/interop.md): help texts, usage errors (exit 2), bad files, FIFOs and
# failed writes (exit 1, one line, no partial file), then with MNIST the round
# trip: a trained checkpoint, exported and imported again, evaluates exactly
# as before and exports to the very same bytes; training from an export
# starts where that model stood; a file that does not fit the config is
# refused with both shapes. The training checks need the real MNIST
# (${MNIST_MIRROR_DIR:-data/mnist}) and are skipped without it.
set -u
NAME=interop.sh
. tests/cli/lib/common.sh



# ---- help and usage errors -----------------------------------------------
run --help
for c in export import; do grep -Eq "^  $c +[a-z]" "$tmp/out" || fail "rdrop --help does not list $c"; ok; done
for c in export import; do
    run "$c" --help
    expect_status 0
    grep -q "^usage: rdrop $c " "$tmp/out" || fail "rdrop $c --help: no usage line"
    grep -q -- '--out FILE' "$tmp/out" || fail "rdrop $c --help does not list --out"
    ok
done
run train --help
grep -q '^  model.init_from ' "$tmp/out" || fail "rdrop train --help does not list model.init_from"; ok
error 2 'expected one checkpoint file' export
error 2 'expected --out FILE.safetensors' export x.ckpt
error 2 "unknown option '--bogus'" export x.ckpt --out y --bogus
error 2 'expected one safetensors file' import
error 2 'expected --out MODEL.ckpt' import x.safetensors

# ---- bad inputs and failed writes: exit 1 ---------------------------------
error 1 "$tmp/none.safetensors: cannot open" import "$tmp/none.safetensors" --out "$tmp/x.ckpt"
echo 'not a checkpoint' >"$tmp/text.ckpt"
error 1 "$tmp/text.ckpt: not an rdrop checkpoint" export "$tmp/text.ckpt" --out "$tmp/x.safetensors"
mkfifo "$tmp/fifo"
# a FIFO with no writer: refused at once, not waited on
args="import $tmp/fifo"
timeout 10 "$RDROP" import "$tmp/fifo" --out "$tmp/x.ckpt" >"$tmp/out" 2>"$tmp/err"
status=$?
expect_status 1
grep -q "$tmp/fifo: not a regular file" "$tmp/err" || fail "import of a FIFO: no 'not a regular file'"; ok
[ -e "$tmp/x.ckpt" ] && fail "a refused import wrote $tmp/x.ckpt"; ok
# An import of a file made by hand (the layout of tests/bad-inputs/make-fixtures.py):
# 3 -> 2 -> 2, no metadata; then its export is refused by a full disk and
# by a device in the way, leaving nothing behind.
python3 - "$tmp/plain.safetensors" <<'EOF'
import json, struct, sys
h = {"0.weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
     "0.bias": {"dtype": "F32", "shape": [2], "data_offsets": [24, 32]},
     "3.weight": {"dtype": "F32", "shape": [2, 2], "data_offsets": [32, 48]},
     "3.bias": {"dtype": "F32", "shape": [2], "data_offsets": [48, 56]}}
text = json.dumps(h).encode()
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + struct.pack("<14f", *[i / 8 for i in range(14)]))
EOF
run import "$tmp/plain.safetensors" --out "$tmp/plain.ckpt"
expect_status 0
grep -q "^$tmp/plain.ckpt: 14 parameters, nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Dropout(0), nn.Linear(2, 2))$" \
    "$tmp/out" || fail "import: unexpected summary line"; ok
grep -q "^$tmp/plain.safetensors: not in __metadata__, assumed: activation relu" "$tmp/out" ||
    fail "import: no line about the values assumed"; ok
error 1 '/dev/full: not a regular file; not replaced' export "$tmp/plain.ckpt" --out /dev/full
[ -c /dev/full ] || fail "/dev/full is no longer a device"; ok
# a write that fails (a file size limit of 0 blocks: every write is refused,
# as on a full disk): exit 1 naming the file, and nothing left behind
# (stderr through a pipe: the limit would stop a file from taking the message)
{ (trap '' XFSZ && ulimit -f 0 && exec "$RDROP" export "$tmp/plain.ckpt" --out "$tmp/full.safetensors") \
    2>&1 >/dev/null; echo $? >"$tmp/status"; } | cat >"$tmp/err"
[ "$(cat "$tmp/status")" -eq 1 ] || fail "export with no room to write: want exit 1"; ok
grep -q "$tmp/full.safetensors.*File too large" "$tmp/err" || fail "export with no room: the message"; ok
ls "$tmp" | grep -q '^full\.safetensors' && fail "a failed export left a file behind"; ok

mnist=${MNIST_MIRROR_DIR:-data/mnist}
if [ ! -r "$mnist/train-images-idx3-ubyte.gz" ] && [ ! -r "$mnist/train-images-idx3-ubyte" ]; then
    echo "interop.sh: skipping the round-trip checks: no MNIST in $mnist (set MNIST_MIRROR_DIR or run make data)"
    echo "interop.sh: $passed passed, 0 failed"
    exit 0
fi

# ---- round trip ----------------------------------------------------------
smoke() { "$RDROP" train experiments/smoke.ini --set "data.dir=$mnist" --set train.threads=1 --quiet "$@"; }
smoke --out "$tmp/a" >"$tmp/out" 2>"$tmp/err" || fail "training the smoke model failed"; ok
run export "$tmp/a/last.ckpt" --out "$tmp/a.safetensors"
expect_status 0
grep -q "^$tmp/a.safetensors: 203530 parameters, nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.3), nn.Linear(256, 10))$" \
    "$tmp/out" || fail "export: unexpected summary line"; ok
run import "$tmp/a.safetensors" --out "$tmp/b.ckpt"
expect_status 0
[ "$(wc -l <"$tmp/out")" -eq 1 ] || fail "import of an rdrop export assumed something"; ok
run export "$tmp/b.ckpt" --out "$tmp/b.safetensors"
expect_status 0
cmp -s "$tmp/a.safetensors" "$tmp/b.safetensors" || fail "export -> import -> export changed the file"; ok
"$RDROP" eval "$tmp/a/last.ckpt" --data "$mnist" | tail -n +2 >"$tmp/eval-a" || fail "eval of the trained model failed"
"$RDROP" eval "$tmp/b.ckpt" --data "$mnist" | tail -n +2 >"$tmp/eval-b" || fail "eval of the imported model failed"
[ -s "$tmp/eval-a" ] && cmp -s "$tmp/eval-a" "$tmp/eval-b" || {
    diff "$tmp/eval-a" "$tmp/eval-b" >"$tmp/err"
    fail "rdrop eval of the imported model differs from the original's"
}
ok

# ---- model.init_from -----------------------------------------------------
# From the trained weights, the first epoch already classifies the training
# images well; from the random init it gets about half of them (51%).
smoke --set "model.init_from=$tmp/a.safetensors" --set train.epochs=1 --out "$tmp/c" >"$tmp/out" 2>"$tmp/err" ||
    fail "training from $tmp/a.safetensors failed"; ok
grep -q "^initial weights from $tmp/a.safetensors (model.init_from)$" "$tmp/out" || fail "no 'initial weights' line"; ok
acc=$(awk -F, 'NR == 2 { print $6 }' "$tmp/c/metrics.csv")
awk -v a="$acc" 'BEGIN { exit !(a > 0.75) }' || fail "first epoch from the trained weights: train_acc $acc, want > 0.75"; ok
grep -q "^init_from = $tmp/a.safetensors" "$tmp/c/config.ini" || fail "config.ini does not record init_from"; ok
error 2 "the file holds a 784-256-10 model, the config asks for 784-64-10" \
    train experiments/smoke.ini --set "model.init_from=$tmp/a.safetensors" --set model.hidden=64 --out "$tmp/d"
error 2 "the file's model uses relu, the config's tanh (model.activation)" \
    train experiments/smoke.ini --set "model.init_from=$tmp/a.safetensors" --set model.activation=tanh --out "$tmp/d"
error 2 "trained on unnormalized inputs (mean 0, std 1); set data.normalize = false" \
    train experiments/smoke.ini --set "model.init_from=$tmp/a.safetensors" --set data.normalize=true \
    --set "data.dir=$mnist" --out "$tmp/d"
[ -e "$tmp/d" ] && fail "a refused run created its folder"; ok

echo "interop.sh: $passed passed, 0 failed"
