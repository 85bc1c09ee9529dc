# Every instance loads its own root task from the kernel image and runs it in user mode.
ARGS=(-cpu max -smp 4 -kernel "$KERNEL" -append atoll.qemu_exit)
EXPECT=('^atoll: checks passed: all root tasks passed')
check() {
	local i line base
	for i in 0 1 2 3; do
		line=$(grep -m1 -E "^root task on instance $i of 4: user mode, partition [0-9]+ MiB at 0x[0-9a-f]+$" "$1") ||
			{ echo "no root task line for instance $i"; return 1; }
		base=${line##* }
		grep -qE "^instance $i online: apic [0-9]+, memory \[$base-" "$1" ||
			{ echo "instance $i root task reports base $base, not its partition"; return 1; }
		grep -qx "instance $i: root task exited with status 0" "$1" ||
			{ echo "instance $i root task did not exit with 0"; return 1; }
	done
}
