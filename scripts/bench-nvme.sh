#!/usr/bin/env bash
# make bench's nvme_vf_read_ratio (also alone: scripts/bench.sh nvme, make bench BENCH=nvme).
#
# The same sequential read through an NVMe VF in a VM under Atoll and by Linux booted
# directly in QEMU on the same PF, in one run (one boot after the other), both under
# -icount shift=0. Both machines have the NVMe SR-IOV PF of make run (its namespace a
# null-co drive that reads zeroes, so that no host file I/O is involved, and that answers
# each command after 2 ms of host time, so that the guest has always gone idle by then and
# runs the same path every time). Under Atoll (tests/systems/linux-nvme-bench.yaml, two
# cores) pcimgr on core 0 brings VF 1 online and the guest on core 1 is given it; directly,
# Linux (one core) drives the PF itself, with the same command line. In both the guest runs
# "nvme-read 16 12 marks" (tests/guest/nvme-read, tests/guest/dread.c): O_DIRECT reads of
# 512 KiB, one NVMe command each, one at a time, into a huge page; one untimed pass over
# the first 16 MiB of /dev/nvme0n1, then mark 0, 12 passes, mark 1, mark 2. At each mark the guest waits for a line on its console;
# this script first reads QEMU's count of instructions executed so far by all virtual CPUs
# (QMP query-replay, "icount": executed instructions only, without the jumps of the virtual
# clock while every CPU is halted), then types the line. The instructions of the 12 passes
# are (mark 1 - mark 0) - (mark 2 - mark 1): the second interval is one mark's own cost
# (printing, waiting, waking). The figure is what the whole machine executes per byte read,
# the guest's kernel, Atoll's kernel and VMM, both cores: the read's CPU cost. The time the
# machine sits halted waiting for QEMU's device model is not in it; that time is QEMU's
# real time, set by the host's load, and made the earlier TSC-based figure move by more
# than the gap to the goal between runs (docs/performance.md). The ratio is the direct
# instructions per byte over Atoll's: Atoll's throughput over the direct one for a read
# bound by the CPU. The TSC figures of the passes are printed too, for information only.
# Without a mark or a dread line from one side nothing is made up: the script says why
# and fails.
set -uo pipefail
cd "$(dirname "$0")/.."

nvme_args=(-device pcie-root-port,id=rp0,chassis=1,slot=1
	-device nvme-subsys,id=subsys0,nqn=subsys0
	-device nvme,serial=deadbeef,bus=rp0,subsys=subsys0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3
	-drive driver=null-co,size=64M,read-zeroes=on,latency-ns=2000000,if=none,id=nvm0)
# The same namespace 1 both times: detached for Atoll, whose pcimgr attaches it to VF 1
# alone; attached to the PF for Linux driving the PF directly.

