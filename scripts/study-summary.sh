#!/bin/sh
# A few lines per study from its committed report.md (an `rdrop compare
# --out` folder): each config's final test error, MC-dropout error and
# test_kl (mean ± sd over seeds), then every paired difference of the final
# error with its 95% CI and Holm-adjusted p, the primary one marked.
# The docs quote these lines in check blocks, so a re-run study that moves a
# number fails `make test` until the docs say the new one.
#   sh scripts/study-summary.sh experiments/results/low-data-mnist
set -eu
[ $# -ge 1 ] || { echo "usage: scripts/study-summary.sh COMPARE_DIR..." >&2; exit 2; }
for dir in "$@"; do
    [ -f "$dir/report.md" ] || { echo "study-summary: $dir/report.md: no such file" >&2; exit 1; }
    awk -F' *[|] *' -v name="${dir##*/}" '
        /^## / { section = $0; next }
        section == "## Per config" && /^[|] [^-]/ && $2 != "config" {
            if (!head++) printf "%s (%s seeds, %s epochs)\n", name, $5, $6
            printf "  %-28s %s%%  MC-dropout %s%%  test_kl %s\n", $2, $7, $9, $10
        }
        section == "## Paired differences" && /^[|] [^-]/ && $2 != "difference" {
            d = $2; mark = " "
            if (d ~ /^\*\*/) { gsub(/\*\*/, "", d); mark = "*" }
            ci = $5; sub(/^±/, "", ci)
            printf "%s %-52s %s ± %s points, Holm p %s\n", mark, d, $4, ci, $8
        }' "$dir/report.md"
done
