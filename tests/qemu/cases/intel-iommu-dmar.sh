# With QEMU's VT-d model the DMAR table is found and its remapping unit listed.
ARGS=(-cpu max -smp 2 -device intel-iommu,intremap=on -machine q35,kernel-irqchip=split
	-kernel "$KERNEL" -append atoll.qemu_exit)
EXPECT=('^iommu: 00:01\.0 left its IOSpace: 2 routed interrupt entries cleared$'
	'^iommu: 00:01\.0 left its IOSpace: 1 routed interrupt entry cleared$'
	'^acpi: DMAR: 1 remapping unit\(s\), host address width 39, interrupt remapping'
	'^acpi:   VT-d unit at 0xfed90000, segment 0, listed devices, [1-9][0-9]* device scope' 'boot checks passed')
