/*
 * Benchmarks: path lengths in instructions. Run under QEMU -icount shift=0, where
 * the TSC advances by one per executed instruction (docs/performance.md).
 */
#include "cap.h"
#include "kstring.h"
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

/*
 * Cross-core notifications need a partner on instance 1. Under -icount the
 * TSC is one virtual clock for all cores: it counts the instructions of
 * whichever core runs, and QEMU runs one core at a time (docs/performance.md).
 * A notification sent before the receiving instance's scheduler runs is lost,
 * so the partner says "ready" until instance 0 answers, and both make sure the
 * other waits, halted, before anything is measured.
 */
#define XCORE_WARMUP 10
#define HANDSHAKE_RETRY 50000000ull	/* instructions; a core's time slice is at most 10M */

static uint64_t xcore_ntfn;

static void xcore_bind(const struct bootinfo *bi)
{
	xcore_ntfn = make(bi, OBJ_NOTIFICATION);
	if (ntfn_bind_xsignals(xcore_ntfn) != E_OK || bi->xsignal_count == 0 ||
	    bi->xsignal_target[0] != (bi->instance == 0 ? 1 : 0)) {
		printf("bench: no cross-instance signal to pair with\n");
		exit(1);
	}
}

/* Instance 1: answer every signal from instance 0 with one of its own, then exit. */
static int xcore_partner(const struct bootinfo *bi)
{
	uint64_t to0 = bi->xsignal_first;

	xcore_bind(bi);
	for (bool go = false; !go;) {
		(void)ipc_send(to0, 0, 0, 0);	/* ready */
		for (uint64_t t = rdtsc(); !go && rdtsc() - t < HANDSHAKE_RETRY;)
			go = ipc_nbrecv(xcore_ntfn).err == E_OK;
	}
	(void)ipc_send(to0, 0, 0, 0);	/* seen: from now on it waits in ipc_recv */
	for (unsigned i = 0; i < XCORE_WARMUP + ROUNDS; i++) {
		(void)ipc_recv(xcore_ntfn);
		(void)ipc_send(to0, 0, 0, 0);
	}
	return 0;
}

/* Instance 0: wait for the partner's "ready", answer, and wait until it waits. */
static void xcore_handshake(const struct bootinfo *bi)
{
	xcore_bind(bi);
	(void)ipc_recv(xcore_ntfn);
	(void)ipc_send(bi->xsignal_first, 0, 0, 0);
	(void)ipc_recv(xcore_ntfn);
}

/* Signal instance 1 and wait for its answer; the send alone, and the whole round trip. */
static void xcore_bench(const struct bootinfo *bi)
{
	uint64_t to1 = bi->xsignal_first, send = 0, rt = 0;

	for (unsigned i = 0; i < XCORE_WARMUP + ROUNDS; i++) {
		uint64_t t0 = rdtsc();
		(void)ipc_send(to1, 0, 0, 0);
		uint64_t t1 = rdtsc();
		(void)ipc_recv(xcore_ntfn);
		uint64_t t2 = rdtsc();
		if (i >= XCORE_WARMUP) {
			send += t1 - t0;
			rt += t2 - t0;
		}
	}
	/* Both directions run the same paths: one notification is half the round trip. */
	report("cross_core_notify", rt / 2, "instructions");
	report("cross_core_notify_send", send, "instructions");
	report("cross_core_notify_receive", rt / 2 - send, "instructions");
	report("cross_core_notify_roundtrip", rt, "instructions");
}

#define BENCH_GUEST_VA 0x050000000000ull	/* the guest's code page as the VMM sees it */

#define KERNEL_EXITS 15		/* host timer ticks to measure: 10 M instructions apart */
#define GAP_THRESHOLD 100	/* instructions: more between two RDTSCs means the guest was out */
#define GAP_LOOP 6		/* the loop's own instructions from one RDTSC to the next */

/*
 * A VM exit the kernel handles itself, seen from inside the guest: a host
 * interrupt (instance 0's timer tick) arrives while the guest runs, the CPU
 * exits, the kernel takes the interrupt and restarts the VMM's VCPU_RUN,
 * which enters the guest again; the VMM never hears of it. The guest reads
 * the TSC in a tight loop (one RDTSC every GAP_LOOP instructions under
 * -icount) and, when two reads are more than GAP_THRESHOLD apart, exits on a
 * CPUID with the gap in eax. The gap less the loop's own instructions is the
 * round trip. Under -icount the TSC also counts the other core's instructions
 * (docs/performance.md): instance 1's own timer tick shows up as a gap with
 * no host interrupt on this VCPU (VCPU_HOST_INTERRUPTS unchanged), which is
 * skipped; of the gaps with exactly one, the median is reported.
 */
