# A malformed test option stops the boot with a message naming it.
ARGS=(-cpu max -smp 1 -kernel "$KERNEL" -append "atoll.qemu_exit atoll.fault=abc")
EXPECT=('^atoll: boot failed: command line: atoll.fault=abc is not an instance number below 16')
REJECT=('FATAL' 'boot checks passed')
EXIT=35
