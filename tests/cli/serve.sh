#!/bin/sh
# CLI and HTTP checks for `rdrop serve` on 127.0.0.1 (curl, python3's standard
# library): usage errors, the API as docs/explorer.md describes it, predict
# against `rdrop predict`, and hostile input, each answered with a JSON error
# while the server keeps serving: a body over 2 MiB (413, with and without a
# length), a PNG that is not one, a 10,000 x 10,000 PNG bomb, an empty image,
# malformed JSON, unknown ids, /../, %2e%2e/, absolute paths, symlinks out of
# the served folder, unknown methods (405), idle connections past the limit,
# a run folder deleted and a checkpoint replaced while served. Then a bounded
# load test: 5,000 predict requests from 8 clients on a small model, 0
# errors, memory (RSS) within 4 MiB of what it was before. SIGTERM and SIGINT
# stop the server with status 0. Trains on synthetic images: needs no MNIST.
set -u
NAME=serve.sh
. tests/cli/lib/common.sh
command -v curl >/dev/null 2>&1 || fail "curl not found: run scripts/install-deps.sh"
py=python3

# ---- usage -----------------------------------------------------------------
run serve --help
expect_status 0
for flag in --port --host --threads --timeout --max-connections "-h, --help"; do expect_out "^  $flag"; done
error 2 'expected at least one run or study folder' serve
error 2 '--port 70000: not a port' serve --port 70000 .
error 2 '--threads 0: not a whole number from 1 to 16' serve --threads 0 .
error 2 "$tmp/none: No such file or directory" serve "$tmp/none"
: >"$tmp/file"
error 2 "$tmp/file: not a folder" serve "$tmp/file"
error 2 "unknown option '--bogus'" serve --bogus .

# ---- the served folder: two runs, a study, and traps -------------------------
data=$tmp/data
sh scripts/synthetic-mnist.sh "$data"
srv=$tmp/served
for m in dropout rdrop; do
    run train experiments/smoke.ini --set "data.dir=$data" --set data.train_subset=0 --set model.hidden=32 \
        --set train.method=$m --set train.epochs=2 --set train.mc_passes=2 --out "$srv/runs/a-$m" --quiet
    expect_status 0
done
mkdir -p "$srv/study" "$srv/study-grouped"
cp experiments/results/low-data-mnist/results.csv "$srv/study/"
# a --group study: config a at two sizes, whose arms must not be mixed
{
    echo config,seed,train_size,epochs,final_test_err_pct,best_test_err_pct,best_epoch,final_train_ce,final_train_kl,seconds_per_epoch,samples_per_second,total_seconds,group
    echo a,0,1000,2,10.5,10.5,2,0.1,0,1,1,1,n1000
    echo a,1,1000,2,11.5,11.5,2,0.1,0,1,1,1,n1000
    echo a,0,30000,2,2.0,2.0,2,0.1,0,1,1,1,n30000
    echo a,1,30000,2,2.2,2.2,2,0.1,0,1,1,1,n30000
} >"$srv/study-grouped/results.csv"
# outside the served folder: a secret, and a whole run
mkdir -p "$tmp/outside"
echo 'SECRET-OUTSIDE' >"$tmp/outside/secret.txt"
cp -r "$srv/runs/a-dropout" "$tmp/outside/run"
# a run folder whose files lead outside (its config.ini is its own), and a
# folder link leading outside
mkdir -p "$srv/runs/b-evil"
cp "$srv/runs/a-dropout/config.ini" "$srv/runs/b-evil/"
ln -s "$tmp/outside/run/metrics.csv" "$srv/runs/b-evil/metrics.csv"
ln -s "$tmp/outside/run/last.ckpt" "$srv/runs/b-evil/last.ckpt"
ln -s "$tmp/outside/run" "$srv/runs/c-link-out"

# serve_start ARGS...: starts rdrop serve on a free port; sets pid, url.
serve_start() {
    empty_files "$tmp/serve.out" "$tmp/serve.err"
    "$RDROP" serve --port 0 "$@" >"$tmp/serve.out" 2>"$tmp/serve.err" &
    pid=$!
    wait_for_line '^rdrop serve: http://127.0.0.1:[0-9]*/ (Ctrl-C to stop)$' "$tmp/serve.out" $pid
    url=$(sed -n 's/^rdrop serve: \(http[^ ]*\)\/ .*/\1/p' "$tmp/serve.out")
    ok
}

