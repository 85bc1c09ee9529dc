# A compiled description (tests/systems/two-cores.yaml) booted on two cores: each root
# task makes its core's objects and starts its components; they talk over the declared
# channels only (endpoint on core 0, notification + shared region across cores, a
# notification on core 1), and every slot a component was not given is empty.
ARGS=(-cpu max -smp 2 -kernel "$KERNEL" -initrd build/tests/systems/two-cores.blob -append atoll.qemu_exit)
EXPECT=('^instance 0: component client started: 256 KiB, 2 caps, priority 100$'
	'^instance 0: component echo started: 128 KiB, 1 caps, priority 120$'
	'^instance 0: component intruder started: 128 KiB, 0 caps, priority 100$'
	'^instance 1: component listener started: 256 KiB, 2 caps, priority 100$'
	'^instance 1: component helper started: 128 KiB, 1 caps, priority 100$'
	'^instance 0: making [0-9]+ KiB of objects from untyped \[0x[0-9a-f]+-0x[0-9a-f]+\)$'
	'^instance 0: 3 components running; root task dropped [0-9]+ caps it no longer needs$'
	'^instance 0: root task retype after the drop: source slot empty$'
	'^instance 1: root task retype after the drop: source slot empty$'
	'^client: client-echo: 3 calls answered$'
	'^echo: client-echo: served 3 calls from badge 0x1$'
	'^listener: doorbell: signalled, bits 0x1$'
	'^listener: note reads "greetings from client over note"$'
	'^listener: local-bell: signalled, bits 0x1$'
	'^intruder: running on core 0 with 0 channels'
	'^intruder: 63 undeclared slots, 0 usable$'
	'^client: 61 undeclared slots, 0 usable$'
	'^instance 0: all 3 components finished, 0 failed$'
	'^instance 1: all 2 components finished, 0 failed$'
	'^atoll: checks passed: all root tasks passed')
REJECT=('FATAL' 'boot failed' 'root task fault' 'stopped: fault' 'spec:' ' [1-9][0-9]* usable$'
	'test [a-z]')
