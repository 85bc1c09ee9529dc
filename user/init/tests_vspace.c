/* In-kernel test suite, address spaces: page tables and frames mapped by invocation. */
#include "cap.h"
#include "test.h"
#include "tests.h"

#define ROOT CAP_INIT_CNODE
#define VS CAP_INIT_VSPACE

/* Three fresh PML4 slots, far from the image, the stacks and the boot info. */
#define VA_A 0x010000000000ull	/* PML4 slot 2 */
#define VA_B 0x018000000000ull	/* PML4 slot 3, left without tables */

static volatile uint64_t probe_addr, reached;

/* PDPT, PD and PT for VA_A in slots S(0..2). */
static void tables_for_a(struct test_env *env)
{
	CHECK_ERR(page_table_map(test_make(env, OBJ_PDPT, 0, 0), VS, VA_A), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PD, 0, 1), VS, VA_A), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 2), VS, VA_A), E_OK);
}

static void toucher(uint64_t write)
{
	if (write)
		*(volatile uint64_t *)(uintptr_t)probe_addr = 1;
	else
		(void)*(volatile uint64_t *)(uintptr_t)probe_addr;
	reached = 1;
	thread_exit();
}

/*
 * Runs a thread that reads or writes addr with a fault endpoint; returns the
 * fault's page-fault error code, or ~0 if it did not fault (k: first of 3 slots).
 */
static uint64_t touch(struct test_env *env, unsigned k, uint64_t addr, bool write)
{
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, k), t = test_make(env, OBJ_TCB, 0, k + 1);
	uint64_t result = ~0ull;

	probe_addr = addr;
	reached = 0;
	CHECK_ERR(tcb_write_registers(t, (uint64_t)(uintptr_t)toucher,
				      test_stack_top(0), write), E_OK);
	CHECK_ERR(tcb_set_priority(t, ROOT_TASK_PRIORITY + 10), E_OK);
	CHECK_ERR(tcb_set_fault_ep(t, ep), E_OK);
	CHECK_ERR(tcb_resume(t), E_OK);
	if (!reached) {
		struct msg m = ipc_nbrecv(ep);
		CHECK(m.err == E_OK && MSGINFO_LABEL(m.info) == FAULT_LABEL + 14);
		CHECK(m.mr[1] == addr);
		result = m.mr[2];
	}
	CHECK_ERR(cnode_delete(ROOT, t), E_OK);
	CHECK_ERR(cnode_delete(ROOT, ep), E_OK);
	return result;
}

static void map_frame_and_use(struct test_env *env)
{
	tables_for_a(env);
	uint64_t f = test_make(env, OBJ_FRAME_4K, 0, 3);
	CHECK_ERR(frame_map(f, VS, VA_A, CAP_WRITE), E_OK);
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)VA_A;
	CHECK(p[0] == 0 && p[511] == 0);	/* a new frame is zeroed */
	p[7] = 0x1234;
	CHECK(p[7] == 0x1234);
	/* A copy of the cap maps the same frame again, elsewhere. */
	CHECK_ERR(cnode_copy(ROOT, S(4), f, CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(frame_map(S(4), VS, VA_A + 0x1000, 0), E_OK);
	CHECK(((volatile uint64_t *)(uintptr_t)(VA_A + 0x1000))[7] == 0x1234);
	CHECK_ERR(frame_map(f, VS, VA_A + 0x2000, 0), E_BUSY);	/* one mapping per cap */
}

static void map_argument_errors(struct test_env *env)
{
	tables_for_a(env);
	uint64_t f = test_make(env, OBJ_FRAME_4K, 0, 3);
	struct call_result r = atoll_call(f, INV_FRAME_MAP, VS, VA_B, 0, 0);
	CHECK(r.err == E_NOENT && r.arg == ARG_MR(1));	/* no tables there */
	CHECK_ERR(frame_map(f, VS, 0xFFFF800000000000ull, 0), E_RANGE);
	CHECK_ERR(frame_map(f, VS, 0xFFFFFFFF80200000ull, 0), E_RANGE);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 4), VS, 0xFFFF800000000000ull), E_RANGE);
	CHECK_ERR(frame_map(f, VS, VA_A + 8, 0), E_ALIGN);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 5), VS, VA_A), E_BUSY);	/* a PT is there */
	r = atoll_call(f, INV_FRAME_MAP, ROOT, VA_A, 0, 0);
	CHECK(r.err == E_WRONGTYPE && r.arg == ARG_MR(0));
	CHECK_ERR(atoll_call(f, INV_PAGE_TABLE_MAP, VS, VA_A, 0, 0).err, E_INVAL);
	CHECK_ERR(cnode_copy(ROOT, S(6), f, CAP_READ), E_OK);
	r = atoll_call(S(6), INV_FRAME_MAP, VS, VA_A, CAP_WRITE, 0);
	CHECK(r.err == E_RIGHTS && r.arg == ARG_MR(2));
}

