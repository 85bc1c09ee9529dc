# What `make run` boots: systems/default.yaml through its compiled blob, on four cores.
ARGS=(-cpu max -smp 4 -kernel "$KERNEL" -initrd build/systems/default.blob -append atoll.qemu_exit)
EXPECT=('^instance 0: component client started: '
	'^instance 0: component echo started: '
	'^instance 1: component listener started: '
	'^listener: greeting reads "greetings from client over greeting"$'
	'^instance 2: 0 components running; '
	'^instance 1: all 1 components finished, 0 failed$'
	'^atoll: checks passed: all root tasks passed')
REJECT=('FATAL' 'boot failed' 'root task fault' 'stopped: fault' 'spec:' ' [1-9][0-9]* usable$')
