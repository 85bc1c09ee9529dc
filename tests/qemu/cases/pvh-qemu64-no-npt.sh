# qemu64 has SVM but no nested paging: said clearly, and the machine still boots.
ARGS=(-cpu qemu64 -smp 2 -kernel "$KERNEL" -append atoll.qemu_exit)
EXPECT=('^virtualization: unavailable: SVM without nested paging; no VMs can start'
	'boot checks passed')
check() { instances_disjoint "$1" 2 && all_pairs_notified "$1" 2; }
