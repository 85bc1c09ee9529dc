# Two VMs, each handed its own VF of QEMU's NVMe PF (tests/systems/linux-nvme-vfs.yaml):
# pcimgr on core 0 brings the VFs online and tells instance 0's root task, which assigns each
# VF's IOSpace (its VM's RAM at IOVA = guest-physical) and routes its MSIs to the VM's core;
# each VM's root task maps the VF's config page and BAR into its VMM (and the BAR into the
# guest), and the VMM reads the controller's CAP and VS through that mapping before it boots
# Linux. The VF's registers must look like QEMU's NVMe 1.4 controller. guest-a's VMM also
# runs the VF's admin queue in guest RAM (atoll.vf_dma_test): an Identify into guest RAM
# arrives through the IOSpace, one to just past the RAM is blocked, reported by instance 0's
# IOMMU fault path at exactly that address, and the VM's RAM is unchanged. The first
# completion's MSI-X, programmed with what instance 0 routed, arrives on core 1 as the VMM's
# bit; the second, with the entry forged to core 2's remapping handle, arrives nowhere
# (guest-b's VMM counts no VF interrupt). Then guest-a's VMM aims its VF at guest-b's RAM:
# the host-physical address of guest-b's page 0x9f000 (which guest-b's VMM filled and summed
# before, atoll.vf_dma_victim), told by its root task in a test-only field: instance 0's
# IOMMU reports the fault at exactly that address for guest-a's VF, and guest-b's VMM finds
# the page unchanged after its guest ran. The same guest-physical address as an IOVA lands
# in guest-a's own RAM. Remapping leaves compatibility-format interrupts blocked (GSTS.CFIS
# 0, read back), which QEMU 7.2 does not enforce (docs/iommu.md, "Tests").
ARGS=(-cpu max -smp 3 -m 1G -device intel-iommu,intremap=on -machine q35,kernel-irqchip=split
	-device pcie-root-port,id=rp0,chassis=1,slot=1
	-device nvme-subsys,id=subsys0,nqn=subsys0
	-device nvme,serial=deadbeef,bus=rp0,subsys=subsys0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3
	-drive driver=null-co,size=1M,read-zeroes=on,if=none,id=nvm1
	-device nvme-ns,drive=nvm1,nsid=1,detached=on
	-drive driver=null-co,size=1M,read-zeroes=on,if=none,id=nvm2
	-device nvme-ns,drive=nvm2,nsid=2,detached=on
	-kernel "$KERNEL" -initrd build/tests/systems/linux-nvme-vfs.blob -append atoll.qemu_exit)
