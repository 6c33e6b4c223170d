#!/bin/sh
# CLI checks for `rdrop kl` and `rdrop gradcheck`. Run by `make test-cli` with
# $RDROP set to the rdrop binary. Stops with a message at the first failure.
# Reference values: PyTorch 1.13 (see tests/unit/test_kl.c), for
# P = [0.25]*4 + [0], Q = [0.2]*5: KL(P||Q) = ln 1.25 = 0.223144, KL(Q||P) = inf;
# as logits: 0.0045058 and 0.00475172 (0.004751720390 in float64).
set -u
NAME=kl.sh
. tests/cli/lib/common.sh


# expect_out REGEX: stdout has a line matching it.

P=0.25,0.25,0.25,0.25,0
Q=0.2,0.2,0.2,0.2,0.2

args="kl $P $Q"
run kl "$P" "$Q"
[ "$status" -eq 0 ] || fail "'$RDROP $args' exited $status"; ok
expect_out '^KL\(P\|\|Q\) += 0\.223144$'
expect_out '^KL\(Q\|\|P\) += inf .*P\[4\] = 0'
expect_out '^ +sum += 0\.223144$'
expect_out '^ +mean += 0\.0446287'

args="kl --logits $P $Q"
run kl --logits "$P" "$Q"
[ "$status" -eq 0 ] || fail "'$RDROP $args' exited $status"; ok
expect_out '^KL\(P\|\|Q\) += 0\.0045058$'
expect_out '^KL\(Q\|\|P\) += 0\.00475172$'

# Extreme logits: every figure of one command from the log-probabilities, as
# PyTorch computes them, so that KL(P||Q), sum and batchmean agree
# (PyTorch: 499.307 and 1e+30; none of them inf).
for case in "0,0 0,-1000 499.307" "1e30,0 0,1e30 1e[+]30" "0,0,5 0,-700,5 4.64718"; do
    set -- $case
    args="kl $1 $2 --logits"
    run kl "$1" "$2" --logits
    [ "$status" -eq 0 ] || fail "'$RDROP $args' exited $status"; ok
    expect_out "^KL\(P\|\|Q\) += $3\$"
    expect_out "^ +sum += $3\$"
    expect_out "^ +batchmean += $3 "
    grep -q inf "$tmp/out" && fail "'$RDROP $args' printed inf beside a finite KL"; ok
done

# usage_error WORD ARGS...: exit status 2 and one line on stderr containing WORD.
usage_error() {
    word=$1
    shift
    args="$*"
    run "$@"
    [ "$status" -eq 2 ] || fail "'$RDROP $args' exited $status, want 2"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "'$RDROP $args': want one line on stderr"
    grep -q -- "$word" "$tmp/err" || fail "'$RDROP $args': stderr does not mention '$word'"
    [ -s "$tmp/out" ] && fail "'$RDROP $args' printed on stdout"
    ok
}
usage_error match kl 0.5,0.5 0.2,0.3,0.5         # lengths differ
usage_error negative kl -0.5,1.5 0.5,0.5          # a negative value
usage_error 'not 1' kl 0.5,0.4 0.5,0.5            # does not sum to 1
usage_error 'not a finite number' kl 0.5,abc 0.5,0.5
usage_error 'two distributions' kl 0.5,0.5        # one argument only
usage_error nosuch gradcheck --op nosuch

# gradcheck: every check passes, "N of N checks passed" with equal numbers.
args=gradcheck
run gradcheck
[ "$status" -eq 0 ] || fail "'$RDROP gradcheck' exited $status"; ok
line=$(grep -E '^[0-9]+ of [0-9]+ checks passed$' "$tmp/out") || fail "no 'N of N checks passed' line"
set -- $line
[ "$1" = "$3" ] && [ "$1" -gt 0 ] || fail "gradcheck: $line"; ok
grep -q FAIL "$tmp/out" && fail "gradcheck printed FAIL"; ok

echo "kl.sh: $passed passed, 0 failed"
