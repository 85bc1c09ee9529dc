# Three hostile bare-metal guests (tests/guest/hostile.S, tests/systems/hostile-vms.yaml) on
# cores 1, 2 and 3 beside the demo components on core 0: bad MSRs get #GP, odd ports read all
# ones and QEMU's exit port 0xf4 is never reached from a guest (the run would end with the
# wrong status), memory where nothing is reads all ones (the local APIC's version register
# reads 0x14), VMMCALL and CLGI get #UD, CPUID shows no SVM, string I/O (rep outsb to the
# UART forwards, backwards and through FS with 16-bit addresses, rep insb/insw/insl and a
# 10000-byte rep insb) works; then one guest's rep movs from MMIO, another's triple fault
# and the third's WRMSR whose #GP handler returns to it (an exit loop, user/vmm/loop.c)
# each stop only their own VM, with the reason, which the root task reports from the VMM's
# exit status (abi/vmstops.def), while the components finish their work.
ARGS=(-cpu max -smp 4 -kernel "$KERNEL" -initrd build/tests/systems/hostile-vms.blob -append atoll.qemu_exit)
TIMEOUT=120
# bad-triple has console: none: its VMM's own lines appear, the guest's do not.
EXPECT=('^\[bad-insn\] hostile: 3 bad MSR accesses took #GP$'
	'^\[bad-insn\] hostile: odd ports and absent PCI functions read all ones, 0xf4 stayed in the VM$'
	'^\[bad-insn\] hostile: memory where nothing is reads all ones$'
	'^\[bad-insn\] hostile: vmmcall and clgi took #UD, cpuid shows no svm$'
	'^\[bad-insn\] hostile: rep outsb reached the uart$'
	'^\[bad-insn\] hostile: std rep outsb went backwards$'
	'^\[bad-insn\] hostile: fs rep outsb with 16-bit addresses$'
	'^\[bad-insn\] hostile: rep insb, insw, insl and insl read right$')
for vm in bad-insn bad-triple bad-loop; do
	EXPECT+=("^\\[$vm\\] vmm: read of 4 bytes at 0xf0000000: nothing there, all ones$"
		"^\\[$vm\\] vmm: write of 4 bytes at 0xf0000000: nothing there, dropped$")
done
EXPECT+=('^\[bad-insn\] vm stopped: cannot emulate the instruction at rip 0x[0-9a-f]+: f3 a5'
	'^\[bad-triple\] vm stopped: triple fault \(shutdown\) at rip 0x[0-9a-f]+$'
	# Each failure stop lists the last exits; the newest is the one that stopped the VM: the
	# GPA fault on the final access (info1 bit 32) at 0xf0000000, and the shutdown (SVM 0x7f).
	'^\[bad-insn\] vmm: the last 12 exits, oldest first \(reason, code, info1, info2, rip, event\):$'
	'^\[bad-insn\] vmm:   4 0x400 0x10000000[0-9a-f] 0xf0000000 0x[0-9a-f]+ 0x0$'
	'^\[bad-triple\] vmm:   6 0x7f 0x0 0x0 0x[0-9a-f]+ 0x[0-9a-f]+$'
	'^instance 1: vm bad-insn stopped: instruction not emulated \(exit status 4\)$'
	'^instance 2: vm bad-triple stopped: triple fault \(exit status 3\)$'
	'^\[bad-loop\] hostile: 3 bad MSR accesses took #GP$'
	'^\[bad-loop\] hostile: wrmsr that takes #GP for ever$'
	'^\[bad-loop\] vm stopped: exit loop: 100000 x VMEXIT_MSR \(info1 0x1\) at rip 0x[0-9a-f]+$'
	'^instance 3: vm bad-loop stopped: exit loop \(exit status 10\)$'
	'^client: client-echo: 3 calls answered$' '^echo: client-echo: served 3 calls from badge 0x1$'
	'^instance 0: all 2 components finished, 0 failed$'
	'^instance 1: all 1 components finished, 0 failed$'
	'^instance 2: all 1 components finished, 0 failed$'
	'^instance 3: all 1 components finished, 0 failed$'
	'^atoll: checks passed: all root tasks passed')
REJECT=('FATAL' 'CHECK FAILED' 'root task fault' 'hostile: FAIL' 'STILL RUNNING' 'stopped: fault'
	'^\[bad-triple\] hostile:' '^\[bad-triple\] vm stopped: [^t]' '^\[bad-loop\] vm stopped: [^e]'
	'^\[bad-(insn|triple)\] vm stopped: exit loop'
	' [1-9][0-9]* usable$' 'unknown reason')
