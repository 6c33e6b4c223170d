#!/bin/sh
# CLI checks for `rdrop compare` and `rdrop plot` on tiny real-MNIST runs
# (models/mlp-256.ini, 500 training samples, 1 epoch): the outputs, re-using
# finished runs, retraining exactly the run whose metrics were deleted,
# --print-commands, a failing run, and usage errors. Run by `make test-cli`.
set -u
NAME=compare.sh
. tests/cli/lib/common.sh
MNIST=${MNIST_MIRROR_DIR:-data/mnist}

count() { grep -c -- "$1" "$tmp/out"; }

if [ ! -f "$MNIST/train-images-idx3-ubyte.gz" ] && [ ! -f "$MNIST/train-images-idx3-ubyte" ]; then
    echo "compare.sh: skipped: no MNIST in $MNIST (set MNIST_MIRROR_DIR or run make data)"
    echo "compare.sh: 0 passed, 0 failed"
    exit 0
fi

C="$tmp/c"
set -- experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds 2 --epochs 1 --jobs 2 --threads 2 \
    --set model.file=models/mlp-256.ini --set data.train_subset=500 --set "data.dir=$MNIST" --out "$C"

# A fresh comparison trains all 4 runs and writes the three outputs.
run compare "$@"
[ "$status" -eq 0 ] || fail "compare exited $status"; ok
[ "$(count '] train ')" -eq 4 ] || fail "want 4 runs trained"; ok
[ "$(wc -l <"$C/results.csv")" -eq 5 ] || fail "results.csv: want a header and 4 rows"; ok
grep -q '^mnist-rdrop,1,rdrop,1,0.3,0,500,1,' "$C/results.csv" || fail "results.csv has no row for mnist-rdrop seed 1"; ok
grep -q '^| \*\*mnist-rdrop − mnist-dropout\*\* | 2 |' "$C/report.md" || fail "report.md has no paired row (bold: the primary)"; ok
grep -q '^## Conclusion' "$C/report.md" || fail "report.md has no conclusion"; ok
grep -Eq 'lowered|raised|No significant difference' "$tmp/out" || fail "no conclusion on stdout"; ok
# PNG signature and the IHDR size: 5 charts of 640 x 480, two a row (test
# error, test_kl, training cross-entropy, and the paired test error and
# test_kl), and the legend in the sixth place
[ "$(od -An -tx1 -j1 -N3 "$C/curves.png" | tr -d ' ')" = 504e47 ] || fail "curves.png is not a PNG"; ok
[ "$(od -An -tu1 -j16 -N8 "$C/curves.png" | tr -s ' ')" = " 0 0 5 0 0 0 5 160" ] || fail "curves.png is not 1280x1440"; ok

# The figure comes from results.csv and curves.csv alone: drawn again from a
# copy of the two tables (no run folders), it is the same image.
mkdir "$tmp/tables"
cp "$C/results.csv" "$C/curves.csv" "$tmp/tables/"
run plot --study "$tmp/tables"
[ "$status" -eq 0 ] && cmp -s "$C/curves.png" "$tmp/tables/curves.png" ||
    fail "plot --study from the tables: exit $status, or not compare's figure"; ok
run plot --study "$tmp/tables" --baseline 2 --out "$tmp/b2.png"
[ "$status" -eq 0 ] && [ -s "$tmp/b2.png" ] && ! cmp -s "$tmp/b2.png" "$C/curves.png" ||
    fail "plot --study --baseline 2: exit $status, or the same figure as against the first"; ok
rm "$tmp/tables/curves.csv"
run plot --study "$tmp/tables" --out "$tmp/none.png"
[ "$status" -eq 1 ] && grep -q "$tmp/tables/curves.csv" "$tmp/err" && [ ! -e "$tmp/none.png" ] ||
    fail "plot --study without curves.csv: exit $status, $(cat "$tmp/err")"; ok

