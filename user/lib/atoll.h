/* User-level library: system call stubs and console output. */
#ifndef USER_ATOLL_H
#define USER_ATOLL_H

#include <stddef.h>
#include <stdint.h>

#include "abi/bootinfo.h"
#include "abi/error.h"
#include "abi/syscalls.h"

static inline long atoll_syscall2(uint64_t nr, uint64_t a0, uint64_t a1)
{
	long ret;

	/* SYSCALL clobbers rcx (return rip) and r11 (rflags). */
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1)
			 : "rcx", "r11", "memory");
	return ret;
}

#define SYS(name, num, stub)                                           \
	static inline long stub(uint64_t a0, uint64_t a1)              \
	{                                                              \
		return atoll_syscall2(name, a0, a1);                   \
	}
#include "abi/syscalls.def"
#undef SYS

/* Prints like printf (the kernel's subset), in whole lines of at most 256 bytes. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Ends the root task with a status; 0 means every check passed. */
void __attribute__((noreturn)) exit(int status);

#endif
