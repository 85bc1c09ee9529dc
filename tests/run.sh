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

# Description checker: each bad description must give exactly its expected first error;
# each good one must pass; each multi-error one must give exactly its expected lines.
tool=build/bin/atoll
for f in tests/spec/bad/*.yaml; do
	want="$f:$(sed -n 's/^# expect: //p' "$f" | head -1)"
	got=$("$tool" check "$f" 2>&1 >/dev/null | head -1)
	if [[ -n $want && $got == "$want" ]] && ! "$tool" check "$f" >/dev/null 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL spec/bad/${f##*/}"
		echo "    want: $want"
		echo "    got:  $got"
	fi
done
for f in tests/spec/good/*.yaml; do
	if out=$("$tool" check "$f" 2>&1); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL spec/good/${f##*/}"
		sed 's/^/    /' <<<"$out" | head -5
	fi
done
for f in tests/spec/multi/*.yaml; do
	want=$(sed -n "s|^# expect: |$f:|p" "$f")
	got=$("$tool" check "$f" 2>&1 >/dev/null)
	if [[ $got == "$want" ]]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL spec/multi/${f##*/}"
		diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
	fi
done
# Compiling: each good description's dump matches its golden file, the blob written by
# compile reads back to the same dump, a damaged blob is refused, and reach finds
# exactly the forbidden reaches each description under tests/spec/reach names.
for f in tests/spec/good/*.yaml; do
	n=${f##*/}
	n=${n%.yaml}
	blob=build/tests/spec-$n.blob
	mkdir -p build/tests
	if diff -u "tests/spec/golden/$n.dump" <("$tool" dump "$f" 2>&1) >"build/tests/golden-$n.diff" &&
		"$tool" compile "$f" -o "$blob" >/dev/null &&
		diff -q <("$tool" dump "$blob") "tests/spec/golden/$n.dump" >/dev/null; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL spec/golden/$n: dump differs (build/tests/golden-$n.diff) or the blob does not read back"
		head -20 "build/tests/golden-$n.diff" | sed 's/^/    /'
	fi
done
damaged=build/tests/spec-damaged.blob
cp build/tests/spec-minimal.blob "$damaged" 2>/dev/null &&
	printf '\x55' | dd of="$damaged" bs=1 seek=200 conv=notrunc status=none
got=$("$tool" dump "$damaged" 2>&1 >/dev/null)
if [[ $got == "$damaged: error: bad spec blob: checksum mismatch: the blob is damaged" ]]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL spec/damaged-blob: got: $got"
fi
for f in tests/spec/reach/*.yaml; do
	want=$(sed -n 's/^# reach: //p' "$f")
	out=$("$tool" reach "$f" 2>&1)
	rc=$?
	got=$(grep -c '^FORBIDDEN' <<<"$out")
	if [[ $got == "$want" ]] && (((want == 0) == (rc == 0))) && grep -q "^reach: $want forbidden$" <<<"$out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL spec/reach/${f##*/}: want $want forbidden, got $got (exit $rc)"
		sed 's/^/    /' <<<"$out" | head -8
	fi
done
echo "spec: $(ls tests/spec/bad/*.yaml | wc -l) rules, $(ls tests/spec/good/*.yaml | wc -l) good descriptions checked"

# A short fuzz run of the description loader: no crash, leak or hang (5 s per input).
fuzz_log=build/fuzz/smoke.log
mkdir -p build/fuzz/corpus
if build/fuzz/fuzz_desc -max_total_time="${FUZZ_SECONDS:-20}" -timeout=5 build/fuzz/corpus \
	tests/spec/good tests/spec/bad tests/spec/multi tests/fuzz/regressions >"$fuzz_log" 2>&1; then
	pass=$((pass + 1))
	echo "PASS fuzz/desc: $(grep -oE 'Done [0-9]+ runs' "$fuzz_log" | tail -1)"
else
	fail=$((fail + 1))
	echo "FAIL fuzz/desc: log $fuzz_log"
	grep -E 'ERROR|SUMMARY|timeout' "$fuzz_log" | head -5 | sed 's/^/    /'
fi

# No case runs a VM on core 0 of a multi-core machine under QEMU 7.2's multi-threaded TCG,
# which can rewrite that core's SVM flags from another core (docs/vcpu.md).
if out=$(tests/qemu/core0-vms.sh 2>&1); then
	pass=$((pass + 1))
	echo "PASS qemu/core0-vms: no VM on core 0 under multi-threaded TCG"
else
	fail=$((fail + 1))
	echo "FAIL qemu/core0-vms"
	sed 's/^/    /' <<<"$out"
fi

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
