# Four instances cannot each get 8 MiB out of 32 MiB: a clear refusal, not a hang.
ARGS=(-cpu max -smp 4 -m 32M -kernel "$KERNEL" -append atoll.qemu_exit)
EXPECT=('^atoll: boot failed: cannot split [0-9]+ MiB into 4 partitions of at least 8 MiB')
REJECT=('FATAL' 'boot checks passed')
EXIT=35
