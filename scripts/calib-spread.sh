#!/usr/bin/env bash
# Boots a kernel N at a time, ROUNDS times, beside a busy loop, and prints each boot's calibration
# line and the spread of the TSC rates measured (docs/boot.md). A measurement, not a test: its
# figures depend on the host and its load.
# Usage: scripts/calib-spread.sh [KERNEL] [N] [ROUNDS] [OUTDIR]
set -u
kernel=${1:-build/atoll.elf} n=${2:-4} rounds=${3:-3} out=${4:-build/calib-spread}
[[ -f $kernel ]] || { echo "$0: error: no kernel at $kernel (run make)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
(while :; do :; done) &
hog=$!
trap 'kill "$hog" 2>/dev/null' EXIT
for ((r = 0; r < rounds; r++)); do
	pids=()
	for ((i = 0; i < n; i++)); do
		(timeout -k 5 90 qemu-system-x86_64 -machine q35 -m 512M -display none -serial stdio \
			-no-reboot -net none -cpu max -smp 2 -kernel "$kernel" -append atoll.qemu_exit \
			-pidfile "$out/$r-$i.pid" 2>&1 | tr -d '\r' >"$out/$r-$i.log") &
		pids+=($!)
	done
	# Each QEMU is stopped once the boot is past calibration (its smp: line is out).
	for ((t = 0; t < 90; t++)); do
		left=0
		for ((i = 0; i < n; i++)); do
			if grep -q '^smp:' "$out/$r-$i.log" 2>/dev/null && [[ -s $out/$r-$i.pid ]]; then
				kill "$(cat "$out/$r-$i.pid")" 2>/dev/null
			else
				left=1
			fi
		done
		((left)) || break
		sleep 1
	done
	wait "${pids[@]}"
done
grep -h '^lapic' "$out"/*.log
grep -h '^lapic: timer runs at' "$out"/*.log | sed -E 's/.*, TSC at ([0-9]+) kHz.*/\1/' | sort -n |
	awk '{ v[NR] = $1 } END { if (NR) printf "%d boots: TSC %d-%d kHz, median %d kHz, spread %.3f%%\n",
		NR, v[1], v[NR], v[int((NR + 1) / 2)], (v[NR] - v[1]) * 100 / v[int((NR + 1) / 2)] }'
