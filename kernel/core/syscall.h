/* System call arguments as the entry stub saves them. */
#ifndef CORE_SYSCALL_H
#define CORE_SYSCALL_H

#include "types.h"

/* Argument registers in SYSCALL order; rdx and r8 are also returned to the caller. */
struct syscall_regs {
	uint64_t rdi, rsi, rdx, r10, r8, r9;
};

#endif
