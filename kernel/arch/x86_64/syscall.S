/* SYSCALL entry (AMD APM vol. 2 6.1.1): builds the same frame as an interrupt from user mode. */
#include "arch/x86_64/frame.h"
#include "arch/x86_64/layout.h"

	.text
	.code64
	.globl syscall_entry
syscall_entry:
	/*
	 * Interrupts are off (SFMASK clears IF). .bss is private to this instance,
	 * so a plain global holds the user stack pointer: no swapgs needed.
	 */
	mov %rsp, syscall_user_rsp(%rip)
	/* Build the frame straight in the running thread's TCB: no copy later. */
	mov entry_ctx_top(%rip), %rsp
	pushq $0x1b			/* ss: SEL_UDATA | 3 */
	push syscall_user_rsp(%rip)	/* rsp */
	push %r11			/* rflags */
	pushq $0x23			/* cs: SEL_UCODE | 3 */
	push %rcx			/* rip */
	pushq $0			/* error */
	pushq $VEC_SYSCALL		/* vector */
	PUSH_GPRS
	mov %rsp, %rdi
	movabs $instance_stack_top, %rsp
	cld
	call syscall_trap
	/* Leave through iretq from the frame it returns: maybe another thread's. */
	mov %rax, %rsp
	jmp trap_exit

/* user_enter(entry, stack, arg): first entry into user mode through iretq. */
	.globl user_enter
user_enter:
	mov %rdx, %r8
	pushq $0x1b			/* SEL_UDATA | 3 */
	push %rsi
	pushq $0x202			/* IF */
	pushq $0x23			/* SEL_UCODE | 3 */
	push %rdi
	mov %r8, %rdi
	xor %eax, %eax
	xor %ebx, %ebx
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %ebp, %ebp
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	xor %r12d, %r12d
	xor %r13d, %r13d
	xor %r14d, %r14d
	xor %r15d, %r15d
	iretq

	.bss
	.align 8
syscall_user_rsp:
	.quad 0
	/* Just past the running thread's register area; set by arch_set_entry_ctx(). */
	.globl entry_ctx_top
entry_ctx_top:
	.quad 0
