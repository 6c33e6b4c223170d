#!/bin/sh
# The committed pictures are what the code draws today: the docs' figures
# (scripts/figures/, `make figures`) drawn again into a scratch folder, and
# every study figure with a curves.csv drawn again from its tables
# (`rdrop plot --study`; a grouped study's curves-GROUP.png and size.png
# too), each must equal its committed PNG byte for byte.
# After a change to the drawing code: `make figures`, and
# `build/rdrop plot --study experiments/results/STUDY` for each study.
set -u
NAME=figures.sh
. tests/cli/lib/common.sh
lib=$(dirname "$RDROP")/librdrop.a

# shellcheck disable=SC2046 # pkg-config prints word lists
${CC:-cc} -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc \
    $(pkg-config --cflags openblas zlib inih stb) ${EXTRA_CFLAGS:-} scripts/figures/*.c "$lib" \
    $(pkg-config --libs openblas zlib inih stb) -lm -pthread ${EXTRA_LDFLAGS:-} -o "$tmp/draw-figures" \
    >"$tmp/out" 2>"$tmp/err" || fail "scripts/figures/ does not compile"
ok
mkdir "$tmp/img"
"$tmp/draw-figures" "$tmp/img" >"$tmp/out" 2>"$tmp/err" || fail "draw-figures failed"
ok
# every figure scripts/figures/ names was drawn (a figure it skipped would
# otherwise go unchecked)
for name in $(grep -oh '"[a-z0-9-]*\.png"' scripts/figures/*.c | tr -d '"' | sort -u); do
    [ -f "$tmp/img/$name" ] || fail "scripts/figures/ did not draw $name"
    ok
done
for f in "$tmp"/img/*.png; do
    cmp -s "$f" "docs/img/${f##*/}" || fail "docs/img/${f##*/} is not what scripts/figures/ draws (run make figures)"
    ok
done

for csv in experiments/results/*/curves.csv; do
    dir=${csv%/curves.csv}
    if ! ls "$dir"/curves-*.png >/dev/null 2>&1; then
        run plot --study "$dir" --out "$tmp/study.png"
        [ "$status" -eq 0 ] || fail "plot --study $dir exited $status"
        cmp -s "$tmp/study.png" "$dir/curves.png" || fail "$dir/curves.png is not what rdrop plot --study $dir draws"
        ok
        continue
    fi
    # a grouped study: a figure per group, and size.png; drawn and committed alike
    rm -rf "$tmp/g" && mkdir "$tmp/g"
    run plot --study "$dir" --out "$tmp/g"
    [ "$status" -eq 0 ] || fail "plot --study $dir exited $status"
    for f in "$dir"/curves-*.png "$dir"/size.png "$tmp"/g/*.png; do
        [ -e "$f" ] || continue
        cmp -s "$dir/${f##*/}" "$tmp/g/${f##*/}" ||
            fail "$dir/${f##*/} is not what rdrop plot --study $dir draws (or one of the two is missing)"
        ok
    done
done
echo "$NAME: $passed passed, 0 failed"
