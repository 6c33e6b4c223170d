#!/bin/sh
# Careless and hostile paths (issue 18, docs/reliability.md):
#   - every file rdrop reads must be a regular file (or a symlink to one): a
#     FIFO, a folder or a device is refused at once, one line naming it,
#     never a hang (every such command runs under `timeout 20`);
#   - a file rdrop writes whole keeps a symlink (its target is replaced),
#     refuses a device, FIFO or folder instead of replacing it, and on a
#     failed write (a file size limit standing in for a full disk) exits 1
#     and keeps the old file, leaving no temporary file;
#   - output lost on stdout (/dev/full) is exit status 1 with one line.
# The checks that train need MNIST (${MNIST_MIRROR_DIR:-data/mnist}).
set -u
NAME=files.sh
. tests/cli/lib/common.sh
MNIST=${MNIST_MIRROR_DIR:-data/mnist}

# refused STATUS WORD ARGS...: rdrop ARGS ends (no hang) with STATUS and one
# line on stderr that contains WORD.
refused() {
    want=$1 word=$2
    shift 2
    args="$*"
    timeout 20 "$RDROP" "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    [ "$status" -ne 124 ] || fail "'rdrop $args' hung (killed after 20 s)"
    [ "$status" -eq "$want" ] || fail "'rdrop $args' exited $status, want $want"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "'rdrop $args': want one line on stderr"
    grep -qF -- "$word" "$tmp/err" || fail "'rdrop $args': stderr does not say '$word'"
    ok
}
no_temp_files() { # no_temp_files DIR: no *.tmp* left in DIR
    ! ls -A "$1" | grep -q '\.tmp' || fail "a temporary file was left in $1: $(ls -A "$1")"
    ok
}
is_png() { [ "$(od -An -tx1 -j1 -N3 "$1" | tr -d ' ')" = 504e47 ]; }

# ---- reading: a FIFO, a folder, a device ----------------------------------
mkfifo "$tmp/fifo.ini" "$tmp/fifo.ckpt" "$tmp/fifo.png"
refused 1 "$tmp/fifo.ini: not a regular file" train "$tmp/fifo.ini" --out "$tmp/never"
refused 1 "$tmp/fifo.ini: not a regular file" train experiments/smoke.ini --set "model.file=$tmp/fifo.ini" --out "$tmp/never"
refused 1 "$tmp: not a regular file" train "$tmp" --out "$tmp/never"
refused 1 "$tmp/fifo.ckpt: not a regular file" eval "$tmp/fifo.ckpt"
refused 1 "/dev/null: not a regular file" eval /dev/null
mkdir "$tmp/idx"
mkfifo "$tmp/idx/train-images-idx3-ubyte" "$tmp/idx/train-labels-idx1-ubyte"
refused 1 "$tmp/idx/train-images-idx3-ubyte: not a regular file" \
    train experiments/smoke.ini --set "data.dir=$tmp/idx" --out "$tmp/never"
mkdir "$tmp/resume"
mkfifo "$tmp/resume/config.ini"
refused 1 "$tmp/resume/config.ini: not a regular file" train --resume "$tmp/resume"
[ -e "$tmp/never" ] && fail "a refused run created its folder"
ok
# a symlink to a regular file is read: this run gets as far as the memory check
ln -s "$(pwd)/experiments/smoke.ini" "$tmp/link.ini"
refused 2 "need about" train "$tmp/link.ini" --set train.memory_limit_mb=1 --out "$tmp/never"

# A run folder by hand: what `rdrop plot` needs of metrics.csv.
mkdir "$tmp/r"
printf 'epoch,train_ce,test_acc,epoch_seconds\n1,1.5,0.80,1.0\n2,0.9,0.85,1.0\n' >"$tmp/r/metrics.csv"
mkdir "$tmp/rfifo"
mkfifo "$tmp/rfifo/metrics.csv"
refused 1 "$tmp/rfifo/metrics.csv: not a regular file" plot "$tmp/rfifo" --out "$tmp/never.png"

