#!/bin/sh
# Executable docs. In README.md and docs/*.md (or the FILEs given):
#   ```sh check      a shell block, run from the repository root with `rdrop`
#                    meaning $RDROP; its stdout must equal the ```text (or
#                    ```output) block right after it (blank lines between only).
#   ```sh check mnist  the same, skipped when no MNIST is at hand.
#   ```c example     compiled against librdrop.a (the folder of $RDROP) with the
#                    project's flags, run, and compared the same way.
#   ```c example as=NAME  the same, and the program stays on the PATH of the
#                    file's later check blocks as NAME (run it with arguments).
#   ```python check  run with $PYTHON (default /usr/bin/python3, Debian's, which
#                    has python3-numpy and python3-torch when they are
#                    installed; else python3) and compared the same way.
# Flags after the kind skip a block (counted, not failed) when something is
# missing: mnist (the data), numpy or torch (the Python module).
# A non-zero exit status also fails a block. Each file's blocks run in order in
# one scratch copy of the root (symlinks; data/mnist -> $MNIST_MIRROR_DIR when
# data/mnist is missing), so a block sees what the blocks above it wrote and
# nothing lands in the repository. Usage: RDROP=build/rdrop sh tests/cli/docs.sh [FILE.md...]
# DOCS_UPDATE=1 writes each differing output into its ```text block instead
# of failing (for a change that moves numbers on purpose: read the diff and
# the prose around it before committing).
set -u
: "${RDROP:?set RDROP to the rdrop binary}"
root=$(pwd)
rdrop=$(cd "$(dirname "$RDROP")" && pwd)/$(basename "$RDROP")
lib=$(dirname "$rdrop")/librdrop.a
python=${PYTHON:-}
[ -z "$python" ] && { [ -x /usr/bin/python3 ] && python=/usr/bin/python3 || python=python3; }
tmp=$(mktemp -d) || exit 1
trap 'pkill -TERM -P $$ 2>/dev/null; rm -rf "$tmp"' EXIT # and no block's server or run left behind
passed=0 failed=0 skipped=0
export LC_ALL=C

# The blocks of every file: NNN.meta (kind, file, line, flags), NNN.code,
# NNN.want, or NNN.err when the block is malformed.
extract() {
    awk -v dir="$tmp/blocks" '
    function err(msg) { printf "%s:%d: %s\n", cfile, cline, msg > (dir "/" id ".err"); pending = 0 }
    FNR == 1 { if (pending) err("no ```text block after this check block"); open = 0 }
    open {
        if ($0 == fence) {
            open = 0
            if (role != "") close(dir "/" id "." role)
            if (role == "code") pending = 1
            role = ""
        } else if (role != "") print > (dir "/" id "." role)
        next
    }
    /^```/ {
        match($0, /^`+/); fence = substr($0, 1, RLENGTH); open = 1
        n_w = split(substr($0, RLENGTH + 1), w, " ")
        if (pending) {
            pending = 0
            if (w[1] == "text" || w[1] == "output") { role = "want"; printf "" > (dir "/" id ".want"); next }
            err("the block after this check block is not ```text or ```output")
        }
        role = ""
        if (n_w >= 2 && (((w[1] == "sh" || w[1] == "python") && w[2] == "check") || (w[1] == "c" && w[2] == "example"))) {
            id = sprintf("%04d", ++n); role = "code"; cfile = FILENAME; cline = FNR
            flags = ""; for (i = 3; i <= n_w; i++) flags = flags " " w[i]
            printf "%s %s %d%s\n", w[1], FILENAME, FNR, flags > (dir "/" id ".meta")
            printf "" > (dir "/" id ".code")
        }
        next
    }
    pending && !/^[ \t]*$/ { err("no ```text block right after this check block") }
    END { if (pending) err("no ```text block after this check block") }
    ' "$@"
}

# sandbox NAME: a scratch root that links to everything in the repository.
sandbox() {
    s="$tmp/root-$1"
    mkdir -p "$s/data" "$s/.bin"
    for f in "$root"/* "$root"/.[!.]*; do
        case ${f##*/} in runs | data | .git | '.[!.]*') continue ;; esac
        ln -s "$f" "$s/${f##*/}"
    done
    for f in "$root"/data/*; do [ -e "$f" ] && ln -s "$f" "$s/data/${f##*/}"; done
    if [ ! -e "$s/data/mnist" ] && [ -n "${MNIST_MIRROR_DIR:-}" ] && [ -d "$MNIST_MIRROR_DIR" ]; then
        ln -s "$MNIST_MIRROR_DIR" "$s/data/mnist"
    fi
    ln -s "$rdrop" "$s/.bin/rdrop"
    echo "$s"
}

fail() { # fail WHERE MESSAGE: prints the message, the diff or stderr kept in $tmp
    failed=$((failed + 1))
    echo "docs.sh: FAIL $1: $2" >&2
    [ -s "$tmp/diff" ] && cat "$tmp/diff" >&2
    [ -s "$tmp/err" ] && { echo "--- stderr:" >&2; cat "$tmp/err" >&2; }
    : >"$tmp/diff"
    : >"$tmp/err"
}

