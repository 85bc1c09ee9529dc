# Instance 1 reads instance 0's memory: it takes a page fault, dumps its registers and
# halts alone; instance 0 hears of it by IPI and runs on.
ARGS=(-cpu max -smp 2 -kernel "$KERNEL" -append "atoll.qemu_exit atoll.fault=1")
EXPECT=('^atoll: FATAL #PF page fault \(not present, read, kernel\) on instance 1 \(apic 1\)'
	'^  rax [0-9a-f]{16}  rbx' '^  cr0 [0-9a-f]{16}  cr2 '
	'^atoll: instance 1: core halted'
	'^instance 0: instance 1 halted after a fatal exception; instance 0 runs on'
	'checks passed: fault contained to one core')
REJECT=('CHECK FAILED' 'ISOLATION BROKEN' 'FATAL .* on instance 0')
check() {
	local pa cr2
	pa=$(grep -oE 'probing instance 0 memory at 0x[0-9a-f]+' "$1" | grep -oE '0x[0-9a-f]+$') ||
		{ echo "no probe line"; return 1; }
	cr2=$(grep -oE 'cr2 [0-9a-f]{16}' "$1" | head -1 | cut -d' ' -f2)
	(( 16#$cr2 == 0xffff800000000000 + pa )) || { echo "cr2 $cr2 is not the probed address"; return 1; }
}