# ---- writing whole files ----------------------------------------------------
run plot "$tmp/r" --out "$tmp/p.png"
[ "$status" -eq 0 ] && is_png "$tmp/p.png" || fail "plot to a new file: status $status"
ok
# /dev/null: as root, rename() would have put a PNG in place of the device
refused 1 "/dev/null: not a regular file; not replaced" plot "$tmp/r" --out /dev/null
[ -c /dev/null ] || fail "/dev/null is no longer a character device"
ok
mkdir "$tmp/dir.png"
refused 1 "$tmp/dir.png: not a regular file; not replaced" plot "$tmp/r" --out "$tmp/dir.png"
[ -d "$tmp/dir.png" ] || fail "the folder in the way was replaced"
ok
refused 1 "$tmp/fifo.png: not a regular file; not replaced" plot "$tmp/r" --out "$tmp/fifo.png"
[ -p "$tmp/fifo.png" ] || fail "the FIFO in the way was replaced"
ok
ln -s /dev/full "$tmp/full.png"
refused 1 "$tmp/full.png: not a regular file; not replaced" plot "$tmp/r" --out "$tmp/full.png"
# a symlink: its target is replaced and the link stays
mkdir "$tmp/elsewhere"
ln -s elsewhere/target.png "$tmp/link.png"
run plot "$tmp/r" --out "$tmp/link.png"
[ "$status" -eq 0 ] || fail "plot through a dangling symlink: status $status"
ok
[ -L "$tmp/link.png" ] && is_png "$tmp/elsewhere/target.png" || fail "the symlink was not kept, or its target not written"
ok
run plot "$tmp/r" --out "$tmp/link.png" --metric train_ce
[ "$status" -eq 0 ] && [ -L "$tmp/link.png" ] || fail "plot over a symlink to a PNG replaced the link"
ok
no_temp_files "$tmp/elsewhere"
# A full disk: a file size limit (SIGXFSZ ignored, so write() fails with
# EFBIG) far below a PNG. Status 1, the old PNG as it was, no temporary file.
cp "$tmp/p.png" "$tmp/p-before.png"
(trap '' XFSZ && ulimit -f 1 && exec "$RDROP" plot "$tmp/r" --out "$tmp/p.png" --metric train_ce) \
    >"$tmp/out" 2>"$tmp/err"
status=$?
[ "$status" -eq 1 ] && grep -q "$tmp/p.png: write failed: File too large; the old file is kept" "$tmp/err" ||
    fail "plot on a full disk: status $status, want 1 and 'write failed'"
ok
cmp -s "$tmp/p.png" "$tmp/p-before.png" || fail "plot on a full disk changed the old PNG"
ok
no_temp_files "$tmp"

# compare refuses outputs it could not write before it trains anything (no
# MNIST needed: nothing starts)
mkdir -p "$tmp/cmp" "$tmp/cmp2/report.md"
ln -s /dev/full "$tmp/cmp/results.csv"
set -- experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds 1 --epochs 1
refused 1 "$tmp/cmp/results.csv: not a regular file; not replaced" compare "$@" --out "$tmp/cmp"
refused 1 "$tmp/cmp2/report.md: not a regular file; not replaced" compare "$@" --out "$tmp/cmp2"
[ -e "$tmp/cmp/runs" ] || [ -e "$tmp/cmp2/runs" ] && fail "compare started runs"
ok

