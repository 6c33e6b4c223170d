#!/bin/sh
# CLI checks for `rdrop bench`: usage errors, and a tiny run on real MNIST
# (skipped without it) whose table must be complete and self-consistent.
# Run by `make test-cli` with $RDROP set to the rdrop binary.
set -u
NAME=bench.sh
. tests/cli/lib/common.sh
export TMPDIR="$tmp" # where rdrop bench makes (and must remove) its run folders

# usage_error WORD ARGS...: exit 2, one line on stderr mentioning WORD.
usage_error() {
    word=$1
    shift
    run "$@"
    [ "$status" -eq 2 ] || fail "'rdrop $*' exited $status, expected 2"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "'rdrop $*': expected one line on stderr"
    grep -q -- "$word" "$tmp/err" || fail "'rdrop $*': stderr does not mention '$word'"
    ok
}

run bench --help
[ "$status" -eq 0 ] && grep -q -- '--scaling' "$tmp/out" || fail "rdrop bench --help"; ok
usage_error mode bench --mode both2
usage_error epochs bench --epochs 0
usage_error threads bench --threads x
usage_error unexpected bench extra

run bench --data "$tmp/nothing" --epochs 1
[ "$status" -eq 1 ] || fail "missing data: exit $status, expected 1"; ok
grep -q "$tmp/nothing" "$tmp/err" || fail "missing data: message does not name the folder"; ok

data=${MNIST_MIRROR_DIR:-data/mnist}
if [ ! -e "$data/train-images-idx3-ubyte.gz" ] && [ ! -e "$data/train-images-idx3-ubyte" ]; then
    echo "bench.sh: no MNIST in $data: tiny run skipped"
    echo "bench.sh: $passed passed, 0 failed"
    exit 0
fi

# 3 epochs of 5 steps of a 784-32-32-10 MLP, both modes.
run bench --data "$data" --hidden 32 --batch 64 --subset 320 --epochs 3 --threads 1
[ "$status" -eq 0 ] || fail "tiny bench exited $status"; ok
grep -q '^OpenBLAS: core [A-Za-z0-9]*, 1 threads; products checked against a naive double-precision product: all right$' "$tmp/out" || fail "no OpenBLAS core/threads line"; ok
grep -Eq '^MNIST load .*: [0-9.]+ s' "$tmp/out" || fail "no load time"; ok
for mode in dropout rdrop; do
    row=$(awk -v m="$mode" '$1 == m && $2 ~ /^[0-9]/' "$tmp/out")
    [ -n "$row" ] || fail "no $mode row"
    # samples/s, step = gemm + elementwise + optimizer + data (within rounding),
    # ceiling > 0, RSS > 0.
    echo "$row" | awk '{
        if ($2 <= 0 || $3 <= 0 || $9 <= 0 || $NF <= 0) exit 1
        d = $3 - ($4 + $5 + $6 + $7); if (d < -0.05 || d > 0.05) exit 1 }' ||
        fail "$mode row inconsistent: $row"
    ok
    grep -Eq "^$mode +epochs: [0-9]+ [0-9]+ [0-9]+ samples/s \\(5 steps each\\)" "$tmp/out" ||
        fail "no per-epoch line with 3 epochs of 5 steps for $mode"
    ok
done
ls "$tmp"/rdrop-bench-* >/dev/null 2>&1 && fail "a temporary run folder was left behind"; ok

echo "bench.sh: $passed passed, 0 failed"
