#!/bin/sh
# Runs the R-Drop studies of RESULTS.md with one command each and writes
# their outputs under experiments/results/<study>/ (results.csv, report.md,
# curves.png and the run folders; checkpoints are not committed).
#
#   sh experiments/run-results.sh                 # the three studies below
#   sh experiments/run-results.sh mnist           # one study: mnist, alpha-sweep,
#                                                 # fashion or equal-time
#
#   mnist        MNIST, dropout vs R-Drop (alpha 1), 5 seeds, 20 epochs
#   alpha-sweep  MNIST, dropout vs R-Drop with alpha 0.5, 1, 2, 4, 3 seeds, 20 epochs
#   fashion      Fashion-MNIST, dropout vs R-Drop (alpha 1), 5 seeds, 20 epochs
#   equal-time   (optional) MNIST, dropout for 40 epochs vs R-Drop for 20, 5 seeds:
#                dropout's error at the time R-Drop finished
#
# Each study is one `rdrop compare` command: interrupted, it continues where
# it stopped when run again. Run on a quiet machine: the report's times and
# the equal-time comparison use wall-clock seconds. Environment:
#   RDROP    the binary (default build/rdrop)
#   MNIST    MNIST folder (default data/mnist; `make data` fetches it)
#   FASHION  Fashion-MNIST folder (default /usr/share/datasets/fashion-mnist)
#   JOBS     runs at a time (default 1: cleaner timings); THREADS: total threads
#            (default: all CPUs)
# Afterwards scripts/results-tables.sh turns the reports into RESULTS.md tables
# (this script writes them to experiments/results/tables.md).
set -eu
RDROP=${RDROP:-build/rdrop}
MNIST=${MNIST:-data/mnist}
FASHION=${FASHION:-/usr/share/datasets/fashion-mnist}
OUT=experiments/results
set -- ${@:-mnist alpha-sweep fashion}
common="--jobs ${JOBS:-1}${THREADS:+ --threads $THREADS}"

# reuse FROM TO: copies finished runs FROM -> TO (same config and seed, so
# the same result) instead of training them again. Never overwrites.
reuse() {
    [ -f "$1/metrics.csv" ] && [ ! -e "$2" ] || return 0
    mkdir -p "$(dirname "$2")"
    cp -R "$1" "$2"
    echo "run-results: re-using $1 as $2"
}

for study in "$@"; do
    echo "== $study"
    case $study in
    mnist)
        "$RDROP" compare experiments/mnist-dropout.ini experiments/mnist-rdrop.ini \
            --seeds 5 --epochs 20 --set "data.dir=$MNIST" $common --out "$OUT/mnist"
        ;;
    alpha-sweep)
        for s in 0 1 2; do
            reuse "$OUT/mnist/runs/mnist-dropout-s$s" "$OUT/alpha-sweep/runs/mnist-dropout-s$s"
            reuse "$OUT/mnist/runs/mnist-rdrop-s$s" "$OUT/alpha-sweep/runs/mnist-rdrop+alpha=1-s$s"
        done
        "$RDROP" compare experiments/mnist-dropout.ini \
            experiments/mnist-rdrop.ini:train.alpha=0.5 experiments/mnist-rdrop.ini:train.alpha=1 \
            experiments/mnist-rdrop.ini:train.alpha=2 experiments/mnist-rdrop.ini:train.alpha=4 \
            --seeds 3 --epochs 20 --set "data.dir=$MNIST" $common --out "$OUT/alpha-sweep"
        ;;
    fashion)
        "$RDROP" compare experiments/fashion-dropout.ini experiments/fashion-rdrop.ini \
            --seeds 5 --epochs 20 --set "data.dir=$FASHION" $common --out "$OUT/fashion"
        ;;
    equal-time)
        for s in 0 1 2 3 4; do
            reuse "$OUT/mnist/runs/mnist-rdrop-s$s" "$OUT/equal-time/runs/mnist-rdrop-s$s"
        done
        "$RDROP" compare experiments/mnist-dropout.ini:train.epochs=40 experiments/mnist-rdrop.ini \
            --seeds 5 --epochs 20 --set "data.dir=$MNIST" $common --out "$OUT/equal-time"
        ;;
    *)
        echo "run-results: unknown study '$study' (mnist, alpha-sweep, fashion, equal-time)" >&2
        exit 2
        ;;
    esac
done
studies=""
for d in mnist alpha-sweep fashion equal-time; do
    [ -f "$OUT/$d/report.md" ] && studies="$studies $OUT/$d"
done
sh scripts/results-tables.sh $studies >"$OUT/tables.md"
echo "run-results: tables for RESULTS.md in $OUT/tables.md"
