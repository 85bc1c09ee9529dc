# make bench's nvme_vf_read_ratio, its Atoll half as a test (tests/systems/linux-nvme-bench.yaml,
# the machine of scripts/bench-nvme.sh without -icount): the guest given VF 1 of QEMU's NVMe
# PF reads the first 16 MiB of its /dev/nvme0n1 with O_DIRECT into huge pages, once and then
# 12 times between its marks 0 and 1 (tests/guest/nvme-read, tests/guest/dread.c), waiting at
# each mark for a line typed on the console (here three at once, after mark 0), and reports
# the best pass, which must be the least of the 12 it lists.
ARGS=(-cpu max -smp 2 -m 512M -device intel-iommu,intremap=on -machine q35,kernel-irqchip=split
	-device pcie-root-port,id=rp0,chassis=1,slot=1
	-device nvme-subsys,id=subsys0,nqn=subsys0
	-device nvme,serial=deadbeef,bus=rp0,subsys=subsys0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3
	-drive driver=null-co,size=64M,read-zeroes=on,if=none,id=nvm1
	-device nvme-ns,drive=nvm1,nsid=1,detached=on
	-kernel "$KERNEL" -initrd build/tests/systems/linux-nvme-bench.blob -append atoll.qemu_exit)
TIMEOUT=240
INPUT_AFTER=('^\[guest-a\] atoll-guest: dread: mark 0$')
INPUT=$'\n\n\n'
EXPECT=('^pcimgr: nvme0: 1 VFs online: 01:00\.1$'
	'^\[guest-a\] VF nvme0\.vf1: guest 00:01\.0, 1 MSI-X vector\(s\)$'
	'^\[guest-a\] atoll-guest: nvme: /dev/nvme0n1: 64 MiB$'
	'^\[guest-a\] atoll-guest: dread: mark 1$' '^\[guest-a\] atoll-guest: dread: mark 2$'
	'^\[guest-a\] atoll-guest: dread: /dev/nvme0n1: 16777216 bytes per pass, best of 12: [1-9][0-9]* TSC ticks$'
	'^\[guest-a\] atoll-guest: dread: passes:( [1-9][0-9]*){12}$'
	'^\[guest-a\] atoll-guest: run done, status 0$'
	'^\[guest-a\] VF nvme0\.vf1: [1-9][0-9]* MSIs, '
	'^\[guest-a\] exits by reason: VMEXIT_CPUID [1-9][0-9]*, .*VMEXIT_NOTIFY [1-9][0-9]*$'
	'^atoll: checks passed: all root tasks passed')
REJECT=('FATAL' 'CHECK FAILED' 'boot failed' 'root task fault' 'spec:' 'iommu: DMA fault'
	'failed with status' 'Kernel panic' 'Call Trace' 'atoll-guest: (nvme|dread): .*(failed|no /dev|usage|returned)')
check() {
	local best min
	# The marks come in order, each before the lines that follow it.
	grep -oE 'atoll-guest: dread: (mark [0-9]+|/dev/nvme0n1)' "$1" | tr '\n' ',' |
		grep -q '^atoll-guest: dread: mark 0,atoll-guest: dread: mark 1,atoll-guest: dread: mark 2,atoll-guest: dread: /dev/nvme0n1,$' ||
		{ echo "dread's marks are not 0, 1, 2 before its result"; return 1; }
	best=$(sed -n 's/.*atoll-guest: dread: .* best of 12: \([0-9]*\) TSC ticks$/\1/p' "$1")
	min=$(sed -n 's/.*atoll-guest: dread: passes: //p' "$1" | tr ' ' '\n' | sort -n | head -1)
	[[ -n $best && $best == "$min" ]] || { echo "best pass $best is not the least of the passes ($min)"; return 1; }
}
