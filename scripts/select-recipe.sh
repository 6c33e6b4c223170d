#!/bin/sh
# The mnist-best selection rule of experiments/STUDY-PLAN.md: among the
# tuning candidates in DIR/runs (an `rdrop compare` folder whose run labels
# are mnist-best-{dropout,rdrop}+OVERRIDES), the one with the lowest mean
# final validation error of its dropout and R-Drop runs. Reads the val_acc
# column only: the test set plays no part in the choice.
#   sh scripts/select-recipe.sh experiments/results/mnist-best-tuning
set -eu
[ $# -eq 1 ] || { echo "usage: scripts/select-recipe.sh COMPARE_DIR" >&2; exit 2; }
for run in "$1"/runs/mnist-best-*; do
    [ -f "$run/metrics.csv" ] || continue
    name=${run##*/}
    recipe=$(echo "$name" | sed -e 's/^mnist-best-dropout//' -e 's/^mnist-best-rdrop//' -e 's/-s[0-9]*$//')
    # the last row's val_acc, found by the header's name
    awk -F, -v recipe="$recipe" -v run="$name" '
        NR == 1 { for (i = 1; i <= NF; i++) if ($i == "val_acc") col = i; next }
        { last = $col }
        END { if (col && last != "") printf "%s %s %.4f\n", recipe, run, 100 * (1 - last) }' "$run/metrics.csv"
done | sort | awk '
    { sum[$1] += $3; n[$1]++; runs[$1] = runs[$1] sprintf("  %s %.3f%%", $2, $3) }
    END {
        best = ""
        for (r in sum) {
            m = sum[r] / n[r]
            printf "candidate %s: mean validation error %.3f%% over %d runs\n%s\n", r, m, n[r], runs[r]
            if (best == "" || m < bestm) { best = r; bestm = m }
        }
        if (best == "") { print "select-recipe: no finished tuning runs found" > "/dev/stderr"; exit 1 }
        printf "selected: %s (mean validation error %.3f%%)\n", best, bestm
    }'
