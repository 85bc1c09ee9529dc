/* Interrupt and exception entry stubs, and the jump into a kernel instance. */
#include "arch/x86_64/frame.h"
#include "arch/x86_64/layout.h"

	.text
	.code64

/*
 * 256 stubs, 16 bytes apart, so stub v is at trap_stubs + 16 * v. CPUs push an
 * error code only for vectors 8, 10-14, 17, 21, 29, 30 (SDM vol. 3 6.13).
 */
	.globl trap_stubs
	.align 16
trap_stubs:
	.set vec, 0
	.rept 256
	.align 16
	.if !(vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30)
	pushq $0
	.endif
	pushq $vec
	jmp trap_common
	.set vec, vec + 1
	.endr

/*
 * From user mode the CPU pushed the frame into the running thread's TCB (TSS
 * rsp0 points just past its register area), so the kernel moves to its own
 * stack. From kernel mode (idle, boot) the frame is on the current stack.
 * trap_dispatch returns the frame to leave through: the same one, or another
 * thread's registers.
 */
trap_common:
	PUSH_GPRS
	mov %rsp, %rdi
	testb $3, FRAME_CS(%rsp)
	jz 1f
	movabs $instance_stack_top, %rsp
1:	cld
	call trap_dispatch
	mov %rax, %rsp
	.globl trap_exit
trap_exit:
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp
	iretq

/* The idle context: the instance waits for an interrupt (entered by iretq from sched_leave). */
	.globl idle_loop
idle_loop:
	sti
	hlt
	jmp idle_loop

/* instance_enter(cr3, fn): switch to the instance's page tables and private stack. */
	.globl instance_enter
instance_enter:
	mov %rdi, %cr3
	movabs $instance_stack_top, %rsp
	xor %ebp, %ebp
	call *%rsi
	ud2

/* APs arrive here from the trampoline, already on their instance's page tables. */
	.globl ap_entry64
ap_entry64:
	movabs $instance_stack_top, %rsp
	xor %ebp, %ebp
	movabs $instance_main, %rax
	call *%rax
	ud2

	.bss
	.align 16
instance_stack:
	.skip INSTANCE_STACK_SIZE
	.globl instance_stack_top
instance_stack_top:
