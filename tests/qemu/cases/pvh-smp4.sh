# PVH boot on four cores: every pair of instances exchanges a notification by IPI.
ARGS=(-cpu max -smp 4 -kernel "$KERNEL" -append atoll.qemu_exit)
EXPECT=('^acpi: MADT: 4 CPUs' '^acpi: MCFG: PCIe ECAM segment 0' '^smp: 4 instance\(s\), one per core'
	'^ipi: 4 instances, 12 cross-instance notifications delivered' 'boot checks passed')
check() { instances_disjoint "$1" 4 && all_pairs_notified "$1" 4 && lapic_calibrated "$1"; }
