/*
 * A hostile bare-metal guest in bzImage form (just enough setup header for the VMM's
 * 32-bit boot protocol): it reads and writes MSRs that do not exist or are the host's,
 * pokes odd ports (0xf4 is QEMU's exit device on the host: it must not get there),
 * touches guest-physical memory where nothing is, calls VMMCALL and CLGI, and ends with
 * an instruction the VMM cannot emulate (rep movs from MMIO) or, if its command line
 * starts with 't', a triple fault, or with 'l', a WRMSR whose #GP handler returns to it
 * (an exit loop). It reports on COM1; tests/qemu/cases/hostile-vms.sh judges the lines. Linked so that file offset 0x400 is guest-physical 0x1000000.
 */
	.code32
	.text
	.globl _start
_start:
	.org 0x1F1
	.byte 1				/* setup_sects: the kernel starts at (1 + 1) * 512 */
	.org 0x200
	.byte 0xEB, 0x66		/* the header ends at 0x202 + 0x66 */
	.ascii "HdrS"
	.word 0x020F			/* boot protocol 2.15 */
	.org 0x211
	.byte 0x01			/* loadflags: LOADED_HIGH */
	.org 0x260
	.long 0x100000			/* init_size */

	.org 0x400
entry:
	mov %esi, %ebp			/* the zero page */
	mov $0x90000, %esp
	lea msg_start, %esi
	call puts
	/* IDT: #UD (6) and #GP (13) handlers, 32-bit interrupt gates on the VMM's __BOOT_CS. */
	mov $handler_ud, %eax
	mov $(idt + 6 * 8), %edi
	call gate
	mov $handler_gp, %eax
	mov $(idt + 13 * 8), %edi
	call gate
	lidt idtr

	/* MSRs: one that does not exist, the host's SVM save area, EFER.SVME. */
	mov $0x12345678, %ecx
	rdmsr
	mov $0xC0010117, %ecx
	xor %eax, %eax
	xor %edx, %edx
	wrmsr
	mov $0xC0000080, %ecx
	rdmsr
	or $0x1000, %eax
	wrmsr
	cmpl $3, gp_count
	jne fail
	lea msg_msr, %esi
	call puts

	/* Ports: nothing answers; PCI has the host bridge and no 00:1f.0; 0xf4 must stay in the VM. */
	mov $0x1234, %dx
	in %dx, %al
	cmp $0xFF, %al
	jne fail
	mov $0xCF8, %dx
	mov $0x80000000, %eax
	out %eax, %dx
	mov $0xCFC, %dx
	in %dx, %eax
	cmp $0x12378086, %eax
	jne fail
	mov $0xCF8, %dx
	mov $0x8000F800, %eax
	out %eax, %dx
	mov $0xCFC, %dx
	in %dx, %eax
	cmp $0xFFFFFFFF, %eax
	jne fail
	xor %eax, %eax
	out %al, $0xF4
	out %eax, $0xF4
	lea msg_ports, %esi
	call puts

	/*
	 * Memory where nothing is: loads give all ones, stores vanish. The local APIC's page
	 * is something: a byte load of its version register gives 0x14 (an integrated APIC).
	 */
	mov 0xF0000000, %eax
	cmp $0xFFFFFFFF, %eax
	jne fail
	movl $0x5A5A5A5A, 0xF0000000
	movzbl 0xFEE00030, %ebx
	cmp $0x14, %ebx
	jne fail
	lea msg_mmio, %esi
	call puts

	/*
	 * VMMCALL and CLGI: #UD, as on a CPU without SVM. (VMRUN would be the obvious one, but
	 * under QEMU 7.2 TCG a VMRUN in a nested guest never reaches the VMM: see docs/vmm.md.)
	 */
	.byte 0x0F, 0x01, 0xD9		/* vmmcall */
	.byte 0x0F, 0x01, 0xDD		/* clgi */
	cmpl $2, ud_count
	jne fail
	mov $0x80000001, %eax
	cpuid
	test $4, %ecx			/* SVM */
	jnz fail
	lea msg_ud, %esi
	call puts

	/*
	 * String I/O. Out: rep outsb to the UART forwards, backwards (DF set, the text stored
	 * reversed), and through FS (base 0x1000000 from our own GDT) with 16-bit addresses
	 * (0x67: only SI and CX count; the garbage above them must stay). In: 10000 bytes
	 * (more than the VMM does per exit) from a port where nothing is, words likewise,
	 * dwords from PCI's address latch, and one INSD without REP.
	 */
	lea msg_outs, %esi
	mov $(msg_outs_end - msg_outs), %ecx
	mov $0x3F8, %dx
	rep outsb
	test %ecx, %ecx
	jnz fail
	cmp $msg_outs_end, %esi
	jne fail
	std
	lea msg_back_end - 1, %esi
	mov $(msg_back_end - msg_back), %ecx
	rep outsb
	cld
	cmp $(msg_back - 1), %esi
	jne fail
	lgdt gdtr
	mov $0x20, %ax
	mov %ax, %fs
	mov $(msg_fs - 0x1000000 + 0xDEAD0000), %esi
	mov $(0x5A5A0000 + msg_fs_end - msg_fs), %ecx
	.byte 0x67, 0x64, 0xF3, 0x6E	/* addr16 rep outsb %fs:(%si), (%dx) */
	cmp $0x5A5A0000, %ecx
	jne fail
	cmp $(msg_fs_end - 0x1000000 + 0xDEAD0000), %esi
	jne fail

	mov $0x1234, %dx
	mov $0x200000, %edi
	mov $10000, %ecx
	rep insb
	test %ecx, %ecx
	jnz fail
	cmp $(0x200000 + 10000), %edi
	jne fail
	cmpb $0, (%edi)			/* nothing written past the end */
	jne fail
	mov $0x200000, %edi
	mov $10000, %ecx
	mov $0xFF, %al
	repe scasb
	jne fail
	mov $0x210000, %edi
	mov $2, %ecx
	rep insw
	cmpl $0xFFFFFFFF, 0x210000
	jne fail
	cmpw $0, 0x210004
	jne fail
	mov $0xCF8, %dx
	mov $0x80001234, %eax
	out %eax, %dx
	mov $0x220000, %edi
	mov $3, %ecx
	rep insl
	cmpl $0x80001234, 0x220008
	jne fail
	mov $7, %ecx
	insl
	cmp $7, %ecx
	jne fail
	cmp $0x220010, %edi
	jne fail
	cmpl $0x80001234, 0x22000C
	jne fail
	lea msg_ins, %esi
	call puts

	mov 0x228(%ebp), %esi		/* cmd_line_ptr */
	cmpb $'t', (%esi)
	je triple
	cmpb $'l', (%esi)
	je loop
	lea msg_movs, %esi
	call puts
	mov $0xF0000000, %esi
	mov $0x100000, %edi
	mov $4, %ecx
	rep movsl
	lea msg_alive, %esi
	call puts
