#!/bin/sh
# Run folders are locked and protected (issue 18, docs/reliability.md):
#   - a second `rdrop train` (or `--resume`) on a folder in use exits 1 naming
#     the pid that holds it, and changes nothing; so does a second
#     `rdrop compare` on the same --out;
#   - a new run over an existing one (last.ckpt, metrics.csv rows) is refused
#     with exit 2 pointing to --resume and --force; --force starts over;
#   - a folder where the lock cannot be created (read-only) is a clear error;
#   - eval reads the checkpoint of a running run;
#   - SIGHUP checkpoints a run (exit 129); SIGHUP to `rdrop compare` reaches
#     its runs, which checkpoint, and compare exits 129 leaving no process.
# Needs MNIST (${MNIST_MIRROR_DIR:-data/mnist}) for everything that trains.
set -u
NAME=runs.sh
. tests/cli/lib/common.sh
MNIST=$(cd "${MNIST_MIRROR_DIR:-data/mnist}" 2>/dev/null && pwd)
root=$(pwd)
RDROP=$(cd "$(dirname "$RDROP")" && pwd)/$(basename "$RDROP") # the default-folder check runs elsewhere

# status_line STATUS WORD...: the last command ended with STATUS and one line
# on stderr containing every WORD.
status_line() {
    want=$1
    shift
    [ "$status" -eq "$want" ] || fail "'rdrop $args' exited $status, want $want"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "'rdrop $args': want one line on stderr"
    for w in "$@"; do grep -qF -- "$w" "$tmp/err" || fail "'rdrop $args': stderr does not say '$w'"; done
    ok
}

# A read-only folder: the lock file cannot be created. As root the permission
# bits do not stop us, so a read-only tmpfs stands in when it can be mounted.
mkdir "$tmp/ro"
ro=
if [ "$(id -u)" -ne 0 ]; then
    chmod 555 "$tmp/ro" && ro=chmod
elif mount -t tmpfs -o ro,size=64k tmpfs "$tmp/ro" 2>/dev/null; then
    ro=mount
fi
if [ -n "$ro" ]; then
    run train experiments/smoke.ini --out "$tmp/ro" --quiet
    umount "$tmp/ro" 2>/dev/null
    chmod 755 "$tmp/ro"
    status_line 1 "$tmp/ro: cannot create the lock file $tmp/ro/.lock:"
else
    echo "runs.sh: skipping the read-only folder check: root without the right to mount a tmpfs"
fi
run train experiments/smoke.ini --resume "$tmp/ro" --force
status_line 2 "--force starts over, --resume continues: not both"
# a run folder's path must leave room for the files in it: refused up front,
# the reason kept at the end of the line however long the path
long=$tmp/$(printf '%0200d/' $(seq 19) | tr 0 l)xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
run train experiments/smoke.ini --out "$long" --quiet
status_line 2 "characters; a run folder's may have at most 3800"
[ ! -e "$long" ] || fail "the refused run folder was created"; ok
run compare experiments/smoke.ini experiments/smoke.ini:train.alpha=2 --seeds 1 --out "$long"
status_line 2 "at most 3800"

if [ -z "$MNIST" ] || { [ ! -e "$MNIST/train-images-idx3-ubyte.gz" ] && [ ! -e "$MNIST/train-images-idx3-ubyte" ]; }; then
    echo "runs.sh: skipping the training checks: no MNIST (set MNIST_MIRROR_DIR or run make data)"
    echo "runs.sh: $passed passed, 0 failed"
    exit 0
fi

# long RUN_DIR ARGS...: a run of 200 short epochs (far longer than the test) in the
# background, output in RUN_DIR.out and .err; pid = rdrop's process id.
long() {
    d=$1
    shift
    empty_files "$d.out" "$d.err"
    "$RDROP" train "$root/experiments/smoke.ini" --set "data.dir=$MNIST" --set "model.file=$root/models/mlp-256.ini" \
        --set train.epochs=200 --set train.threads=1 --quiet --out "$d" "$@" >"$d.out" 2>"$d.err" &
    pid=$!
}
# wait_for TEST...: polls (up to 60 s) until the test command succeeds.
wait_for() {
    i=0
    while ! "$@"; do
        i=$((i + 1))
        [ $i -gt 600 ] && return 1
        sleep 0.1
    done
}
banner() { grep -q '^OpenBLAS' "$1" 2>/dev/null; } # the run holds its folder
short() { "$RDROP" train "$root/experiments/smoke.ini" --set "data.dir=$MNIST" \
    --set "model.file=$root/models/mlp-256.ini" --set train.epochs=1 --set train.threads=1 --quiet "$@"; }

# ---- two trains on one folder ------------------------------------------------
r=$tmp/busy
long "$r"
first=$pid
wait_for banner "$r.out" || fail "the first run did not start"
cp "$r/config.ini" "$tmp/config-before"
run train experiments/smoke.ini --set "data.dir=$MNIST" --set train.seed=1 --out "$r" --quiet
status_line 1 "$r is in use by another rdrop (pid $first)"
run train --resume "$r" --quiet
status_line 1 "$r is in use by another rdrop (pid $first)"
run train experiments/smoke.ini --set "data.dir=$MNIST" --out "$r" --force --quiet
status_line 1 "in use by another rdrop"
cmp -s "$r/config.ini" "$tmp/config-before" || fail "the refused runs changed config.ini"
ok
# a reader needs no lock: eval of the running run's checkpoint
wait_for test -s "$r/last.ckpt" || fail "the first run wrote no checkpoint"
run eval "$r/last.ckpt" --data "$MNIST" --mc 2
[ "$status" -eq 0 ] && grep -q '^test_acc=' "$tmp/out" || fail "eval of a running run's last.ckpt: status $status"
ok
# SIGHUP: a checkpoint, status 129, and --resume continues from it
kill -HUP "$first"
wait "$first"
got=$?
[ "$got" -eq 129 ] || { cat "$r.err" >"$tmp/err"; fail "SIGHUP: exit status $got, want 129"; }
ok
line=$(grep '^interrupted: checkpoint written' "$r.out") || fail "SIGHUP: no 'interrupted' line"
ok
epoch=$(echo "$line" | sed -n 's/.*(epoch \([0-9]*\), batch.*/\1/p')
[ "$(grep -c '^[0-9]' "$r/metrics.csv")" -eq $((epoch - 1)) ] || fail "metrics.csv rows of another run were mixed in"
ok
run train --resume "$r" --set train.epochs="$epoch" --quiet
[ "$status" -eq 0 ] && grep -q "^resuming after epoch $((epoch - 1))" "$tmp/out" || fail "--resume after SIGHUP: status $status"
ok

