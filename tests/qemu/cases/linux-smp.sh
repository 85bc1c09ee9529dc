# A Linux VM of two vCPUs (tests/systems/linux-smp.yaml: cores 2 and 3 of four, 120 MiB
# in the shared pool, one VMM per vCPU): the MADT names two local APICs, the BSP's VMM
# starts the AP's on INIT and STARTUP, Linux brings both CPUs up and /proc/interrupts
# shows both taking their local timers and rescheduling IPIs; the guest powers off and
# both VMMs end.
ARGS=(-cpu max -smp 4 -kernel "$KERNEL" -initrd build/tests/systems/linux-smp.blob -append atoll.qemu_exit)
TIMEOUT=300
EXPECT=('^instance 2: vm smp: 120 MiB of guest memory mapped; its VMM smp.vmm runs vCPU 0 of 2$'
	'^instance 3: vm smp: 120 MiB of guest memory mapped; its VMM smp.vmm1 runs vCPU 1 of 2$'
	'^\[smp\] \[ *[0-9.]+\] smpboot: Allowing 2 CPUs, 0 hotplug CPUs$'
	'^\[smp\] vCPU 1 started at 0x[0-9a-f]+000$'
	'^\[smp\] \[ *[0-9.]+\] smp: Brought up 1 node, 2 CPUs$'
	'^\[smp\] atoll-guest: up$'
	'^\[smp\] +CPU0 +CPU1 *$'
	'^\[smp\] atoll-guest: run done, status 0$'
	'^\[smp\] vm stopped: the guest powered off \(ACPI S5\)$'
	'^instance 2: vm smp stopped: powered off \(exit status 9\)$'
	'^instance 3: vm smp stopped: powered off \(exit status 9\)$'
	'^instance 2: all 1 components finished, 0 failed$'
	'^instance 3: all 1 components finished, 0 failed$'
	'^atoll: checks passed: all root tasks passed')
REJECT=('FATAL' 'CHECK FAILED' 'root task fault' 'Kernel panic' 'Call Trace' 'unchecked MSR'
	'vm stopped: [^t]' 'stopped: fault' 'failed to come online' 'vmm: ')
# Both CPUs take local timer interrupts and rescheduling IPIs (fixed IPIs between vCPUs).
check() {
	local loc res
	loc=$(sed -n 's/^\[smp\] *LOC: *\([0-9]* *[0-9]*\) *Local timer interrupts$/\1/p' "$1")
	res=$(sed -n 's/^\[smp\] *RES: *\([0-9]* *[0-9]*\) *Rescheduling interrupts$/\1/p' "$1")
	read -r l0 l1 <<<"$loc"
	read -r r0 r1 <<<"$res"
	((${l0:-0} >= 10 && ${l1:-0} >= 10)) || { echo "local timer interrupts per CPU: '$loc', want >= 10 each"; return 1; }
	((${r0:-0} + ${r1:-0} >= 1)) || { echo "rescheduling IPIs: '$res', want some"; return 1; }
}