1:	hlt
	jmp 1b

triple:
	lea msg_triple, %esi
	call puts
	lidt no_idt
	int3
	jmp .

loop:					/* #GP back onto the same WRMSR, for ever */
	lea msg_loop, %esi
	call puts
	mov $handler_gp_again, %eax
	mov $(idt + 13 * 8), %edi
	call gate
	mov $0x12345678, %ecx
	wrmsr
	lea msg_loop_alive, %esi
	call puts
	jmp fail

fail:					/* say so, then end the VM at once */
	lea msg_fail, %esi
	call puts
	lidt no_idt
	int3

/* Writes the NUL-terminated string at esi to COM1. */
puts:
	mov $0x3F8, %dx
2:	lodsb
	test %al, %al
	jz 3f
	out %al, %dx
	jmp 2b
3:	ret

/* An interrupt gate at edi for the handler at eax. */
gate:
	mov %ax, (%edi)
	movw $0x10, 2(%edi)
	movw $0x8E00, 4(%edi)
	shr $16, %eax
	mov %ax, 6(%edi)
	ret

handler_gp:
	incl gp_count
	add $4, %esp			/* the error code */
	addl $2, (%esp)			/* past RDMSR/WRMSR */
	iret
handler_gp_again:
	add $4, %esp			/* the error code; return to the faulting instruction */
	iret
handler_ud:
	incl ud_count
	addl $3, (%esp)			/* past VMMCALL/CLGI */
	iret

	.balign 8
idtr:	.word 14 * 8 - 1
	.long idt
no_idt:	.word 0
	.long 0
gp_count: .long 0
ud_count: .long 0
	.balign 8
idt:	.fill 14, 8, 0
	.balign 8
/* Our GDT: the VMM's flat code (0x10) and data (0x18), and data with base 0x1000000 (0x20). */
gdt:	.quad 0, 0, 0x00CF9A000000FFFF, 0x00CF92000000FFFF, 0x01CF92000000FFFF
gdtr:	.word 5 * 8 - 1
	.long gdt

msg_start:	.asciz "hostile: start\n"
msg_msr:	.asciz "hostile: 3 bad MSR accesses took #GP\n"
msg_ports:	.asciz "hostile: odd ports and absent PCI functions read all ones, 0xf4 stayed in the VM\n"
msg_mmio:	.asciz "hostile: memory where nothing is reads all ones\n"
msg_ud:		.asciz "hostile: vmmcall and clgi took #UD, cpuid shows no svm\n"
msg_movs:	.asciz "hostile: rep movs from where nothing is\n"
msg_alive:	.asciz "hostile: STILL RUNNING after rep movs\n"
msg_triple:	.asciz "hostile: triple fault\n"
msg_loop:	.asciz "hostile: wrmsr that takes #GP for ever\n"
msg_loop_alive:	.asciz "hostile: STILL RUNNING after the wrmsr loop\n"
msg_fail:	.asciz "hostile: FAIL\n"
msg_outs:	.ascii "hostile: rep outsb reached the uart\n"
msg_outs_end:
msg_back:	.ascii "\nsdrawkcab tnew bstuo per dts :elitsoh"
msg_back_end:
msg_fs:		.ascii "hostile: fs rep outsb with 16-bit addresses\n"
msg_fs_end:
msg_ins:	.asciz "hostile: rep insb, insw, insl and insl read right\n"
	.org 0xFFF			/* the VMM wants at least 4 KiB */
	.byte 0