# req METHOD PATH [CURL ARGS...]: the status in $code, the body in $tmp/body.
req() {
    m=$1 p=$2
    shift 2
    code=$(curl -s --path-as-is -o "$tmp/body" -w '%{http_code}' -X "$m" "$@" "$url$p")
}
# expect CODE WORD: the last reply had status CODE and a body containing WORD.
expect() {
    [ "$code" = "$1" ] || fail "$m $p: status $code, want $1 ($(head -c 300 "$tmp/body"))"
    grep -qF -- "$2" "$tmp/body" || fail "$m $p: the reply does not contain '$2': $(head -c 300 "$tmp/body")"
    grep -q 'SECRET-OUTSIDE' "$tmp/body" && fail "$m $p: a file outside the served folder was read"
    ok
}
# py_json EXPR [FILE]: EXPR of the JSON d in FILE (default: the last reply).
py_json() { "$py" -c "import json,sys; d=json.load(sys.stdin); print($1)" <"${2:-$tmp/body}"; }
b64() { base64 -w0 "$1"; }
predict_body() { printf '{"image":"%s","runs":[%s],"k":%s,"seed":%s}' "$(b64 "$1")" "$2" "${3:-16}" "${4:-1}" >"$tmp/req.json"; }

serve_start --timeout 2 --max-connections 16 "$srv"

# ---- the API ---------------------------------------------------------------------
req GET /api/runs
expect 200 '"runs":['
[ "$(py_json "' '.join(r['name'].split('/')[-1] for r in d['runs'])")" = "a-dropout a-rdrop b-evil" ] ||
    fail "the runs listed are $(py_json "[r['name'] for r in d['runs']]"), want a-dropout a-rdrop b-evil (c-link-out leads outside)"; ok
[ "$(py_json "d['studies'][0]['name']")" = "$srv/study" ] || fail "the study is not listed"; ok
id_of() { py_json "[r['id'] for r in d['runs'] if r['name'].endswith('/$1')][0]"; }
drop=$(id_of a-dropout) rd=$(id_of a-rdrop) evil=$(id_of b-evil) study=$(py_json "d['studies'][0]['id']")
[ "$(py_json "[r['method'] for r in d['runs'] if r['id'] == $rd][0]")" = rdrop ] || fail "a-rdrop's method"; ok
req GET "/api/runs/$drop"
expect 200 '"metrics":{"epoch":[1,2],"test_err":['
req GET "/api/studies/$study"
expect 200 '"config":"mnist-1k-dropout","method":"dropout"'
[ "$(py_json "d['arms'][0]['seeds']")" -ge 2 ] || fail "the study's arm has fewer than 2 seeds"; ok
req GET /api/runs
grouped=$(py_json "[s['id'] for s in d['studies'] if s['name'] == '$srv/study-grouped'][0]")
req GET "/api/studies/$grouped"
expect 200 '"group":"n1000","config":"a"'
[ "$(py_json "' '.join('%s:%d:%.2f' % (a['group'], a['seeds'], a['final_err']['mean']) for a in d['arms'])")" = \
    "n1000:2:11.00 n30000:2:2.10" ] || fail "a --group study's arms: $(head -c 300 "$tmp/body")"; ok
req GET /
expect 200 '<title>rdrop explorer</title>'
req HEAD /app.js -I
[ "$code" = 200 ] || fail "HEAD /app.js: $code"; ok

# predict: the full network as rdrop predict has it; K cells; seeds reproduce
predict_body docs/img/seven.png "$drop,$rd"
req POST /api/predict --data-binary @"$tmp/req.json"
expect 200 '"subnets":['
cp "$tmp/body" "$tmp/seed1.json"
"$RDROP" predict "$srv/runs/a-dropout/last.ckpt" docs/img/seven.png >"$tmp/cli.out" || fail "rdrop predict failed"
want=$(sed -n 's/.*: \([0-9]\)  (\([0-9]\): \([0-9.]*\).*/\1 \3/p' "$tmp/cli.out")
got=$(py_json "'%d %.4f' % (d['models'][0]['full']['class'], d['models'][0]['full']['probs'][d['models'][0]['full']['class']])")
[ "$got" = "$want" ] || fail "predict's full network gives '$got', rdrop predict '$want'"; ok
got=$(py_json "len(d['models'][0]['subnets']), len(d['models'][1]['subnets']), len(d['input'])")
[ "$got" = "16 16 784" ] ||
    fail "want 16 sub-networks per model and 784 input values, got $got"; ok
req POST /api/predict --data-binary @"$tmp/req.json"
# the same request, the same answer (but for the time it took)
[ "$(sed 's/,"ms":[^}]*}$//' "$tmp/body")" = "$(sed 's/,"ms":[^}]*}$//' "$tmp/seed1.json")" ] ||
    fail "the same request gave another answer"; ok
predict_body docs/img/seven.png "$drop" 16 2
req POST /api/predict --data-binary @"$tmp/req.json"
[ "$(py_json "d['models'][0]['subnets']")" != "$(py_json "d['models'][0]['subnets']" "$tmp/seed1.json")" ] ||
    fail "seed 2 gave the sub-networks of seed 1"; ok

