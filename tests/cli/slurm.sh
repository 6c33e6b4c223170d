#!/bin/sh
# `rdrop compare --slurm` on a real single-node SLURM (tests/cli/lib/slurm.sh
# starts it on 127.0.0.1 in a temporary folder and stops it at the end): a
# study of 2 configs x 2 seeds (500 MNIST images, 8 epochs, 1 thread each)
# as a job array; one task is requeued while it trains (scontrol requeue, as
# after preemption) and another is sent SIGTERM the way --signal warns of
# the time limit (the task then requeues itself, and only itself); both
# resume rather than restart. `rdrop compare` then reports the same numbers as the same study
# run here with --jobs, and the runs' checkpoints are the same bytes. Also: a
# task whose run fails (a config changed under it) fails once, not
# requeued; compare does not train while the array's tasks may still run;
# an unknown partition. Skips when SLURM cannot start here (not root, not
# installed: scripts/install-deps.sh --with-tools), unless RDROP_REQUIRE_SLURM
# is set (.ci/run sets it), when that is a failure.
set -u
NAME=slurm.sh
. tests/cli/lib/common.sh
. tests/cli/lib/slurm.sh
MNIST=${MNIST_MIRROR_DIR:-data/mnist}

skip() {
    if [ -n "${RDROP_REQUIRE_SLURM:-}" ]; then
        echo "slurm.sh: FAIL: cannot run: $1 (RDROP_REQUIRE_SLURM is set)" >&2
        echo "slurm.sh: 0 passed, 1 failed"
        exit 1
    fi
    echo "slurm.sh: skipped: $1"
    echo "slurm.sh: 0 passed, 0 failed"
    exit 0
}
[ -f "$MNIST/train-images-idx3-ubyte.gz" ] || [ -f "$MNIST/train-images-idx3-ubyte" ] ||
    skip "no MNIST in $MNIST (set MNIST_MIRROR_DIR or run make data)"
why=$(slurm_why_not)
[ -z "$why" ] || skip "no SLURM here: $why"

sdir=$(mktemp -d) || exit 1
trap 'slurm_stop; stop_children; rm -rf "$tmp" "$sdir"' EXIT
trap 'exit 1' INT TERM HUP
if ! slurm_start "$sdir"; then
    for f in "$sdir/why" "$sdir/slurmctld.log" "$sdir/slurmd.log" "$sdir/munged.out"; do
        [ -s "$f" ] && { echo "--- $f:"; tail -n 15 "$f"; }
    done
    skip "the single-node SLURM did not start: $(cat "$sdir/why" 2>/dev/null)"
fi
echo "slurm.sh: a single-node SLURM is up ($(sinfo --noheader --format='%N, %c CPUs, partition %R'))"

