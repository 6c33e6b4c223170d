#!/bin/sh
# make bench: rdrop's throughput per mode, PyTorch's on the same workload when
# python3-torch is installed, the ratios, then the scaling table.
# Usage: sh bench/run.sh [RDROP_BINARY]. Environment:
#   MNIST_MIRROR_DIR  MNIST folder (default data/mnist)
#   BENCH_EPOCHS      epochs per measurement, medians over them (default 5:
#                     a median of 5 shrugs off two slow epochs of a busy machine)
#   BENCH_THREADS     rdrop's threads (default 2; OpenBLAS's for the ceiling)
#   BENCH_SCALING     0 skips the scaling table
#   PYTHON            python with torch (default /usr/bin/python3: Debian's
#                     python3-torch; a pyenv python3 usually has no torch)
# bench/README.md says what each column means.
set -u
BIN=${1:-build/rdrop}
DATA=${MNIST_MIRROR_DIR:-data/mnist}
EPOCHS=${BENCH_EPOCHS:-5}
THREADS=${BENCH_THREADS:-2}
PYTHON=${PYTHON:-/usr/bin/python3}
HERE=$(dirname "$0")
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

die() { echo "bench/run.sh: $*" >&2; exit 1; }
[ -x "$BIN" ] || die "$BIN: no such program (run make first)"
[ -e "$DATA/train-images-idx3-ubyte.gz" ] || [ -e "$DATA/train-images-idx3-ubyte" ] ||
    die "$DATA: no MNIST here (run make data, or set MNIST_MIRROR_DIR)"

torch=0
if [ -x "$PYTHON" ] && "$PYTHON" -c 'import torch' 2>/dev/null; then torch=1; fi

# PyTorch's best thread configuration: intra-op threads x OpenBLAS threads,
# two rounds of 2 epochs of 40 R-Drop steps each, the best epoch of each
# configuration counting (noise only ever slows a run down); the fastest
# configuration is used for the full runs.
best_t=1 best_b=1
if [ "$torch" = 1 ]; then
    echo "== PyTorch thread configurations (best of 4 epochs of 40 R-Drop steps)"
    best=0
    for t in 1 2; do
        for b in 1 2; do
            top=0
            for round in 1 2; do
                OPENBLAS_NUM_THREADS=$b "$PYTHON" "$HERE/pytorch_mlp.py" --mode rdrop --epochs 2 \
                    --steps 40 --threads "$t" --data "$DATA" >"$tmp/try" 2>&1 ||
                    { cat "$tmp/try"; die "pytorch_mlp.py failed"; }
                for rate in $(sed -n 's/.*epochs=//p' "$tmp/try"); do
                    [ "$rate" -gt "$top" ] && top=$rate
                done
            done
            echo "torch threads $t, OpenBLAS threads $b: $top samples/s"
            if [ "$top" -gt "$best" ]; then best=$top best_t=$t best_b=$b; fi
        done
    done
    echo "using torch threads $best_t, OpenBLAS threads $best_b"
else
    echo "== PyTorch: not installed for $PYTHON (Debian: apt-get install python3-torch); rdrop only"
fi

# The two programs alternate mode by mode, so a change in the machine's load
# hits both sides of a ratio alike.
for mode in dropout rdrop; do
    echo
    echo "== rdrop, mode $mode"
    "$BIN" bench --mode "$mode" --epochs "$EPOCHS" --threads "$THREADS" --data "$DATA" |
        tee "$tmp/rdrop-$mode" || die "rdrop bench failed"
    if [ "$torch" = 1 ]; then
        echo "== PyTorch, mode $mode"
        OPENBLAS_NUM_THREADS=$best_b "$PYTHON" "$HERE/pytorch_mlp.py" --mode "$mode" \
            --epochs "$EPOCHS" --threads "$best_t" --data "$DATA" | tee "$tmp/torch-$mode" ||
            die "pytorch_mlp.py failed"
    fi
done

if [ "$torch" = 1 ]; then
    echo
    echo "== rdrop / PyTorch (medians over $EPOCHS epochs, same invocation)"
    printf '%-8s %12s %12s %7s %12s %12s %9s\n' mode "rdrop/s" "torch/s" speedup "rdrop MiB" "torch MiB" "RSS ratio"
    for mode in dropout rdrop; do
        r=$(awk -v m="$mode" '$1 == m && $2 ~ /^[0-9]/ {print $2}' "$tmp/rdrop-$mode")
        rm_=$(awk -v m="$mode" '$1 == m && $2 ~ /^[0-9]/ {print $NF}' "$tmp/rdrop-$mode")
        p=$(sed -n 's/.*samples_per_s=\([0-9]*\).*/\1/p' "$tmp/torch-$mode")
        pm=$(sed -n 's/.*rss_mib=\([0-9]*\).*/\1/p' "$tmp/torch-$mode")
        awk -v m="$mode" -v r="$r" -v p="$p" -v rm="$rm_" -v pm="$pm" 'BEGIN {
            printf "%-8s %12.0f %12.0f %6.2fx %12.0f %12.0f %8.2fx\n", m, r, p, r / p, rm, pm, pm / rm }'
    done
fi

if [ "${BENCH_SCALING:-1}" != 0 ]; then
    echo
    echo "== scaling"
    "$BIN" bench --scaling --threads "$THREADS" --data "$DATA" || die "rdrop bench --scaling failed"
fi
