#!/bin/bash
# run.sh: runs every tests/integration/t_*.sh (or those named) with the
# built ./carrier, each in its own private network namespace (the tests
# re-exec themselves there), and prints one line per test and a summary.
# A test exits 0 (pass), 77 (skip: it prints "SKIP: reason") or else (fail).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
export CARRIER="${CARRIER:-$top/carrier}"
pass=0 fail=0 skip=0
failed=()
if [ $# -gt 0 ]; then tests=("$@"); else tests=("$top"/tests/integration/t_*.sh); fi
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	log="$top/build/integration/$name.log"
	mkdir -p "$(dirname "$log")"
	start=${EPOCHREALTIME/./}
	timeout 300 bash "$t" >"$log" 2>&1
	rc=$?
	us=$(( ${EPOCHREALTIME/./} - start ))
	secs=$((us / 1000000)).$((us / 100000 % 10))
	case $rc in
	0)	pass=$((pass + 1)); echo "PASS $name (${secs}s)" ;;
	77)	skip=$((skip + 1)); echo "SKIP $name: $(grep -m1 '^SKIP' "$log" | sed 's/^SKIP: *//')" ;;
	*)	fail=$((fail + 1)); failed+=("$name"); echo "FAIL $name (exit $rc)"
		sed 's/^/    | /' "$log" | tail -40 ;;
	esac
done
echo "integration: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
