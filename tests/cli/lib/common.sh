# Sourced by the tests/cli scripts after they set NAME (their name in
# messages): a scratch folder, the pass counter, and the helpers.
: "${RDROP:?set RDROP to the rdrop binary}"
tmp=$(mktemp -d) || exit 1
# stop_children: at the exit, passed or failed, no background process of the
# script outlives it (a server left behind holds its port, a run a core)
stop_children() { pkill -TERM -P $$ 2>/dev/null; return 0; }
trap 'stop_children; rm -rf "$tmp"' EXIT
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

expect_status() { [ "$status" -eq "$1" ] || fail "'rdrop $args' exited $status, want $1"; ok; }
expect_out() { grep -Eq -- "$1" "$tmp/out" || fail "'rdrop $args' printed no line matching /$1/"; ok; }

# error STATUS WORD ARGS...: exit status STATUS, nothing on stdout, and one
# line on stderr that starts with "rdrop" and contains WORD.
error() {
    want=$1 word=$2
    shift 2
    run "$@"
    expect_status "$want"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "'rdrop $args': want one line on stderr"
    grep -q '^rdrop' "$tmp/err" || fail "'rdrop $args': stderr does not start with rdrop"
    grep -qF -- "$word" "$tmp/err" || fail "'rdrop $args': stderr does not mention '$word'"
    [ -s "$tmp/out" ] && fail "'rdrop $args' printed on stdout"
    ok
}

# empty_files FILE...: truncates each FILE now. Call it before starting a
# background run that writes there: its shell truncates them only once it gets
# to run, and a wait must not read an earlier command's lines in the meantime.
empty_files() { for f in "$@"; do : >"$f"; done; }

# wait_for_line PATTERN FILE PID: waits (up to 60 s) until FILE has a line
# matching PATTERN; kills PID and fails when it does not come.
wait_for_line() {
    i=0
    while ! grep -q -- "$1" "$2" 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 600 ] || { kill "$3"; fail "no line matching $1 in $2 after 60 s"; }
        sleep 0.1
    done
}