# ---- standard output lost ---------------------------------------------------
run compare "$@" --out "$tmp/cmp3" --print-commands
[ "$status" -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 2 ] || fail "--print-commands to a file: status $status"
ok
for cmd in "compare $* --out $tmp/cmp3 --print-commands" "kl 0.5,0.5 0.25,0.75" "plot $tmp/r --out $tmp/q.png" \
    "--help" "train --help"; do
    # shellcheck disable=SC2086
    timeout 20 "$RDROP" $cmd >/dev/full 2>"$tmp/err"
    status=$?
    [ "$status" -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
        grep -q 'write error on standard output: No space left on device' "$tmp/err" ||
        fail "'rdrop $cmd >/dev/full' exited $status, want 1 and one line 'write error on standard output'"
    ok
done

if [ ! -e "$MNIST/train-images-idx3-ubyte.gz" ] && [ ! -e "$MNIST/train-images-idx3-ubyte" ]; then
    echo "files.sh: skipping the checks that train: no MNIST in $MNIST (set MNIST_MIRROR_DIR or run make data)"
    echo "files.sh: $passed passed, 0 failed"
    exit 0
fi

# ---- with a trained model -----------------------------------------------------
tiny() { "$RDROP" train experiments/smoke.ini --set "data.dir=$MNIST" --set data.train_subset=500 \
    --set train.epochs=1 --quiet "$@"; }
tiny --out "$tmp/run" >"$tmp/out" 2>"$tmp/err" || fail "the tiny run failed"
ok
refused 1 "$tmp/fifo.png: not a regular file" predict "$tmp/run/last.ckpt" "$tmp/fifo.png"
mkdir "$tmp/img"
mkfifo "$tmp/img/digit.png"
refused 1 "$tmp/img/digit.png: not a regular file" predict "$tmp/run/last.ckpt" "$tmp/img/digit.png"
# the run folder's own files: a FIFO in the way of config.ini is refused,
# a symlinked metrics.csv keeps its link
mkdir "$tmp/rc"
mkfifo "$tmp/rc/config.ini"
timeout 20 "$RDROP" train experiments/smoke.ini --set "data.dir=$MNIST" --set data.train_subset=500 \
    --set train.epochs=1 --quiet --out "$tmp/rc" >"$tmp/out" 2>"$tmp/err"
status=$?
[ "$status" -eq 1 ] && grep -q "$tmp/rc/config.ini: not a regular file; not replaced" "$tmp/err" ||
    fail "a FIFO config.ini in the run folder: status $status"
ok
mkdir "$tmp/rl"
: >"$tmp/metrics-elsewhere.csv"
ln -s ../metrics-elsewhere.csv "$tmp/rl/metrics.csv"
tiny --out "$tmp/rl" >"$tmp/out" 2>"$tmp/err" || fail "a run with a symlinked metrics.csv failed"
ok
[ -L "$tmp/rl/metrics.csv" ] && [ "$(grep -c '^1,' "$tmp/metrics-elsewhere.csv")" -eq 1 ] ||
    fail "metrics.csv's symlink was replaced, or its target not written"
ok
no_temp_files "$tmp/rl"
# --force replaces a run only once everything the new one writes is known to
# be writable: a config.ini that is a symlink to /dev/null or a FIFO, a
# metrics.csv that is a folder, refused while the old run is still whole
forced() { # forced NAME SETUP...: a copy of the tiny run, SETUP run in it, then --force
    name=$1
    shift
    d=$tmp/force-$name
    cp -R "$tmp/run" "$d"
    (cd "$d" && "$@")
    sum=$(md5sum <"$d/last.ckpt")
    tiny --force --out "$d" >"$tmp/out" 2>"$tmp/err"
    status=$?
    [ "$status" -eq 1 ] && grep -q "not a regular file; not replaced" "$tmp/err" ||
        fail "--force with $name: status $status, want 1 and 'not a regular file; not replaced'"
    ok
    [ "$(md5sum <"$d/last.ckpt")" = "$sum" ] || fail "--force with $name destroyed the old last.ckpt"
    ok
    "$RDROP" eval "$d/last.ckpt" --data "$MNIST" >/dev/null 2>&1 || fail "--force with $name: old last.ckpt unreadable"
    ok
    no_temp_files "$d"
}
forced devnull sh -c 'rm config.ini && ln -s /dev/null config.ini'
forced fifo sh -c 'rm config.ini && mkfifo config.ini'
forced folder sh -c 'rm metrics.csv && mkdir metrics.csv'
cmp -s "$tmp/run/metrics.csv" "$tmp/force-devnull/metrics.csv" || fail "--force refused, but metrics.csv changed"
ok
# and with nothing in the way, --force starts over
cp -R "$tmp/run" "$tmp/force-ok"
tiny --force --set train.seed=3 --out "$tmp/force-ok" >"$tmp/out" 2>"$tmp/err" || fail "--force: a plain start over failed"
ok
grep -q '^seed = 3' "$tmp/force-ok/config.ini" && [ "$(grep -c '^1,' "$tmp/force-ok/metrics.csv")" -eq 1 ] ||
    fail "--force: the new run's config.ini and metrics.csv are not in place"
ok
# stdout lost during training: status 1 at the end, the run itself complete
tiny --out "$tmp/rfull" >/dev/full 2>"$tmp/err"
status=$?
[ "$status" -eq 1 ] && grep -q '^rdrop train: write error on standard output' "$tmp/err" ||
    fail "train >/dev/full: status $status"
ok

echo "files.sh: $passed passed, 0 failed"
