#!/bin/sh
# `rdrop eval --mc` against an independent evaluation in PyTorch
# (tests/parity/mc_check.py; docs/dropout.md). Four small models of the
# mnist-best recipe, 784-256-256-10 (dropout and R-Drop, each with input
# dropout 0.2 and without), train for 2 epochs on 10,000 images and are
# exported; each is evaluated on the first $IMAGES MNIST test images by rdrop
# (`rdrop eval --mc 8 --seed S`) and by PyTorch (nn.Dropout,
# torch.manual_seed(S)), $SEEDS mask seeds a side. The two draw different
# random numbers, so only their distributions can agree. Checked:
#   - full_acc (no dropout) is the same on both sides, to the printed digits;
#   - for sub_acc, mc_acc and test_kl, |mean_rdrop - mean_torch| <=
#     Z * sqrt(se_rdrop^2 + se_torch^2), se = sd over the seeds / sqrt(SEEDS),
#     and each side's figures vary with the seed;
#   - R-Drop's test_kl is below dropout's, on both sides (about 0.20 against
#     0.29 with input dropout, 0.15 against 0.22 without, at training seeds
#     0, 1 and 2; the sd over mask seeds is 0.003).
# Z = 5: with 20 seeds a side the statistic is Student's t with about 38
# degrees of freedom, P(|t| > 5) = 1.3e-5, so the 12 comparisons fail a
# correct implementation about once in 6,300 runs. Broken passes land far
# outside, in test_kl by (standard errors): 120 to 145 without the 1/(1-p)
# scale, 23 to 164 with masks shared between the passes, 78 to 80 with input
# dropout left out, 46 to 57 with hidden dropout 0.45 instead of 0.5.
# Needs the real MNIST and /usr/bin/python3 with PyTorch
# (apt-get install python3-torch); skipped without them.
set -u
NAME=mc_parity.sh
. tests/cli/lib/common.sh

IMAGES=1000 SEEDS=20 PASSES=8 Z=5
python=${PYTHON:-/usr/bin/python3} # Debian's, with python3-torch
mnist=${MNIST_MIRROR_DIR:-data/mnist}
if [ ! -e "$mnist/train-images-idx3-ubyte.gz" ] && [ ! -e "$mnist/train-images-idx3-ubyte" ]; then
    echo "$NAME: skipped: no MNIST in $mnist (set MNIST_MIRROR_DIR or run make data)"
    echo "$NAME: $passed passed, 0 failed"
    exit 0
fi
if ! "$python" -c 'import torch' >/dev/null 2>&1; then
    echo "$NAME: skipped: no torch for $python (apt-get install python3-torch)"
    echo "$NAME: $passed passed, 0 failed"
    exit 0
fi

# The first $IMAGES test images and labels, as IDX files of their own.
mkdir "$tmp/test"
"$python" - "$mnist" "$tmp/test" "$IMAGES" <<'EOF' || fail "cannot write the test subset"
import gzip, os, struct, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def read(name):
    path = os.path.join(src, name)
    return (gzip.open(path + ".gz") if os.path.exists(path + ".gz") else open(path, "rb")).read()
images, labels = read("t10k-images-idx3-ubyte"), read("t10k-labels-idx1-ubyte")
with open(os.path.join(dst, "t10k-images-idx3-ubyte"), "wb") as f:
    f.write(struct.pack(">IIII", 2051, n, 28, 28) + images[16:16 + 784 * n])
with open(os.path.join(dst, "t10k-labels-idx1-ubyte"), "wb") as f:
    f.write(struct.pack(">II", 2049, n) + labels[8:8 + n])
EOF
ok

# Train and export: dropout and R-Drop, with input dropout 0.2 (-in0.2) and
# without (-in0).
models=""
for method in dropout rdrop; do
    for input in 0.2 0; do
        m=$method-in$input
        run train "experiments/mnist-best-$method.ini" --set model.hidden=256,256 --set model.input_dropout="$input" \
            --set data.dir="$mnist" --set data.test_dir="$tmp/test" --set data.train_subset=10000 \
            --set train.epochs=2 --set train.eval_interval=2 --set train.checkpoint_interval=2 \
            --set train.mc_passes=0 --out "$tmp/$m" --quiet
        expect_status 0
        run export "$tmp/$m/last.ckpt" --out "$tmp/$m.safetensors"
        expect_status 0
        models="$models $m"
    done
done

# PyTorch in the background (one thread) while rdrop evaluates.
evaluator=$PWD/tests/parity/mc_check.py
(cd "$tmp" && exec "$python" "$evaluator" $(for m in $models; do echo "$m.safetensors"; done) \
    --data test --mc "$PASSES" --seeds "$SEEDS" --threads 1 >torch.txt 2>torch.err) &
torch_pid=$!
: >"$tmp/rdrop.txt"
for m in $models; do
    s=0
    while [ "$s" -lt "$SEEDS" ]; do
        run eval "$tmp/$m/last.ckpt" --data "$tmp/test" --mc "$PASSES" --seed "$s"
        expect_status 0
        awk -v m="$m" -v s="$s" -F' = ' '$1 ~ /^(full_acc|sub_acc|mc_acc|test_kl)$/ { line = line " " $1 "=" $2 }
            END { print m ".safetensors seed=" s line }' "$tmp/out" >>"$tmp/rdrop.txt"
        s=$((s + 1))
    done
