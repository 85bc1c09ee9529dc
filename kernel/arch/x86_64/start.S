/* 32-bit entry from Multiboot2 (GRUB) or PVH (QEMU -kernel), then long mode. */
#include "arch/x86_64/layout.h"

#define MB2_MAGIC 0xE85250D6
#define MB2_BOOT_MAGIC 0x36D76289

/* Multiboot2 header: must sit 8-aligned within the first 32 KiB of the file. */
	.section .mb2_header, "a"
	.align 8
mb2_header:
	.long MB2_MAGIC
	.long 0				/* architecture: i386 protected mode */
	.long mb2_header_end - mb2_header
	.long 0x100000000 - (MB2_MAGIC + (mb2_header_end - mb2_header))
	.align 8			/* module alignment tag: page-align modules */
	.short 6, 0
	.long 8
	.align 8			/* end tag */
	.short 0, 0
	.long 8
mb2_header_end:

/* PVH: XEN_ELFNOTE_PHYS32_ENTRY (type 18) gives the 32-bit physical entry point. */
	.section .note.Xen, "a", @note
	.align 4
	.long 4, 4, 18
	.asciz "Xen"
	.align 4
	.long pvh_start

	.section .boot.text, "ax"
	.code32
	.globl _start, pvh_start
_start:
	cli
	cld
	cmp $MB2_BOOT_MAGIC, %eax
	jne bad_loader
	mov $BOOT_KIND_MB2, %edi
	mov %ebx, %esi
	jmp boot32

pvh_start:
	cli
	cld
	mov $BOOT_KIND_PVH, %edi
	mov %ebx, %esi

boot32:
	lgdt boot_gdtr
	ljmp $0x08, $1f
1:	mov $0x10, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	mov $boot_stack_top, %esp

	/* Long mode is CPUID 8000_0001 EDX bit 29; keep EDX for the NX bit (20). */
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	bt $29, %edx
	jnc no_long_mode
	mov %edx, %ebp

	/* Keep a pristine .data for the instances, then clear .bss. */
	push %edi
	push %esi
	mov $__data_lma, %esi
	mov $__data_tmpl_lma, %edi
	mov $__data_size, %ecx
	rep movsb
	mov $__bss_lma, %edi
	mov $__bss_size, %ecx
	xor %eax, %eax
	rep stosb

	/* Identity-map 0..4 GiB with 2 MiB pages: 2048 PD entries, P|RW|PS. */
	mov $boot_pd, %ebx
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax
	mov %eax, (%ebx, %ecx, 8)
	mov %ecx, %eax
	shr $11, %eax
	mov %eax, 4(%ebx, %ecx, 8)
	inc %ecx
	cmp $2048, %ecx
	jb 2b
	pop %esi
	pop %edi

	mov %cr4, %eax
	or $(1 << 5), %eax		/* PAE */
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $0xC0000080, %ecx		/* EFER */
	rdmsr
	or $(1 << 8), %eax		/* LME */
	bt $20, %ebp
	jnc 3f
	or $(1 << 11), %eax		/* NXE */
3:	wrmsr
	mov %cr0, %eax
	or $0x80010001, %eax		/* PG | WP | PE */
	mov %eax, %cr0
	ljmp $0x18, $long64

bad_loader:
	mov $msg_bad_loader, %esi
	jmp die32
no_long_mode:
	mov $msg_no_lm, %esi
die32:
	mov $0x3FD, %dx			/* COM1 line status */
4:	in %dx, %al
	test $0x20, %al
	jz 4b
	mov $0x3F8, %dx
	lodsb
	test %al, %al
	jz 5f
	out %al, %dx
	jmp die32
5:	cli
	hlt
	jmp 5b

	.code64
long64:
	xor %eax, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %eax, %fs
	mov %eax, %gs
	/* Upper halves are undefined after the mode switch. */
	mov %edi, %edi
	mov %esi, %esi
	movabs $boot_main, %rax
	call *%rax
6:	cli
	hlt
	jmp 6b

	.section .boot.data, "aw"
	.align 4096
boot_pml4:
	.quad boot_pdpt_lo + 3
	.fill 510, 8, 0
	.quad boot_pdpt_hi + 3
boot_pdpt_lo:
	.quad boot_pd + 0x0000 + 3
	.quad boot_pd + 0x1000 + 3
	.quad boot_pd + 0x2000 + 3
	.quad boot_pd + 0x3000 + 3
	.fill 508, 8, 0
boot_pdpt_hi:
	.fill 510, 8, 0
	.quad boot_pd + 3		/* -2 GiB -> physical 0..1 GiB */
	.quad 0
boot_pd:
	.fill 2048, 8, 0
boot_stack:
	.fill 16384, 1, 0
boot_stack_top:

	.align 8
boot_gdt:
	.quad 0
	.quad 0x00CF9A000000FFFF	/* 0x08: 32-bit code */
	.quad 0x00CF92000000FFFF	/* 0x10: data */
	.quad 0x00AF9A000000FFFF	/* 0x18: 64-bit code */
boot_gdtr:
	.short boot_gdtr - boot_gdt - 1
	.long boot_gdt

msg_bad_loader:
	.asciz "atoll: not started by a Multiboot2 or PVH loader\r\n"
msg_no_lm:
	.asciz "atoll: this CPU has no long mode (x86_64); cannot boot\r\n"
