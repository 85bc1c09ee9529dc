# The root task on instance 2 writes kernel memory: the write faults, the fault is
# reported with its address, instance 2's kernel runs on, and the other root tasks pass.
ARGS=(-cpu max -smp 4 -kernel "$KERNEL" -append "atoll.qemu_exit atoll.user_fault=2")
EXPECT=('^root task on instance 2: writing kernel memory at 0xffff8000[0-9a-f]+ \(must fault\)'
	'^instance 2: root task fault: #PF page fault \(protection, write, user\), address 0xffff8000[0-9a-f]+ at rip 0x4'
	'^instance 0: root task exited with status 0' '^instance 1: root task exited with status 0'
	'^instance 3: root task exited with status 0'
	'^atoll: root task\(s\) on instance\(s\) 2 failed')
REJECT=('FATAL' 'KERNEL MEMORY WRITABLE' 'boot failed' 'checks passed: all root tasks passed')
EXIT=35
check() {
	local target addr
	target=$(grep -oE 'writing kernel memory at 0x[0-9a-f]+' "$1" | grep -oE '0x[0-9a-f]+$')
	addr=$(grep -oE 'root task fault: .*address 0x[0-9a-f]+' "$1" | grep -oE '0x[0-9a-f]+$')
	[[ -n $target && $target == "$addr" ]] || { echo "fault address $addr is not $target"; return 1; }
}
