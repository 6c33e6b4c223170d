#!/bin/sh
# A study that moves: its run folders gone (another machine, a cleaned disk)
# but its results.csv kept. `rdrop compare` takes the rows as finished runs
# when their config_hash is the config's, and trains only what is missing;
# rows of another config, rows edited by hand or cut, and rows of an older
# rdrop (no hash) are each refused or not taken, with a message, and nothing
# is overwritten. Also: --slurm's usage errors and a machine without sbatch,
# and a study folder that cannot be written. Tiny real-MNIST runs
# (models/mlp-256.ini, 500 images, 1 epoch).
set -u
NAME=committed.sh
. tests/cli/lib/common.sh
MNIST=${MNIST_MIRROR_DIR:-data/mnist}

if [ ! -f "$MNIST/train-images-idx3-ubyte.gz" ] && [ ! -f "$MNIST/train-images-idx3-ubyte" ]; then
    echo "committed.sh: skipped: no MNIST in $MNIST (set MNIST_MIRROR_DIR or run make data)"
    echo "committed.sh: 0 passed, 0 failed"
    exit 0
fi
count() { grep -c -- "$1" "$tmp/out"; }
sums() { cksum "$C/results.csv" "$C/report.md" "$C/curves.png"; }

C="$tmp/study"
set -- experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --epochs 1 --jobs 2 --threads 2 \
    --set model.file=models/mlp-256.ini --set data.train_subset=500 --set "data.dir=$MNIST" --out "$C"

run compare "$@" --seeds 2
expect_status 0
head -n 1 "$C/results.csv" | grep -q ',total_seconds,group,config_hash$' || fail "results.csv has no config_hash column"; ok
[ "$(grep -c ',[0-9a-f]\{8\}$' "$C/results.csv")" -eq 4 ] || fail "want a config_hash on every row"; ok
# train.seed is part of the config: 4 runs, 4 hashes
[ "$(cut -d, -f20 "$C/results.csv" | sort -u | wc -l)" -eq 5 ] || fail "want 4 different hashes (and the header)"; ok
sed 1d "$C/results.csv" >"$tmp/rows"
png=$(cksum <"$C/curves.png")

# ---- the folders are gone: one more seed trains 2 runs, not 6 ----------------
rm -rf "$C/runs"
run compare "$@" --seeds 3
expect_status 0
expect_out "^results.csv: 4 finished runs taken from $C/results.csv \(no run folder here\)\$"
[ "$(count '^re-use .* (its row of results.csv)$')" -eq 4 ] || fail "want 4 runs re-used from results.csv"; ok
[ "$(count '] train ')" -eq 2 ] && grep -q '] train mnist-dropout-s2$' "$tmp/out" &&
    grep -q '] train mnist-rdrop-s2$' "$tmp/out" || fail "want only the two seed-2 runs trained"; ok
[ "$(wc -l <"$C/results.csv")" -eq 7 ] || fail "results.csv: want a header and 6 rows"; ok
grep -qxFf "$tmp/rows" "$C/results.csv" && [ "$(grep -cxFf "$tmp/rows" "$C/results.csv")" -eq 4 ] ||
    fail "the 4 earlier rows are not in the new results.csv as they were"; ok
grep -q '^4 of the 6 runs are rows of an earlier results.csv' "$C/report.md" || fail "report.md does not say so"; ok
grep -q '^| \*\*mnist-rdrop − mnist-dropout\*\* | 3 |' "$C/report.md" || fail "report.md does not pair 3 seeds"; ok
grep -q 'At equal training time' "$C/report.md" && fail "an equal-time table without the runs' times"; ok
[ "$(cksum <"$C/curves.png")" = "$png" ] && expect_out 'curves.png and curves.csv not redrawn: 4 runs have no folder here' ||
    fail "curves.png was redrawn without 4 of its runs"; ok

# the same again: nothing trains; --print-commands has nothing to print
run compare "$@" --seeds 3
expect_status 0
[ "$(count '^re-use ')" -eq 6 ] && [ "$(count '] train ')" -eq 0 ] || fail "want 6 re-used, 0 trained"; ok
run compare "$@" --seeds 3 --print-commands
[ "$status" -eq 0 ] && [ ! -s "$tmp/out" ] || fail "--print-commands printed runs that are finished"; ok

# --group: the same label and seed in each group, told apart by the hash
G="$tmp/groups"
g="experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds 1 --epochs 1 --jobs 2 --threads 2
   --set model.file=models/mlp-256.ini --set data.dir=$MNIST --group data.train_subset=300
   --group data.train_subset=400 --out $G"
run compare $g
expect_status 0
rm -rf "$G/runs"
run compare $g
expect_status 0
expect_out "^results.csv: 4 finished runs taken from $G/results.csv \(no run folder here\)\$"
[ "$(count '] train ')" -eq 0 ] || fail "--group: runs with rows trained again"; ok