static void read_only_frame_refuses_writes(struct test_env *env)
{
	tables_for_a(env);
	uint64_t f = test_make(env, OBJ_FRAME_4K, 0, 3);
	CHECK_ERR(cnode_copy(ROOT, S(4), f, CAP_READ), E_OK);
	CHECK_ERR(frame_map(S(4), VS, VA_A, 0), E_OK);
	CHECK(touch(env, 10, VA_A, false) == ~0ull);	/* reading is fine */
	uint64_t err = touch(env, 20, VA_A, true);
	CHECK(err != ~0ull && (err & 1) && (err & 2));	/* present, write: protection fault */
	CHECK(*(volatile uint64_t *)(uintptr_t)VA_A == 0);	/* nothing was written */
}

static void unmap_and_delete_remove_mappings(struct test_env *env)
{
	tables_for_a(env);
	uint64_t f = test_make(env, OBJ_FRAME_4K, 0, 3);
	CHECK_ERR(frame_map(f, VS, VA_A, CAP_WRITE), E_OK);
	CHECK(touch(env, 10, VA_A, true) == ~0ull);
	CHECK_ERR(frame_unmap(f), E_OK);
	uint64_t err = touch(env, 20, VA_A, false);
	CHECK(err != ~0ull && !(err & 1));	/* not present */
	CHECK_ERR(frame_map(f, VS, VA_A, CAP_WRITE), E_OK);	/* mappable again */
	CHECK_ERR(cnode_delete(ROOT, f), E_OK);
	err = touch(env, 30, VA_A, false);
	CHECK(err != ~0ull && !(err & 1));
	/* Unmapping the page table takes everything below it out of reach. */
	uint64_t g = test_make(env, OBJ_FRAME_4K, 0, 4);
	CHECK_ERR(frame_map(g, VS, VA_A + 0x3000, 0), E_OK);
	CHECK_ERR(page_table_unmap(S(2)), E_OK);
	err = touch(env, 40, VA_A + 0x3000, false);
	CHECK(err != ~0ull && !(err & 1));
}

static void revoke_untyped_unmaps(struct test_env *env)
{
	tables_for_a(env);
	CHECK_ERR(untyped_retype(test_big_untyped(env->bi), OBJ_UNTYPED, 14, ROOT, S(3), 1), E_OK);
	CHECK_ERR(untyped_retype(S(3), OBJ_FRAME_4K, 0, ROOT, S(4), 1), E_OK);
	CHECK_ERR(frame_map(S(4), VS, VA_A, CAP_WRITE), E_OK);
	*(volatile uint64_t *)(uintptr_t)VA_A = 5;
	CHECK_ERR(cnode_revoke(ROOT, S(3)), E_OK);	/* the frame's memory may be reused now */
	uint64_t err = touch(env, 10, VA_A, false);
	CHECK(err != ~0ull && !(err & 1));
}

/* Each case leaves VA_A's tables in place for the next only if it does not clean up: do. */
static void cleanup(struct test_env *env)
{
	for (unsigned k = 0; k < 8; k++)
		(void)cnode_delete(ROOT, S(k));
}

#define CASE(fn)                                   \
	static void fn##_clean(struct test_env *env) \
	{                                          \
		fn(env);                           \
		cleanup(env);                      \
	}
CASE(map_frame_and_use)
CASE(map_argument_errors)
CASE(read_only_frame_refuses_writes)
CASE(unmap_and_delete_remove_mappings)
CASE(revoke_untyped_unmaps)

const struct test_case vspace_tests[] = {
	{ "map_frame_and_use", map_frame_and_use_clean },
	{ "map_argument_errors", map_argument_errors_clean },
	{ "read_only_frame_refuses_writes", read_only_frame_refuses_writes_clean },
	{ "unmap_and_delete_remove_mappings", unmap_and_delete_remove_mappings_clean },
	{ "revoke_untyped_unmaps", revoke_untyped_unmaps_clean },
};
const unsigned vspace_ntests = sizeof(vspace_tests) / sizeof(vspace_tests[0]);