# Run again: everything is re-used, nothing is trained.
stamp() { for r in mnist-dropout-s0 mnist-dropout-s1 mnist-rdrop-s0; do stat -c %y "$C/runs/$r/metrics.csv"; done; }
before=$(stamp)
run compare "$@"
[ "$status" -eq 0 ] || fail "second compare exited $status"; ok
[ "$(count '^re-use ')" -eq 4 ] && [ "$(count '] train ')" -eq 0 ] || fail "want 4 re-used, 0 trained"; ok

# Delete one run's metrics: only that run trains again.
rm "$C/runs/mnist-rdrop-s1/metrics.csv"
run compare "$@"
[ "$status" -eq 0 ] || fail "third compare exited $status"; ok
[ "$(count '^re-use ')" -eq 3 ] || fail "want 3 re-used"; ok
[ "$(count '] train ')" -eq 1 ] && grep -q '] train mnist-rdrop-s1$' "$tmp/out" || fail "want only mnist-rdrop-s1 trained"; ok
[ "$(stamp)" = "$before" ] || fail "a finished run's metrics.csv was rewritten"; ok
[ -s "$C/runs/mnist-rdrop-s1/metrics.csv" ] || fail "mnist-rdrop-s1 has no metrics again"; ok

# --print-commands: the runs still to train (none here), nothing run...
run compare "$@" --print-commands
[ "$status" -eq 0 ] && [ ! -s "$tmp/out" ] || fail "--print-commands of a finished study: exit $status, commands"; ok
[ "$(grep -c '^re-use ' "$tmp/err")" -eq 4 ] || fail "--print-commands does not say what it re-uses (stderr)"; ok
# ... and of a new one, an independent train command per run, which can run
# any number of times (--continue)
run compare "$@" --print-commands --out "$tmp/new"
[ "$status" -eq 0 ] || fail "--print-commands exited $status"; ok
[ "$(wc -l <"$tmp/out")" -eq 4 ] || fail "want 4 commands"; ok
[ "$(grep -c " train experiments/mnist-.*--set train.seed=[01] --out $tmp/new/runs/mnist-.*-s[01] --quiet --continue\$" "$tmp/out")" -eq 4 ] \
    || fail "commands do not look like rdrop train ... --out RUN_DIR --quiet --continue"; ok
# ... and each one runs as printed.
line=$(sed -n 1p "$tmp/out" | sed "s| --out [^ ]*| --out $tmp/by-hand|")
sh -c "$line" >"$tmp/out" 2>"$tmp/err" || fail "the printed command failed: $line"; ok
grep -q '^final test_acc=' "$tmp/out" || fail "the printed command did not train"; ok

# Per-config overrides after a colon; the label names them.
run compare experiments/mnist-rdrop.ini experiments/mnist-rdrop.ini:train.alpha=2 --seeds 1 --epochs 1 \
    --set model.file=models/mlp-256.ini --set data.train_subset=500 --set "data.dir=$MNIST" --out "$tmp/sweep" \
    --print-commands
[ "$status" -eq 0 ] && grep -q 'train.alpha=2 --set train.seed=0 --out [^ ]*/runs/mnist-rdrop+alpha=2-s0 ' "$tmp/out" \
    || fail "the alpha=2 run is not labelled mnist-rdrop+alpha=2"; ok

# rdrop plot draws any set of run folders.
run plot "$C/runs/mnist-dropout-s0" "$C/runs/mnist-rdrop-s0" --metric train_kl --out "$tmp/kl.png"
[ "$status" -eq 0 ] && [ -s "$tmp/kl.png" ] || fail "plot exited $status"; ok
# nothing to plot (val_err of runs without a validation split) is an error, not an empty chart
run plot "$C/runs/mnist-dropout-s0" --metric val_err --out "$tmp/val.png"
[ "$status" -eq 1 ] && grep -q 'no val_err value in .*mnist-dropout-s0: nothing to plot' "$tmp/err" &&
    [ ! -e "$tmp/val.png" ] || fail "plot of a metric without values: exit $status, $(cat "$tmp/err")"; ok
