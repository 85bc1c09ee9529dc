# QEMU -kernel (PVH entry), one core: the instance comes online and the boot checks pass.
ARGS=(-cpu max -smp 1 -kernel "$KERNEL" -append atoll.qemu_exit)
EXPECT=('booting \(PVH\)' '^instance 0 online: apic 0, memory \[' '^virtualization: AMD SVM with nested paging'
	'^acpi: MADT: 1 CPUs' 'boot checks passed'
	'^instance 0: pci: BARs reprogrammed, no other instance running$'
	'^instance 0: test pci/bar_becomes_device_untyped PASS$'
	'^instance 0: test pci/bar_moved_over_ram_is_refused PASS$'
	'^instance 0: test pci/device_frames_map_uncached PASS$')
# Alone on the machine, the suite's BAR cases run (with more cores they are skipped).
# The tlb line follows CPUID: PCIDs are used exactly when the CPU offers them (QEMU 7.2's TCG
# does not, so this run takes the flushing path).
tlb_matches_cpu() {
	if grep -qE '^cpu features:.* pcid( |$)' "$1"; then
		grep -qE '^tlb: PCID in use' "$1" || { echo "CPU has PCID, kernel does not use it"; return 1; }
	else
		grep -qE '^tlb: no PCID' "$1" || { echo "no PCID line for a CPU without PCID"; return 1; }
	fi
}
check() { instances_disjoint "$1" 1 && all_pairs_notified "$1" 1 && tlb_matches_cpu "$1" && lapic_calibrated "$1"; }
