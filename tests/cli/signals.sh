#!/bin/sh
# Stop requests in the long phases besides training steps (those are
# faults.sh's): SIGTERM while `rdrop train` evaluates the test set and runs
# its sub-network passes, SIGINT during `rdrop eval --mc`, SIGTERM to
# `rdrop compare` while its runs evaluate. Each must exit within a couple of
# seconds with 128 + the signal, having written what it must: train a
# checkpoint from which --resume goes on as if never stopped (the same
# metrics.csv as an uninterrupted run, to the last digit), eval and compare
# nothing half done. (Reading and writing large files stop the same way:
# tests/unit/test_stop.c.)
set -u
NAME=signals.sh
. tests/cli/lib/common.sh
MNIST=${MNIST_MIRROR_DIR:-data/mnist}
if [ ! -e "$MNIST/t10k-images-idx3-ubyte.gz" ] && [ ! -e "$MNIST/t10k-images-idx3-ubyte" ]; then
    echo "signals.sh: skipped: no MNIST in $MNIST (set MNIST_MIRROR_DIR or run make data)"
    echo "$NAME: 0 passed, 0 failed"
    exit 0
fi
LIMIT_MS=2500 # from the signal to the exit

# One batch of training, then an evaluation of 10,000 test images with 16
# dropout passes each: seconds, most of them in the sub-network passes. (No
# shell function: a background function is a subshell, and the signal would
# go to it rather than to rdrop.)
set -- experiments/mnist-dropout.ini --set "data.dir=$MNIST" --set data.train_subset=128 --set train.epochs=1 \
    --set train.mc_passes=16 --set train.threads=1 --quiet
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# stop_after SIG DELAY_S PID: sends SIG once PID has run DELAY_S seconds,
# waits for it; sets status and ms (signal to exit).
stop_after() {
    sleep "$2"
    kill -0 "$3" 2>/dev/null || fail "the process ended before the signal: raise the work or lower the delay"
    t0=$(now_ms)
    kill -"$1" "$3"
    wait "$3"
    status=$?
    ms=$(($(now_ms) - t0))
}

"$RDROP" train "$@" --out "$tmp/ref" >"$tmp/out" 2>"$tmp/err" || fail "the uninterrupted run failed"; ok

# ---- train: SIGTERM during the evaluation --------------------------------
empty_files "$tmp/out" "$tmp/err"
"$RDROP" train "$@" --out "$tmp/r" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_for_line '^OpenBLAS' "$tmp/out" "$pid"
stop_after TERM 1.2 "$pid"
[ "$status" -eq 143 ] || fail "train: SIGTERM during the evaluation: exit $status, want 143"; ok
[ "$ms" -le "$LIMIT_MS" ] || fail "train: exited $ms ms after SIGTERM (at most $LIMIT_MS)"; ok
# every batch trained, the epoch not yet recorded: the evaluation was cut
grep -q "^interrupted: checkpoint written to $tmp/r/last.ckpt (epoch 1, batch 1)" "$tmp/out" ||
    fail "train: no checkpoint at the end of the epoch's batches"; ok
[ "$(grep -c '^[0-9]' "$tmp/r/metrics.csv")" -eq 0 ] || fail "train: an interrupted evaluation left a row"; ok
"$RDROP" train --resume "$tmp/r" --quiet >"$tmp/out" 2>"$tmp/err" || fail "train: --resume failed"; ok
# the same rows but for the times (epoch_seconds, samples_per_second)
cut -d, -f1-8,11- "$tmp/ref/metrics.csv" >"$tmp/want"
cut -d, -f1-8,11- "$tmp/r/metrics.csv" >"$tmp/got"
cmp -s "$tmp/want" "$tmp/got" || fail "train: the resumed run's metrics.csv differs: $(diff "$tmp/want" "$tmp/got")"; ok
cmp -s "$tmp/ref/last.ckpt" "$tmp/r/last.ckpt" || fail "train: the resumed run's checkpoint differs"; ok
echo "signals.sh: train stopped $ms ms after SIGTERM in its evaluation"

# ---- eval: SIGINT during the sub-network passes ---------------------------
empty_files "$tmp/out" "$tmp/err"
"$RDROP" eval "$tmp/ref/last.ckpt" --data "$MNIST" --mc 64 >"$tmp/out" 2>"$tmp/err" &
pid=$!
stop_after INT 1.5 "$pid"
[ "$status" -eq 130 ] || fail "eval: SIGINT during --mc 64: exit $status, want 130"; ok
[ "$ms" -le "$LIMIT_MS" ] || fail "eval: exited $ms ms after SIGINT (at most $LIMIT_MS)"; ok
[ -s "$tmp/out" ] && fail "eval: an interrupted evaluation printed results"; ok
grep -q '^rdrop eval: interrupted by signal 2' "$tmp/err" || fail "eval: no 'interrupted' message"; ok
echo "signals.sh: eval stopped $ms ms after SIGINT in its sub-network passes"

# ---- compare: SIGTERM while both runs evaluate ----------------------------
empty_files "$tmp/out" "$tmp/err"
"$RDROP" compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds 1 --jobs 2 --threads 2 \
    --set "data.dir=$MNIST" --set data.train_subset=128 --set train.epochs=1 --set train.mc_passes=16 \
    --out "$tmp/cmp" >"$tmp/out" 2>"$tmp/err" &
pid=$!
# both runs past their setup (the banner's last line), so both are in their
# evaluation a second later, whatever the machine's load
for r in mnist-dropout-s0 mnist-rdrop-s0; do
    wait_for_line '^\[2/2\] train' "$tmp/out" "$pid"
    wait_for_line '^OpenBLAS: core' "$tmp/cmp/runs/$r/train.log" "$pid"
done
stop_after TERM 1 "$pid"
[ "$status" -eq 143 ] || fail "compare: SIGTERM: exit $status, want 143"; ok
[ "$ms" -le "$LIMIT_MS" ] || fail "compare: exited $ms ms after SIGTERM (at most $LIMIT_MS)"; ok
for r in "$tmp"/cmp/runs/*; do
    grep -q '^interrupted: checkpoint written' "$r/train.log" || fail "compare: $r did not checkpoint"
done; ok
[ -e "$tmp/cmp/results.csv" ] && fail "compare: an interrupted comparison wrote results.csv"; ok
left=$(pgrep -f "$tmp/cmp/runs" || true)
[ -z "$left" ] || { kill $left 2>/dev/null; fail "compare: runs left behind: $left"; }; ok
echo "signals.sh: compare stopped $ms ms after SIGTERM with its runs in their evaluation"

echo "$NAME: $passed passed, 0 failed"
