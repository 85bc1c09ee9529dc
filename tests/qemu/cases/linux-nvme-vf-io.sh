# Issue #6's goal: two VMs (tests/systems/linux-nvme-vf-io.yaml), each handed its own VF of
# QEMU's NVMe PF, drive it with Debian's stock nvme driver. Each guest finds the VF at
# 00:01.0 of the VMM's PCI bus with the PF's ids and its BAR where the hand-over mapped it,
# probes it over MSI-X (the VMM's shadow table; each physical MSI raised as the guest's own
# vector), and writes and reads back with O_DIRECT its own pattern in block 8 of its
# /dev/nvme0n1: tests/guest/nvme-rw. Each VF's disk is its own namespace (pcimgr attaches
# namespace N to VF N alone), each on its own image here, so afterwards block 8 of each
# image holds its own guest's pattern and neither image holds anything of the other
# guest's. About 40 s under TCG.
mkdir -p build/tests
rm -f build/tests/linux-nvme-vf-io-{1,2}.img
truncate -s 1M build/tests/linux-nvme-vf-io-1.img build/tests/linux-nvme-vf-io-2.img
ARGS=(-cpu max -smp 3 -m 1G -device intel-iommu,intremap=on -machine q35,kernel-irqchip=split
	-device pcie-root-port,id=rp0,chassis=1,slot=1
	-device nvme-subsys,id=subsys0,nqn=subsys0
	-device nvme,serial=deadbeef,bus=rp0,subsys=subsys0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3
	-drive file=build/tests/linux-nvme-vf-io-1.img,if=none,id=nvm1,format=raw
	-device nvme-ns,drive=nvm1,nsid=1,detached=on
	-drive file=build/tests/linux-nvme-vf-io-2.img,if=none,id=nvm2,format=raw
	-device nvme-ns,drive=nvm2,nsid=2,detached=on
	-kernel "$KERNEL" -initrd build/tests/systems/linux-nvme-vf-io.blob -append atoll.qemu_exit)
TIMEOUT=300
EXPECT=('^instance 0: listening for the end of 2 VM\(s\), to take their VFs back$'
	'^instance 1: vm guest-a ended: told core 0 to take its VFs back$'
	'^instance 2: vm guest-b ended: told core 0 to take its VFs back$'
	'^instance 0: vm guest-a ended: VF nvme0\.vf1 taken back: IOSpace deleted \(no DMA, no MSI routes\)$'
	'^instance 0: vm guest-b ended: VF nvme0\.vf2 taken back: IOSpace deleted \(no DMA, no MSI routes\)$'
	'^iommu: 01:00\.1 left its IOSpace: 2 routed interrupt entries cleared$'
	'^iommu: 01:00\.2 left its IOSpace: 2 routed interrupt entries cleared$'
	'^pcimgr: nvme0: VF 1: namespace 1 \(1 MiB\) attached to secondary controller 1 and no other controller$'
	'^pcimgr: nvme0: VF 2: namespace 2 \(1 MiB\) attached to secondary controller 2 and no other controller$'
	'^pcimgr: nvme0: 2 VFs online: 01:00\.1 01:00\.2$'
	'^instance 0: 2 VM core\(s\) mapped their VFs; told them to start their VMs$'
	'^\[guest-a\] VF nvme0\.vf1: guest 00:01\.0, 1 MSI-X vector\(s\)$'
	'^\[guest-b\] VF nvme0\.vf2: guest 00:01\.0, 1 MSI-X vector\(s\)$'
	'^instance 0: component pcimgr exited with status 0$'
	'^atoll: checks passed: all root tasks passed')
for vm in a b; do
	blk=8
	EXPECT+=("^\\[guest-$vm\\] \\[ *[0-9.]+\\] pci 0000:00:00\\.0: \\[8086:1237\\] type 00 class 0x060000\$"
		"^\\[guest-$vm\\] \\[ *[0-9.]+\\] pci 0000:00:01\\.0: \\[1b36:0010\\] type 00 class 0x010802\$"
		"^\\[guest-$vm\\] \\[ *[0-9.]+\\] pci 0000:00:01\\.0: (BAR 0|reg 0x10):? \\[mem 0xc0000000-0xc0003fff 64bit\\]\$"
		"^\\[guest-$vm\\] \\[ *[0-9.]+\\] nvme nvme0: pci function 0000:00:01\\.0\$"
		"^\\[guest-$vm\\] atoll-guest: nvme: irq [0-9]+: +[1-9][0-9]* +PCI-MSI +16384-edge +nvme0q0"
		"^\\[guest-$vm\\] atoll-guest: nvme: /dev/nvme0n1: block $blk: wrote and read back \"atoll guest-$vm block $blk\", md5 [0-9a-f]{32}\$"
		"^\\[guest-$vm\\] vm stopped: the guest powered off \\(ACPI S5\\)\$"
		"^\\[guest-$vm\\] VF nvme0\\.vf$([[ $vm == a ]] && echo 1 || echo 2): [1-9][0-9]* MSIs, [1-9][0-9]* raised at once, 0 dropped \\(MSI-X off\\)\$")
done
REJECT=('FATAL' 'CHECK FAILED' 'boot failed' 'root task fault' 'spec:' 'iommu: DMA fault' 'VFs stay with'
	'timeout' 'failed with status' 'vm stopped: [^t]' 'Kernel panic' 'Call Trace'
	'nothing there' 'probe failure' 'BAR 0: assigned' 'atoll-guest: nvme: .*(failed|differently|no /dev)')
# Each pattern reached its own VM's disk image where its guest wrote it, the guest read
# back exactly that (the md5 it printed), and the other VM's image has none of it.
check() {
	local vm n other blk=8 want got
	for vm in a b; do
		n=$([[ $vm == a ]] && echo 1 || echo 2)
		other=$([[ $vm == a ]] && echo 2 || echo 1)
		want=$(yes "atoll guest-$vm block $blk" | head -c 4096 | md5sum | cut -d' ' -f1)
		got=$(dd if=build/tests/linux-nvme-vf-io-$n.img bs=4096 skip="$blk" count=1 2>/dev/null | md5sum | cut -d' ' -f1)
		[[ $got == "$want" ]] || { echo "block $blk of namespace $n's image is not guest-$vm's pattern"; return 1; }
		grep -q "^\[guest-$vm\] atoll-guest: nvme: .* md5 $want\$" "$1" ||
			{ echo "guest-$vm read back other data (md5 not $want)"; return 1; }
		! grep -q "atoll guest-$vm" "build/tests/linux-nvme-vf-io-$other.img" ||
			{ echo "namespace $other's image holds guest-$vm's pattern"; return 1; }
	done
}
