#!/bin/sh
# The explorer (`rdrop serve`) in a real browser: Debian's chromium, headless,
# driven by playwright-core from the npm registry (tests/browser, pinned by its
# lockfile; scripts/install-deps.sh installs both). Trains a small dropout run
# and a small R-Drop run (MNIST when at hand, else synthetic images: the test
# never skips), serves them on a free port of 127.0.0.1, and runs
# tests/browser/explorer.mjs: a 7 drawn with the mouse gets rdrop predict's
# class and probabilities, 16 sub-network cells per model, "New masks"
# changes them and a seed gives them back, the runs table and curves, the
# keyboard, a phone's width, a new epoch in metrics.csv reaching the page by
# itself, and no console error. Its screenshots (a laptop's and a phone's
# width) are copied to $SCREENSHOTS when it is set. The docs' picture,
# docs/img/explorer.png, is made by tests/browser/screenshot.mjs over the
# demo's runs.
set -u
NAME=browser.sh
. tests/cli/lib/common.sh

command -v node >/dev/null 2>&1 || fail "node not found: run scripts/install-deps.sh"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || fail "no chromium at ${CHROMIUM:-/usr/bin/chromium}: run scripts/install-deps.sh"
[ -d tests/browser/node_modules/playwright-core ] || fail "no tests/browser/node_modules: run scripts/install-deps.sh"
ok

# ---- two small runs ----------------------------------------------------------
mnist=${MNIST_MIRROR_DIR:-data/mnist}
data=$mnist subset=4000
if [ ! -r "$mnist/train-images-idx3-ubyte.gz" ] && [ ! -r "$mnist/train-images-idx3-ubyte" ]; then
    echo "browser.sh: no MNIST in $mnist: training on synthetic images"
    data=$tmp/data subset=0
    sh scripts/synthetic-mnist.sh "$data"
fi
for m in dropout rdrop; do
    run train experiments/smoke.ini --set "data.dir=$data" --set "data.train_subset=$subset" \
        --set train.method=$m --set train.epochs=3 --set train.mc_passes=4 --out "$tmp/runs/small-$m" --quiet
    expect_status 0
done

# ---- the server and the browser ------------------------------------------------
"$RDROP" serve --port 0 "$tmp/runs" >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
wait_for_line '^rdrop serve: http' "$tmp/serve.out" $pid
url=$(sed -n 's/^rdrop serve: \(http[^ ]*\) .*/\1/p' "$tmp/serve.out")
mkdir -p "$tmp/shots"
node tests/browser/explorer.mjs "$url" "$RDROP" "$tmp/runs" "$tmp/shots" >"$tmp/browser.out" 2>&1
status=$?
cat "$tmp/browser.out"
kill -TERM $pid
wait $pid
serve_status=$?
line=$(grep -E '^explorer.mjs: [0-9]+ passed, [0-9]+ failed$' "$tmp/browser.out")
p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed/\1/p')
[ -n "$p" ] || fail "explorer.mjs printed no summary (exit $status)"
passed=$((passed + p))
[ "$serve_status" -eq 0 ] || fail "rdrop serve exited $serve_status on SIGTERM, want 0"; ok
if [ -n "${SCREENSHOTS:-}" ]; then
    mkdir -p "$SCREENSHOTS" && cp "$tmp"/shots/*.png "$SCREENSHOTS"/
fi
[ "$f" -eq 0 ] && [ "$status" -eq 0 ] || { echo "browser.sh: $passed passed, $f failed" >&2; exit 1; }
echo "browser.sh: $passed passed, 0 failed"
