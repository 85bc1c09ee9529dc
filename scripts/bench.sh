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

# nvme_vf_read_ratio: sequential read throughput through an NVMe VF in a VM under Atoll over
# the same read by Linux booted directly in QEMU on the same PF, in one run (one boot after
# the other, not side by side), both under -icount shift=0. Both machines have the same NVMe
# PF (QEMU's SR-IOV controller, as make run's; its namespace a null-co drive that reads
# zeroes, so that no host file I/O adds wall time). Under Atoll
# (tests/systems/linux-nvme-bench.yaml, two cores) pcimgr on core 0 brings VF 1 online and
# the guest on core 1 is given it; directly, Linux (one core) drives the PF itself. The
# guest's tests/guest/nvme-read reads the first 16 MiB of /dev/nvme0n1 with O_DIRECT in
# 4 MiB reads, 12 times, and prints the TSC ticks of the best pass (tests/guest/dread.c):
# bytes per tick is the throughput, and the ratio Atoll's over the direct one. While a
# guest waits halted for a completion, QEMU lets the TSC run in real time (-icount's
# sleep=on; sleep=off would jump to the next timer instead), so these figures, unlike the
# others, move with the host's load; the best pass is the least disturbed. Without a line
# from one side the figure is not made up: the script says why and fails.
nvme_args=(-device pcie-root-port,id=rp0,chassis=1,slot=1
	-device nvme-subsys,id=subsys0,nqn=subsys0
	-device nvme,serial=deadbeef,bus=rp0,subsys=subsys0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3
	-drive driver=null-co,size=64M,read-zeroes=on,if=none,id=nvm0
	-device nvme-ns,drive=nvm0,nsid=1)
nvme_log() {	# LOG SMP QEMU arguments...: boots under -icount shift=0, the console in LOG
	local log=$1 smp=$2
	shift 2
	timeout -k 5 300 qemu-system-x86_64 -machine q35,kernel-irqchip=split -cpu max -smp "$smp" \
		-m 512M -display none -serial stdio -no-reboot -net none -icount shift=0 \
		-device isa-debug-exit,iobase=0xf4,iosize=4 "${nvme_args[@]}" "$@" </dev/null 2>&1 |
		tr -d '\r' >"$log"
}
dread_ticks() {	# LOG: the best pass's ticks and bytes per pass, or nothing
	sed -n 's/^\(\[guest-a\] \)\{0,1\}atoll-guest: dread: [^:]*: \([0-9]*\) bytes per pass, best of [0-9]*: \([0-9]*\) TSC ticks$/\3 \2/p' "$1" | head -1
}
nvme_cmdline=$(sed -n 's/^    cmdline: "\(.*\)"$/\1/p' tests/systems/linux-nvme-bench.yaml)
nvme_log build/bench-nvme-atoll.log 2 -device intel-iommu,intremap=on \
	-kernel build/atoll.elf -initrd build/tests/systems/linux-nvme-bench.blob -append atoll.qemu_exit
nvme_log build/bench-nvme-direct.log 1 -kernel build/guest/bzImage \
	-initrd build/guest/initramfs.cpio.gz -append "$nvme_cmdline"
read -r direct_ticks direct_bytes <<<"$(dread_ticks build/bench-nvme-direct.log)"
read -r atoll_ticks atoll_bytes <<<"$(dread_ticks build/bench-nvme-atoll.log)"
if [[ -z $direct_ticks ]]; then
	echo "bench: nvme_vf_read_ratio: no dread line from Linux directly on the PF; log build/bench-nvme-direct.log" >&2
	grep -m3 -E 'atoll-guest: (dread|nvme-read):' build/bench-nvme-direct.log >&2
	exit 1
fi
echo "bench nvme_read_direct $(awk -v b="$direct_bytes" -v t="$direct_ticks" 'BEGIN { printf "%.4f", b / t }') bytes/tick"
if [[ -z $atoll_ticks ]]; then
	why=$(grep -m1 -E 'atoll-guest: (dread|nvme-read):|vm stopped|no VFs handed over' build/bench-nvme-atoll.log)
	echo "bench: nvme_vf_read_ratio: the Atoll half is not available: no dread line from the VM" \
		"(${why:-no reason on the console}); log build/bench-nvme-atoll.log" >&2
	exit 1
fi
echo "bench nvme_vf_read_atoll $(awk -v b="$atoll_bytes" -v t="$atoll_ticks" 'BEGIN { printf "%.4f", b / t }') bytes/tick"
awk -v a="$atoll_ticks" -v d="$direct_ticks" -v ab="$atoll_bytes" -v db="$direct_bytes" \
	'BEGIN { printf "bench nvme_vf_read_ratio %.2f ratio\n", (ab / a) / (db / d) }'
