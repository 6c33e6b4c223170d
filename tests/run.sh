#!/bin/sh
# make test: the Criterion unit tests, then every tests/cli/*.sh script, then
# one closing line with the totals. Exits non-zero if anything failed.
# Usage: tests/run.sh UNIT_BINARY RDROP_BINARY [criterion args...]
set -u
unit=$1 rdrop=$2
shift 2
passed=0 failed=0 log=$(mktemp)
trap 'rm -f "$log"' EXIT

"$unit" "$@" >"$log" 2>&1
status=$?
cat "$log"
line=$(grep 'Synthesis' "$log" | tail -n 1)
p=$(echo "$line" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
f=$(echo "$line" | sed -n 's/.*Failing: \([0-9]*\).*Crashing: \([0-9]*\).*/\1 \2/p')
if [ -z "$p" ]; then
  echo "tests/run.sh: the unit tests did not report a summary" >&2
  failed=$((failed + 1))
else
  passed=$((passed + p))
  for n in $f; do failed=$((failed + n)); done
  [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
fi

for t in tests/cli/*.sh; do
  [ -f "$t" ] || continue
  echo "== $t"
  RDROP=$rdrop sh "$t" >"$log" 2>&1
  status=$?
  cat "$log"
  line=$(grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
  f=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
  if [ -z "$p" ]; then
    echo "tests/run.sh: $t printed no 'N passed, M failed' line" >&2
    failed=$((failed + 1))
    continue
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  # a script that failed without counting it still counts as a failure
  [ "$status" -ne 0 ] && [ "$f" -eq 0 ] && failed=$((failed + 1))
done
echo
echo "all tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
