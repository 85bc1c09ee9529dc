# The in-kernel test suite (user/init/tests_*.c) runs in every instance's root task at once,
# on four cores: each named case reports PASS, and each instance's count adds up.
# TESTS is the number of case runs per instance: a suite that silently drops out fails here.
TESTS=131
ARGS=(-cpu max -smp 4 -kernel "$KERNEL" -append atoll.qemu_exit)
EXPECT=('^atoll: checks passed: all root tasks passed' '^instance 0: test pci/device_frames_map_uncached PASS$')
REJECT=('FATAL' 'CHECK FAILED' 'boot failed' 'root task fault' ' FAIL$' 'check failed' 'novirt/'
	'pci: no ECAM')
# -cpu max has SVM with nested paging: every instance runs the guests of the vcpu suite.
VCPU_CASES=(objects_check_their_arguments bound_signal_stops_the_guest cpuid_exit_reports_guest_state edited_rax_reaches_the_guest
	run_makes_its_writes_first restarted_run_writes_once hlt_exits_to_the_vmm unmapped_gpa_faults_then_maps large_frame_maps_2m hypercall_keeps_guest_registers
	triple_fault_is_a_shutdown host_interrupts_resume_the_guest spinning_guest_is_preempted
	guest_fpu_state_is_its_own virtual_interrupt_waits_for_if halt_in_guest_sleeps_until_an_interrupt)
check() {
	local i n passed names
	for i in 0 1 2 3; do
		n=$(grep -oE "^instance $i: [0-9]+ tests, [0-9]+ passed, 0 failed$" "$1" | cut -d' ' -f3) ||
			{ echo "instance $i printed no clean summary"; return 1; }
		passed=$(grep -cE "^instance $i: test [a-z0-9_/-]+ PASS$" "$1")
		((n == TESTS)) || { echo "instance $i ran $n tests, expected $TESTS"; return 1; }
		((passed == n)) || { echo "instance $i: $passed PASS lines for $n tests"; return 1; }
		names=$(grep -oE "^instance $i: test [a-z0-9_/-]+ PASS$" "$1" | sort -u | wc -l)
		((names == n)) || { echo "instance $i: test names repeat"; return 1; }
		local c
		for c in "${VCPU_CASES[@]}"; do
			grep -qx "instance $i: test vcpu/$c PASS" "$1" || { echo "instance $i: vcpu/$c did not pass"; return 1; }
		done
		grep -qx "instance $i: suite vcpu: ${#VCPU_CASES[@]} tests, 0 failed" "$1" ||
			{ echo "instance $i: the vcpu suite is not the ${#VCPU_CASES[@]} cases listed here"; return 1; }
		# Cross-instance notifications: every other instance's IPI arrived, none of our own.
		local want=$(( 0xf & ~(1 << i) ))
		grep -qE "^instance $i: cross-instance signals from mask $(printf '0x%x' $want) of $(printf '0x%x' $want)$" "$1" ||
			{ echo "instance $i did not hear from every other instance"; return 1; }
	done
}
