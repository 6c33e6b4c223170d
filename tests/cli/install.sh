#!/bin/sh
# make install / make uninstall: into a temporary DESTDIR, then the README's
# C example (an R-Drop MLP learning XOR) built against the installed copy
# through pkg-config, run, and compared with the README's output; uninstall
# leaves nothing behind.
set -u
NAME=install.sh
. tests/cli/lib/common.sh

build=$(dirname "$RDROP")
stage=$tmp/stage
make -s install BUILD="$build" DESTDIR="$stage" PREFIX=/usr/local >"$tmp/out" 2>"$tmp/err" ||
    fail "make install exited non-zero"; ok
for f in bin/rdrop lib/librdrop.a lib/pkgconfig/rdrop.pc include/rdrop/tensor.h include/rdrop/nn.h \
         include/rdrop/loss.h include/rdrop/optim.h; do
    [ -f "$stage/usr/local/$f" ] || fail "make install did not install $f"
done; ok
"$stage/usr/local/bin/rdrop" kl 0.5,0.5 0.5,0.5 | grep -q '^KL(P||Q) *= 0$' || fail "the installed rdrop does not run"; ok

# the README's example, compiled against the installed headers and library only
awk '/^```c example$/ {on = 1; next} on && /^```/ {exit} on' README.md >"$tmp/example.c"
awk '/^```output$/ {on = 1; next} on && /^```/ {exit} on' README.md >"$tmp/want"
[ -s "$tmp/example.c" ] && [ -s "$tmp/want" ] || fail "no C example and output in README.md"; ok
export PKG_CONFIG_PATH="$stage/usr/local/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage"
flags=$(pkg-config --cflags --libs rdrop) || fail "pkg-config --cflags --libs rdrop failed"; ok
case $flags in *"$stage/usr/local/include"*) ;; *) fail "pkg-config gives no installed include folder: $flags" ;; esac; ok
# a library built with the sanitizers needs their runtime at link time
san=""
nm "$stage/usr/local/lib/librdrop.a" 2>/dev/null | grep -q __asan_ && san="-fsanitize=address,undefined"
${CC:-cc} -std=c11 -Wall -Wextra -Werror $san -o "$tmp/example" "$tmp/example.c" $flags >"$tmp/out" 2>"$tmp/err" ||
    fail "the README example does not build against the installed rdrop: $(head -c 300 "$tmp/err")"; ok
"$tmp/example" >"$tmp/got" 2>"$tmp/err" || fail "the example exited non-zero"; ok
cmp -s "$tmp/got" "$tmp/want" || fail "the example printed something else than README.md says: $(diff "$tmp/want" "$tmp/got")"; ok

make -s uninstall BUILD="$build" DESTDIR="$stage" PREFIX=/usr/local >"$tmp/out" 2>"$tmp/err" ||
    fail "make uninstall exited non-zero"; ok
left=$(find "$stage" -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left files behind: $left"; ok
[ ! -d "$stage/usr/local/include/rdrop" ] || fail "make uninstall left include/rdrop/"; ok
echo "$NAME: $passed passed, 0 failed"
