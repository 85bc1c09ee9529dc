# What `make run` boots: systems/default.yaml through its compiled blob, on four cores with
# QEMU's memory as make run gives it: the demo components finish their exchange, and two
# Linux VMs (cores 2 and 3) boot to their shells, each console with its own prefix. The
# VMs never end, so QEMU is stopped once everything expected is on the console.
ARGS=(-cpu max -smp 4 -m 1G -kernel "$KERNEL" -initrd build/systems/default.blob -append atoll.qemu_exit)
TIMEOUT=300
STOP_WHEN_SEEN=1
EXPECT=('^instance 0: component client started: '
	'^instance 0: component echo started: '
	'^instance 1: component listener started: '
	'^listener: greeting reads "greetings from client over greeting"$'
	'^instance 1: all 1 components finished, 0 failed$'
	'^instance 2: component guest-a.vmm started: '
	'^instance 3: component guest-b.vmm started: '
	'^\[guest-a\] atoll-guest: MemTotal: +[0-9]+ kB$'
	'^\[guest-b\] atoll-guest: MemTotal: +[0-9]+ kB$'
	'^\[guest-a\] atoll-guest: shell$'
	'^\[guest-b\] atoll-guest: shell$')
REJECT=('FATAL' 'boot failed' 'root task fault' 'stopped: fault' 'spec:' ' [1-9][0-9]* usable$'
	'Kernel panic' 'Call Trace' 'vm stopped')
