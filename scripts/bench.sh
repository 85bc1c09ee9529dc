#!/usr/bin/env bash
# make bench: boots the kernel in benchmark mode under -icount shift=0 (the TSC then counts
# guest instructions, of all cores together) and prints the "bench NAME VALUE UNIT" lines.
# Two cores: instance 0 measures, instance 1 answers its cross-core notifications and
# otherwise waits, halted (docs/performance.md). Fails if no figure appears.
set -uo pipefail
cd "$(dirname "$0")/.."
log=build/bench.log
timeout -k 5 300 qemu-system-x86_64 -machine q35 -cpu max -smp 2 -m 512M -display none \
	-serial stdio -no-reboot -net none -icount shift=0 \
	-device isa-debug-exit,iobase=0xf4,iosize=4 \
	-kernel build/atoll.elf -append "atoll.qemu_exit atoll.bench" </dev/null 2>&1 |
	tr -d '\r' >"$log"
rc=${PIPESTATUS[0]}
grep -E '^bench ' "$log"
if ((rc != 33)) || ! grep -qE '^bench ' "$log"; then
	echo "bench: the benchmark run failed (QEMU status $rc); log in $log" >&2
	exit 1
fi
