#!/bin/sh
# `rdrop eval --mc` against an independent PyTorch evaluation
# (tests/parity/mc_check.py, docs/dropout.md). Four small models of the
# mnist-best recipe (dropout and R-Drop, with input dropout 0.2 and without)
# are trained for 2 epochs and exported; each is evaluated on the first
# $IMAGES MNIST test images by rdrop (`--mc 8 --seed S`) and by PyTorch
# (nn.Dropout, torch.manual_seed(S)), $SEEDS mask seeds each. The two use
# different random numbers, so only the distributions can agree; checked:
#   - full_acc (no dropout) is the same on both sides, to the printed digits;
#   - for sub_acc, mc_acc and test_kl, |mean_rdrop - mean_torch| <=
#     Z * sqrt(se_rdrop^2 + se_torch^2), se = sd / sqrt(SEEDS);
#   - their seed-to-seed sds agree within a factor SD_RATIO (masks shared
#     between images leave every mean as it is but inflate the spread);
#   - R-Drop's test_kl is below dropout's, on both sides.
# Z = 5: with 20 seeds a side the statistic is about Student's t with 38
# degrees of freedom, and P(|t| > 5) = 1.3e-5, so the 12 comparisons fail
# a correct implementation about once in 6,000 runs; a broken pass (a
# missing 1/(1-p), masks shared between passes, input dropout not applied)
# moves them by tens to thousands of standard errors (docs/dropout.md).
# SD_RATIO = 3: the variance ratio of two samples of 20 exceeds 9 with
# probability 2e-5 per side. Needs the real MNIST and /usr/bin/python3
# with PyTorch (apt-get install python3-torch); skipped without them.
set -u
NAME=mc_parity.sh
. tests/cli/lib/common.sh

IMAGES=1000 SEEDS=20 PASSES=8 Z=5 SD_RATIO=3
python=${MC_PYTHON:-/usr/bin/python3}
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
check=$PWD/tests/parity/mc_check.py
(cd "$tmp" && "$python" "$check" $(for m in $models; do echo "$m.safetensors"; done) \
    --data test --mc "$PASSES" --seeds "$SEEDS" --threads 1 >torch.txt 2>torch.err) &
torch_pid=$!
trap 'kill "$torch_pid" 2>/dev/null; rm -rf "$tmp"' EXIT # a failure below stops it too
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
wait "$torch_pid" || { cp "$tmp/torch.err" "$tmp/err"; fail "tests/parity/mc_check.py failed"; }
for side in rdrop torch; do
    [ "$(wc -l <"$tmp/$side.txt")" -eq $((SEEDS * 4)) ] || { cp "$tmp/$side.txt" "$tmp/out"; fail "$side.txt: not $SEEDS lines per model"; }
    ok
done

# summary SIDE MODEL KEY: "mean se sd" of KEY over the seeds.
summary() {
    awk -v m="$2.safetensors" -v key="$3" '$1 == m { for (i = 2; i <= NF; i++) { split($i, kv, "=");
            if (kv[1] == key) { n++; sum += kv[2]; sq += kv[2] * kv[2] } } }
        END { mean = sum / n; var = (sq - n * mean * mean) / (n - 1); if (var < 0) var = 0;
              printf "%.8f %.8f %.8f\n", mean, sqrt(var / n), sqrt(var) }' "$tmp/$1.txt"
}

printf '%-14s %-9s %-24s %-24s %s\n' model figure "rdrop mean ± se" "torch mean ± se" "|diff|/se"
for m in $models; do
    # full_acc: one value, the same for every seed and on both sides
    full=$(awk -v m="$m.safetensors" '$1 == m { for (i = 2; i <= NF; i++) if ($i ~ /^full_acc=/) print $i }' \
        "$tmp/rdrop.txt" "$tmp/torch.txt" | sort -u)
    [ "$(echo "$full" | wc -l)" -eq 1 ] || fail "$m: full_acc differs: $(echo $full)"
    ok
    printf '%-14s %-9s %s\n' "$m" full_acc "${full#full_acc=} (both)"
    for key in sub_acc mc_acc test_kl; do
        set -- $(summary rdrop "$m" "$key") $(summary torch "$m" "$key")
        verdict=$(awk -v mr="$1" -v sr="$2" -v dr="$3" -v mt="$4" -v st="$5" -v dt="$6" -v z="$Z" -v q="$SD_RATIO" \
            'BEGIN { se = sqrt(sr * sr + st * st); d = mr - mt; if (d < 0) d = -d
                     r = se > 0 ? d / se : (d > 0 ? 1e9 : 0)
                     v = "ok"; if (dr == 0 || dt == 0) v = "no spread"
                     else if (r > z) v = "means differ"; else if (dr > q * dt || dt > q * dr) v = "spreads differ"
                     printf "%.2f %s\n", r, v }')
        printf '%-14s %-9s %-24s %-24s %s\n' "$m" "$key" "$(printf '%.6f ± %.6f' "$1" "$2")" \
            "$(printf '%.6f ± %.6f' "$4" "$5")" "$verdict (sd $(printf '%.6f' "$3") vs $(printf '%.6f' "$6"))"
        [ "${verdict#* }" = ok ] || fail "$m $key: rdrop $1 ± $2 (sd $3), torch $4 ± $5 (sd $6): ${verdict#* }"
        ok
        [ "$key" = test_kl ] && echo "$m $1 $4" >>"$tmp/test_kl.txt"
    done
done
# R-Drop trains the passes' disagreement down: lower test_kl, on both sides.
for input in 0.2 0; do
    set -- $(awk -v d="dropout-in$input" -v r="rdrop-in$input" '$1 == d { dr = $2; dt = $3 } $1 == r { rr = $2; rt = $3 }
        END { print dr, rr, dt, rt }' "$tmp/test_kl.txt")
    awk -v d="$1" -v r="$2" 'BEGIN { exit !(r < d) }' ||
        fail "input dropout $input, rdrop eval: R-Drop's test_kl $2 is not below dropout's $1"
    ok
    awk -v d="$3" -v r="$4" 'BEGIN { exit !(r < d) }' ||
        fail "input dropout $input, PyTorch: R-Drop's test_kl $4 is not below dropout's $3"
    ok
done
echo "$NAME: $passed passed, 0 failed"
