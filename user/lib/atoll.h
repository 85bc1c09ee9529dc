/* User-level library: system call stubs and console output. */
#ifndef USER_ATOLL_H
#define USER_ATOLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi/bootinfo.h"
#include "abi/error.h"
#include "abi/invocations.h"
#include "abi/objects.h"
#include "abi/syscalls.h"

/* A message as IPC delivers it: error, sender's badge, label and length, registers. */
struct msg {
	long err;
	uint64_t badge;
	uint64_t info;
	uint64_t mr[4];
};

/*
 * Every system call goes through here. The kernel may return values in every
 * argument register (rdi badge, rsi msginfo, rdx r10 r8 r9 message registers),
 * so all are in/out; SYSCALL itself clobbers rcx and r11.
 */
static inline struct msg atoll_ipc(uint64_t nr, uint64_t cptr, uint64_t info, uint64_t m0,
				   uint64_t m1, uint64_t m2, uint64_t m3)
{
	register uint64_t r10 __asm__("r10") = m1;
	register uint64_t r8 __asm__("r8") = m2;
	register uint64_t r9 __asm__("r9") = m3;
	uint64_t rdx = m0;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret), "+D"(cptr), "+S"(info), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
			 : "a"(nr)
			 : "rcx", "r11", "memory");
	return (struct msg){ ret, cptr, info, { rdx, r10, r8, r9 } };
}

/* What an invocation returns: the error, and which argument it is about. */
struct call_result {
	long err;
	uint64_t arg;		/* with an error: which argument (ARG_CAP, ARG_MR(i)) */
	uint64_t bits_left;	/* with a lookup error: address bits left unresolved */
};

/* Invocations return rax, and rdx and r8 (mr0 and mr2 of the reply registers). */
static inline struct call_result atoll_syscall(uint64_t nr, uint64_t a0, uint64_t a1,
					       uint64_t m0, uint64_t m1, uint64_t m2, uint64_t m3)
{
	struct msg m = atoll_ipc(nr, a0, a1, m0, m1, m2, m3);

	return (struct call_result){ m.err, m.mr[0], m.mr[2] };
}

#define SYS(name, num, stub)                                                   \
	static inline long stub(uint64_t a0, uint64_t a1)                      \
	{                                                                      \
		return atoll_syscall(name, a0, a1, 0, 0, 0, 0).err;            \
	}
#include "abi/syscalls.def"
#undef SYS

/* Invokes the capability at cptr (depth 64) with a label and four message registers. */
static inline struct call_result atoll_call(uint64_t cptr, unsigned label, uint64_t m0,
					    uint64_t m1, uint64_t m2, uint64_t m3)
{
	return atoll_syscall(SYS_CALL, cptr, label, m0, m1, m2, m3);
}

static inline struct msg ipc_call(uint64_t ep, unsigned label, unsigned len, uint64_t m0,
				  uint64_t m1)
{
	return atoll_ipc(SYS_CALL, ep, MSGINFO(label, len), m0, m1, 0, 0);
}

static inline long ipc_send(uint64_t cap, unsigned label, unsigned len, uint64_t m0)
{
	return atoll_ipc(SYS_SEND, cap, MSGINFO(label, len), m0, 0, 0, 0).err;
}

static inline long ipc_nbsend(uint64_t cap, unsigned label, unsigned len, uint64_t m0)
{
	return atoll_ipc(SYS_NBSEND, cap, MSGINFO(label, len), m0, 0, 0, 0).err;
}

static inline struct msg ipc_recv(uint64_t cap)
{
	return atoll_ipc(SYS_RECV, cap, 0, 0, 0, 0, 0);
}

static inline struct msg ipc_nbrecv(uint64_t cap)
{
	return atoll_ipc(SYS_NBRECV, cap, 0, 0, 0, 0, 0);
}

static inline struct msg ipc_reply_recv(uint64_t cap, unsigned label, unsigned len, uint64_t m0)
{
	return atoll_ipc(SYS_REPLY_RECV, cap, MSGINFO(label, len), m0, 0, 0, 0);
}

/* Ends the calling thread (the root task: ends the instance's test run). */
static inline void __attribute__((noreturn)) thread_exit(void)
{
	for (;;)
		(void)sys_debug_exit(0, 0);
}

/* Prints like printf (the kernel's subset), in whole lines of at most 256 bytes. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Ends the root task with a status; 0 means every check passed. */
void __attribute__((noreturn)) exit(int status);

/* Memory from a fixed 512 KiB heap in the program's image; NULL when it runs out. */
void *malloc(size_t n);
void free(void *p);

/* Stops the program with the failed condition and its place. */
#define assert(cond)                                                                       \
	do {                                                                               \
		if (!(cond)) {                                                             \
			printf("assertion failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
			exit(1);                                                           \
		}                                                                          \
	} while (0)

#endif
