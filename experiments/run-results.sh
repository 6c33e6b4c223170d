#!/bin/sh
# Runs the R-Drop studies of RESULTS.md, one `rdrop compare` command each,
# and writes their outputs under experiments/results/<study>/ (results.csv,
# report.md, curves.png and the run folders; checkpoints are not committed).
# What each study compares, and why, was fixed before any of them ran:
# experiments/STUDY-PLAN.md.
#
#   sh experiments/run-results.sh                 # every study below, in order
#   sh experiments/run-results.sh low-data-mnist  # one study
#
#   low-data-mnist     MNIST, 1,000 training images, 150 epochs (cosine), dropout 0.5:
#                      dropout, R-Drop alpha 0 (control), 1 (primary), 4; 20 seeds
#   low-data-fashion   the same on Fashion-MNIST
#   mnist              MNIST, dropout vs R-Drop alpha 1 and its alpha 0 control,
#                      5 seeds, 20 epochs (constant learning rate)
#   alpha-sweep        MNIST, dropout vs R-Drop with alpha 0.5, 1, 2, 4, 3 seeds,
#                      20 epochs (re-uses the mnist study's seeds 0-2)
#   fashion            Fashion-MNIST, dropout vs R-Drop alpha 1, 5 seeds, 20 epochs
#   mnist-best-tuning  four candidate recipes for full MNIST, both methods, seed 0,
#                      on a validation split; prints the one the plan's rule selects
#   mnist-best         the selected recipe (experiments/mnist-best-*.ini) on all
#                      60,000 images, dropout vs R-Drop, 5 seeds
#   size-mnist         the low-data recipe at 1k, 3k, 10k, 30k and 60k images
#                      (epochs = max(20, 150000/n)): dropout, R-Drop alpha 1
#                      and 4, dropout given R-Drop's compute (1.65x the
#                      epochs), R-Drop alpha 0; 10 seeds per size
#   size-fashion       the same on Fashion-MNIST (not in ALL: not run yet)
#
# Each study is one `rdrop compare` command: interrupted, it continues where
# it stopped when run again. The December 2026 studies of RESULTS.md ran two
# runs at a time on a machine shared with other work, so their reports carry
# no times (--busy); error rates do not depend on load. (alpha-sweep and
# fashion ran earlier, on another machine, before the alpha 0 control and
# --busy existed.) Environment:
#   RDROP    the binary (default build/rdrop)
#   MNIST    MNIST folder (default data/mnist; `make data` fetches it)
#   FASHION  Fashion-MNIST folder (default /usr/share/datasets/fashion-mnist)
#   JOBS     runs at a time (default 2); THREADS: total threads (default 2)
#   REPORT_ONLY=1  train nothing: each study's report.md written again from
#            its committed results.csv (rdrop compare --report-only), e.g.
#            after the report has changed. For the December studies only:
#            alpha-sweep and fashion have no --busy, and their equal-time
#            tables need the run folders of an earlier machine.
# Afterwards scripts/results-tables.sh turns the reports into RESULTS.md tables
# (this script writes them to experiments/results/tables.md).
set -eu
RDROP=${RDROP:-build/rdrop}
MNIST=${MNIST:-data/mnist}
FASHION=${FASHION:-/usr/share/datasets/fashion-mnist}
OUT=experiments/results
ALL="low-data-mnist low-data-fashion mnist alpha-sweep fashion mnist-best-tuning mnist-best size-mnist"
set -- ${@:-$ALL}
common="--jobs ${JOBS:-2} --threads ${THREADS:-2} --busy ${REPORT_ONLY:+--report-only}"

# reuse FROM TO: copies finished runs FROM -> TO (same config and seed, so
# the same result) instead of training them again. Never overwrites.
reuse() {
    [ -f "$1/metrics.csv" ] && [ ! -e "$2" ] || return 0
    mkdir -p "$(dirname "$2")"
    cp -R "$1" "$2"
    rm -f "$2/.lock"
    echo "run-results: re-using $1 as $2"
}

# The four tuning candidates of experiments/STUDY-PLAN.md, as overrides of
# experiments/mnist-best-*.ini on a validation split (no test-set diagnostics).
VAL=":data.val_size=10000:train.mc_passes=0"
R1=":model.input_dropout=0:train.max_norm=0"
R2=":model.input_dropout=0.2:train.max_norm=0"
R3=":model.input_dropout=0.2:train.max_norm=3"
R4=":model.input_dropout=0.2:train.max_norm=3:model.hidden=1024,1024,1024"

