# DMA through QEMU's VT-d: two edu devices (00:10.0 is given IOSpaces, 00:11.0 never is) with a
# 32-bit DMA mask, driven by the suite's iommu cases on instance 0 (user/init/tests_iommu.c);
# and an NVMe PF with SR-IOV behind a root port for the pci suite's VF BAR case.
ARGS=(-cpu max -smp 2 -device intel-iommu,intremap=on -machine q35,kernel-irqchip=split
	-device edu,addr=0x10,dma_mask=0xffffffff -device edu,addr=0x11,dma_mask=0xffffffff
	-device pcie-root-port,id=rp0,chassis=1,slot=1 -device nvme-subsys,id=subsys0,nqn=subsys0
	-device nvme,serial=deadbeef,bus=rp0,subsys=subsys0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3
	-kernel "$KERNEL" -append atoll.qemu_exit)
IOMMU_CASES=(iospace_refusals dma_into_mapped_iova_arrives dma_to_unmapped_iova_faults
	unmap_blocks_further_dma device_without_iospace_dmas_nowhere msi_raises_only_its_owners_vector
	faulting_device_is_cut_off)
EXPECT=('^iommu: 00:01\.0 left its IOSpace: 2 routed interrupt entries cleared$'
	'^iommu: 00:01\.0 left its IOSpace: 1 routed interrupt entry cleared$'
	'^iommu: interrupt remapping on: a device raises only the vectors given to it$'
	'^iommu: unit 0 GSTS 0x[0-9a-f]+: CFIS 0, compatibility-format interrupts blocked$'
	'^iommu: VT-d 1\.0 unit at 0xfed90000: 3-level tables \(39-bit\), 1 fault record\(s\).*translation on: every device blocked'
	'^iommu: 00:10\.0 disabled after 8 DMA faults$'
	# The suite's pci/vf_bar_is_vf_n_slice on the NVMe PF (QEMU's VF BAR0: 16 KiB per VF).
	'^instance 0: pci: VF BAR0 of 01:00\.0: 16 KiB per VF, VF 1 at 0x[0-9a-f]+, VF 2 at 0x[0-9a-f]+$'
	'^atoll: checks passed: all root tasks passed')
REJECT=('FATAL' 'CHECK FAILED' 'boot failed' 'root task fault' ' FAIL$' 'check failed' 'overflowed')
check() {
	local c fb
	for c in "${IOMMU_CASES[@]}"; do
		grep -qx "instance 0: test iommu/$c PASS" "$1" || { echo "iommu/$c did not pass"; return 1; }
	done
	grep -qx "instance 0: suite iommu: ${#IOMMU_CASES[@]} tests, 0 failed" "$1" ||
		{ echo "the iommu suite is not the ${#IOMMU_CASES[@]} cases listed here"; return 1; }
	# Only instance 0 drives devices: the other instance runs no iommu case.
	! grep -q "^instance 1: test iommu/" "$1" || { echo "instance 1 ran iommu cases"; return 1; }
	# The device without an IOSpace was blocked, and the kernel said where it aimed.
	fb=$(grep -oE '^instance 0: iommu: unassigned device aimed at 0x[0-9a-f]+$' "$1" | grep -oE '0x[0-9a-f]+$') ||
		{ echo "no unassigned-device line"; return 1; }
	grep -qE "^iommu: DMA fault: 00:11\.0 write at $fb, reason [0-9]+, device without an IOSpace$" "$1" ||
		{ echo "no fault reported for 00:11.0 at $fb"; return 1; }
}
