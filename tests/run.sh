#!/usr/bin/env bash
# Runs every test suite (host unit tests, then QEMU boots) and ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

pass=0
fail=0
mkdir -p build/tests

# Unit tests: each cmocka case counts once; a crashing binary counts as one failure more.
for bin in build/tests/unit/test_*; do
	[[ -x $bin && $bin != *.o && $bin != *.d ]] || continue
	name=${bin##*/}
	log=$bin.log
	"$bin" >"$log" 2>&1
	rc=$?
	ran=$(grep -c '^\[ RUN      \]' "$log")
	ok=$(grep -c '^\[       OK \]' "$log")
	bad=$((ran - ok))
	if ((rc != 0 && bad == 0)); then
		bad=1
	fi
	pass=$((pass + ok))
	fail=$((fail + bad))
	if ((bad)); then
		echo "FAIL unit/$name: $ok of $ran cases passed (exit $rc), log $log"
		grep -E '^\[  (FAILED|ERROR)  \]|error|Assertion' "$log" | head -20 | sed 's/^/    /'
	else
		echo "PASS unit/$name: $ok cases"
	fi
done

# QEMU scenarios: one file per case in tests/qemu/cases.
source tests/qemu/lib.sh
for c in tests/qemu/cases/*.sh; do
	if qemu_case "$c"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done

echo "$pass passed, $fail failed"
((fail == 0))
