#!/bin/sh
# Prints the RESULTS.md tables of finished comparisons: for each DIR (an
# `rdrop compare --out` folder), a heading, the per-config table, the paired
# differences, the conclusion and the equal-time table, taken from
# DIR/report.md, with a link to DIR/curves.png (a grouped study: to each
# group's curves-GROUP.png).
#   sh scripts/results-tables.sh experiments/results/mnist experiments/results/fashion > tables.md
set -eu
[ $# -ge 1 ] || { echo "usage: scripts/results-tables.sh COMPARE_DIR..." >&2; exit 2; }
for dir in "$@"; do
    [ -f "$dir/report.md" ] || { echo "results-tables: $dir/report.md: no such file" >&2; exit 1; }
    {
    echo "## $(basename "$dir")"
    echo
    sed -n 's/^Made by `\(.*\)`\.$/Command: `\1`/p' "$dir/report.md"
    echo
    # the body of every section, headings one level down; the explanations
    # between a heading and its table are left to report.md
    awk '/^## /{print "#" $0; print ""; next} /^\|/ || /lowered|raised|No significant|too few|not corrected/{print; blank=0; next} {if (!blank) print ""; blank=1}' "$dir/report.md"
    echo
    if [ -f "$dir/curves.png" ]; then
        echo "![learning curves]($dir/curves.png)"
    else # a grouped study: a figure per group, in the report's order
        echo "![the differences against the training-set size]($dir/size.png)"
        sed -n 's/^## Group //p' "$dir/report.md" | while IFS= read -r g; do
            echo "![learning curves, $g]($dir/curves-$g.png)"
        done
    fi
    echo
    } | cat -s # one blank line between blocks
done