# rows out of order (two files run together) are refused, naming the line
mkdir "$tmp/twice"
cat "$C/runs/mnist-dropout-s0/metrics.csv" "$C/runs/mnist-dropout-s0/metrics.csv" | grep -v '^epoch,' |
    sed "1i $(head -n 1 "$C/runs/mnist-dropout-s0/metrics.csv")" >"$tmp/twice/metrics.csv"
run plot "$tmp/twice" --out "$tmp/twice.png"
[ "$status" -eq 1 ] && grep -q 'metrics.csv:3: epoch 1 where epoch 2 belongs' "$tmp/err" ||
    fail "plot of rows out of order: exit $status, $(cat "$tmp/err")"; ok

# A run that fails stops the comparison with exit 1 and its error.
run compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds 1 --epochs 1 \
    --set model.file=models/mlp-256.ini --set data.dir="$tmp/nowhere" --out "$tmp/bad"
[ "$status" -eq 1 ] || fail "a failing run: exit $status, want 1"; ok
grep -q 'failed.*train.log.*nowhere' "$tmp/err" || fail "the error does not name the run's log and problem"; ok

# usage_error WORD ARGS...: exit 2, one line on stderr mentioning WORD.
usage_error() {
    word=$1
    shift
    run "$@"
    [ "$status" -eq 2 ] || fail "'$*' exited $status, want 2"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$word" "$tmp/err" || fail "'$*': want one line naming '$word'"
    ok
}
usage_error 'two or more' compare experiments/mnist-dropout.ini --seeds 2
usage_error 'seeds' compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini
usage_error 'whole number' compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds two
usage_error 'from 1 to 10000' compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds 100000
usage_error 'from 1 to 256' compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds 2 --threads 1000
usage_error 'same label' compare experiments/mnist-rdrop.ini experiments/mnist-rdrop.ini --seeds 1
# labels are never cut short (two arms cut alike would share their run folders)
many=$(i=0; while [ $i -lt 28 ]; do printf ':train.lr=0.001'; i=$((i + 1)); done)
usage_error 'longer than 249 characters' compare experiments/mnist-dropout.ini \
    "experiments/mnist-rdrop.ini$many:train.alpha=1" "experiments/mnist-rdrop.ini$many:train.alpha=2" --seeds 1
usage_error 'GROUP/CONFIG, would be' compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini \
    --seeds 1 --print-commands --group "train.lr=0.010${many#:train.lr=0.001:train.lr=0.001}" --group train.lr=0.1
# 253 characters: a field fits, but not the run folder LABEL-sSEED (255 bytes at most)
usage_error 'longer than 249 characters' compare experiments/mnist-dropout.ini \
    "experiments/mnist-rdrop.ini${many#:train.lr=0.001:train.lr=0.001}:train.alpha=1" --seeds 1
# a group's label of 245 characters: its figure curves-GROUP.png would not fit a file name
usage_error 'longer than 244 characters' compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini \
    --seeds 1 --print-commands --group "train.lr=0.010000${many#:train.lr=0.001:train.lr=0.001}"
