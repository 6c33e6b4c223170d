#!/bin/sh
# The committed studies agree where they repeat a run. The size study's
# 1,000-image runs (experiments/results/size-mnist, group train_subset=1000)
# are low-data-mnist's recipe, epochs and seeds 0-9, trained again on the same
# machine and OpenBLAS kernel: their final test error and final training
# cross-entropy must equal low-data-mnist's rows exactly, arm by arm and seed
# by seed. (test_kl and mc_acc are not compared: the evaluation's random
# stream depends on how many evaluations came before, every 50 epochs in one
# study and every 25 in the other.) Reads committed files only.
set -u
NAME=studies.sh
. tests/cli/lib/common.sh
low=experiments/results/low-data-mnist/results.csv
size=experiments/results/size-mnist/results.csv
[ -f "$low" ] && [ -f "$size" ] || fail "$low or $size is missing"
ok
# ARM,SEED -> "train_size epochs final_test_err_pct final_train_ce", columns by
# name (both files share results.csv's header, size-mnist's with group last)
rows() { # FILE PREFIX GROUP
    awk -F, -v prefix="$2" -v group="$3" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        group != "" && $col["group"] != group { next }
        $col["seed"] < 10 && index($col["config"], prefix) == 1 {
            print substr($col["config"], length(prefix) + 1) "," $col["seed"] "," $col["train_size"] "," \
                $col["epochs"] "," $col["final_test_err_pct"] "," $col["final_train_ce"]
        }' "$1" | sort
}
rows "$low" mnist-1k- "" >"$tmp/low"
rows "$size" size-mnist- "train_subset=1000+epochs=150+eval_interval=50" | grep -v '^dropout+epochsx' >"$tmp/size"
[ "$(wc -l <"$tmp/low")" -eq 40 ] || fail "low-data-mnist: want 40 rows of seeds 0-9, got $(wc -l <"$tmp/low")"
ok
[ "$(wc -l <"$tmp/size")" -eq 40 ] || fail "size-mnist at 1k: want 40 rows of its four shared arms, got $(wc -l <"$tmp/size")"
ok
diff "$tmp/low" "$tmp/size" >"$tmp/err" || fail "the size study's 1k runs do not repeat low-data-mnist's: $(head -5 "$tmp/err")"
ok
echo "$NAME: $passed passed, 0 failed"
