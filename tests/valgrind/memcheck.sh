#!/bin/sh
# A small training run (and resume, eval, predict, an error path) under
# valgrind memcheck: `make test-valgrind`, with $RDROP the rdrop binary.
# Passes when every run's summary says 0 errors and 0 bytes definitely or
# indirectly lost; the summaries are read from valgrind's log, not trusted
# from the exit status. The data is synthetic (1000 gzip-compressed 28x28
# images), so the test needs no download and takes well under a minute.
set -u
: "${RDROP:?set RDROP to the rdrop binary}"
command -v valgrind >/dev/null 2>&1 || {
    echo "memcheck.sh: valgrind is not installed (scripts/install-deps.sh --with-tools)" >&2
    exit 1
}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# 1,000 random images of MNIST's shape, labels 0..9 in turn.
sh scripts/synthetic-mnist.sh "$tmp/data"

VALGRIND="valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect"

# memcheck NAME WANT_STATUS ARGS...: rdrop ARGS under valgrind; checks the
# exit status and the error and leak summaries in the log.
memcheck() {
    name=$1
    want=$2
    shift 2
    $VALGRIND --log-file="$tmp/$name.log" "$RDROP" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    status=$?
    check_log "$name" "$want"
}

# check_log NAME WANT_STATUS: reads $tmp/NAME.log (and $status).
check_log() {
    name=$1 want=$2 log=$tmp/$1.log
    errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log" | tr -d ,)
    definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tr -d ,)
    indirect=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tr -d ,)
    # "All heap blocks were freed" means no leak lines at all.
    grep -q 'All heap blocks were freed' "$log" && definite=${definite:-0} && indirect=${indirect:-0}
    summary="$name: exit $status, ${errors:-?} errors, ${definite:-?} bytes definitely lost, ${indirect:-?} bytes indirectly lost"
    echo "memcheck.sh: $summary"
    if [ "$status" -eq "$want" ] && [ "${errors:-x}" = 0 ] && [ "${definite:-x}" = 0 ] &&
        [ "${indirect:-x}" = 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "memcheck.sh: FAIL: $summary (want exit $want); valgrind's log:" >&2
        grep -E '^==[0-9]+== ' "$log" | head -n 60 >&2
        tail -n 3 "$tmp/$name.err" >&2
    fi
}

run=$tmp/run
set -- experiments/smoke.ini --set "data.dir=$tmp/data" --set data.train_subset=0 \
    --set data.val_size=200 --set model.hidden=16 --set train.batch_size=50 \
    --set train.threads=1 --quiet --out "$run"
memcheck train 0 train "$@" --set train.epochs=1
memcheck resume 0 train "$@" --resume "$run" --set train.epochs=2
# two threads: rdrop's team splits the products and the optimizer step
memcheck train-2-threads 0 train experiments/smoke.ini --set "data.dir=$tmp/data" \
    --set data.train_subset=0 --set model.hidden=40 --set train.batch_size=50 --set train.threads=2 \
    --set train.epochs=1 --quiet --out "$tmp/run2"
memcheck eval 0 eval "$run/last.ckpt" --data "$tmp/data"
memcheck predict 0 predict "$run/best.ckpt" tests/fuzz/corpus/fuzz_image/one.png
memcheck bad-checkpoint 1 eval tests/bad-inputs/ckpt/truncated-half.ckpt --data "$tmp/data"
memcheck bad-config 2 train tests/bad-inputs/config/unknown-key.ini --out "$tmp/never"

# rdrop serve: its request threads, a checkpoint loaded and shared, good
# and bad requests, then SIGTERM
mkdir -p "$tmp/served"
cp -r "$run" "$tmp/served/run"
$VALGRIND --log-file="$tmp/serve.log" "$RDROP" serve --port 0 --threads 2 "$tmp/served" >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
i=0
until grep -q '^rdrop serve: http' "$tmp/serve.out" 2>/dev/null || [ $i -ge 600 ]; do i=$((i + 1)); sleep 0.1; done
url=$(sed -n 's/^rdrop serve: \(http[^ ]*\)\/ .*/\1/p' "$tmp/serve.out")
body='{"image":"'$(base64 -w0 tests/fuzz/corpus/fuzz_image/one.png)'","runs":[0],"k":8,"seed":3}'
codes=""
for req in "GET /api/runs" "GET /api/runs/0" "GET /" "POST /api/predict" "POST /api/predict" "PUT /api/runs"; do
    set -- $req
    codes="$codes $(curl -s -o /dev/null -w '%{http_code}' -X "$1" --data-binary "$body" "$url$2")"
done
codes="$codes $(curl -s -o /dev/null -w '%{http_code}' --data-binary '{"image":' "$url/api/predict")"
head -c 3000000 /dev/zero >"$tmp/big"
codes="$codes $(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$tmp/big" "$url/api/predict")"
kill -TERM $pid
wait $pid
status=$?
echo "memcheck.sh: serve: replies$codes"
[ "$codes" = " 200 200 200 200 200 405 400 413" ] || { failed=$((failed + 1)); echo "memcheck.sh: FAIL: serve's replies were$codes" >&2; }
check_log serve 0

echo "memcheck.sh: valgrind's summary of the training run:"
sed -n '/HEAP SUMMARY/,/ERROR SUMMARY/p' "$tmp/train.log" | sed 's/^==[0-9]*== /  /'

echo "memcheck.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
