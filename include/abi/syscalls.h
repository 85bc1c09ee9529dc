/* System call numbers generated from syscalls.def; the x86_64 ABI is in docs/syscalls.md. */
#ifndef ABI_SYSCALLS_H
#define ABI_SYSCALLS_H

enum syscall_nr {
#define SYS(name, num, stub) name = num,
#include "abi/syscalls.def"
#undef SYS
	SYS_COUNT
};

/* Longest string one SYS_DEBUG_PUTS call prints. */
#define DEBUG_PUTS_MAX 256

#endif