# qmp_icount QMP: sets icount to QEMU's executed-instruction count, asked through the QMP
# pipes QMP.in and QMP.out (capabilities negotiated on the first call); fails without one.
qmp_icount() {
	local q=$1 line
	icount=
	if [[ -z ${qmp_w:-} ]]; then
		exec {qmp_w}>"$q.in" {qmp_r}<"$q.out" || return 1
		read -r -t 20 -u "$qmp_r" line || return 1	# the greeting
		echo '{"execute": "qmp_capabilities"}' >&"$qmp_w"
		while read -r -t 20 -u "$qmp_r" line && [[ $line != *'"return"'* ]]; do :; done
	fi
	echo '{"execute": "query-replay"}' >&"$qmp_w"
	while read -r -t 20 -u "$qmp_r" line; do
		[[ $line =~ \"icount\":\ *([0-9]+) ]] && { icount=${BASH_REMATCH[1]}; return 0; }
		[[ $line == *'"error"'* ]] && return 1
	done
	return 1
}

# mark_feeder LOG QMP: reads the console on stdin into LOG; at each dread mark line writes
# "mark N ICOUNT" to LOG.marks and then a newline to stdout, the guest's console input.
mark_feeder() {
	local log=$1 q=$2 line n
	qmp_w=
	while IFS= read -r line; do
		printf '%s\n' "$line" >>"$log"
		[[ $line =~ atoll-guest:\ dread:\ mark\ ([0-9]+)$ ]] || continue
		n=${BASH_REMATCH[1]}
		if qmp_icount "$q"; then
			echo "mark $n $icount" >>"$log.marks"
		else
			echo "mark $n: no instruction count from QEMU's QMP" >>"$log.marks"
		fi
		echo
	done
}

# nvme_log LOG SMP QEMU arguments...: boots under -icount shift=0, the console in LOG, the
# marks' instruction counts in LOG.marks.
nvme_log() {
	local log=$1 smp=$2 q=$1.qmp
	shift 2
	rm -f "$log" "$log.marks" "$q.in" "$q.out" "$log.in"
	mkfifo "$q.in" "$q.out" "$log.in" || return 1
	timeout -k 5 300 qemu-system-x86_64 -machine q35,kernel-irqchip=split -cpu max -smp "$smp" \
		-m 512M -display none -serial stdio -no-reboot -net none -icount shift=0 \
		-chardev pipe,id=qmp0,path="$q" -mon chardev=qmp0,mode=control \
		-device isa-debug-exit,iobase=0xf4,iosize=4 "${nvme_args[@]}" "$@" <"$log.in" 2>&1 |
		stdbuf -oL tr -d '\r' | mark_feeder "$log" "$q" >"$log.in"
	rm -f "$q.in" "$q.out" "$log.in"
}

# read_cost LOG: "INSTRUCTIONS BYTES TICKS" of the timed passes, or nothing: the
# instructions from the marks, the bytes of all passes, the TSC ticks of the best pass.
read_cost() {
	local log=$1 m0 m1 m2 per passes ticks
	read -r per passes ticks <<<"$(sed -n 's/^\(\[guest-a\] \)\{0,1\}atoll-guest: dread: [^:]*: \([0-9]*\) bytes per pass, best of \([0-9]*\): \([0-9]*\) TSC ticks$/\2 \3 \4/p' "$log" | head -1)"
	m0=$(sed -n 's/^mark 0 \([0-9]*\)$/\1/p' "$log.marks" 2>/dev/null)
	m1=$(sed -n 's/^mark 1 \([0-9]*\)$/\1/p' "$log.marks" 2>/dev/null)
	m2=$(sed -n 's/^mark 2 \([0-9]*\)$/\1/p' "$log.marks" 2>/dev/null)
	[[ -n $per && -n $m0 && -n $m1 && -n $m2 ]] || return 0
	echo "$(((m1 - m0) - (m2 - m1))) $((per * passes)) $ticks $((m1 - m0)) $((m2 - m1))"
}

# why_not LOG: the first line that explains a missing figure.
why_not() {
	grep -m1 -E 'atoll-guest: (dread|nvme-read|nvme):.*(failed|usage|no |ended|returned)|vm stopped|no VFs handed over|Kernel panic' "$1" ||
		{ [[ -s $1.marks ]] && cat "$1.marks" | tr '\n' ' '; } || echo "no reason on the console"
}

nvme_cmdline=$(sed -n 's/^    cmdline: "\(.*\)"$/\1/p' tests/systems/linux-nvme-bench.yaml)
nvme_log build/bench-nvme-atoll.log 2 -device nvme-ns,drive=nvm0,nsid=1,detached=on \
	-device intel-iommu,intremap=on -kernel build/atoll.elf -initrd build/tests/systems/linux-nvme-bench.blob -append atoll.qemu_exit
nvme_log build/bench-nvme-direct.log 1 -device nvme-ns,drive=nvm0,nsid=1 -kernel build/guest/bzImage \
	-initrd build/guest/initramfs.cpio.gz -append "$nvme_cmdline"
read -r direct_instr direct_bytes direct_ticks direct_a direct_b <<<"$(read_cost build/bench-nvme-direct.log)"
read -r atoll_instr atoll_bytes atoll_ticks atoll_a atoll_b <<<"$(read_cost build/bench-nvme-atoll.log)"
if [[ -z $direct_instr ]]; then
	echo "bench: nvme_vf_read_ratio: no figure from Linux directly on the PF" \
		"($(why_not build/bench-nvme-direct.log)); log build/bench-nvme-direct.log" >&2
	exit 1
fi
if [[ -z $atoll_instr ]]; then
	echo "bench: nvme_vf_read_ratio: no figure from the VM under Atoll" \
		"($(why_not build/bench-nvme-atoll.log)); log build/bench-nvme-atoll.log" >&2
	exit 1
fi
if ((direct_instr <= 0 || atoll_instr <= 0)); then
	echo "bench: nvme_vf_read_ratio: a mark interval without reads cost more than the one with them" \
		"(direct $direct_a and $direct_b, Atoll $atoll_a and $atoll_b instructions)" >&2
	exit 1
fi
echo "bench nvme_read_direct_marks $direct_a-$direct_b instructions"
echo "bench nvme_vf_read_atoll_marks $atoll_a-$atoll_b instructions"
awk -v i="$direct_instr" -v b="$direct_bytes" 'BEGIN { printf "bench nvme_read_direct %.1f instructions/KiB\n", i / (b / 1024) }'
awk -v i="$atoll_instr" -v b="$atoll_bytes" 'BEGIN { printf "bench nvme_vf_read_atoll %.1f instructions/KiB\n", i / (b / 1024) }'
awk -v a="$atoll_instr" -v d="$direct_instr" -v ab="$atoll_bytes" -v db="$direct_bytes" \
	'BEGIN { printf "bench nvme_vf_read_ratio %.2f ratio\n", (d / db) / (a / ab) }'
# For information: the best pass's TSC ticks, which count the halted waits in real time.
awk -v a="$atoll_ticks" -v d="$direct_ticks" \
	'BEGIN { printf "bench nvme_vf_read_tsc_ratio %.2f ratio\n", d / a }'
