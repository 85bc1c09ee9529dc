#!/usr/bin/env bash
# make bench: boots the kernel in benchmark mode under -icount shift=0 (the TSC then counts
# guest instructions, of all cores together) and prints the "bench NAME VALUE UNIT" lines.
# Two cores: instance 0 measures, instance 1 answers its cross-core notifications and
# otherwise waits, halted (docs/performance.md). Fails if no figure appears.
# "scripts/bench.sh nvme" (make bench BENCH=nvme) runs only nvme_vf_read_ratio
# (scripts/bench-nvme.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
case ${1:-all} in
all) ;;
nvme) exec scripts/bench-nvme.sh ;;
*) echo "bench: unknown part '$1' (all, nvme)" >&2; exit 2 ;;
esac
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

# vm_overhead_bytes: what the hypervisor itself spends on one VM, read from the compiled
# spec of the one-VM test system (not measured in QEMU: the spec is exactly what the root
# task makes). Counted: the VCPU, the guest space and its nested page tables, and the VMM
# component whole (TCB, CNode, address space and page tables, image, stack, heap, IPC
# buffer, info page). Not counted: the guest's RAM, and the copies of its kernel and
# initramfs the VMM loads from (guest payload, the size of what the operator chose).
spec=tests/systems/linux-vm.yaml
vm=$(sed -n 's/^  - name: //p' "$spec" | head -1)
build/bin/atoll dump "$spec" | awk -v vm="$vm" '
	/^  #/ {
		n = 1
		if ($1 ~ /\.\./) { n = $2; gsub(/[()]/, "", n) }
		name = $NF
		if (index(name, vm ".") != 1 || name == vm ".ram" || name == vm ".kernel" ||
		    name == vm ".initramfs")
			next
		type = ($1 ~ /\.\./) ? $3 : $2
		size = 4096
		if (type == "tcb") size = 2048
		else if (type == "vcpu") size = 32768
		else if (type == "frame_2m") size = 2097152
		else if (type == "cnode") { r = $0; sub(/.*radix /, "", r); size = 2 ^ (r + 6) }
		total += n * size
	}
	END { if (total) printf "bench vm_overhead_bytes %d bytes\n", total; else exit 1 }' ||
	{ echo "bench: vm_overhead_bytes: nothing counted in $spec" >&2; exit 1; }

# linux_boot_ratio: the test guest (make guest) booted to its marker line under Atoll
# (tests/systems/linux-bench.yaml, one core) and directly in QEMU, both under -icount
# shift=0 with the same command line; each guest prints its uptime at the marker, that is
# guest time since its kernel started, which under -icount follows executed instructions
# (Atoll's included: the guest's TSC runs on while the VMM and the kernel handle its
# exits). The ratio is Atoll's uptime over the direct one; the raw uptimes are printed too.
uptime_of() {	# QEMU arguments...; prints the uptime, or nothing
	timeout -k 5 300 qemu-system-x86_64 -machine q35 -cpu max -smp 1 -m 512M -display none \
		-serial stdio -no-reboot -net none -icount shift=0 \
		-device isa-debug-exit,iobase=0xf4,iosize=4 "$@" </dev/null 2>&1 | tr -d '\r' |
		sed -n 's/^\(\[guest-a\] \)\{0,1\}atoll-guest: uptime \([0-9.]*\)$/\2/p' | head -1
}
atoll_up=$(uptime_of -kernel build/atoll.elf -initrd build/tests/systems/linux-bench.blob \
	-append atoll.qemu_exit)
direct_up=$(uptime_of -kernel build/guest/bzImage -initrd build/guest/initramfs.cpio.gz \
	-append "$(sed -n 's/^    cmdline: "\(.*\)"$/\1/p' tests/systems/linux-bench.yaml)")
if [[ -z $atoll_up || -z $direct_up ]]; then
	echo "bench: linux_boot_ratio: no uptime line (Atoll: '$atoll_up', direct: '$direct_up')" >&2
	exit 1
fi
echo "bench linux_boot_uptime_atoll $atoll_up seconds"
echo "bench linux_boot_uptime_direct $direct_up seconds"
awk -v a="$atoll_up" -v d="$direct_up" 'BEGIN { printf "bench linux_boot_ratio %.2f ratio\n", a / d }'

scripts/bench-nvme.sh
