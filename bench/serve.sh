#!/bin/sh
# make bench-serve: rdrop serve's POST /api/predict on the 784-1024-1024-10
# model with K sub-networks, from 1 and from 8 concurrent clients, with 1 and
# with 2 request threads: requests per second and latency (p50, p90, p99, as
# the client sees it, and the server's own compute time). Everything runs on
# 127.0.0.1, a fixed number of requests with a time limit.
# Usage: sh bench/serve.sh [RDROP_BINARY]. Environment:
#   SERVE_K         sub-networks per request (default 16)
#   SERVE_REQUESTS  requests per measurement (default 2000; 8 clients: twice)
# The model is trained for one epoch on synthetic images: its speed depends on
# its shape, not on what it learned. Quote figures only from a quiet machine.
set -u
BIN=${1:-build/rdrop}
K=${SERVE_K:-16}
N=${SERVE_REQUESTS:-2000}
tmp=$(mktemp -d) || exit 1
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
die() { echo "bench/serve.sh: $*" >&2; exit 1; }
[ -x "$BIN" ] || die "$BIN: no such program (run make first)"

data=$tmp/data
sh scripts/synthetic-mnist.sh "$data"
"$BIN" train experiments/mnist-dropout.ini --set "data.dir=$data" --set train.epochs=1 --quiet \
    --out "$tmp/runs/mlp-1024x2" >/dev/null || die "training the model failed"

echo "rdrop serve, POST /api/predict: model 784-1024-1024-10 (dropout 0.3), K=$K, docs/img/seven.png"
echo "OpenBLAS kernel: ${OPENBLAS_CORETYPE:-detected}; $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-8s %-9s %-8s %-8s %-8s %-8s %-10s\n' threads clients requests req/s p50_ms p90_ms p99_ms server_p50
for threads in 1 2; do
    : >"$tmp/serve.out"
    "$BIN" serve --port 0 --threads $threads "$tmp/runs" >"$tmp/serve.out" 2>&1 &
    pid=$!
    i=0
    until grep -q '^rdrop serve: http' "$tmp/serve.out" || [ $i -ge 100 ]; do i=$((i + 1)); sleep 0.1; done
    url=$(sed -n 's/^rdrop serve: \(http[^ ]*\) .*/\1/p' "$tmp/serve.out")
    [ -n "$url" ] || die "rdrop serve did not start: $(cat "$tmp/serve.out")"
    python3 bench/serve_load.py "$url" docs/img/seven.png 0 --k "$K" --requests 200 --clients 2 >/dev/null ||
        die "the warm-up failed"
    for clients in 1 8; do
        n=$N
        [ $clients -gt 1 ] && n=$((2 * N))
        line=$(python3 bench/serve_load.py "$url" docs/img/seven.png 0 --k "$K" --requests $n --clients $clients \
            --max-seconds 300) || die "the load failed: $line"
        get() { echo "$line" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
        printf '%-8s %-8s %-9s %-8s %-8s %-8s %-8s %-10s\n' $threads $clients "$(echo "$line" | sed -n 's/^requests=\([0-9]*\).*/\1/p')" \
            "$(get rps)" "$(get p50_ms)" "$(get p90_ms)" "$(get p99_ms)" "$(get server_p50_ms)"
    done
    kill $pid
    wait $pid
    pid=
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