static void vmexit_kernel_bench(uint64_t vcpu)
{
	static const uint8_t code[] = {
		0x0F, 0x31,			/* 0x100: rdtsc */
		0x89, 0xC3,			/*        mov %eax, %ebx */
		0x0F, 0x31,			/* 0x104: rdtsc */
		0x89, 0xC1,			/*        mov %eax, %ecx */
		0x29, 0xD8,			/*        sub %ebx, %eax */
		0x89, 0xCB,			/*        mov %ecx, %ebx */
		0x3D, GAP_THRESHOLD, 0, 0, 0,	/*        cmp $GAP_THRESHOLD, %eax */
		0x72, 0xF1,			/*        jb 0x104 */
		0x0F, 0xA2,			/* 0x113: cpuid (eax: the gap) */
		0xEB, 0xE9,			/* 0x115: jmp 0x100 */
	};
	uint64_t gaps[KERNEL_EXITS];
	unsigned n = 0;

	memcpy((void *)(uintptr_t)(BENCH_GUEST_VA + 0x100), code, sizeof(code));
	(void)vcpu_write_reg(vcpu, VCPU_RIP, 0x100);
	for (unsigned tries = 0; n < KERNEL_EXITS && tries < 4 * KERNEL_EXITS; tries++) {
		uint64_t before = vcpu_read_reg(vcpu, VCPU_HOST_INTERRUPTS);
		(void)vcpu_write_reg(vcpu, VCPU_DEADLINE, rdtsc() + 100000000ull);	/* no gap: stop */
		struct vcpu_exit x = vcpu_run(vcpu);
		uint64_t after = vcpu_read_reg(vcpu, VCPU_HOST_INTERRUPTS);
		uint64_t gap = (uint32_t)vcpu_read_reg(vcpu, VCPU_RAX);
		if (x.err || x.reason != VMEXIT_CPUID || x.rip != 0x113 || gap < GAP_THRESHOLD) {
			printf("bench: vmexit_kernel_roundtrip: no gap seen (error %ld, exit reason %llu at 0x%llx)\n",
			       x.err, (unsigned long long)x.reason, (unsigned long long)x.rip);
			exit(1);
		}
		if (after - before == 1) {	/* insertion sort as they come */
			unsigned k = n++;
			for (; k > 0 && gaps[k - 1] > gap; k--)
				gaps[k] = gaps[k - 1];
			gaps[k] = gap;
		}
		(void)vcpu_write_reg(vcpu, VCPU_RIP, 0x115);
	}
	(void)vcpu_write_reg(vcpu, VCPU_DEADLINE, 0);
	if (n < KERNEL_EXITS) {
		printf("bench: vmexit_kernel_roundtrip: only %u of %u gaps came with a host interrupt\n",
		       n, KERNEL_EXITS);
		exit(1);
	}
	printf("bench vmexit_kernel_roundtrip %llu instructions\n",
	       (unsigned long long)(gaps[KERNEL_EXITS / 2] - GAP_LOOP));
}

/*
 * The round trip of vmexit_bench() the way the VMM makes it (user/vmm/main.c): the
 * caller has an IPC buffer, so each exit fills its words (registers and all, for the
 * emulation), and the rip write rides on VCPU_RUN (docs/vcpu.md) instead of a call of
 * its own. The guest is vmexit_bench()'s, "cpuid; jmp 0" at guest-physical 0.
 */
