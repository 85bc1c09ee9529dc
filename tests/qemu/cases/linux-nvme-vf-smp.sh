# A VM of two vCPUs owning a VF (tests/systems/linux-nvme-vf-smp.yaml: cores 1 and 2, one VF
# of QEMU's NVMe PF). The VF's MSIs are routed to vCPU 0's core; its VMM raises each as the
# guest's entry says, on the vCPU it names, passing one for vCPU 1 on through vCPU 1's
# mailbox; vCPU 1's VMM has vCPU 0's touch the VF for it (the BAR is mapped into vCPU 0's
# guest space only). The guest (tests/guest/nvme-smp) moves the VF's one vector to CPU 1
# and does I/O from CPU 0, then to CPU 0 with I/O from CPU 1: /proc/interrupts must show
# each round's interrupts on the CPU the affinity names and none on the other, each
# pattern must read back and be in the disk image, and the VMM must have raised MSIs on
# both vCPUs. About 50 s under TCG.
mkdir -p build/tests
rm -f build/tests/linux-nvme-vf-smp.img
truncate -s 1M build/tests/linux-nvme-vf-smp.img
ARGS=(-cpu max -smp 3 -m 1G -device intel-iommu,intremap=on -machine q35,kernel-irqchip=split
	-device pcie-root-port,id=rp0,chassis=1,slot=1
	-device nvme-subsys,id=subsys0,nqn=subsys0
	-device nvme,serial=deadbeef,bus=rp0,subsys=subsys0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3
	-drive file=build/tests/linux-nvme-vf-smp.img,if=none,id=nvm1,format=raw
	-device nvme-ns,drive=nvm1,nsid=1,detached=on
	-kernel "$KERNEL" -initrd build/tests/systems/linux-nvme-vf-smp.blob -append atoll.qemu_exit)
TIMEOUT=300
irq='atoll-guest: nvme: irq [0-9]+ at CPU'
EXPECT=('^pcimgr: nvme0: VF 1: namespace 1 \(1 MiB\) attached to secondary controller 1 and no other controller$'
	'^instance 0: 1 VM core\(s\) mapped their VFs; told them to start their VMs$'
	'^\[guest-a\] VF nvme0\.vf1: guest 00:01\.0, 1 MSI-X vector\(s\)$'
	'^\[guest-a\] vCPU 1 started at 0x[0-9a-f]+000$'
	'^\[guest-a\] \[ *[0-9.]+\] smp: Brought up 1 node, 2 CPUs$'
	'^\[guest-a\] \[ *[0-9.]+\] pci 0000:00:01\.0: \[1b36:0010\] type 00 class 0x010802$'
	'^\[guest-a\] \[ *[0-9.]+\] nvme nvme0: pci function 0000:00:01\.0$'
	'^\[guest-a\] atoll-guest: nvme: irq [0-9]+: +[0-9]+ +[0-9]+ +PCI-MSI +16384-edge +nvme0q0'
	"^\\[guest-a\\] $irq 1 \\(effective 1\\), I/O from CPU 0: CPU0 \\+0, CPU1 \\+[1-9][0-9]*\$"
	"^\\[guest-a\\] $irq 0 \\(effective 0\\), I/O from CPU 1: CPU0 \\+[1-9][0-9]*, CPU1 \\+0\$"
	'^\[guest-a\] atoll-guest: nvme: /dev/nvme0n1: block 8: wrote and read back "atoll guest-a round 1 block 8", md5 [0-9a-f]{32}$'
	'^\[guest-a\] atoll-guest: nvme: /dev/nvme0n1: block 9: wrote and read back "atoll guest-a round 2 block 9", md5 [0-9a-f]{32}$'
	'^\[guest-a\] atoll-guest: run done, status 0$'
	'^\[guest-a\] vm stopped: the guest powered off \(ACPI S5\)$'
	'^\[guest-a\] VF nvme0\.vf1: [1-9][0-9]* MSIs, [1-9][0-9]* raised at once, 0 dropped \(MSI-X off\)$'
	'^\[guest-a\] VF nvme0\.vf1: raised on vCPU 0: [1-9][0-9]*, vCPU 1: [1-9][0-9]*$'
	'^instance 1: vm guest-a stopped: powered off \(exit status 9\)$'
	'^instance 2: vm guest-a stopped: powered off \(exit status 9\)$'
	'^instance 0: vm guest-a ended: VF nvme0\.vf1 taken back: IOSpace deleted \(no DMA, no MSI routes\)$'
	'^instance 0: component pcimgr exited with status 0$'
	'^atoll: checks passed: all root tasks passed')
REJECT=('FATAL' 'CHECK FAILED' 'boot failed' 'root task fault' 'spec:' 'iommu: DMA fault' 'VFs stay with'
	'timeout' 'failed with status' 'vm stopped: [^t]' 'Kernel panic' 'Call Trace' 'unchecked MSR'
	'nothing there' 'probe failure' 'BAR 0: assigned' 'named no vCPU' '\] vmm: '
	'atoll-guest: nvme: .*(failed|differently|no /dev|cannot|no nvme0q0)')
# Each round's pattern is in its block of the disk image, as the guest read it back.
check() {
	local round blk want got
	for round in 1 2; do
		blk=$((7 + round))
		want=$(yes "atoll guest-a round $round block $blk" | head -c 4096 | md5sum | cut -d' ' -f1)
		got=$(dd if=build/tests/linux-nvme-vf-smp.img bs=4096 skip="$blk" count=1 2>/dev/null | md5sum | cut -d' ' -f1)
		[[ $got == "$want" ]] || { echo "block $blk of the image is not round $round's pattern"; return 1; }
		grep -q "^\[guest-a\] atoll-guest: nvme: .*block $blk: .* md5 $want\$" "$1" ||
			{ echo "round $round read back other data (md5 not $want)"; return 1; }
	done
}