usage_error "unknown option '--bogus'" compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --bogus
usage_error "option '--print-commands' takes no value" compare experiments/mnist-dropout.ini --print-commands=1 -p
usage_error "the byte 0xc3 after '-'" compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini -é
usage_error "unknown option '--s' (or an ambiguous abbreviation)" compare experiments/mnist-dropout.ini --s 2
usage_error "unknown option '-X'" compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini -Xp
usage_error "unknown option '-X'" compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini -pX
usage_error "option '-n' needs a value" compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini -n
usage_error "option '--seeds' needs a value" compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini --seeds
usage_error "option '--partition' needs a value" compare experiments/mnist-dropout.ini --slurm --partition
usage_error "option '--slurm' takes no value" compare experiments/mnist-dropout.ini --slurm=yes
usage_error 'train.alphx' compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini:train.alphx=2 --seeds 1
usage_error 'train.epochs' compare "$@" --epochs 2   # the folder holds 1-epoch runs
usage_error 'metric' plot "$C/runs/mnist-dropout-s0" --out "$tmp/x.png" --metric accuracy
# A Holm family counts distinct comparisons: a contrast that repeats one the
# report makes anyway (a config against the baseline, the primary among
# them), or another contrast, either way round, is refused naming both.
three="experiments/mnist-dropout.ini experiments/mnist-rdrop.ini experiments/mnist-rdrop.ini:train.alpha=0"
usage_error 'repeats the comparison of mnist-rdrop with the baseline mnist-dropout' \
    compare $three --seeds 2 --print-commands --contrast mnist-rdrop:mnist-dropout
usage_error 'repeats the comparison of mnist-rdrop+alpha=0 with the baseline mnist-dropout' \
    compare $three --seeds 2 --print-commands --contrast 1:3
usage_error '2:3 repeats --contrast 2:3' compare $three --seeds 2 --print-commands --contrast 2:3 --contrast 2:3
usage_error '3:2 mirrors --contrast mnist-rdrop:mnist-rdrop+alpha=0' \
    compare $three --seeds 2 --print-commands --contrast mnist-rdrop:mnist-rdrop+alpha=0 --contrast 3:2
usage_error 'repeats the comparison of mnist-dropout with the baseline mnist-rdrop' \
    compare $three --seeds 2 --print-commands --baseline 2 --contrast 1:2
run compare $three --seeds 2 --print-commands --contrast 2:3
[ "$status" -eq 0 ] || fail "a distinct contrast was refused: $(cat "$tmp/err")"; ok
usage_error 'takes no RUN_DIR' plot --study "$C" "$C/runs/mnist-dropout-s0"
usage_error 'mnist-nothing' plot --study "$C" --baseline mnist-nothing --out "$tmp/x.png"
usage_error 'have 2 configs' plot --study "$C" --baseline 3 --out "$tmp/x.png"
usage_error 'needs --study' plot "$C/runs/mnist-dropout-s0" --out "$tmp/x.png" --baseline 1

# --report-only: report.md again from results.csv alone, with a note; the
# table itself untouched; a run without its row is refused
sum=$(cksum <"$C/results.csv")
mv "$C/runs" "$C/runs.away"
run compare "$@" --report-only
[ "$status" -eq 0 ] || fail "--report-only exited $status: $(cat "$tmp/err")"; ok
grep -q -- '--report-only: the report made again from the table alone' "$C/report.md" || fail "no note"; ok
[ "$(cksum <"$C/results.csv")" = "$sum" ] || fail "--report-only rewrote results.csv"; ok
[ -d "$C/runs" ] && fail "--report-only made run folders"; ok
usage_error 'no row for mnist-dropout-s2' compare "$@" --report-only --seeds 3
# ... and so is a table with rows the command does not ask for (seed 1 here)
usage_error 'mnist-dropout seed 1 is a run this command does not ask for' compare "$@" --report-only --seeds 1
[ "$(cksum <"$C/results.csv")" = "$sum" ] || fail "a refused --report-only changed results.csv"; ok
mv "$C/runs.away" "$C/runs"

# Groups: every config at every --group's settings (here three training-set
# sizes), arm `train.epochs*=2` scaled from each group's epochs, paired by
# seed within a group, Holm across the groups, the trend against the size and
# size.png.
G="$tmp/groups"
set -- experiments/mnist-dropout.ini experiments/mnist-rdrop.ini experiments/mnist-dropout.ini:train.epochs*=2 \
    --seeds 2 --jobs 2 --threads 2 --busy --set model.file=models/mlp-256.ini --set "data.dir=$MNIST" \
    --set train.mc_passes=2 --group data.train_subset=200:train.epochs=2 --group data.train_subset=400:train.epochs=1 \
    --group data.train_subset=800:train.epochs=1 --out "$G"
