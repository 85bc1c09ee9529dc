/*
 * In-kernel test suite, TLB: no stale translation survives an unmap, in the
 * running address space or in another one, with or without PCIDs.
 *
 * QEMU's TCG drops its whole TLB on every CR3 load and offers no PCID, so under
 * it only the cases in the running address space can catch a missing
 * invalidation; the cross-space cases catch one on a CPU with PCIDs, and the
 * bookkeeping behind them is unit-tested on the host (tests/unit/test_tlb.c).
 */
#include "cap.h"
#include "kstring.h"
#include "test.h"
#include "tests.h"

#define ROOT CAP_INIT_CNODE
#define VS CAP_INIT_VSPACE
#define VA_T 0x048000000000ull	/* PML4 slot 9: code and data of the other space */
#define VA_U 0x050000000000ull	/* PML4 slot 10: the running space's own cases */
#define A_VALUE 0xAAAA0001ull
#define B_VALUE 0xBBBB0002ull

static volatile uint64_t *word(uint64_t va)
{
	return (volatile uint64_t *)(uintptr_t)va;
}

/* PDPT, PD and PT for va in the address space vs, in slots S(k..k+2). */
static void tables_at(struct test_env *env, uint64_t vs, uint64_t va, unsigned k)
{
	CHECK_ERR(page_table_map(test_make(env, OBJ_PDPT, 0, k), vs, va), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PD, 0, k + 1), vs, va), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, k + 2), vs, va), E_OK);
}

/*
 * A reader for the other address space, forever: rdx = *(VA_T + 0x1000), then
 * call the endpoint with it as mr0 (one word), and again after each reply.
 *   movabs $VA_T+0x1000, %rax; mov (%rax), %rdx; mov $ep, %edi;
 *   mov $MSGINFO(0, 1), %esi; mov $SYS_CALL, %eax; syscall; jmp <start>
 */
static void reader_code(uint8_t *code, uint64_t ep)
{
	static const uint8_t text[32] = {
		0x48, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0x48, 0x8B, 0x10, 0xBF, 0, 0, 0, 0,
		0xBE, 0, 0, 1, 0, 0xB8, SYS_CALL, 0, 0, 0, 0x0F, 0x05, 0xEB, 0xE0,
	};
	uint64_t data = VA_T + 0x1000;
	uint32_t cptr = (uint32_t)ep;

	memcpy(code, text, sizeof(text));
	memcpy(&code[2], &data, 8);
	memcpy(&code[14], &cptr, 4);
}

/*
 * Builds address space S(0) with tables in S(1..3), the reader's code at VA_T
 * (frame S(4), written through our own view: tables S(6..8), copy S(9)) and
 * the frame data (a cap of its own for that space) at VA_T + 0x1000; starts
 * the reader S(14) there, above our priority, on endpoint S(13). Returns the
 * value it read first.
 */
