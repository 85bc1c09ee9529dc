# Debian's Linux kernel (make guest) booted by the VMM in a VM of 100 MiB on core 1 of two
# (tests/systems/linux-vm.yaml): the kernel sees exactly the e820 map the VMM gave it, finds
# the VMM's ACPI tables (RSDP, MADT with its I/O APIC and the irq 0 override) and takes the
# timer through the I/O APIC on the first try; it finds PCI through configuration
# mechanism #1 and the VMM's host bridge on bus 0; /init reaches its marker line, reports a
# MemTotal that fits the VM's memory, shows /proc/interrupts (given as atoll.run= on the
# command line: the PIT, the UART and the local APIC timer all interrupting through the
# emulated APICs), and powers off through ACPI S5, which ends the VM cleanly.
# About 15 s under TCG.
ARGS=(-cpu max -smp 2 -kernel "$KERNEL" -initrd build/tests/systems/linux-vm.blob -append atoll.qemu_exit)
TIMEOUT=240
EXPECT=('^instance 1: vm guest-a: 100 MiB of guest memory mapped; its VMM guest-a.vmm runs it$'
	'^\[guest-a\] linux boot protocol 2\.[0-9a-f]+: kernel [0-9]+ KiB at 0x1000000, initramfs [0-9]+ KiB'
	'^\[guest-a\] \[ *[0-9.]+\] BIOS-e820: \[mem 0x0000000000100000-0x00000000063fffff\] usable$'
	'^\[guest-a\] \[ *[0-9.]+\] ACPI: RSDP 0x00000000000E0000 000024 \(v02 ATOLL \)$'
	'^\[guest-a\] \[ *[0-9.]+\] ACPI: APIC 0x00000000000E0240 [0-9A-F]+ \(v05 ATOLL  ATOLLVMM'
	'^\[guest-a\] \[ *[0-9.]+\] IOAPIC\[0\]: apic_id 1, version 32, address 0xfec00000, GSI 0-23$'
	'^\[guest-a\] \[ *[0-9.]+\] ACPI: INT_SRC_OVR \(bus 0 bus_irq 0 global_irq 2 dfl dfl\)$'
	'^\[guest-a\] \[ *[0-9.]+\] ACPI: Using ACPI \(MADT\) for SMP configuration information$'
	'^\[guest-a\] \[ *[0-9.]+\] \.\.TIMER: vector=0x30 apic1=0 pin1=2 apic2=-1 pin2=-1$'
	'^\[guest-a\] \[ *[0-9.]+\] ACPI: PM: \(supports S0 S5\)$'
	'^\[guest-a\] \[ *[0-9.]+\] clocksource: Switched to clocksource tsc$'
	'^\[guest-a\] \[ *[0-9.]+\] PCI: Using configuration type 1 for base access$'
	'^\[guest-a\] \[ *[0-9.]+\] pci 0000:00:00\.0: \[8086:1237\] type 00 class 0x060000$'
	'^\[guest-a\] \[ *[0-9.]+\] pci_bus 0000:00: root bus resource \[mem 0xc0000000-0xfebfffff window\]$'
	'^\[guest-a\] atoll-guest: up$'
	'^\[guest-a\] +0: +[0-9]+ +IO-APIC +2-edge +timer$'
	'^\[guest-a\] +4: +[1-9][0-9]* +IO-APIC +4-edge +ttyS0$'
	'^\[guest-a\] atoll-guest: run done, status 0$'
	'^\[guest-a\] atoll-guest: poweroff$'
	'^\[guest-a\] vm stopped: the guest powered off \(ACPI S5\)$'
	'^instance 1: vm guest-a stopped: powered off \(exit status 9\)$'
	'^instance 1: all 1 components finished, 0 failed$'
	'^atoll: checks passed: all root tasks passed')
REJECT=('FATAL' 'CHECK FAILED' 'root task fault' 'Kernel panic' 'Call Trace' 'unchecked MSR'
	'unstable' 'vm stopped: [^t]' 'stopped: fault' 'MP-BIOS bug' 'IO-APIC \+ timer doesn'
	'APIC timer disabled' 'ACPI Error' 'ACPI BIOS Error' 'Firmware Bug' 'vmm: '
	'No config space access function found')
# MemTotal: what the kernel keeps for itself comes off, so less than 100 MiB but more than half.
# The timer: at least the five PIT ticks Linux waits for in check_timer, and the local APIC
# timer has taken over as the tick.
check() {
	local kb loc t0
	kb=$(sed -n 's/^\[guest-a\] atoll-guest: MemTotal: *\([0-9]*\) kB$/\1/p' "$1")
	[[ -n $kb ]] || { echo "no MemTotal line"; return 1; }
	((kb > 50 * 1024 && kb < 100 * 1024)) || { echo "MemTotal $kb kB does not fit a 100 MiB VM"; return 1; }
	t0=$(sed -n 's/^\[guest-a\] *0: *\([0-9]*\) *IO-APIC.*timer$/\1/p' "$1")
	((${t0:-0} >= 5)) || { echo "irq 0 (timer) through the I/O APIC: '$t0' interrupts, want >= 5"; return 1; }
	loc=$(sed -n 's/^\[guest-a\] *LOC: *\([0-9]*\) *Local timer interrupts$/\1/p' "$1")
	((${loc:-0} >= 10)) || { echo "local APIC timer: '$loc' interrupts, want >= 10"; return 1; }
}
