# Debian's Linux kernel (make guest) booted by the VMM in a VM of 100 MiB on core 1 of two
# (tests/systems/linux-vm.yaml): the kernel sees exactly the e820 map the VMM gave it,
# Linux finds PCI through configuration mechanism #1 and the VMM's host bridge on bus 0,
# /init reaches its marker line, reports a MemTotal that fits the VM's memory, runs a
# command given on the kernel command line, and reboots, which ends the VM cleanly.
# About 15 s under TCG.
ARGS=(-cpu max -smp 2 -kernel "$KERNEL" -initrd build/tests/systems/linux-vm.blob -append atoll.qemu_exit)
TIMEOUT=240
# Linux reboots through the keyboard controller, or, if that times out on a loaded host,
# by a triple fault: either way the VM stops cleanly.
EXPECT=('^instance 1: vm guest-a: 100 MiB of guest memory mapped; its VMM guest-a.vmm runs it$'
	'^\[guest-a\] linux boot protocol 2\.[0-9a-f]+: kernel [0-9]+ KiB at 0x1000000, initramfs [0-9]+ KiB'
	'^\[guest-a\] \[ *[0-9.]+\] BIOS-e820: \[mem 0x0000000000100000-0x00000000063fffff\] usable$'
	'^\[guest-a\] \[ *[0-9.]+\] clocksource: Switched to clocksource tsc$'
	'^\[guest-a\] \[ *[0-9.]+\] PCI: Using configuration type 1 for base access$'
	'^\[guest-a\] \[ *[0-9.]+\] pci 0000:00:00\.0: \[8086:1237\] type 00 class 0x060000$'
	'^\[guest-a\] atoll-guest: up$'
	'^\[guest-a\] 6\.1\.[0-9]+-[0-9]+-amd64$'
	'^\[guest-a\] atoll-guest: run done, status 0$'
	'^\[guest-a\] atoll-guest: reboot$'
	'^\[guest-a\] vm stopped: (the guest asked for a reset \(keyboard controller\)|triple fault \(shutdown\) at rip 0x[0-9a-f]+)$'
	'^instance 1: all 1 components finished, 0 failed$'
	'^atoll: checks passed: all root tasks passed')
REJECT=('FATAL' 'CHECK FAILED' 'root task fault' 'Kernel panic' 'Call Trace' 'unchecked MSR'
	'unstable' 'vm stopped: [^t]' 'stopped: fault' 'No config space access function found')
# MemTotal: what the kernel keeps for itself comes off, so less than 100 MiB but more than half.
check() {
	local kb
	kb=$(sed -n 's/^\[guest-a\] atoll-guest: MemTotal: *\([0-9]*\) kB$/\1/p' "$1")
	[[ -n $kb ]] || { echo "no MemTotal line"; return 1; }
	((kb > 50 * 1024 && kb < 100 * 1024)) || { echo "MemTotal $kb kB does not fit a 100 MiB VM"; return 1; }
}