# ---- refused: another config, edits, cut rows; nothing overwritten -------------
rm -rf "$C/runs"
before=$(sums)
error 2 'was made with another config (config_hash' compare "$@" --seeds 3 --set train.lr=0.002
[ "$(sums)" = "$before" ] || fail "a refused compare changed the study's files"; ok
cp "$C/results.csv" "$tmp/good.csv"
edit() { sed "$1" "$tmp/good.csv" >"$C/results.csv"; }
edit '/^mnist-rdrop,1,/s/,rdrop,1,/,rdrop,4,/'
error 1 'mnist-rdrop seed 1 has alpha 4, where its config has 1: was it edited by hand?' compare "$@" --seeds 3
edit '/^mnist-dropout,0,/s/,1,[0-9.]*,[0-9.]*,1,/,1,2.5,50.0,1,/'
error 1 'which no run gives' compare "$@" --seeds 3
edit '/^mnist-dropout,1,/s/,[^,]*,[^,]*,[^,]*$//'
error 1 'results.csv:3: not a results row (17 fields where the header has 20)' compare "$@" --seeds 3
sed '2p' "$tmp/good.csv" >"$C/results.csv"
error 1 'rows 2 and 3 are both mnist-dropout seed 0' compare "$@" --seeds 3
edit '/^mnist-dropout,1,/s/,[0-9a-f]*$/,xyz/'
error 1 'config_hash "xyz" is not a config hash' compare "$@" --seeds 3
[ "$(cksum <"$C/results.csv")" = "$(sed '/^mnist-dropout,1,/s/,[0-9a-f]*$/,xyz/' "$tmp/good.csv" | cksum)" ] ||
    fail "a refused results.csv was overwritten"; ok

# ---- rows of an older rdrop (no config_hash) are not taken --------------------
cut -d, -f1-18 "$tmp/good.csv" >"$C/results.csv"
run compare "$@" --seeds 3
expect_status 0
expect_out '^results.csv: 6 rows without a config_hash \(written by an older rdrop\) not taken as finished: their runs are trained again$'
[ "$(count '] train ')" -eq 6 ] || fail "want the 6 runs trained again"; ok

# ---- --slurm: usage errors, and a machine without SLURM --------------------------
usage() {
    word=$1
    shift
    error 2 "$word" compare "$@"
}
usage 'go with --slurm' "$@" --seeds 1 --partition x
usage 'not with --jobs' "$@" --seeds 1 --slurm
usage 'not with --print-commands' experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds 1 --slurm \
    --print-commands
a="experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds 1 --out $tmp/s"
usage 'not a time limit (HH:MM:SS, D-HH:MM:SS or minutes)' $a --slurm --time 1:2:3:4
usage 'shorter than 3 minutes' $a --slurm --time 00:02:59
usage 'not a time limit' $a --slurm --time 123456-00   # 6 digits of days: past the limit of 5
usage 'from 1 to 256' $a --slurm --cpus 0
usage 'not a partition name' $a --slurm --partition 'a b'
usage 'not one sbatch option' $a --slurm --sbatch-option account=x
mkdir "$tmp/nobin"
PATH="$tmp/nobin" "$RDROP" compare $a --slurm >"$tmp/out" 2>"$tmp/err"
status=$?
args="compare --slurm (no sbatch in PATH)"
expect_status 1
grep -q '^rdrop compare: --slurm: sbatch is not installed here (not in PATH)' "$tmp/err" ||
    fail "no clear message without sbatch"; ok
[ ! -e "$tmp/s" ] || fail "compare --slurm without sbatch made $tmp/s"; ok

# ---- a study folder that cannot be written ---------------------------------------
# (root writes anywhere: then rdrop runs as nobody, from a copy it can read)
ro="$tmp/ro" as=""
mkdir -p "$ro/experiments" "$ro/models" "$ro/study"
cp experiments/mnist-dropout.ini experiments/mnist-rdrop.ini "$ro/experiments/"
cp models/mlp-1024x2.ini "$ro/models/"
cp "$RDROP" "$ro/rdrop"
cp "$C/results.csv" "$ro/study/"
chmod -R a+rX "$tmp"
chmod 555 "$ro/study"
if [ "$(id -u)" -eq 0 ]; then
    if command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
        as="setpriv --reuid=nobody --regid=$(id -g nobody) --clear-groups"
    else
        as=skip
    fi
fi
if [ "$as" != skip ]; then
    (cd "$ro" && $as ./rdrop compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds 1 \
        --out study >"$tmp/out" 2>"$tmp/err")
    status=$?
    args="compare --out (a folder it cannot write)"
    expect_status 1
    grep -q '^rdrop compare: study: cannot create the lock file study/.lock: Permission denied$' "$tmp/err" ||
        fail "no clear message for a folder that cannot be written"; ok
    cmp -s "$ro/study/results.csv" "$C/results.csv" || fail "results.csv changed"; ok
    if command -v sbatch >/dev/null 2>&1; then # --slurm takes the folder the same way, before SLURM
        (cd "$ro" && $as ./rdrop compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds 1 \
            --out study --slurm >"$tmp/out" 2>"$tmp/err")
        status=$?
        args="compare --slurm --out (a folder it cannot write)"
        expect_status 1
        grep -q '^rdrop compare: study: cannot create the lock file study/.lock: Permission denied$' "$tmp/err" ||
            fail "--slurm: no clear message for a folder that cannot be written"; ok
        [ ! -e "$ro/study/study.sbatch" ] || fail "--slurm wrote into a folder it cannot write"; ok
    fi
else
    echo "committed.sh: no check of a folder that cannot be written: root without setpriv or a nobody user"
fi

echo "committed.sh: $passed passed, 0 failed"
