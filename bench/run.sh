#!/bin/sh
# make bench: rdrop's throughput per mode, PyTorch's on the same workload when
# python3-torch is installed, the ratios, then the scaling table; per OpenBLAS
# kernel when KERNELS names several.
# Usage: sh bench/run.sh [RDROP_BINARY]. Environment:
#   MNIST_MIRROR_DIR  MNIST folder (default data/mnist)
#   BENCH_EPOCHS      epochs per measurement, medians over them (default 5:
#                     a median of 5 shrugs off two slow epochs of a busy machine)
#   BENCH_THREADS     rdrop's threads (default 2; OpenBLAS's for the ceiling)
#   BENCH_SCALING     0 skips the scaling table
#   PYTHON            python with torch (default /usr/bin/python3: Debian's
#                     python3-torch; a pyenv python3 usually has no torch)
#   KERNELS           OpenBLAS kernels to time, one table row each, e.g.
#                     KERNELS="Haswell SkylakeX" (default: the one the
#                     environment gives). Each is set as OPENBLAS_CORETYPE for
#                     rdrop and PyTorch alike, inside this script only; a
#                     kernel is timed only after rdrop has checked its
#                     products against a naive double-precision product.
# bench/README.md says what each column means.
set -u
BIN=${1:-build/rdrop}
DATA=${MNIST_MIRROR_DIR:-data/mnist}
EPOCHS=${BENCH_EPOCHS:-5}
THREADS=${BENCH_THREADS:-2}
PYTHON=${PYTHON:-/usr/bin/python3}
KERNELS=${KERNELS:-}
BATCH=128
HERE=$(dirname "$0")
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
summary=$tmp/summary
: >"$summary"

die() { echo "bench/run.sh: $*" >&2; exit 1; }
[ -x "$BIN" ] || die "$BIN: no such program (run make first)"
[ -e "$DATA/train-images-idx3-ubyte.gz" ] || [ -e "$DATA/train-images-idx3-ubyte" ] ||
    die "$DATA: no MNIST here (run make data, or set MNIST_MIRROR_DIR)"

torch=0
if [ -x "$PYTHON" ] && "$PYTHON" -c 'import torch' 2>/dev/null; then torch=1; fi
[ "$torch" = 1 ] || echo "== PyTorch: not installed for $PYTHON (Debian: apt-get install python3-torch); rdrop only"

# PyTorch's best thread configuration: intra-op threads x OpenBLAS threads,
# two rounds of 2 epochs of 40 R-Drop steps each, the best epoch of each
# configuration counting (noise only ever slows a run down); the fastest
# configuration is used for the full runs. Sets best_t, best_b.
torch_threads() {
    best=0 best_t=1 best_b=1
    echo "== PyTorch thread configurations (best of 4 epochs of 40 R-Drop steps)"
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
}

# kernel K: everything for one OpenBLAS kernel ("" = the environment's),
# then its rows in $tmp/summary.
kernel() {
    if [ -n "$1" ]; then
        OPENBLAS_CORETYPE=$1
        export OPENBLAS_CORETYPE
    fi
    name=${1:-${OPENBLAS_CORETYPE:-detected}}
    echo
    echo "======== OpenBLAS kernel $name"
    [ "$torch" = 1 ] && torch_threads
    # The two programs alternate mode by mode, so a change in the machine's
    # load hits both sides of a ratio alike.
    for mode in dropout rdrop; do
        echo
        echo "== rdrop, mode $mode"
        if ! "$BIN" bench --mode "$mode" --epochs "$EPOCHS" --threads "$THREADS" --data "$DATA" \
            >"$tmp/rdrop-$mode" 2>&1; then
            cat "$tmp/rdrop-$mode"
            echo "$name $mode not-timed: $(tail -n 1 "$tmp/rdrop-$mode")" >>"$summary"
            continue
        fi
        cat "$tmp/rdrop-$mode"
        core=$(sed -n 's/^OpenBLAS: core \([^,]*\),.*/\1/p' "$tmp/rdrop-$mode")
        r=$(awk -v m="$mode" '$1 == m && $2 ~ /^[0-9]/ {print $2, $8, $NF}' "$tmp/rdrop-$mode")
        p=- pm=-
        if [ "$torch" = 1 ]; then
            echo "== PyTorch, mode $mode"
            OPENBLAS_NUM_THREADS=$best_b "$PYTHON" "$HERE/pytorch_mlp.py" --mode "$mode" \
                --epochs "$EPOCHS" --threads "$best_t" --data "$DATA" | tee "$tmp/torch-$mode" ||
                die "pytorch_mlp.py failed"
            p=$(sed -n 's/.*samples_per_s=\([0-9]*\).*/\1/p' "$tmp/torch-$mode")
            pm=$(sed -n 's/.*rss_mib=\([0-9]*\).*/\1/p' "$tmp/torch-$mode")
        fi
        echo "$core $mode $r $p $pm" >>"$summary"
    done
    unset OPENBLAS_CORETYPE
}

if [ -n "$KERNELS" ]; then
    saved=${OPENBLAS_CORETYPE-}
    for k in $KERNELS; do kernel "$k"; done
    [ -n "$saved" ] && OPENBLAS_CORETYPE=$saved && export OPENBLAS_CORETYPE
else
    kernel ""
fi

# One row per kernel and mode. ceiling/s: samples/s if a step took no more
# than its products alone (batch $BATCH / ceiling); 3x: whether that ceiling
# leaves room for 3 times PyTorch's rate at all.
echo
echo "== summary: medians over $EPOCHS epochs, one invocation, rdrop and PyTorch alternated"
printf '%-10s %-8s %9s %9s %8s %10s %6s %-22s %9s %9s %6s\n' kernel mode "rdrop/s" "torch/s" speedup \
    "ceiling/s" "%ceil" "3x PyTorch" "rdrop MiB" "torch MiB" "RSS"
awk -v batch="$BATCH" '
$3 == "not-timed:" { printf "%-10s %-8s products wrong: not timed (%s)\n", $1, $2, substr($0, index($0, $4)); next }
{
    rate = $3; ceil_ms = $4; rss = $5; torch = $6; tmib = $7
    ceil = batch * 1000 / ceil_ms
    if (torch == "-") { printf "%-10s %-8s %9.0f %9s %8s %10.0f %5.0f%% %-22s %9.0f\n", $1, $2, rate, "-", "-", ceil, 100 * rate / ceil, "-", rss; next }
    room = ceil >= 3 * torch ? "reachable" : sprintf("no: ceiling %.2fx", ceil / torch)
    printf "%-10s %-8s %9.0f %9.0f %7.2fx %10.0f %5.0f%% %-22s %9.0f %9.0f %5.2fx\n", $1, $2, rate, torch, rate / torch, ceil, 100 * rate / ceil, room, rss, tmib, tmib / rss
}' "$summary"

if [ "${BENCH_SCALING:-1}" != 0 ]; then
    echo
    echo "== scaling"
    "$BIN" bench --scaling --threads "$THREADS" --data "$DATA" || die "rdrop bench --scaling failed"
fi
