/* Assembler macros shared by the entry paths: the general registers of struct trap_frame. */
#ifndef ARCH_FRAME_H
#define ARCH_FRAME_H

/* Vector value marking a frame built by the SYSCALL entry. */
#define VEC_SYSCALL 0x100

/* Offset of cs in struct trap_frame: 15 registers, vector, error, rip. */
#define FRAME_CS (18 * 8)

/* Pushes rax..r15 so that, with vector and error above, rsp points at a struct trap_frame. */
.macro PUSH_GPRS
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
.endm

#endif