done
: >"$tmp/out"; : >"$tmp/err" # a failure below is not about the last command
wait "$torch_pid" || { cp "$tmp/torch.err" "$tmp/err"; fail "tests/parity/mc_check.py failed"; }
# each side: a line per model and seed, with the four figures
for side in rdrop torch; do
    for m in $models; do
        n=$(awk -v m="$m.safetensors" '$1 == m && / full_acc=[0-9.]+ / && / sub_acc=[0-9.]+ / && / mc_acc=[0-9.]+ / &&
            / test_kl=[0-9.]+$/' "$tmp/$side.txt" | wc -l)
        [ "$n" -eq "$SEEDS" ] || { cp "$tmp/$side.txt" "$tmp/out"; fail "$side: $n complete lines for $m, want $SEEDS"; }
        ok
    done
done

# summary SIDE MODEL KEY: "mean se sd" of KEY over the seeds.
summary() {
    awk -v m="$2.safetensors" -v key="$3" '$1 == m { for (i = 2; i <= NF; i++) { split($i, kv, "=");
            if (kv[1] == key) { x[++n] = kv[2]; sum += kv[2] } } }
        END { mean = sum / n; for (i = 1; i <= n; i++) ss += (x[i] - mean) ^ 2; var = ss / (n - 1)
              printf "%.8f %.8f %.8f\n", mean, sqrt(var / n), sqrt(var) }' "$tmp/$1.txt"
}
# check STATUS MESSAGE: counts a check; a failed one is reported and the
# checks go on, so that a failure shows the whole table.
failed=0
check() {
    if [ "$1" -eq 0 ]; then ok; else
        failed=$((failed + 1))
        echo "$NAME: FAIL: $2" >&2
    fi
}

printf '%-14s %-9s %-24s %-24s %s\n' model figure "rdrop mean ± se" "torch mean ± se" "|diff|/se"
for m in $models; do
    # full_acc: one value, the same for every seed and on both sides
    for side in rdrop torch; do
        awk -v m="$m.safetensors" '$1 == m { for (i = 2; i <= NF; i++) if ($i ~ /^full_acc=/) print substr($i, 10) }' \
            "$tmp/$side.txt" | sort -u >"$tmp/full-$side"
    done
    printf '%-14s %-9s %-24s %s\n' "$m" full_acc "$(echo $(cat "$tmp/full-rdrop"))" "$(echo $(cat "$tmp/full-torch"))"
    [ "$(wc -l <"$tmp/full-rdrop")" -eq 1 ] && cmp -s "$tmp/full-rdrop" "$tmp/full-torch"
    check $? "$m: full_acc differs: rdrop $(echo $(cat "$tmp/full-rdrop")), torch $(echo $(cat "$tmp/full-torch"))"
    for key in sub_acc mc_acc test_kl; do
        set -- $(summary rdrop "$m" "$key") $(summary torch "$m" "$key")
        verdict=$(awk -v mr="$1" -v sr="$2" -v mt="$4" -v st="$5" -v z="$Z" \
            'BEGIN { se = sqrt(sr * sr + st * st); d = mr - mt; if (d < 0) d = -d
                     v = "ok"; if (sr == 0 || st == 0) v = "no spread (is the seed used?)"; else if (d > z * se) v = "means differ"
                     r = se > 0 ? d / se : 0; printf "%.2f %s\n", r, v }')
        printf '%-14s %-9s %-24s %-24s %s\n' "$m" "$key" "$(printf '%.6f ± %.6f' "$1" "$2")" \
            "$(printf '%.6f ± %.6f' "$4" "$5")" "$verdict (sd $(printf '%.6f' "$3") vs $(printf '%.6f' "$6"))"
        [ "${verdict#* }" = ok ]
        check $? "$m $key: rdrop $1 ± $2 (sd $3), torch $4 ± $5 (sd $6): ${verdict#* }"
        [ "$key" = test_kl ] && echo "$m $1 $4" >>"$tmp/test_kl.txt"
    done
done
# R-Drop trains the passes' disagreement down: a lower test_kl, on both sides.
for input in 0.2 0; do
    set -- $(awk -v d="dropout-in$input" -v r="rdrop-in$input" '$1 == d { dr = $2; dt = $3 } $1 == r { rr = $2; rt = $3 }
        END { print dr, rr, dt, rt }' "$tmp/test_kl.txt")
    awk -v d="$1" -v r="$2" 'BEGIN { exit !(r < d) }'
    check $? "input dropout $input, rdrop eval: R-Drop's test_kl $2 is not below dropout's $1"
    awk -v d="$3" -v r="$4" 'BEGIN { exit !(r < d) }'
    check $? "input dropout $input, PyTorch: R-Drop's test_kl $4 is not below dropout's $3"
done
echo "$NAME: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
