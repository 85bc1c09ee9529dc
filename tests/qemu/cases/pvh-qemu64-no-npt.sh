# qemu64 has SVM but no nested paging: said clearly, the machine still boots, and every
# instance refuses VCPUs and guest spaces (the suite's novirt case instead of its vcpu cases).
ARGS=(-cpu qemu64 -smp 2 -kernel "$KERNEL" -append atoll.qemu_exit)
EXPECT=('^virtualization: unavailable: SVM without nested paging; no VMs can start'
	'boot checks passed'
	'^instance 0: test novirt/vcpu_objects_refused PASS$'
	'^instance 1: test novirt/vcpu_objects_refused PASS$'
	'^atoll: checks passed: all root tasks passed')
REJECT+=('test vcpu/' ' FAIL$')
check() { instances_disjoint "$1" 2 && all_pairs_notified "$1" 2; }