TIMEOUT=300
EXPECT=('^instance 0: VF nvme0\.vf1 for vm guest-a: IOSpace with its 100 MiB of RAM at IOVA = guest-physical$'
	'^instance 0: VF nvme0\.vf2 for vm guest-b: IOSpace with its 100 MiB of RAM at IOVA = guest-physical$'
	'^instance 1: vm guest-a: 1 VF\(s\) from instance 0 awaited; guest-a\.vmm waits for them$'
	'^\[guest-a\] waiting for 1 VF\(s\) from the root task$'
	'^pcimgr: nvme0: 2 VFs online: 01:00\.1 01:00\.2$'
	'^pcimgr: nvme0: told the root task that its VFs are online$'
	'^instance 0: VF nvme0\.vf1 \(01:00\.1\) for vm guest-a: IOSpace assigned, MSIs routed to vectors 0xd0-0xd1 of core 1$'
	'^instance 0: VF nvme0\.vf2 \(01:00\.2\) for vm guest-b: IOSpace assigned, MSIs routed to vectors 0xd0-0xd1 of core 2$'
	'^instance 0: vm guest-a: 1 VF\(s\) handed over; core 1 signalled$'
	'^instance 0: vm guest-b: 1 VF\(s\) handed over; core 2 signalled$'
	'^instance 0: 2 VM core\(s\) mapped their VFs; told them to start their VMs$'
	'^instance 0: VF hand-over done; root task dropped [0-9]+ more caps$'
	'^instance 1: vm guest-a: VF nvme0\.vf1 \(01:00\.1, VF 1 of 01:00\.0\) given to guest-a\.vmm: config page, BAR0 16 KiB at 0x[0-9a-f]+ -> guest 0xc0000000, vectors 0xd0-0xd1$'
	'^instance 2: vm guest-b: VF nvme0\.vf2 \(01:00\.2, VF 2 of 01:00\.0\) given to guest-b\.vmm: config page, BAR0 16 KiB at 0x[0-9a-f]+ -> guest 0xc0000000, vectors 0xd0-0xd1$'
	'^instance 1: VFs received; root task dropped its PCI cap$'
	'^instance 2: VFs received; root task dropped its PCI cap$'
	'^\[guest-a\] VF nvme0\.vf1: host 01:00\.1, id 1b36:0010, '
	'^\[guest-b\] VF nvme0\.vf2: host 01:00\.2, id 1b36:0010, '
	# NVMe CAP: MQES, CQR, TO, CSS NVM (bit 37); VS 1.4.0 (QEMU 7.2's controller).
	'^\[guest-a\] VF nvme0\.vf1: BAR0 16 KiB at guest 0xc0000000: CAP 0x[0-9a-f]{16}, VS 0x00010400$'
	'^\[guest-b\] VF nvme0\.vf2: BAR0 16 KiB at guest 0xc0000000: CAP 0x[0-9a-f]{16}, VS 0x00010400$'
	'^\[guest-a\] vf dma test: Identify into guest-physical 0x102000: status 0x0, model "QEMU NVMe Ctrl"$'
	'^iommu: DMA fault: 01:00\.1 write at 0x6401000, reason [0-9]+, IOSpace [0-9]+$'
	'^\[guest-a\] vf dma test: Identify to guest-physical 0x6401000 \(outside RAM\): status 0x[0-9a-f]+, RAM checksum unchanged$'
	'^\[guest-a\] vf dma test: its MSI-X vector 0 arrived: word 0x10000 \(bit 16 is vector 0xd0 of this core\)$'
	'^\[guest-a\] vf dma test: MSI-X entry forged to another core.s handle: word 0x0 here$'
	'^\[guest-b\] 0 VF interrupts while the guest ran$'
	'^iommu: unit 0 GSTS 0x[0-9a-f]+: CFIS 0, compatibility-format interrupts blocked$'
	'^\[guest-b\] vf dma victim: page at guest-physical 0x9f000 filled: checksum 0x[0-9a-f]{8}$'
	'^\[guest-a\] vf dma test: Identify to host-physical 0x[0-9a-f]+ \(vm guest-b.s guest-physical 0x9f000\): status 0x[0-9a-f]+$'
	'^\[guest-a\] vf dma test: Identify to IOVA 0x9f000 \(vm guest-b.s guest-physical, our own RAM in this IOSpace\): status 0x0, arrived in our own page$'
	'^\[guest-b\] vf dma victim: page at guest-physical 0x9f000 after the guest ran: checksum 0x[0-9a-f]{8}, unchanged$'
	'^\[guest-a\] atoll-guest: up$' '^\[guest-b\] atoll-guest: up$'
	'^instance 0: component pcimgr exited with status 0$'
	'^atoll: checks passed: all root tasks passed')
REJECT=('FATAL' 'CHECK FAILED' 'boot failed' 'root task fault' 'spec:' 'CHANGED' 'vf dma test: the'
	'timeout' 'failed with status' 'vm stopped: [^t]' 'Kernel panic' 'no VFs handed over'
	# The host raised nothing either: no vector without a use, no MSI without a handler.
	'unexpected interrupt vector' 'arrived with no handler')