run compare "$@"
[ "$status" -eq 0 ] || fail "a grouped comparison exited $status"; ok
[ "$(count '] train ')" -eq 18 ] || fail "want 3 groups x 3 configs x 2 seeds trained"; ok
[ "$(grep -c '^epochs = 4 ' "$G/runs/train_subset=200+epochs=2/mnist-dropout+epochsx2-s0/config.ini")" -eq 1 ] ||
    fail "train.epochs*=2 after the group's train.epochs=2 is not 4 epochs"; ok
head -n 1 "$G/results.csv" | grep -q ',group,config_hash$' && grep -q ',train_subset=400+epochs=1,[0-9a-f]*$' "$G/results.csv" ||
    fail "results.csv has no group column"; ok
grep -q '^## Across the groups' "$G/report.md" && grep -q '^### The trend against the training-set size' "$G/report.md" &&
    grep -q '^| \*\*mnist-rdrop − mnist-dropout\*\* | [-+][0-9.]* ± [0-9.]* (Holm p' "$G/report.md" &&
    grep -q '^## Group train_subset=800+epochs=1' "$G/report.md" || fail "report.md lacks the grouped sections"; ok
for f in size.png "curves-train_subset=200+epochs=2.png" "curves-train_subset=800+epochs=1.png"; do
    [ "$(od -An -tx1 -j1 -N3 "$G/$f" | tr -d ' ')" = 504e47 ] || fail "$f is not a PNG"
done; ok
grep -q '^train_subset=400+epochs=1/mnist-rdrop,test_err,1,2,' "$G/curves.csv" || fail "curves.csv: no GROUP/CONFIG rows"; ok
grep -q 'a tenfold larger training set' "$tmp/out" || fail "no trend in the conclusion on stdout"; ok
# rdrop plot --study draws the same figures from the two tables, group by
# group (never pooling the groups' seeds), and size.png
mkdir "$tmp/gplot"
run plot --study "$G" --out "$tmp/gplot"
[ "$status" -eq 0 ] && grep -q '^wrote 4 figures in' "$tmp/out" || fail "plot --study of a grouped study: $(cat "$tmp/err")"; ok
for f in size.png "curves-train_subset=200+epochs=2.png" "curves-train_subset=400+epochs=1.png" \
    "curves-train_subset=800+epochs=1.png"; do
    cmp -s "$G/$f" "$tmp/gplot/$f" || fail "plot --study $G: $f differs from compare's"
done; ok
usage_error 'give a folder' plot --study "$G" --out "$tmp/one.png"
# --report-only on a grouped study: the same report and size.png from
# results.csv alone, saying which figures it could not draw again
cp "$G/report.md" "$tmp/report-before.md"
sums=$(cksum <"$G/size.png")$(cksum <"$G/results.csv")
run compare "$@" --report-only
[ "$status" -eq 0 ] || fail "--report-only on a grouped study exited $status: $(cat "$tmp/err")"; ok
expect_out 'and size.png; the curves-GROUP.png figures and curves.csv not redrawn: 18 runs have no folder here'
grep -q 'curves-GROUP.png figures and curves.csv were not redrawn' "$G/report.md" || fail "report.md: no note on the figures"; ok
[ "$(cksum <"$G/size.png")$(cksum <"$G/results.csv")" = "$sums" ] || fail "--report-only changed size.png or results.csv"; ok
grep -v -e '^Made by' -e 'were not redrawn' "$G/report.md" | cat -s >"$tmp/ra"
grep -v '^Made by' "$tmp/report-before.md" | cat -s >"$tmp/rb"
cmp -s "$tmp/ra" "$tmp/rb" || fail "--report-only's report differs beyond its command and note"; ok

echo "compare.sh: $passed passed, 0 failed"