# run_block ID SANDBOX: runs block ID and compares its stdout.
run_block() {
    # shellcheck disable=SC2046 # the meta line splits into kind, file, line, flags
    set -- "$1" "$2" $(cat "$tmp/blocks/$1.meta")
    id=$1 box=$2 kind=$3 where="$4:$5" doc=$4 doc_line=$5
    shift 5
    case " $* " in *" mnist "*)
        if [ ! -e "$box/data/mnist" ]; then
            skipped=$((skipped + 1))
            echo "docs.sh: skipped $where (no MNIST: set MNIST_MIRROR_DIR or run make data)"
            return
        fi ;;
    esac
    for module in numpy torch; do
        case " $* " in *" $module "*)
            if ! "$python" -c "import $module" >/dev/null 2>&1; then
                skipped=$((skipped + 1))
                echo "docs.sh: skipped $where (no $module for $python: apt-get install python3-$module)"
                return
            fi ;;
        esac
    done
    code="$tmp/blocks/$id.code"
    : >"$tmp/err"
    if [ "$kind" = c ]; then
        cp "$code" "$tmp/example.c"
        # shellcheck disable=SC2046,SC2086 # flags are word lists
        if ! ${CC:-cc} -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -I"$root/include" \
            $(pkg-config --cflags openblas zlib inih stb) ${EXTRA_CFLAGS:-} "$tmp/example.c" "$lib" \
            $(pkg-config --libs openblas zlib inih stb) -lm ${EXTRA_LDFLAGS:-} -o "$tmp/example" 2>"$tmp/err"; then
            fail "$where" "the C example does not compile"
            return
        fi
        for flag in "$@"; do
            case $flag in as=?*) cp "$tmp/example" "$box/.bin/${flag#as=}" ;; esac
        done
        (cd "$box" && timeout 120 "$tmp/example") >"$tmp/out" 2>>"$tmp/err"
    elif [ "$kind" = python ]; then
        (cd "$box" && PATH="$box/.bin:$PATH" timeout 300 "$python" "$code") >"$tmp/out" 2>>"$tmp/err"
    else
        (cd "$box" && PATH="$box/.bin:$PATH" timeout 120 sh -e "$code") >"$tmp/out" 2>>"$tmp/err"
    fi
    status=$?
    diff -u --label "expected ($where)" --label "actual" "$tmp/blocks/$id.want" "$tmp/out" >"$tmp/diff"
    if [ $status -ne 0 ]; then
        fail "$where" "exited with status $status"
    elif [ -s "$tmp/diff" ] && [ "${DOCS_UPDATE:-0}" = 1 ]; then
        update_block "$doc" "$doc_line" "$tmp/out"
        echo "docs.sh: updated $where"
        passed=$((passed + 1))
        : >"$tmp/diff"
    elif [ -s "$tmp/diff" ]; then
        fail "$where" "the output differs from the block after it"
    else
        passed=$((passed + 1))
        : >"$tmp/err"
    fi
}

# update_block FILE LINE OUT: replaces the body of the ```text block that
# follows the check block opened at LINE of FILE with OUT.
update_block() {
    awk -v at="$2" -v out="$3" '
    FNR == at { stage = 1 }                                  # the check block
    stage == 1 && FNR > at && /^```/ { stage = 2; print; next } # its end
    stage == 2 && /^```(text|output)/ { print; while ((getline l < out) > 0) print l; stage = 3; next }
    stage == 3 { if (/^```/) { stage = 4; print } ; next }   # the old body
    { print }' "$1" >"$tmp/updated" && cat "$tmp/updated" >"$1"
}

# The checker itself: a doc with two right outputs (shell, Python) and a
# wrong one must give "2 passed, 1 failed", a diff, and a non-zero exit status.
self_test() {
    doc="$tmp/self-test.md"
    printf '%s\n' '```sh check' 'echo hello' '```' '```text' 'hello' '```' \
        '```sh check' 'echo hello' '```' '' '```output' 'goodbye' '```' \
        '```python check' 'print("hel" + "lo")' '```' '```text' 'hello' '```' >"$doc"
    if DOCS_UPDATE=0 RDROP="$rdrop" sh "$0" "$doc" >"$tmp/self.out" 2>&1; then
        echo "docs.sh: FAIL self-test: a wrong output passed" >&2
        failed=$((failed + 1))
    elif tail -n 1 "$tmp/self.out" | grep -qx 'docs.sh: 2 passed, 1 failed' &&
        grep -qx -- '-goodbye' "$tmp/self.out" && grep -qx -- '+hello' "$tmp/self.out"; then
        passed=$((passed + 1))
    else
        echo "docs.sh: FAIL self-test: unexpected report:" >&2
        cat "$tmp/self.out" >&2
        failed=$((failed + 1))
    fi
}

if [ $# -eq 0 ]; then
    set -- README.md docs/*.md
    self_test
fi
for f in "$@"; do [ -f "$f" ] || { echo "docs.sh: $f: no such file" >&2; exit 2; }; done
mkdir -p "$tmp/blocks"
extract "$@"
k=0
for f in "$@"; do
    k=$((k + 1))
    box=$(sandbox "$k")
    for meta in "$tmp"/blocks/*.meta; do
        [ -e "$meta" ] || continue
        id=$(basename "$meta" .meta)
        [ "$(cut -d' ' -f2 "$meta")" = "$f" ] || continue
        if [ -e "$tmp/blocks/$id.err" ]; then
            fail "$(cut -d: -f1,2 "$tmp/blocks/$id.err")" "$(cut -d: -f3- "$tmp/blocks/$id.err" | sed 's/^ //')"
        else
            run_block "$id" "$box"
        fi
    done
done
[ "$skipped" -gt 0 ] && echo "docs.sh: $skipped blocks skipped"
echo "docs.sh: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