# Every wait is bounded: the whole test gives up after 4 minutes.
deadline=$(($(date +%s) + 240))
# await WHAT COMMAND...: runs COMMAND until it succeeds.
await() {
    what=$1
    shift
    until "$@"; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            { echo "--- squeue:"; squeue --all --format='%i %A %T %r %S' 2>&1
              for f in "$S"/slurm/*.out; do [ -f "$f" ] && { echo "--- $f:"; tail -n 8 "$f"; }; done; } >&2
            fail "gave up waiting for $what"
        fi
        sleep 0.2
    done
}
has_line() { grep -q -- "$1" "$2" 2>/dev/null; }
# (squeue can fail for a moment, printing nothing: that is not "no jobs")
no_jobs() {
    q=$(squeue --noheader --jobs="$1" 2>&1) && [ -z "$q" ] && return 0
    case $q in *"Invalid job id"*) return 0 ;; esac # ended and forgotten
    return 1
}
pending() { [ "$(squeue --noheader --jobs="$1" --format=%T 2>/dev/null)" = PENDING ]; }
# the pid of the rdrop train of array task $2 of study $1, from its SLURM output
rdrop_pid() { sed -n 's/.* rdrop train is pid \([0-9]*\)$/\1/p' "$1"/slurm/*_"$2".out | tail -n 1; }

S="$tmp/slurm-study" L="$tmp/local-study"
set -- experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds 2 --epochs 8 --busy \
    --set model.file=models/mlp-256.ini --set data.train_subset=500 --set "data.dir=$MNIST"

# ---- bad input ----------------------------------------------------------
error 2 'SLURM has no partition nowhere (it has: test)' compare "$@" --out "$S" --slurm --partition test,nowhere
[ ! -e "$S/study.sbatch" ] || fail "a refused job array left a study.sbatch"; ok

# ---- the job array --------------------------------------------------------
run compare "$@" --out "$S" --slurm --partition test --time 00:10:00 --max-running 2 --submit
expect_status 0
expect_out "^wrote $S/study.sbatch: a job array of 4 tasks, one per run still to train \(of 4\), 1 CPU each, at most 2 at a time\$"
job=$(sed -n 's/^submitted: job array \([0-9]*\) .*/\1/p' "$tmp/out")
[ -n "$job" ] || fail "no job id printed"; ok
for line in '--array=1-4%2' '--cpus-per-task=1' '--time=00:10:00' '--partition=test' '--requeue' \
    '--signal=B:TERM@90' "--output=$S/slurm/%A_%a.out"; do
    grep -qx -- "#SBATCH $line" "$S/study.sbatch" || fail "study.sbatch has no line #SBATCH $line"
done
ok

# While the tasks run, compare does not train here.
await "task 1 to start training" has_line '^epoch 1/' "$S/runs/mnist-dropout-s0/train.log"
run compare "$@" --out "$S"
expect_status 1
grep -q '^rdrop compare: .*/study.sbatch is there: its SLURM tasks may still be queued or running' "$tmp/err" ||
    fail "compare trained (or failed otherwise) while the array ran"; ok
grep -q '] train ' "$tmp/out" && fail "compare started a run while the array ran"; ok

# Task 1 is requeued as after preemption: SLURM sends SIGTERM to all its
# processes and starts it again. Its rdrop is stopped first (and continued
# right after), so that the signal lands in the middle of the run however
# fast this machine is.
p1=$(rdrop_pid "$S" 1)
[ -n "$p1" ] || fail "task 1 did not say its rdrop's pid"
kill -STOP "$p1"
scontrol requeue "${job}_1" || { kill -CONT "$p1"; fail "scontrol requeue ${job}_1 failed"; }
kill -CONT "$p1"
# Task 4, the last to start, gets the warning of its time limit: SIGTERM to
# its batch shell alone, as --signal=B:TERM@90 sends it; the script passes it
# on to rdrop and requeues the task itself. The last task to start holds the
# array's own job id, which names every task to scontrol: the task must
# requeue itself alone (task 3 may be running then).
await "task 4 to start training" has_line '^epoch 1/' "$S/runs/mnist-rdrop-s1/train.log"
[ "$(squeue --noheader --jobs="${job}_4" --format=%A)" = "$job" ] ||
    echo "slurm.sh: note: task 4 does not hold the array's job id here"
p4=$(rdrop_pid "$S" 4)
[ -n "$p4" ] || fail "task 4 did not say its rdrop's pid"
kill -STOP "$p4"
scancel --batch --signal=TERM "${job}_4" || { kill -CONT "$p4"; fail "scancel --batch ${job}_4 failed"; }
kill -CONT "$p4"
ok
# A requeued task waits for its BeginTime (about 2 minutes): start them now
# (again, if the requeue was still being completed and set it back).
held() { [ "$(squeue --noheader --jobs="$1" --format='%T %r' 2>/dev/null)" = "PENDING BeginTime" ]; }
start_now() {
    held "$1" || return 0
    scontrol update jobid="$1" StartTime=now >/dev/null 2>&1
    sleep 1
    ! held "$1"
}
for t in 1 4; do
    await "task $t to be requeued" pending "${job}_$t"
    await "task $t to leave its BeginTime" start_now "${job}_$t"
done
ok
finished() { [ "$(cat "$1"/slurm/*.out | grep -c ': finished$')" -ge "$2" ]; }
await "the 4 tasks to finish" finished "$S" 4
await "the job array to end" no_jobs "$job"
cat "$S"/slurm/*.out >"$tmp/out"
for t in 1 2 3 4; do
    grep -q "^.* task $t (.*): finished\$" "$tmp/out" || fail "task $t did not finish"
done
ok
for t in 1 4; do
    grep -q "task $t (.*): start (job [0-9]*, restart 1)\$" "$tmp/out" || fail "task $t was not started again"
done
ok
# the others ran once: a task requeues itself alone, never the whole array
for t in 2 3; do
    [ "$(grep -c "task $t (.*): start " "$tmp/out")" -eq 1 ] || fail "task $t was started more than once"
done
ok
grep -q 'task 4 (.*): interrupted (exit 143), checkpoint written: requeueing the task to resume$' "$tmp/out" ||
    fail "task 4 did not requeue itself after the warning signal"; ok
for r in mnist-dropout-s0 mnist-rdrop-s1; do
    log="$S/runs/$r/train.log"
    grep -q '^interrupted: checkpoint written to ' "$log" || fail "$r: no checkpoint on SIGTERM ($log)"
    grep -q '^resuming after epoch [0-9]*, batch [0-9]*$' "$log" || fail "$r: resumed? ($log)"
    [ "$(grep -c '^rdrop train: mnist' "$log")" -eq 2 ] || fail "$r: want two starts in $log"
done
ok
for r in mnist-dropout-s0 mnist-dropout-s1 mnist-rdrop-s0 mnist-rdrop-s1; do
    [ "$(cut -d, -f1 "$S/runs/$r/metrics.csv" | tr '\n' ' ')" = "epoch 1 2 3 4 5 6 7 8 " ] ||
        fail "$r/metrics.csv does not hold epochs 1 to 8 once each"
done
ok

# ---- the report: the same as the same study run here ----------------------
run compare "$@" --out "$S"
expect_status 0
[ "$(grep -c '^re-use .* (finished)$' "$tmp/out")" -eq 4 ] || fail "compare re-used not all 4 runs"; ok
run compare "$@" --out "$L" --jobs 2 --threads 2
expect_status 0
for r in mnist-dropout-s0 mnist-dropout-s1 mnist-rdrop-s0 mnist-rdrop-s1; do
    cmp -s "$S/runs/$r/last.ckpt" "$L/runs/$r/last.ckpt" || fail "$r: SLURM and local checkpoints differ"
done
ok
# results.csv without its three time columns; report.md (--busy: no times)
# but for the command it names
[ "$(cut -d, -f1-15,19- "$S/results.csv")" = "$(cut -d, -f1-15,19- "$L/results.csv")" ] ||
    fail "results.csv differs between SLURM and local"; ok
[ "$(grep -v '^Made by' "$S/report.md")" = "$(grep -v '^Made by' "$L/report.md")" ] ||
    fail "report.md differs between SLURM and local"; ok

# ---- a task that fails for a real reason fails once --------------------------
B="$tmp/bad-study"
run compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds 1 --epochs 1 \
    --set model.file=models/mlp-256.ini --set data.train_subset=500 --set "data.dir=$MNIST" --out "$B" --slurm
expect_status 0
expect_out "^  sbatch $B/study.sbatch\$"
# the config changes under the array: task 2's folder holds a 2-epoch run
mkdir -p "$B/runs/mnist-rdrop-s0"
sed 's/^epochs = 8 .*/epochs = 2/' "$S/runs/mnist-rdrop-s0/config.ini" >"$B/runs/mnist-rdrop-s0/config.ini"
bad=$(sbatch --parsable "$B/study.sbatch") || fail "sbatch $B/study.sbatch failed"
await "the failing array to finish" no_jobs "$bad"
scontrol show job "${bad}_2" >"$tmp/out"
grep -q 'JobState=FAILED' "$tmp/out" && grep -q 'Restarts=0' "$tmp/out" && grep -q 'ExitCode=2:0' "$tmp/out" ||
    fail "the task of a changed config: want FAILED, exit 2, no restart"; ok
grep -q 'rdrop train failed (exit 2); not requeued' "$B"/slurm/*_2.out &&
    grep -q 'config.ini: .* but the run asked for has ' "$B"/slurm/*_2.out ||
    fail "the failed task's output does not say why"; ok
grep -q 'task 1 (.*): finished$' "$B"/slurm/*_1.out || fail "the other task did not finish"; ok

echo "slurm.sh: $passed passed, 0 failed"
