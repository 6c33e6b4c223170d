#!/bin/sh
# Fault tests, run by `make test-cli` with $RDROP set to the rdrop binary:
#   - every malformed input in tests/bad-inputs/ (configs, IDX files,
#     checkpoints, safetensors, images) gives exit status 1 or 2 and one line on stderr
#     naming the file, never a signal;
#   - the memory limit refuses a model before training, with the number;
#   - SIGINT / SIGTERM during training write a checkpoint, exit 130 / 143, and
#     --resume finishes with exactly the parameters of an uninterrupted run;
#   - kill -9 during training leaves a whole checkpoint, and --resume finishes
#     with exactly the parameters of an uninterrupted run;
#   - a failing write (a full disk: a tiny tmpfs, or without mount rights a
#     file size limit, ulimit -f) gives exit status 1 and keeps the previous
#     checkpoint;
#   - a diverging run (SGD, lr = 1e6) stops at the first non-finite loss,
#     naming epoch and batch, and keeps the last finite checkpoint.
# Training needs MNIST in ${MNIST_MIRROR_DIR:-data/mnist}; without it those
# tests are skipped with a message. Final checkpoints are compared byte for
# byte: at the end of a run the epoch sums (timings) are zero, so an
# interrupted-and-resumed run must give the very same file.
set -u
: "${RDROP:?set RDROP to the rdrop binary}"
DATA=${MNIST_MIRROR_DIR:-data/mnist}
BAD=tests/bad-inputs
tmp=$(mktemp -d) || exit 1
mounted=
cleanup() {
    pkill -TERM -P $$ 2>/dev/null # no background run outlives the script
    [ -n "$mounted" ] && umount "$tmp/full" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "faults.sh: FAIL: $*" >&2
    for f in "$tmp/out" "$tmp/err"; do
        [ -s "$f" ] && { echo "--- ${f##*/}:" >&2; tail -n 5 "$f" >&2; }
    done
}

# run ARGS...: rdrop with stdout, stderr and the exit status kept.
run() {
    "$RDROP" "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
}

# run_train ARGS...: the test run (train, below) with output and status kept.
run_train() {
    train "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
}

# bad_input NAME ARGS...: status 1 or 2 (no signal), one line on stderr that
# contains NAME.
bad_input() {
    name=$1
    shift
    run "$@"
    case $status in
    1 | 2) ;;
    *) fail "'rdrop $*' exited $status, want 1 or 2"; return ;;
    esac
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || { fail "'rdrop $*': want one line on stderr"; return; }
    grep -qF -- "$name" "$tmp/err" || { fail "'rdrop $*': the message does not name $name"; return; }
    pass
}

# ---- Malformed inputs ------------------------------------------------------
for f in "$BAD"/config/*.ini; do
    bad_input "$f" train "$f" --out "$tmp/never" --quiet
done
for f in "$BAD"/ckpt/*.ckpt; do
    bad_input "$f" eval "$f" --data "$tmp/no-data"
done
# The malformed IDX folders are written here, not committed: their files carry
# MNIST's names, and dataset-named files stay out of the repository.
if command -v python3 >/dev/null 2>&1 && python3 tests/bad-inputs/make-fixtures.py "$tmp/bad"; then
    for d in "$tmp"/bad/idx/*/; do
        d=${d%/}
        bad_input "$d/train-" train experiments/smoke.ini --set "data.dir=$d" --out "$tmp/never" --quiet
    done
else
    fail "python3 is needed to write the malformed IDX files (scripts/install-deps.sh installs it)"