# The two VFs' BARs are distinct host slices of the PF's VF BAR (VF 2's 16 KiB above VF 1's).
check() {
	local a b
	# The two blocked DMAs are the only faults: guest-b's VF and guest-a's DMA into its RAM made none.
	(($(grep -c 'iommu: DMA fault' "$1") == 2)) || { echo "DMA faults other than the test's two"; return 1; }
	# The attack on guest-b's RAM: faulted at exactly its host-physical target, for guest-a's
	# VF and the same IOSpace as the fault past guest-a's RAM; guest-b's page filled before it.
	local hpa sums iospaces filled attack
	hpa=$(sed -n 's/^\[guest-a\] vf dma test: Identify to host-physical \(0x[0-9a-f]*\) .*/\1/p' "$1")
	[[ -n $hpa ]] || { echo "no attack line"; return 1; }
	grep -qE "^iommu: DMA fault: 01:00\.1 write at $hpa, reason [0-9]+, IOSpace [0-9]+$" "$1" ||
		{ echo "no fault for 01:00.1 at $hpa"; return 1; }
	iospaces=$(grep -oE '^iommu: DMA fault: .*IOSpace [0-9]+$' "$1" | sed 's/.*IOSpace //' | sort -u | wc -l)
	((iospaces == 1)) || { echo "the two faults name different IOSpaces"; return 1; }
	((hpa >= 100 << 20)) || { echo "target $hpa is inside guest-a's own IOVA range: it shows nothing"; return 1; }
	filled=$(grep -n 'vf dma victim: page at guest-physical 0x9f000 filled' "$1" | cut -d: -f1)
	attack=$(grep -n 'vf dma test: Identify to host-physical' "$1" | cut -d: -f1)
	((filled < attack)) || { echo "guest-b filled its page after the attack: the checksum shows nothing"; return 1; }
	sums=$(sed -n 's/^\[guest-b\] vf dma victim: .*checksum \(0x[0-9a-f]*\).*/\1/p' "$1" | sort -u | wc -l)
	((sums == 1)) || { echo "guest-b's checksums differ"; return 1; }
	a=$(sed -n 's/^instance 1: vm guest-a: VF .* BAR0 16 KiB at \(0x[0-9a-f]*\) -> .*/\1/p' "$1")
	b=$(sed -n 's/^instance 2: vm guest-b: VF .* BAR0 16 KiB at \(0x[0-9a-f]*\) -> .*/\1/p' "$1")
	[[ -n $a && -n $b ]] || { echo "a BAR0 line is missing"; return 1; }
	((b - a == 16384)) || { echo "VF 2's BAR0 $b is not 16 KiB above VF 1's $a"; return 1; }
	# Two phases: both VF BARs are sized and mapped before either VMM may touch its VF. By
	# the order of console lines: a core prints its mapping line before it answers, and
	# instance 0 prints its go line before it sets go, so with the protocol kept the order
	# is fixed; a VMM told early would usually, not always, print before the go line.
	local go first
	go=$(grep -n 'told them to start their VMs$' "$1" | cut -d: -f1)
	first=$(grep -nE '^\[guest-[ab]\] VF nvme0\.vf[12]: BAR0' "$1" | head -1 | cut -d: -f1)
	for a in $(grep -nE '^instance [12]: vm guest-[ab]: VF .* given to' "$1" | cut -d: -f1); do
		((a < go)) || { echo "a VF was mapped after instance 0 said go"; return 1; }
	done
	((go < first)) || { echo "a VMM used its VF before instance 0 said go"; return 1; }
	# The CAP each VMM read has the NVM command set (CAP.CSS bit 0 = bit 37) and a non-zero MQES.
	local cap
	for cap in $(grep -oE 'CAP 0x[0-9a-f]{16}' "$1" | cut -d' ' -f2); do
		(((cap >> 37) & 1)) || { echo "CAP $cap lacks the NVM command set"; return 1; }
		(((cap & 0xffff) != 0)) || { echo "CAP $cap has MQES 0"; return 1; }
	done
}
