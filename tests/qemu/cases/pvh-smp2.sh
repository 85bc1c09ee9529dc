# PVH boot on two cores: two instances with disjoint memory signal each other; the timers are calibrated.
ARGS=(-cpu max -smp 2 -kernel "$KERNEL" -append atoll.qemu_exit)
EXPECT=('^smp: 2 instance\(s\), one per core' '^ipi: 2 instances, 2 cross-instance notifications delivered'
	'boot checks passed')
check() { instances_disjoint "$1" 2 && all_pairs_notified "$1" 2 && lapic_calibrated "$1"; }
