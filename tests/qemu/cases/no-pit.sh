# A machine without an 8254 (pit=off): calibration says so on the console and the kernel
# goes on with QEMU's APIC clock and no TSC rate (docs/boot.md). Stopped once the line is out:
# without a TSC rate the suite's VCPU timing cases cannot pass.
ARGS=(-cpu max -smp 1 -kernel "$KERNEL" -append atoll.qemu_exit)
MACHINE=q35,pit=off
STOP_WHEN_SEEN=1
EXPECT=('^lapic: PIT did not answer; assuming a 1 GHz APIC clock, TSC rate unknown: no VM can start$'
	'^smp: 1 instance\(s\), one per core$')
REJECT+=('^lapic: timer runs at')
