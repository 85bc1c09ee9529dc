/* AP start-up trampoline: copied below 1 MiB, entered by SIPI in real mode. */
	.section .rodata
	.globl tramp_start, tramp_end, tramp_gdt, tramp_gdtr_base, tramp_farptr, tramp_cr3
	.globl tramp_efer, tramp_entry, tramp_ack

	.code16
	.align 16
tramp_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl tramp_gdtr - tramp_start
	mov $0x20, %eax			/* CR4.PAE */
	mov %eax, %cr4
	mov tramp_cr3 - tramp_start, %eax
	mov %eax, %cr3
	mov $0xC0000080, %ecx
	mov tramp_efer - tramp_start, %eax
	xor %edx, %edx
	wrmsr
	/* PE and PG together: straight from real mode into long mode (compat). */
	mov $0x80010001, %eax
	mov %eax, %cr0
	ljmpl *(tramp_farptr - tramp_start)

	.code64
tramp_long:
	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov tramp_entry(%rip), %rax
	/* Last touch of this page: the BSP may reuse it once it sees the ack. */
	movl $1, tramp_ack(%rip)
	jmp *%rax

	.align 8
tramp_gdt:
	.quad 0
	.quad 0x00CF9A000000FFFF
	.quad 0x00CF92000000FFFF
	.quad 0x00AF9A000000FFFF
tramp_gdtr:
	.short 31
tramp_gdtr_base:
	.long 0
	.align 8
tramp_farptr:
	.long 0				/* patched: physical address of tramp_long */
	.short 0x18
	.align 8
tramp_cr3:
	.long 0
tramp_efer:
	.long 0
tramp_entry:
	.quad 0
tramp_ack:
	.long 0
tramp_end:

	.globl tramp_long_offset
	.section .rodata
	.align 8
tramp_long_offset:
	.quad tramp_long - tramp_start