static void vmexit_vmm_bench(const struct bootinfo *bi, uint64_t vcpu)
{
	uint64_t frame = make(bi, OBJ_FRAME_4K);
	volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)(BENCH_GUEST_VA + 0x1000);

	if (frame_map(frame, CAP_INIT_VSPACE, BENCH_GUEST_VA + 0x1000, CAP_WRITE) ||
	    tcb_set_ipc_buffer(CAP_INIT_TCB, frame)) {
		printf("bench: vmexit_cpuid_roundtrip_vmm: no IPC buffer\n");
		exit(1);
	}
	(void)vcpu_write_reg(vcpu, VCPU_RIP, 0);
	struct vcpu_exit x = vcpu_run(vcpu);
	uint64_t t0 = rdtsc();
	for (unsigned i = 0; i < ROUNDS; i++) {
		w[VCPU_RUN_WRITE_WORD] = VCPU_RIP;
		w[VCPU_RUN_WRITE_WORD + 1] = 2;
		x = vcpu_run_writing(vcpu, 1);
	}
	uint64_t t1 = rdtsc();
	if (x.err || x.reason != VMEXIT_CPUID || w[VCPU_EXIT_VENDOR_CODE] != 0x72) {
		printf("bench: vmexit_cpuid_roundtrip_vmm: the guest stopped exiting on CPUID\n");
		exit(1);
	}
	report("vmexit_cpuid_roundtrip_vmm", t1 - t0, "instructions");
}

/*
 * A VM exit handled by the VMM: a guest of two instructions at guest-physical 0,
 * "cpuid; jmp 0". Each round the VMM moves rip past the CPUID (as it must without
 * NRIPS: one VCPU_WRITE_REGS) and runs the guest again (VCPU_RUN), which jumps back
 * and exits on the CPUID. Returns 1 if the CPU cannot run guests.
 */
static int vmexit_bench(const struct bootinfo *bi)
{
	static const uint8_t code[] = { 0x0F, 0xA2, 0xEB, 0xFC };	/* cpuid; jmp -4 */
	uint64_t gs = slot_base++;

	if (untyped_retype(test_big_untyped(bi), OBJ_GUEST_SPACE, 0, CAP_INIT_CNODE, gs, 1)) {
		printf("bench: no guests on this CPU: vmexit_cpuid_roundtrip not measured\n");
		return 1;
	}
	uint64_t frame = make(bi, OBJ_FRAME_4K), view = slot_base++;
	(void)page_table_map(make(bi, OBJ_PDPT), gs, 0);
	(void)page_table_map(make(bi, OBJ_PD), gs, 0);
	(void)page_table_map(make(bi, OBJ_PT), gs, 0);
	(void)frame_map(frame, gs, 0, CAP_EXEC);
	(void)cnode_copy(CAP_INIT_CNODE, view, frame, CAP_ALL_RIGHTS);
	(void)page_table_map(make(bi, OBJ_PDPT), CAP_INIT_VSPACE, BENCH_GUEST_VA);
	(void)page_table_map(make(bi, OBJ_PD), CAP_INIT_VSPACE, BENCH_GUEST_VA);
	(void)page_table_map(make(bi, OBJ_PT), CAP_INIT_VSPACE, BENCH_GUEST_VA);
	(void)frame_map(view, CAP_INIT_VSPACE, BENCH_GUEST_VA, CAP_WRITE);
	memcpy((void *)(uintptr_t)BENCH_GUEST_VA, code, sizeof(code));
	uint64_t vcpu = make(bi, OBJ_VCPU);
	(void)vcpu_set_space(vcpu, gs);
	struct vcpu_exit x = vcpu_run(vcpu);	/* from rip 0: the first CPUID */
	if (x.err || x.reason != VMEXIT_CPUID) {
		printf("bench: the guest did not exit on CPUID (error %ld, reason %llu)\n", x.err,
		       (unsigned long long)x.reason);
		exit(1);
	}
	uint64_t t0 = rdtsc();
	for (unsigned i = 0; i < ROUNDS; i++) {
		(void)vcpu_write_reg(vcpu, VCPU_RIP, 2);
		x = vcpu_run(vcpu);
	}
	uint64_t t1 = rdtsc();
	if (x.err || x.reason != VMEXIT_CPUID) {
		printf("bench: the guest stopped exiting on CPUID\n");
		exit(1);
	}
	report("vmexit_cpuid_roundtrip", t1 - t0, "instructions");
	vmexit_kernel_bench(vcpu);
	vmexit_vmm_bench(bi, vcpu);
	return 0;
}

int bench_run(const struct bootinfo *bi)
{
	uint64_t t0, t1;

	slot_base = bi->empty_first;
	if (bi->instance != 0)
		return bi->instance == 1 ? xcore_partner(bi) : 0;
	if (bi->ninstances > 1)
		xcore_handshake(bi);

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

	(void)vmexit_bench(bi);
	if (bi->ninstances > 1)
		xcore_bench(bi);
	return 0;
}
