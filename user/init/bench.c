/*
 * Benchmarks: path lengths in instructions. Run under QEMU -icount shift=0, where
 * the TSC advances by one per executed instruction (docs/performance.md).
 */
#include "cap.h"
#include "test.h"
#include "tests.h"

#define ROUNDS 1000
#define STACK_SIZE 4096

static uint8_t stack[2][STACK_SIZE] __attribute__((aligned(16)));
static uint64_t slot_base;

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t make(const struct bootinfo *bi, unsigned type)
{
	uint64_t s = slot_base++;

	if (untyped_retype(test_big_untyped(bi), type, 0, CAP_INIT_CNODE, s, 1) != E_OK) {
		printf("bench: cannot make object type %u\n", type);
		exit(1);
	}
	return s;
}

static uint64_t start(const struct bootinfo *bi, void (*fn)(uint64_t), uint64_t arg, unsigned n)
{
	uint64_t t = make(bi, OBJ_TCB);

	(void)tcb_write_registers(t, (uint64_t)(uintptr_t)fn,
				  (uint64_t)(uintptr_t)&stack[n][STACK_SIZE] - 8, arg);
	(void)tcb_set_priority(t, ROOT_TASK_PRIORITY);
	(void)tcb_resume(t);
	return t;
}

static void echo_server(uint64_t ep)
{
	struct msg m = ipc_recv(ep);

	for (;;)
		m = ipc_reply_recv(ep, 0, 1, m.mr[0]);
}

static volatile uint64_t pong_a, pong_b;

static void pong(uint64_t unused)
{
	(void)unused;
	for (;;) {
		(void)ipc_recv(pong_a);
		(void)ipc_send(pong_b, 0, 0, 0);
	}
}

static void report(const char *name, uint64_t total, const char *unit)
{
	printf("bench %s %llu %s\n", name, (unsigned long long)(total / ROUNDS), unit);
}

int bench_run(const struct bootinfo *bi)
{
	uint64_t t0, t1;

	slot_base = bi->empty_first;

	/* An unknown system call: entry, dispatch, exit and nothing else. */
	t0 = rdtsc();
	for (unsigned i = 0; i < ROUNDS; i++)
		(void)atoll_syscall(0x7FF, 0, 0, 0, 0, 0, 0);
	t1 = rdtsc();
	report("syscall_null_roundtrip", t1 - t0, "instructions");

	/* Call to a server thread that answers with reply-recv: fastpath, then the general path. */
	uint64_t ep = make(bi, OBJ_ENDPOINT);
	(void)start(bi, echo_server, ep, 0);
	(void)ipc_call(ep, 0, 1, 0, 0);	/* let the server reach its receive */
	t0 = rdtsc();
	for (unsigned i = 0; i < ROUNDS; i++)
		(void)ipc_call(ep, 0, 1, i, 0);
	t1 = rdtsc();
	report("ipc_call_replyrecv_roundtrip", t1 - t0, "instructions");
	(void)sys_debug_fastpath(0, 0);
	t0 = rdtsc();
	for (unsigned i = 0; i < ROUNDS; i++)
		(void)ipc_call(ep, 0, 1, i, 0);
	t1 = rdtsc();
	(void)sys_debug_fastpath(1, 0);
	report("ipc_call_replyrecv_roundtrip_slowpath", t1 - t0, "instructions");

	/* Signal a notification that another thread waits on, and wait for its answer. */
	pong_a = make(bi, OBJ_NOTIFICATION);
	pong_b = make(bi, OBJ_NOTIFICATION);
	(void)start(bi, pong, 0, 1);
	(void)sys_yield(0, 0);	/* let it reach its wait */
	t0 = rdtsc();
	for (unsigned i = 0; i < ROUNDS; i++) {
		(void)ipc_send(pong_a, 0, 0, 0);
		(void)ipc_recv(pong_b);
	}
	t1 = rdtsc();
	report("notification_signal_wait_roundtrip", t1 - t0, "instructions");
	return 0;
}
