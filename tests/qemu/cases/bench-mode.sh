# The benchmark mode that make bench uses still runs to its end and prints its figures
# (values are judged in docs/performance.md, never here).
ARGS=(-cpu max -smp 2 -icount shift=0 -kernel "$KERNEL" -append "atoll.qemu_exit atoll.bench")
EXPECT=('^bench syscall_null_roundtrip [1-9][0-9]* instructions$'
	'^bench ipc_call_replyrecv_roundtrip [1-9][0-9]* instructions$'
	'^bench ipc_call_replyrecv_roundtrip_slowpath [1-9][0-9]* instructions$'
	'^bench notification_signal_wait_roundtrip [1-9][0-9]* instructions$'
	'^bench vmexit_cpuid_roundtrip [1-9][0-9]* instructions$'
	'^bench vmexit_kernel_roundtrip [1-9][0-9]* instructions$'
	'^bench vmexit_cpuid_roundtrip_vmm [1-9][0-9]* instructions$'
	'^bench cross_core_notify [1-9][0-9]* instructions$'
	'^bench cross_core_notify_send [1-9][0-9]* instructions$'
	'^bench cross_core_notify_receive [1-9][0-9]* instructions$'
	'^bench cross_core_notify_roundtrip [1-9][0-9]* instructions$'
	'^atoll: checks passed: all root tasks passed')
# The calibration is exact here: -icount drives the PIT, the APIC timer and the TSC alike.
check() { lapic_calibrated "$1" icount; }