# ---- a new run over an existing one ----------------------------------------
# the issue's example: the default folder runs/<config>-<seed>, a second time
mkdir "$tmp/cwd"
ln -s "$root/models" "$tmp/cwd/models" # smoke.ini names models/mlp-256.ini
(cd "$tmp/cwd" && short >/dev/null 2>&1) || fail "the first run in the default folder failed"
ok
d=$tmp/cwd/runs/smoke-0
cp "$d/last.ckpt" "$tmp/ckpt-before"
cp "$d/metrics.csv" "$tmp/metrics-before"
(cd "$tmp/cwd" && short >"$tmp/out" 2>"$tmp/err")
status=$?
args="train (the same run again)"
status_line 2 "runs/smoke-0 already holds a run (last.ckpt, 1 epoch in metrics.csv)" "--resume runs/smoke-0" "--force"
cmp -s "$d/last.ckpt" "$tmp/ckpt-before" && cmp -s "$d/metrics.csv" "$tmp/metrics-before" ||
    fail "the refused run changed last.ckpt or metrics.csv"
ok
# --force over a run, then failing to start (data of another size, no data):
# the old run is left as it was
for bad in "--set model.inputs=100" "--set data.dir=$tmp/nodata"; do
    (cd "$tmp/cwd" && short $bad --out runs/smoke-0 --force >"$tmp/out" 2>"$tmp/err")
    [ $? -ne 0 ] || fail "--force $bad: the run started"
    cmp -s "$d/last.ckpt" "$tmp/ckpt-before" && cmp -s "$d/metrics.csv" "$tmp/metrics-before" ||
        fail "--force $bad failed to start, yet changed last.ckpt or metrics.csv"
    ok
done
# --force starts over: one fresh row, a new checkpoint
(cd "$tmp/cwd" && short --set train.seed=0 --set data.train_subset=1000 --out runs/smoke-0 --force >"$tmp/out" 2>"$tmp/err")
[ $? -eq 0 ] && [ "$(grep -c '^1,' "$d/metrics.csv")" -eq 1 ] && [ "$(grep -c '^[0-9]' "$d/metrics.csv")" -eq 1 ] ||
    fail "--force did not start over"
ok
cmp -s "$d/last.ckpt" "$tmp/ckpt-before" && fail "--force kept the old last.ckpt"
grep -q '^train_subset = 1000' "$d/config.ini" || fail "--force kept the old config.ini"
ok
# an interrupted run is protected too (a checkpoint, no metrics row yet)
r=$tmp/stopped
long "$r"
wait_for banner "$r.out" || fail "the run to interrupt did not start"
kill -TERM "$pid"
wait "$pid"
run train experiments/smoke.ini --set "data.dir=$MNIST" --out "$r" --quiet
status_line 2 "$r already holds a run (last.ckpt" "--resume $r"

# ---- two compares on one folder, and SIGHUP to compare ----------------------
C=$tmp/cmp
empty_files "$tmp/cmp.out" "$tmp/cmp.err"
"$RDROP" compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds 1 --epochs 200 --jobs 2 \
    --threads 2 --set model.file=models/mlp-256.ini --set data.train_subset=2000 --set "data.dir=$MNIST" \
    --out "$C" >"$tmp/cmp.out" 2>"$tmp/cmp.err" &
cmp_pid=$!
both() { banner "$C/runs/mnist-dropout-s0/train.log" && banner "$C/runs/mnist-rdrop-s0/train.log"; }
wait_for both || fail "compare did not start its two runs"
run compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds 1 --epochs 200 \
    --set model.file=models/mlp-256.ini --set data.train_subset=2000 --set "data.dir=$MNIST" --out "$C"
status_line 1 "rdrop compare: $C is in use by another rdrop (pid $cmp_pid)"
kill -HUP "$cmp_pid"
if ! timeout 60 sh -c "while kill -0 $cmp_pid 2>/dev/null; do sleep 0.1; done"; then
    kill -KILL "$cmp_pid" $(pgrep -f "$C/runs") 2>/dev/null
    fail "SIGHUP to compare: still running after 60 s"
fi
wait "$cmp_pid"
got=$?
[ "$got" -eq 129 ] || { cp "$tmp/cmp.err" "$tmp/err"; fail "SIGHUP to compare: exit status $got, want 129"; }
ok
sleep 0.2
left=$(pgrep -f "$C/runs" || true)
[ -z "$left" ] || { kill $left 2>/dev/null; fail "SIGHUP to compare left runs behind: pids $left"; }
ok
for run in mnist-dropout-s0 mnist-rdrop-s0; do
    grep -q '^interrupted: checkpoint written' "$C/runs/$run/train.log" && [ -s "$C/runs/$run/last.ckpt" ] ||
        fail "$run did not checkpoint on SIGHUP"
    ok
done

echo "runs.sh: $passed passed, 0 failed"