static uint64_t start_reader(struct test_env *env, uint64_t data)
{
	uint64_t space = test_make(env, OBJ_PML4, 0, 0);
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 13);

	tables_at(env, space, VA_T, 1);
	CHECK_ERR(frame_map(test_make(env, OBJ_FRAME_4K, 0, 4), space, VA_T, CAP_EXEC), E_OK);
	tables_at(env, VS, VA_T, 6);
	CHECK_ERR(cnode_copy(ROOT, S(9), S(4), CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(frame_map(S(9), VS, VA_T, CAP_WRITE), E_OK);
	reader_code((uint8_t *)(uintptr_t)VA_T, ep);
	CHECK_ERR(frame_map(data, space, VA_T + 0x1000, 0), E_OK);

	uint64_t t = test_make(env, OBJ_TCB, 0, 14);
	CHECK_ERR(tcb_write_registers(t, VA_T, VA_T + 0x1000, 0), E_OK);
	CHECK_ERR(tcb_set_priority(t, ROOT_TASK_PRIORITY + 10), E_OK);
	CHECK_ERR(tcb_set_vspace(t, space), E_OK);
	CHECK_ERR(tcb_resume(t), E_OK);	/* it reads, calls, and waits for us */
	struct msg m = ipc_recv(ep);
	CHECK(m.err == E_OK);
	return m.mr[0];
}

/* Replies to the reader, which reads again at once and calls back: the value it saw. */
static uint64_t read_again(struct test_env *env)
{
	CHECK_ERR(sys_reply(0, 0), E_OK);
	struct msg m = ipc_recv(S(13));
	CHECK(m.err == E_OK);
	return m.mr[0];
}

/* Frames A and B, seen by us at VA_U + 0x1000 and + 0x2000 (tables S(20..22)), with their values. */
static void two_frames(struct test_env *env, uint64_t a, uint64_t b)
{
	tables_at(env, VS, VA_U, 20);
	CHECK_ERR(frame_map(test_make(env, OBJ_FRAME_4K, 0, a), VS, VA_U + 0x1000, CAP_WRITE), E_OK);
	CHECK_ERR(frame_map(test_make(env, OBJ_FRAME_4K, 0, b), VS, VA_U + 0x2000, CAP_WRITE), E_OK);
	*word(VA_U + 0x1000) = A_VALUE;
	*word(VA_U + 0x2000) = B_VALUE;
}

static void clean(struct test_env *env)
{
	(void)tcb_suspend(S(14));
	for (unsigned k = 0; k < 64; k++)
		(void)cnode_delete(ROOT, S(k));
}

/* Frame A at va in the other space; we replace it with B while that space is not running. */
static void unmap_in_other_space(struct test_env *env)
{
	two_frames(env, 30, 31);
	CHECK_ERR(cnode_copy(ROOT, S(32), S(30), CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(cnode_copy(ROOT, S(33), S(31), CAP_ALL_RIGHTS), E_OK);
	CHECK(start_reader(env, S(32)) == A_VALUE);	/* the reader's TLB now maps A */
	CHECK_ERR(frame_unmap(S(32)), E_OK);
	CHECK_ERR(frame_map(S(33), S(0), VA_T + 0x1000, 0), E_OK);
	CHECK(read_again(env) == B_VALUE);
	/* A whole page table goes: the new one maps A at the same place again. */
	CHECK_ERR(page_table_unmap(S(3)), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 34), S(0), VA_T), E_OK);
	CHECK_ERR(cnode_copy(ROOT, S(35), S(4), CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(frame_map(S(35), S(0), VA_T, CAP_EXEC), E_OK);
	CHECK_ERR(frame_map(S(32), S(0), VA_T + 0x1000, 0), E_OK);
	CHECK(read_again(env) == A_VALUE);
	clean(env);
}

/* The other space is destroyed; the next one takes its number and must not see its entries. */
static void reused_space_number_starts_clean(struct test_env *env)
{
	two_frames(env, 30, 31);
	CHECK_ERR(cnode_copy(ROOT, S(32), S(30), CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(cnode_copy(ROOT, S(33), S(31), CAP_ALL_RIGHTS), E_OK);
	CHECK(start_reader(env, S(32)) == A_VALUE);
	CHECK_ERR(cnode_delete(ROOT, S(14)), E_OK);	/* the reader */
	for (unsigned k = 0; k <= 4; k++)		/* its space, tables and code frame */
		CHECK_ERR(cnode_delete(ROOT, S(k)), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(32)), E_OK);	/* A's mapping there */
	for (unsigned k = 6; k <= 9; k++)		/* our view of the code */
		CHECK_ERR(cnode_delete(ROOT, S(k)), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(13)), E_OK);
	CHECK(start_reader(env, S(33)) == B_VALUE);	/* same number, same addresses, frame B */
	clean(env);
}

/* In the running space the unmap itself must invalidate: no switch comes in between. */
static void unmap_in_running_space(struct test_env *env)
{
	two_frames(env, 30, 31);
	CHECK_ERR(cnode_copy(ROOT, S(32), S(30), CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(cnode_copy(ROOT, S(33), S(31), CAP_ALL_RIGHTS), E_OK);
	uint64_t va = VA_U + 0x200000;	/* the next 2 MiB: a page table of its own */
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 23), VS, va), E_OK);
	CHECK_ERR(frame_map(S(32), VS, va, 0), E_OK);
	CHECK(*word(va) == A_VALUE);	/* cached */
	CHECK_ERR(frame_unmap(S(32)), E_OK);
	CHECK_ERR(frame_map(S(33), VS, va, 0), E_OK);
	CHECK(*word(va) == B_VALUE);
	/* The page table goes; a new one maps A there again. */
	CHECK_ERR(page_table_unmap(S(23)), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 34), VS, va), E_OK);
	CHECK_ERR(frame_map(S(32), VS, va, 0), E_OK);
	CHECK(*word(va) == A_VALUE);
	clean(env);
}

const struct test_case tlb_tests[] = {
	{ "unmap_in_running_space", unmap_in_running_space },
	{ "unmap_in_other_space", unmap_in_other_space },
	{ "reused_space_number_starts_clean", reused_space_number_starts_clean },
};
const unsigned tlb_ntests = sizeof(tlb_tests) / sizeof(tlb_tests[0]);