# ---- hostile input: a JSON error each time ----------------------------------------
head -c 3000000 /dev/zero | tr '\0' 'a' >"$tmp/big"
req POST /api/predict --data-binary @"$tmp/big"
expect 413 '"error":"request body larger than 2 MiB"'
req POST /api/predict -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big"
expect 413 '"error":"request body larger than 2 MiB"'
printf 'not a png at all' >"$tmp/text.png"
predict_body "$tmp/text.png" "$drop"
req POST /api/predict --data-binary @"$tmp/req.json"
expect 400 'drawing: not a PNG, JPEG or BMP file'
{ printf '\211PNG\r\n\032\n'; head -c 100 /dev/urandom; } >"$tmp/fake.png"
predict_body "$tmp/fake.png" "$drop"
req POST /api/predict --data-binary @"$tmp/req.json"
expect 400 '"error":"drawing: '
# a PNG bomb: 10,000 x 10,000 pixels in about 100 KB
"$py" - "$tmp/bomb.png" <<'PY'
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
w = h = 10000
z = zlib.compressobj(9)
row = b'\0' * (w + 1)
idat = b''.join(z.compress(row) for _ in range(h)) + z.flush()
with open(sys.argv[1], 'wb') as f:
    f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0)) +
            chunk(b'IDAT', idat) + chunk(b'IEND', b''))
PY
[ "$(wc -c <"$tmp/bomb.png")" -lt 200000 ] || fail "the PNG bomb is not small"; ok
rss() { sed -n 's/^VmRSS:[ \t]*\([0-9]*\) kB/\1/p' "/proc/$pid/status"; }
rss0=$(rss)
predict_body "$tmp/bomb.png" "$drop"
req POST /api/predict --data-binary @"$tmp/req.json"
expect 400 'drawing: its header says 10000x10000 pixels: too large'
[ $(($(rss) - rss0)) -lt 20000 ] || fail "the PNG bomb grew the server by $(($(rss) - rss0)) kB: it was inflated"; ok
"$py" -c "
import struct, zlib
def chunk(k, d): return struct.pack('>I', len(d)) + k + d + struct.pack('>I', zlib.crc32(k + d) & 0xffffffff)
open('$tmp/zero.png', 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 0, 0, 8, 0, 0, 0, 0)) + chunk(b'IEND', b''))"
predict_body "$tmp/zero.png" "$drop"
req POST /api/predict --data-binary @"$tmp/req.json"
expect 400 '"error":"drawing: '
req POST /api/predict --data-binary "{\"image\":\"\",\"runs\":[$drop]}"
expect 400 '"image\": empty (a zero-size image)'
req POST /api/predict --data-binary ''
expect 400 'request body: not JSON'
req POST /api/predict --data-binary '{"image": "AAAA", "runs": [0],}'
expect 400 'request body: not JSON: byte 30: trailing comma'
req POST /api/predict --data-binary '{"image":"AAAA","runs":[0],"runs":[1]}'
expect 400 'duplicate key'
req POST /api/predict --data-binary '{"image":"@@@@","runs":[0]}'
expect 400 '"image\": not base64'
req POST /api/predict --data-binary '{"image":"AAAA","runs":[0],"k":65}'
expect 400 '"k\": expected a whole number from 1 to 64'
req POST /api/predict --data-binary '{"image":"AAAA","runs":[0],"path":"/etc/passwd"}'
expect 400 'unknown key'
predict_body docs/img/seven.png 999
req POST /api/predict --data-binary @"$tmp/req.json"
expect 404 'no run with id 999'
predict_body docs/img/seven.png '"../../etc"'
req POST /api/predict --data-binary @"$tmp/req.json"
expect 400 'a run id is not a whole number'
req GET /api/runs/999
expect 404 'no run with id 999'
req GET "/api/studies/$drop"
expect 404 "no study with id $drop"
req GET /api/runs/-1
expect 404 'no such API path'
# paths: nothing maps to a file
for p in /../../../../etc/passwd /%2e%2e/%2e%2e/%2e%2e/etc/passwd //etc/passwd /etc/passwd \
    "/api/runs/$drop/../../../etc/passwd" /api/runs/%2e%2e%2f%2e%2e%2fetc%2fpasswd /web/app.js /index.html/..; do
    req GET "$p"
    expect 404 '"error":'
    grep -q 'root:' "$tmp/body" && fail "GET $p returned /etc/passwd"
done
# symlinks out of the served folder: refused, the outside never read
req GET "/api/runs/$evil"
expect 403 'leads outside the served folders'
predict_body docs/img/seven.png "$evil"
req POST /api/predict --data-binary @"$tmp/req.json"
expect 403 'b-evil/last.ckpt: leads outside the served folders'
# methods
req PUT /api/runs
expect 405 '"error":"PUT: this path takes GET"'
curl -s -D - -o /dev/null -X DELETE "$url/" | grep -qi '^allow: GET, HEAD' || fail "405 without an Allow header"; ok
req DELETE /
expect 405 'page files take GET'
req GET /api/predict
expect 405 '/api/predict takes POST'
req BREW /api/runs
expect 405 '"error":'

