#!/bin/sh
# synthetic-mnist.sh DIR: MNIST's four files in DIR with 1,000 random 28x28
# images (0x3e8 in the IDX headers) and the labels 0..9 in turn, the same set
# as train and test. For tests and benchmarks that need a trained model of
# MNIST's shape quickly, not its accuracy (the images are noise).
set -eu
dir=${1:?usage: synthetic-mnist.sh DIR}
mkdir -p "$dir"
{ printf '\0\0\10\3\0\0\3\350\0\0\0\34\0\0\0\34'; head -c 784000 /dev/urandom; } | gzip -c >"$dir/train-images-idx3-ubyte.gz"
{ printf '\0\0\10\1\0\0\3\350'; i=0; while [ $i -lt 100 ]; do printf '\0\1\2\3\4\5\6\7\10\11'; i=$((i + 1)); done; } \
    >"$dir/train-labels-idx1-ubyte"
cp "$dir/train-images-idx3-ubyte.gz" "$dir/t10k-images-idx3-ubyte.gz"
cp "$dir/train-labels-idx1-ubyte" "$dir/t10k-labels-idx1-ubyte"
