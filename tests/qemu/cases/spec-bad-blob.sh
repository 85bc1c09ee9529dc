# A spec blob damaged by one byte is refused by every root task with a clear message,
# and nothing is started from it.
mkdir -p build/tests/qemu
cp build/tests/systems/two-cores.blob build/tests/qemu/damaged.blob
printf '\x55' | dd of=build/tests/qemu/damaged.blob bs=1 seek=300 conv=notrunc status=none
ARGS=(-cpu max -smp 2 -kernel "$KERNEL" -initrd build/tests/qemu/damaged.blob -append atoll.qemu_exit)
EXPECT=('^instance 0: spec blob rejected: checksum mismatch$'
	'^instance 1: spec blob rejected: checksum mismatch$'
	'^atoll: root task\(s\) on instance\(s\) 0,1 failed')
REJECT=('FATAL' 'boot failed' 'component .* started' 'all root tasks passed')
EXIT=35
