#!/bin/sh
# scripts/checkpoint-hashes.sh [RDROP_BINARY]: trains 20 short runs and prints
# the hash of each one's last.ckpt and of its metrics.csv without the time
# columns. Run it with the binary before a change and after it, and diff the
# two outputs: a change that should not move any number (a refactor, a speed
# change) must print the same 20 lines. The runs cover both engines at 1 and 2
# threads, dropout and R-Drop, Adam, SGD and AdamW, input dropout and max-norm
# (2,000 MNIST images, 2 epochs, 784-256-128-10, 4 dropout passes). At one
# thread the fast and reference engines must agree too; at two they differ
# (the fast engine splits each product across its threads). Results repeat on
# one machine and OpenBLAS kernel, not across them.
set -u
BIN=${1:-build/rdrop}
MNIST=${MNIST_MIRROR_DIR:-data/mnist}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
for engine in fast reference; do
    for threads in 1 2; do
        for spec in "dropout adam 0 0" "rdrop adam 0 0" "rdrop sgd 0.1 2" "dropout adamw 0.2 3" "rdrop adam 0.2 0"; do
            set -- $spec
            name=$engine-t$threads-$1-$2-$3-$4
            "$BIN" train experiments/mnist-rdrop.ini --set "data.dir=$MNIST" --set train.method=$1 \
                --set train.optimizer=$2 --set model.input_dropout=$3 --set train.max_norm=$4 \
                --set train.engine=$engine --set train.threads=$threads --set data.train_subset=2000 \
                --set train.epochs=2 --set model.hidden=256,128 --set train.mc_passes=4 \
                --set train.weight_decay=0.01 --out "$tmp/$name" --quiet >/dev/null 2>"$tmp/err" ||
                { echo "checkpoint-hashes: $name failed: $(cat "$tmp/err")" >&2; exit 1; }
            # metrics.csv without epoch_seconds and samples_per_second (columns 9 and 10)
            echo "$(md5sum <"$tmp/$name/last.ckpt" | cut -c1-12) $(cut -d, -f1-8,11- "$tmp/$name/metrics.csv" | md5sum | cut -c1-12) $name"
        done
    done
done
