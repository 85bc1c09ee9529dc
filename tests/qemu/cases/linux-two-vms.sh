# Two Linux VMs at once, one per core, each run by its own VMM
# (tests/systems/linux-two-vms.yaml: 100 MiB and 160 MiB): each console is its own,
# each guest sees its own memory size and its own command line; guest-a lists its PCI
# functions (the host bridge only). About 20 s under TCG.
ARGS=(-cpu max -smp 3 -m 1536M -kernel "$KERNEL" -initrd build/tests/systems/linux-two-vms.blob
	-append atoll.qemu_exit)
TIMEOUT=300
# Linux reboots through the FADT's reset register (0xCF9), which stops the VM cleanly.
EXPECT=('^\[guest-a\] atoll-guest: up$' '^\[guest-b\] atoll-guest: up$'
	'^\[guest-a\] 0000:00:00\.0$'
	'^\[guest-b\] console=ttyS0 quiet atoll.run=cat,/proc/cmdline atoll.reboot tsc_early_khz=[0-9]+$'
	'^\[guest-a\] atoll-guest: reboot$'
	'^\[guest-a\] vm stopped: the guest asked for a reset \(port 0xcf9\)$'
	'^\[guest-b\] atoll-guest: reboot$'
	'^\[guest-b\] vm stopped: the guest asked for a reset \(port 0xcf9\)$'
	'^instance 2: vm guest-a stopped: reset requested \(exit status 2\)$'
	'^instance 1: vm guest-b stopped: reset requested \(exit status 2\)$'
	'^instance 2: all 1 components finished, 0 failed$'
	'^instance 1: all 1 components finished, 0 failed$'
	'^atoll: checks passed: all root tasks passed')
REJECT=('FATAL' 'CHECK FAILED' 'root task fault' 'Kernel panic' 'Call Trace' 'unchecked MSR'
	'vm stopped: [^t]' '^\[guest-a\] .*atoll.run=cat' '^\[guest-b\] 0000:00')
# Each MemTotal fits its own VM: above half its memory, below all of it; b's exceeds a's by
# most of the 60 MiB between them.
check() {
	local a b
	a=$(sed -n 's/^\[guest-a\] atoll-guest: MemTotal: *\([0-9]*\) kB$/\1/p' "$1")
	b=$(sed -n 's/^\[guest-b\] atoll-guest: MemTotal: *\([0-9]*\) kB$/\1/p' "$1")
	[[ -n $a && -n $b ]] || { echo "a MemTotal line is missing"; return 1; }
	((a > 50 * 1024 && a < 100 * 1024)) || { echo "guest-a: MemTotal $a kB for 100 MiB"; return 1; }
	((b > 80 * 1024 && b < 160 * 1024)) || { echo "guest-b: MemTotal $b kB for 160 MiB"; return 1; }
	((b - a > 50 * 1024)) || { echo "guest-b ($b kB) not 60 MiB above guest-a ($a kB)"; return 1; }
}
