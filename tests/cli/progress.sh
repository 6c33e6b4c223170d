#!/bin/sh
# The progress bar in a terminal: `rdrop train` under a pseudo-terminal of
# 80, 200 and 40 columns. Every redrawn line ("\r\033[K" + line) must fit in
# the width - 1 columns (a wider one wraps, and the screen fills with lines
# instead of redrawing one); at 200 columns the line keeps every field; at
# 80 it keeps epoch, batch, loss and time. Needs python3 (its pty module)
# and MNIST (${MNIST_MIRROR_DIR:-data/mnist}); skipped without either.
set -u
NAME=progress.sh
. tests/cli/lib/common.sh
MNIST=${MNIST_MIRROR_DIR:-data/mnist}

if ! command -v python3 >/dev/null 2>&1; then
    echo "progress.sh: skipped: no python3 (scripts/install-deps.sh installs it)"
    echo "progress.sh: 0 passed, 0 failed"
    exit 0
fi
if [ ! -e "$MNIST/train-images-idx3-ubyte.gz" ] && [ ! -e "$MNIST/train-images-idx3-ubyte" ]; then
    echo "progress.sh: skipped: no MNIST in $MNIST (set MNIST_MIRROR_DIR or run make data)"
    echo "progress.sh: 0 passed, 0 failed"
    exit 0
fi

# in_pty COLUMNS OUTFILE ARGS...: runs ARGS on a pseudo-terminal of 24 rows
# and COLUMNS columns (set by the child before exec, so rdrop sees it from its
# first line), keeps everything it writes; exits with its status, or 124
# after 60 s.
cat >"$tmp/run_in_pty.py" <<'EOF'
import fcntl, os, pty, select, signal, struct, sys, termios, time
cols, out, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    os.environ.pop("COLUMNS", None)
    os.execv(cmd[0], cmd)
data, end = b"", time.time() + 60
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 1)
    if not r:
        continue
    try:
        chunk = os.read(fd, 65536)
    except OSError:  # EIO: the child closed the terminal
        break
    if not chunk:
        break
    data += chunk
else:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    sys.exit(124)
open(out, "wb").write(data)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8)
EOF

# The progress lines of a capture: what follows each "\r\033[K" up to the
# next \r or \n, when it is a progress line ("epoch E/N [bar] B/M" or
# "epoch E/N B/M"), not the epoch summary printed after the bar is cleared.
cat >"$tmp/lines.py" <<'EOF'
import re, sys
text = open(sys.argv[1], "rb").read().decode("utf-8")
for seg in text.split("\r")[1:]:
    if seg.startswith("\x1b[K"):
        line = re.split("[\r\n]", seg[3:])[0]
        if re.match(r"epoch \d+/\d+ (\[|\s*\d+/\d+)", line):
            print(len(line), line)
EOF

# check COLUMNS: trains the smoke run under a terminal that wide; leaves its
# progress lines, "LENGTH LINE" each, in $tmp/lines-COLUMNS.
check() {
    cols=$1
    timeout 90 python3 "$tmp/run_in_pty.py" "$cols" "$tmp/pty-$cols" "$RDROP" train experiments/smoke.ini \
        --set "data.dir=$MNIST" --out "$tmp/run-$cols" >"$tmp/out" 2>"$tmp/err"
    status=$?
    [ "$status" -eq 0 ] || fail "$cols columns: rdrop train under a pty exited $status"
    ok
    python3 "$tmp/lines.py" "$tmp/pty-$cols" >"$tmp/lines-$cols" 2>"$tmp/err" || fail "cannot read the capture"
    [ "$(wc -l <"$tmp/lines-$cols")" -ge 2 ] || fail "$cols columns: fewer than 2 progress lines (one per epoch at least)"
    ok
    longest=$(sort -n "$tmp/lines-$cols" | tail -n 1 | cut -d' ' -f1)
    [ "$longest" -le $((cols - 1)) ] ||
        { cp "$tmp/lines-$cols" "$tmp/err"; fail "$cols columns: a progress line of $longest columns"; }
    ok
    grep -q '^final test_acc=' "$tmp/pty-$cols" || fail "$cols columns: no final line"
    ok
}

check 80
# the essentials stay; the fields dropped first (ce/kl, samples/s) go
while read -r len line; do
    echo "$line" | grep -Eq '^epoch [0-9]+/2 .*[0-9]+/16  loss [0-9.]+±[0-9.]+ .*[0-9]+:[0-9]{2}<[0-9]+:[0-9]{2}$' ||
        fail "80 columns: a line lacks epoch, batch, loss or time: $line"
    case $line in *"(ce "* | *samples/s*) fail "80 columns: ce/kl or samples/s kept in $len columns: $line" ;; esac
done <"$tmp/lines-80"
ok

check 200
while read -r len line; do
    echo "$line" | grep -Eq '^epoch [0-9]+/2 \[[#.]{20}\] +[0-9]+/16 +[0-9]+ samples/s  loss [0-9.]+±[0-9.]+ \(ce [0-9.]+ kl [0-9.]+\)  acc +[0-9.]+%  [0-9]+:[0-9]{2}<[0-9]+:[0-9]{2}$' ||
        fail "200 columns: not every field: $line"
done <"$tmp/lines-200"
ok

check 40 # narrower than the essentials: cut, never wrapped

# Not a terminal: the plain quarter-epoch lines, every field, unchanged.
run train experiments/smoke.ini --set "data.dir=$MNIST" --out "$tmp/run-log"
grep -Eq '^epoch 1/2 batch +[0-9]+/16 +[0-9]+ samples/s  loss [0-9.]+±[0-9.]+ \(ce ' "$tmp/err" ||
    fail "stderr to a file: no plain progress line"
ok

echo "progress.sh: $passed passed, 0 failed"
