/* A thread's user-mode registers: the frame every kernel entry from user mode builds. */
#ifndef ARCH_CONTEXT_H
#define ARCH_CONTEXT_H

#include "types.h"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * System call registers by position: 0 rdi (cptr), 1 rsi (msginfo), 2 rdx, 3 r10,
 * 4 r8, 5 r9 (message registers 0-3); the result goes in rax.
 */
static inline uint64_t *ctx_reg(struct trap_frame *f, unsigned i)
{
	switch (i) {
	case 0:
		return &f->rdi;
	case 1:
		return &f->rsi;
	case 2:
		return &f->rdx;
	case 3:
		return &f->r10;
	case 4:
		return &f->r8;
	}
	return &f->r9;
}

/* The thread will make the same system call again: back to its SYSCALL instruction (2 bytes). */
static inline void ctx_restart_syscall(struct trap_frame *f)
{
	f->rip -= 2;
}

static inline bool ctx_from_user(const struct trap_frame *f)
{
	return (f->cs & 3) == 3;
}

/* A fresh user context: starts at pc with stack sp and arg in rdi, interrupts on. */
void ctx_init_user(struct trap_frame *f, uint64_t pc, uint64_t sp, uint64_t arg);
/* The idle context: a kernel-mode halt loop on its own stack. */
void ctx_init_idle(struct trap_frame *f);
/*
 * The thread whose registers the next entry from user mode saves, straight into
 * ctx (NULL: none, the kernel stack). Called on every switch.
 */
void arch_set_entry_ctx(struct trap_frame *ctx);

/* Sets the user instruction and stack pointers; false if either is not a user address. */
bool ctx_set_pc_sp(struct trap_frame *f, uint64_t pc, uint64_t sp);

#endif
