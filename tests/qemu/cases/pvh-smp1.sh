# QEMU -kernel (PVH entry), one core: the instance comes online and the boot checks pass.
ARGS=(-cpu max -smp 1 -kernel "$KERNEL" -append atoll.qemu_exit)
EXPECT=('booting \(PVH\)' '^instance 0 online: apic 0, memory \[' '^virtualization: AMD SVM with nested paging'
	'^acpi: MADT: 1 CPUs' 'boot checks passed')
check() { instances_disjoint "$1" 1 && all_pairs_notified "$1" 1; }