fi
bad_input "--set" train experiments/smoke.ini --set "train.lr=0.1x" --out "$tmp/never"
bad_input "--set" train experiments/smoke.ini --set "model.hidden=99999999999" --out "$tmp/never"
# Endless inputs (a device without line breaks or end) are refused, not read whole.
bad_input /dev/zero train /dev/zero --out "$tmp/never"
bad_input /dev/zero train experiments/smoke.ini --set model.file=/dev/zero --out "$tmp/never"
bad_input /dev/zero eval /dev/zero --data "$tmp/no-data"
# Malformed safetensors, through `rdrop import` and through model.init_from
# (read before the data, so no MNIST is needed to get its message).
for f in "$BAD"/safetensors/*.safetensors; do
    bad_input "$f" import "$f" --out "$tmp/never.ckpt"
    bad_input "$f" train experiments/smoke.ini --set "model.init_from=$f" --set "data.dir=$tmp/no-data" \
        --out "$tmp/never" --quiet
done
bad_input /dev/zero import /dev/zero --out "$tmp/never.ckpt"
[ -e "$tmp/never.ckpt" ] && fail "a refused import wrote a checkpoint"
[ -e "$tmp/never" ] && fail "a refused run created its output folder"

# The memory limit: refused before the data is read (data.dir does not exist),
# with the estimate in MiB.
bad_input experiments/smoke.ini train experiments/smoke.ini --set train.memory_limit_mb=1 \
    --set "data.dir=$tmp/no-data" --out "$tmp/never"
grep -Eq 'need about [0-9]+ MiB, more than the limit of 1 MiB' "$tmp/err" && pass ||
    fail "memory limit: no 'need about N MiB, more than the limit of 1 MiB'"
bad_input experiments/smoke.ini train experiments/smoke.ini --set model.hidden=1000000,1000000 \
    --set "data.dir=$tmp/no-data" --out "$tmp/never"
grep -q 'need about' "$tmp/err" && pass || fail "a 10^12-parameter model was not refused by size"

if [ ! -e "$DATA/train-images-idx3-ubyte.gz" ] && [ ! -e "$DATA/train-images-idx3-ubyte" ]; then
    echo "faults.sh: SKIP training fault tests: no MNIST in $DATA (make data, or set MNIST_MIRROR_DIR)"
    echo "faults.sh: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi

# ---- Training faults -------------------------------------------------------
# A run of ~1 s per epoch on 2 cores: 4 epochs of 12000 samples, one thread so
# results are bit-reproducible.
train() {
    "$RDROP" train experiments/smoke.ini --set "data.dir=$DATA" --set data.train_subset=12000 \
        --set model.hidden=64 --set train.epochs=4 --set train.threads=1 --quiet "$@"
}
# train_bg DIR: the same run in the background, output in DIR.out and DIR.err;
# pid = rdrop's own process id (not a subshell's), for kill.
train_bg() {
    out=$1
    shift
    : >"$out.out" # emptied before the start, so started() never reads an earlier run's lines
    : >"$out.err"
    "$RDROP" train experiments/smoke.ini --set "data.dir=$DATA" --set data.train_subset=12000 \
        --set model.hidden=64 --set train.epochs=4 --set train.threads=1 --quiet "$@" \
        --out "$out" >"$out.out" 2>"$out.err" &
    pid=$!
}
# wait_for TEST...: polls (up to 60 s) until the test command succeeds.
wait_for() {
    i=0
    while ! "$@"; do
        i=$((i + 1))
        [ $i -gt 3000 ] && return 1
        sleep 0.02
    done
}
started() { grep -q '^OpenBLAS' "$1.out" 2>/dev/null; }

train --out "$tmp/ref" >"$tmp/out" 2>"$tmp/err" || fail "reference run failed"
[ -s "$tmp/ref/last.ckpt" ] && pass || fail "reference run wrote no last.ckpt"
train --set train.epochs=2 --out "$tmp/ref2" >"$tmp/out" 2>"$tmp/err" || fail "2-epoch reference run failed"

# Images need a model: every bad image, and the JPEG the fuzzer found.
for f in "$BAD"/image/* tests/fuzz/corpus/fuzz_image/crash-* /dev/zero; do
    bad_input "$f" predict "$tmp/ref/last.ckpt" "$f"
done

# signal_test SIG STATUS: stop a run with SIG right after it starts, then resume.
signal_test() {
    sig=$1
    want=$2
    r=$tmp/sig-$sig
    train_bg "$r"
    wait_for started "$r" || fail "$sig: the run did not start"
    kill -"$sig" "$pid"
    wait "$pid"
    got=$?
    cp "$r.out" "$tmp/out"
    cp "$r.err" "$tmp/err"
    [ "$got" -eq "$want" ] || { fail "$sig: exit status $got, want $want"; return; }
    grep -q '^interrupted: checkpoint written' "$r.out" || { fail "$sig: no 'interrupted' line"; return; }
    "$RDROP" train --resume "$r" --quiet >"$tmp/out" 2>"$tmp/err" || { fail "$sig: --resume failed"; return; }
    grep -q '^resuming after epoch' "$tmp/out" || { fail "$sig: --resume did not resume"; return; }
    cmp -s "$r/last.ckpt" "$tmp/ref/last.ckpt" || { fail "$sig: resumed run differs from the uninterrupted one"; return; }
    [ "$(grep -c '^[0-9]' "$r/metrics.csv")" -eq 4 ] || { fail "$sig: metrics.csv does not have 4 epochs"; return; }
    pass
}
signal_test INT 130
signal_test TERM 143

# kill -9 once the first checkpoint exists: the file on disk is whole (it
# loads), and the resumed run ends exactly where the uninterrupted one did.
r=$tmp/kill9
train_bg "$r"
wait_for test -s "$r/last.ckpt" || fail "kill -9: no checkpoint appeared"
kill -KILL "$pid"
wait "$pid"
got=$?
if [ "$got" -ne 137 ]; then
    fail "kill -9: the run ended with status $got before the kill (machine too fast?)"
elif ! "$RDROP" eval "$r/last.ckpt" --data "$DATA" >"$tmp/out" 2>"$tmp/err"; then
    fail "kill -9: last.ckpt does not load"
elif ! "$RDROP" train --resume "$r" --quiet >"$tmp/out" 2>"$tmp/err"; then
    fail "kill -9: --resume failed"
elif ! cmp -s "$r/last.ckpt" "$tmp/ref/last.ckpt"; then
    fail "kill -9: resumed run differs from the uninterrupted one"
else
    pass
fi

# A full disk while writing the epoch-2 checkpoint: status 1, a message, the
# epoch-1 checkpoint intact (it resumes to the same end as an uninterrupted run).
size=$(wc -c <"$tmp/ref2/last.ckpt")
mkdir -p "$tmp/full"
if mount -t tmpfs -o "size=$(((size * 3 / 2 + 16384) / 1024))k" tmpfs "$tmp/full" 2>/dev/null; then
    mounted=1
    r=$tmp/full/run
    run_train --set train.epochs=2 --out "$r"
    how="a full tmpfs"
else
    # No mount rights: a file size limit below one checkpoint, so its write
    # fails with EFBIG (SIGXFSZ ignored) as it would with ENOSPC. ulimit -f
    # counts 512-byte blocks in dash, 1024-byte ones in bash: both are far
    # below a checkpoint and far above config.ini and metrics.csv.
    r=$tmp/fsize
    train --set train.epochs=1 --out "$r" >"$tmp/out" 2>"$tmp/err"
    (trap '' XFSZ && ulimit -f 64 && exec "$RDROP" train --resume "$r" --set train.epochs=2 --quiet) \
        >"$tmp/out" 2>"$tmp/err"
    status=$?
    how="a file size limit (no mount rights for a tmpfs)"
fi
echo "faults.sh: write failure simulated with $how"
if [ "$status" -ne 1 ]; then
    fail "full disk: exit status $status, want 1"
elif [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -Eq 'last.ckpt.*(No space left on device|File too large)' "$tmp/err"; then
    fail "full disk: want one line naming last.ckpt and 'No space left on device' (or 'File too large')"
elif ls "$r" | grep -q '\.tmp'; then
    fail "full disk: a temporary file left behind: $(ls "$r")"
else
    cp -R "$r" "$tmp/full-copy"
    if ! "$RDROP" train --resume "$tmp/full-copy" --set train.epochs=2 --quiet >"$tmp/out" 2>"$tmp/err"; then
        fail "full disk: the kept checkpoint does not resume"
    elif ! grep -q '^resuming after epoch 1, batch 0' "$tmp/out"; then
        fail "full disk: the kept checkpoint is not the epoch-1 one"
    elif ! cmp -s "$tmp/full-copy/last.ckpt" "$tmp/ref2/last.ckpt"; then
        fail "full disk: resuming the kept checkpoint does not end like the uninterrupted run"
    else
        pass
    fi
fi
[ -n "$mounted" ] && umount "$tmp/full" && mounted=

# A full disk at the first checkpoint: no row is left without its checkpoint,
# and rdrop's advice works: the folder is not "a run to --resume". Without
# mount rights, the file size limit again stands in for the full disk.
if mount -t tmpfs -o "size=$((size / 2 / 1024))k" tmpfs "$tmp/full" 2>/dev/null; then
    mounted=1
    r=$tmp/full/first
    run_train --set train.epochs=2 --out "$r"
else
    r=$tmp/fsize-first
    (trap '' XFSZ && ulimit -f 64 && exec "$RDROP" train experiments/smoke.ini --set "data.dir=$DATA" \
        --set data.train_subset=12000 --set model.hidden=64 --set train.epochs=2 --set train.threads=1 --quiet \
        --out "$r") >"$tmp/out" 2>"$tmp/err"
    status=$?
fi
if [ "$status" -ne 1 ] || ! grep -Eq 'No space left on device|File too large' "$tmp/err"; then
    fail "full disk at the first checkpoint: status $status, want 1 and 'No space left on device' (or 'File too large')"
elif [ "$(grep -c '^[0-9]' "$r/metrics.csv")" -ne 0 ]; then
    fail "full disk at the first checkpoint: metrics.csv records an epoch without a checkpoint"
else
    pass
fi
"$RDROP" train --resume "$r" --quiet >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q 'no last.ckpt to resume from.*--force' "$tmp/err" && pass ||
    fail "--resume of a run without a checkpoint: want status 2 and the advice to use --force"
[ -n "$mounted" ] && umount "$tmp/full" && mounted=
# rows past the last checkpoint and no checkpoint at all (kill -9 before the
# first one, checkpoint_interval 3): the rerun's advice is --force, which works
r=$tmp/norows
train_bg "$r" --set train.checkpoint_interval=3
wait_for grep -qs "^1," "$r/metrics.csv" || fail "checkpoint_interval 3: no epoch row appeared"
kill -KILL "$pid"
wait "$pid"
if [ -e "$r/last.ckpt" ]; then
    fail "checkpoint_interval 3: a checkpoint before epoch 3 (machine too slow?)"
else
    run_train --out "$r"
    if [ "$status" -ne 2 ] || ! grep -q 'but no last.ckpt to continue it from: start it over with --force' "$tmp/err"; then
        fail "a folder with rows and no checkpoint: status $status, want 2 and the advice to use --force"
    elif grep -q -- '--resume' "$tmp/err"; then
        fail "a folder with rows and no checkpoint: the message suggests --resume, which cannot work"
    else
        run_train --force --out "$r"
        [ "$status" -eq 0 ] && [ -s "$r/last.ckpt" ] && pass || fail "--force on that folder: status $status"
    fi
fi

# Divergence that stays finite (issue 16: Adam at lr = 1e6 with R-Drop reached
# losses of 1e27 and finished with exit 0): stopped by train.max_loss, with
# the loss printed readably (1.3e+24, not 25 digits).
run_train --set train.method=rdrop --set train.lr=1e6 --set train.epochs=3 --out "$tmp/div-adam"
if [ "$status" -ne 1 ] || ! grep -Eq 'loss [0-9.]+e\+[0-9]+ above train.max_loss = 461 at epoch 1, batch [0-9]+: training diverged.*train.lr' "$tmp/err"; then
    fail "finite divergence: want status 1 and 'loss N.Ne+NN above train.max_loss = 461 ...'"
else
    pass
fi
# the rule's other side: a low train.max_loss stops even a healthy first
# batch, and the message says the limit did it and how to raise it (not to
# lower a learning rate that was fine)
for m in dropout rdrop; do
    run_train --set train.max_loss=1 --set train.method=$m --set train.epochs=1 --out "$tmp/div-low-$m"
    if [ "$status" -ne 1 ] || ! grep -Eq 'loss 2\.[0-9]+ above train.max_loss = 1 at epoch 1, batch 1: the limit train.max_loss stopped training' "$tmp/err"; then
        fail "train.max_loss = 1 ($m): want the first batch (loss about 2.3) to stop the run"
    elif ! grep -q 'raise train.max_loss above 2\.' "$tmp/err" || grep -q 'train.lr' "$tmp/err"; then
        fail "train.max_loss = 1 ($m): the message should say how to raise the limit, not blame the learning rate"
    else
        pass
    fi
done

# Divergence: from the start (no checkpoint yet), and after one good epoch.
run_train --set train.optimizer=sgd --set train.lr=1e6 --set train.epochs=1 --out "$tmp/div"
if [ "$status" -ne 1 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] ||
    ! grep -Eq '(non-finite loss|above train.max_loss).* at epoch 1, batch [0-9]+: training diverged' "$tmp/err"; then
    fail "divergence: want status 1 and one line '... at epoch 1, batch N: training diverged'"
elif [ -e "$tmp/div/last.ckpt" ]; then
    fail "divergence: a checkpoint was written"
else
    pass
fi
r=$tmp/div2
train --set train.optimizer=sgd --set train.lr=0.01 --set train.epochs=1 --out "$r" >"$tmp/out" 2>"$tmp/err"
cp "$r/last.ckpt" "$tmp/div2-epoch1.ckpt"
run train --resume "$r" --set train.lr=1e6 --set train.epochs=2 --quiet
if [ "$status" -ne 1 ] || ! grep -Eq 'at epoch 2, batch [0-9]+: training diverged .*last.ckpt holds the last good model \(epoch 1\)' "$tmp/err"; then
    fail "divergence after a checkpoint: want status 1 and '... at epoch 2, batch N: training diverged ...'"
elif ! cmp -s "$r/last.ckpt" "$tmp/div2-epoch1.ckpt"; then
    fail "divergence after a checkpoint: last.ckpt changed"
else
    pass
fi

echo "faults.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
