# A machine without an 8254 (pit=off): calibration says so on the console and the kernel
# goes on with QEMU's APIC clock and no TSC rate (docs/boot.md). Stopped once the line is out.
# Without a TSC rate the suite's VCPU cases that need one fail, so on a loaded host, where
# the suite may end before the stop, the root task's failure (exit status 35, "CHECK
# FAILED") is what is expected; anything worse (FATAL, a root task fault) is not.
ARGS=(-cpu max -smp 1 -kernel "$KERNEL" -append atoll.qemu_exit)
MACHINE=q35,pit=off
STOP_WHEN_SEEN=1
EXPECT=('^lapic: PIT did not answer; assuming a 1 GHz APIC clock, TSC rate unknown: no VM can start$'
	'^smp: 1 instance\(s\), one per core$')
EXIT=35
REJECT=('FATAL' 'boot failed' 'ISOLATION BROKEN' 'root task fault' '^lapic: timer runs at')