for study in "$@"; do
    echo "== $study"
    case $study in
    low-data-mnist | low-data-fashion)
        ds=${study#low-data-}
        dir=$MNIST
        [ "$ds" = fashion ] && dir=$FASHION
        "$RDROP" compare experiments/$ds-1k-dropout.ini experiments/$ds-1k-rdrop.ini:train.alpha=0 \
            experiments/$ds-1k-rdrop.ini:train.alpha=1 experiments/$ds-1k-rdrop.ini:train.alpha=4 \
            --seeds 20 --set "data.dir=$dir" --primary 3 --contrast 3:2 $common --out "$OUT/$study"
        ;;
    mnist)
        "$RDROP" compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini \
            experiments/mnist-rdrop.ini:train.alpha=0 --seeds 5 --epochs 20 --set "data.dir=$MNIST" \
            --primary 2 --contrast 2:3 $common --out "$OUT/mnist"
        ;;
    alpha-sweep)
        for s in 0 1 2; do
            reuse "$OUT/mnist/runs/mnist-dropout-s$s" "$OUT/alpha-sweep/runs/mnist-dropout-s$s"
            reuse "$OUT/mnist/runs/mnist-rdrop-s$s" "$OUT/alpha-sweep/runs/mnist-rdrop+alpha=1-s$s"
        done
        "$RDROP" compare experiments/mnist-dropout.ini \
            experiments/mnist-rdrop.ini:train.alpha=0.5 experiments/mnist-rdrop.ini:train.alpha=1 \
            experiments/mnist-rdrop.ini:train.alpha=2 experiments/mnist-rdrop.ini:train.alpha=4 \
            --seeds 3 --epochs 20 --set "data.dir=$MNIST" --primary 3 $common --out "$OUT/alpha-sweep"
        ;;
    fashion)
        "$RDROP" compare experiments/fashion-dropout.ini experiments/fashion-rdrop.ini \
            --seeds 5 --epochs 20 --set "data.dir=$FASHION" $common --out "$OUT/fashion"
        ;;
    mnist-best-tuning)
        args=""
        for r in "$R1" "$R2" "$R3" "$R4"; do
            for m in dropout rdrop; do args="$args experiments/mnist-best-$m.ini$VAL$r"; done
        done
        "$RDROP" compare $args --seeds 1 --set "data.dir=$MNIST" $common --out "$OUT/mnist-best-tuning"
        # the selection reads the runs' validation columns: not with REPORT_ONLY
        [ -n "${REPORT_ONLY:-}" ] ||
            sh scripts/select-recipe.sh "$OUT/mnist-best-tuning" | tee "$OUT/mnist-best-tuning/selection.txt"
        ;;
    mnist-best)
        "$RDROP" compare experiments/mnist-best-dropout.ini experiments/mnist-best-rdrop.ini \
            --seeds 5 --set "data.dir=$MNIST" $common --out "$OUT/mnist-best"
        ;;
    size-mnist | size-fashion)
        # one --group per size n, with epochs = max(20, 150000/n) and an
        # evaluation interval (size:epochs:interval)
        dir=$MNIST
        [ "$study" = size-fashion ] && dir=$FASHION
        groups=""
        for g in 1000:150:50 3000:50:25 10000:20:10 30000:20:10 60000:20:10; do
            n=${g%%:*} i=${g##*:} e=${g#*:}
            groups="$groups --group data.train_subset=$n:train.epochs=${e%%:*}:train.eval_interval=$i"
        done
        "$RDROP" compare experiments/size-mnist-dropout.ini experiments/size-mnist-rdrop.ini:train.alpha=1 \
            experiments/size-mnist-rdrop.ini:train.alpha=4 experiments/size-mnist-dropout.ini:train.epochs*=1.65 \
            experiments/size-mnist-rdrop.ini:train.alpha=0 $groups --seeds 10 --set "data.dir=$dir" \
            --primary 2 --contrast 2:4 --contrast 3:4 --contrast 2:5 $common --out "$OUT/$study"
        ;;
    *)
        echo "run-results: unknown study '$study' ($ALL)" >&2
        exit 2
        ;;
    esac
done
studies=""
for d in $ALL; do
    [ -f "$OUT/$d/report.md" ] && studies="$studies $OUT/$d"
done
sh scripts/results-tables.sh $studies >"$OUT/tables.md"
echo "run-results: tables for RESULTS.md in $OUT/tables.md"
