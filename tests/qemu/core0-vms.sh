#!/usr/bin/env bash
# QEMU cases put no VM on core 0 of a multi-core machine under multi-threaded TCG (docs/vcpu.md).
# Prints "case: error: ..." for each case that does and exits 1; exits 0 when none does.
set -u
cd "$(dirname "$0")/../.."
bad=0
cases=("$@")
((${#cases[@]})) || cases=(tests/qemu/cases/*.sh)
for f in "${cases[@]}"; do
	smp=$(grep -oE -- '-smp [0-9]+' "$f" | head -1 | cut -d' ' -f2)
	((${smp:-1} > 1)) || continue
	# One host thread runs every vCPU in turn: the race cannot happen there.
	grep -q 'thread=single' "$f" && continue
	for blob in $(grep -oE 'build/tests/systems/[a-z0-9-]+\.blob' "$f" | sort -u); do
		y=tests/systems/$(basename "$blob" .blob).yaml
		[[ -f $y ]] || continue
		if sed -n '/^vms:/,/^[a-z]/p' "$y" | grep -qE '^ +cores: \[([0-9]+, *)*0 *[],]'; then
			echo "$f: error: $y runs a VM on core 0 of a $smp-core machine under QEMU's" \
				"multi-threaded TCG, whose FPU reloads on other cores can rewrite core 0's SVM" \
				"flags (docs/vcpu.md); use other cores or -accel tcg,thread=single"
			bad=1
		fi
	done
done
exit $bad
