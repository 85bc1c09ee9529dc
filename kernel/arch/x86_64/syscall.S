/* SYSCALL entry (AMD APM vol. 2 6.1.1): rax = number, arguments rdi rsi rdx r10 r8 r9. */
	.text
	.code64
	.globl syscall_entry
syscall_entry:
	/*
	 * Interrupts are off (SFMASK clears IF). .bss is private to this instance,
	 * so a plain global holds the user stack pointer: no swapgs needed.
	 */
	mov %rsp, syscall_user_rsp(%rip)
	movabs $instance_stack_top, %rsp
	push syscall_user_rsp(%rip)
	push %rcx			/* user rip */
	push %r11			/* user rflags */
	push %r9			/* struct syscall_regs, last field first */
	push %r8
	push %r10
	push %rdx
	push %rsi
	push %rdi
	mov %rax, %rdi
	mov %rsp, %rsi
	sub $8, %rsp			/* 16-byte alignment at the call */
	call syscall_dispatch
	add $8, %rsp
	mov 16(%rsp), %rdx		/* results: regs.rdx, regs.r8 */
	mov 32(%rsp), %r8
	add $48, %rsp
	pop %r11
	pop %rcx
	pop %rsp
	/* No kernel value leaks through the other argument registers. */
	xor %esi, %esi
	xor %edi, %edi
	xor %r9d, %r9d
	xor %r10d, %r10d
	/* rcx came from SYSCALL itself, so it is canonical: sysret cannot #GP in ring 0. */
	sysretq

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
