/* Entering an SVM guest and coming back (AMD APM vol. 2 15.5 VMRUN, 15.6 #VMEXIT, 15.30.2 VMLOAD/VMSAVE). */
	.text
	.code64

/* Guest register slots of struct vcpu.gpr, by enum vcpu_reg. */
#define G(r) (8 * (r))
#define RBX 1
#define RCX 2
#define RDX 3
#define RSI 4
#define RDI 5
#define RBP 6

/* svm_enter(vmcb_pa, gpr, host_pa): see svm.h. */
	.globl svm_enter
svm_enter:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi			/* 16(%rsp): the VMCB */
	push %rdx			/* 8(%rsp): the host's VMSAVE area */
	push %rsi			/* 0(%rsp): the guest registers */
	/* VMRUN and #VMEXIT leave FS, GS, TR, LDTR and the syscall MSRs alone: switch them here. */
	mov %rdx, %rax
	vmsave %rax
	clgi
	/*
	 * GIF is clear, so nothing interrupts us yet. The guest runs with the
	 * host's IF set: with V_INTR_MASKING a host interrupt then stops the guest
	 * (the INTR intercept) instead of being held back until it exits. STI is
	 * this early so that its one-instruction shadow ends here, in the host,
	 * and is not carried into the guest's first instruction.
	 */
	sti
	mov %rdi, %rax
	vmload %rax
	mov G(RBX)(%rsi), %rbx
	mov G(RCX)(%rsi), %rcx
	mov G(RDX)(%rsi), %rdx
	mov G(RDI)(%rsi), %rdi
	mov G(RBP)(%rsi), %rbp
	mov G(8)(%rsi), %r8
	mov G(9)(%rsi), %r9
	mov G(10)(%rsi), %r10
	mov G(11)(%rsi), %r11
	mov G(12)(%rsi), %r12
	mov G(13)(%rsi), %r13
	mov G(14)(%rsi), %r14
	mov G(15)(%rsi), %r15
	mov G(RSI)(%rsi), %rsi
	vmrun %rax
	/* #VMEXIT: the host's rsp is back; every other general register is the guest's. */
	push %rsi
	mov 8(%rsp), %rsi
	mov %rbx, G(RBX)(%rsi)
	mov %rcx, G(RCX)(%rsi)
	mov %rdx, G(RDX)(%rsi)
	mov %rdi, G(RDI)(%rsi)
	mov %rbp, G(RBP)(%rsi)
	mov %r8, G(8)(%rsi)
	mov %r9, G(9)(%rsi)
	mov %r10, G(10)(%rsi)
	mov %r11, G(11)(%rsi)
	mov %r12, G(12)(%rsi)
	mov %r13, G(13)(%rsi)
	mov %r14, G(14)(%rsi)
	mov %r15, G(15)(%rsi)
	pop G(RSI)(%rsi)
	mov 16(%rsp), %rax
	vmsave %rax
	mov 8(%rsp), %rax
	vmload %rax
	/* Interrupts that came meanwhile stay pending until the kernel leaves to user mode. */
	cli
	stgi
	/* No guest value stays in a register the caller may not overwrite. */
	xor %eax, %eax
	xor %ecx, %ecx
	xor %edx, %edx
	xor %esi, %esi
	xor %edi, %edi
	xor %r8d, %r8d
	xor %r9d, %r9d
	xor %r10d, %r10d
	xor %r11d, %r11d
	add $24, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