# idle connections past the limit (16) and the idle timeout (2 s): the
# server closes them, 16 at a time (the others wait in the kernel's queue
# until a place is free: about 3 x 2 s for 40), and serves the next client
"$py" - "$url" <<'PY' || fail "idle connections: see above"
import socket, sys, time, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
socks = []
for _ in range(40):
    s = socket.create_connection((u.hostname, u.port), timeout=10)
    socks.append(s)
t0 = time.monotonic()
closed = 0
for s in socks:  # each is closed by the server (timeout) or refused at once (limit)
    try:
        if s.recv(1) == b'':
            closed += 1
    except (ConnectionResetError, socket.timeout):
        closed += 1
    s.close()
took = time.monotonic() - t0
if closed != 40 or took > 10:
    sys.exit(f"{closed} of 40 idle connections closed, in {took:.1f} s (want all, 16 per 2 s timeout, within 10 s)")
PY
ok
req GET /api/runs
expect 200 '"runs":['

# a run folder deleted while served, a checkpoint replaced
mv "$srv/runs/a-dropout/last.ckpt" "$tmp/dropout.ckpt"
cp "$srv/runs/a-rdrop/last.ckpt" "$srv/runs/a-dropout/last.ckpt.new"
mv "$srv/runs/a-dropout/last.ckpt.new" "$srv/runs/a-dropout/last.ckpt"
predict_body docs/img/seven.png "$drop,$rd"
req POST /api/predict --data-binary @"$tmp/req.json"
expect 200 '"subnets":['
[ "$(py_json "d['models'][0]['full'] == d['models'][1]['full']")" = True ] ||
    fail "after its checkpoint was replaced, run a-dropout still answers with the old model"; ok
echo 'not a checkpoint' >"$srv/runs/a-dropout/last.ckpt"
req POST /api/predict --data-binary @"$tmp/req.json"
expect 500 'a-dropout/last.ckpt: not an rdrop checkpoint'
cp "$tmp/dropout.ckpt" "$srv/runs/a-dropout/last.ckpt"
rm -rf "$srv/runs/a-rdrop"
req POST /api/predict --data-binary @"$tmp/req.json"
expect 404 'a-rdrop/last.ckpt: not found'
req GET "/api/runs/$rd"
expect 404 'holds no metrics.csv or config.ini now'
sleep 1.1
req GET /api/runs
expect 200 '"gone":true'
[ "$(py_json "[r['gone'] for r in d['runs'] if r['id'] == $rd][0]")" = True ] || fail "the deleted run is not marked gone"; ok
predict_body docs/img/seven.png "$drop"
req POST /api/predict --data-binary @"$tmp/req.json"
expect 200 '"subnets":['

# ---- load: 5,000 requests from 8 clients, memory flat ------------------------------
"$py" bench/serve_load.py "$url/" docs/img/seven.png "$drop" --requests 300 --clients 8 --max-seconds 60 >/dev/null ||
    fail "the warm-up requests failed"
rss1=$(rss)
"$py" bench/serve_load.py "$url/" docs/img/seven.png "$drop" --requests 5000 --clients 8 --max-seconds 240 >"$tmp/load.out" 2>&1
st=$?
rss2=$(rss)
echo "serve.sh: load: $(cat "$tmp/load.out"); RSS $rss1 kB before, $rss2 kB after"
[ $st -eq 0 ] || fail "the load test failed: $(cat "$tmp/load.out")"; ok
grep -q '^requests=5000 errors=0 ' "$tmp/load.out" || fail "want 5000 requests and 0 errors"; ok
# AddressSanitizer keeps freed memory in quarantine (up to 256 MiB): under
# it, LeakSanitizer's report at the server's exit (below) checks instead
if grep -qa __asan_init "$RDROP"; then
    echo "serve.sh: an AddressSanitizer build: RSS not compared (its quarantine holds freed memory)"
else
    [ $((rss2 - rss1)) -lt 4096 ] || fail "RSS grew by $((rss2 - rss1)) kB over 5,000 requests"
fi
ok

# ---- stopping -------------------------------------------------------------------------
kill -TERM $pid
wait $pid
status=$?
[ $status -eq 0 ] || fail "SIGTERM: exit status $status, want 0"; ok
serve_start "$srv"
kill -INT $pid
wait $pid
status=$?
[ $status -eq 0 ] || fail "SIGINT: exit status $status, want 0"; ok
[ -s "$tmp/serve.err" ] && fail "rdrop serve wrote on stderr: $(cat "$tmp/serve.err")"; ok

echo "serve.sh: $passed passed, 0 failed"
