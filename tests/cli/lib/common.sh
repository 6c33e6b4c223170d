# Sourced by the tests/cli scripts after they set NAME (their name in
# messages): a scratch folder, the pass counter, and the helpers.
: "${RDROP:?set RDROP to the rdrop binary}"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0

# fail MESSAGE: prints it with the last command's output, the count, and stops.
fail() {
    echo "$NAME: FAIL: $*" >&2
    for f in out err; do
        [ -s "$tmp/$f" ] && { echo "--- std$f:" >&2; tail -n 40 "$tmp/$f" >&2; }
    done
    echo "$NAME: $passed passed, 1 failed" >&2
    exit 1
}
ok() { passed=$((passed + 1)); }

# run ARGS...: runs rdrop, keeping stdout, stderr and the exit status.
run() {
    args="$*"
    "$RDROP" "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
}
