/* In-kernel test suite, capabilities: CSpace, CNode and Untyped invocations from user level. */
#include "cap.h"
#include "test.h"
#include "tests.h"

#define ROOT CAP_INIT_CNODE

#define big_untyped(env) test_big_untyped((env)->bi)

/* A fresh 16 KiB untyped in slot S(k), carved from the big one. */
static uint64_t small_untyped(struct test_env *env, unsigned k)
{
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_UNTYPED, 14, ROOT, S(k), 1), E_OK);
	return S(k);
}

static void bootinfo_initial_cspace(struct test_env *env)
{
	const struct bootinfo *bi = env->bi;
	uint64_t total = 0;

	CHECK(bi->cnode_radix == 14);
	CHECK(bi->untyped_count > 0 && bi->untyped_count <= BOOTINFO_MAX_UNTYPED);
	CHECK(bi->xsignal_first == CAP_INIT_CONSOLE + 1);
	CHECK(bi->shared_bits == 0);	/* no spec blob asked for a shared pool */
	CHECK(bi->xsignal_count == bi->ninstances - 1);
	CHECK(bi->untyped_first == bi->xsignal_first + bi->xsignal_count);
	CHECK(bi->empty_first == bi->untyped_first + bi->untyped_count);
	for (unsigned i = 0; i < bi->untyped_count; i++) {
		total += 1ull << bi->untyped[i].size_bits;
		CHECK(bi->untyped[i].paddr % (1ull << bi->untyped[i].size_bits) == 0);
		CHECK(bi->untyped[i].paddr >= bi->mem_base);
	}
	CHECK(total <= bi->mem_bytes && total >= bi->mem_bytes / 2);
}

static void retype_endpoints_fill_slots(struct test_env *env)
{
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_ENDPOINT, 0, ROOT, S(0), 3), E_OK);
	for (unsigned i = 0; i < 3; i++)
		CHECK_ERR(cnode_copy(ROOT, S(10 + i), S(i), CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(cnode_copy(ROOT, S(20), S(3), CAP_ALL_RIGHTS), E_EMPTY);	/* only three */
}

static void retype_refuses_full_slot(struct test_env *env)
{
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_NOTIFICATION, 0, ROOT, S(1), 1), E_OK);
	struct call_result r = atoll_call(big_untyped(env), INV_UNTYPED_RETYPE,
					  RETYPE_ARGS(OBJ_NOTIFICATION, 0), ROOT, S(0), 2);
	CHECK(r.err == E_NOTEMPTY);
	CHECK(r.arg == ARG_MR(2));
	CHECK_ERR(cnode_copy(ROOT, S(5), S(0), CAP_ALL_RIGHTS), E_EMPTY);	/* nothing made */
}

static void retype_count_and_offset_ranges(struct test_env *env)
{
	struct call_result r = atoll_call(big_untyped(env), INV_UNTYPED_RETYPE,
					  RETYPE_ARGS(OBJ_ENDPOINT, 0), ROOT, S(0), 0);
	CHECK(r.err == E_RANGE && r.arg == ARG_MR(3));
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_ENDPOINT, 0, ROOT, S(0), 257), E_RANGE);
	r = atoll_call(big_untyped(env), INV_UNTYPED_RETYPE, RETYPE_ARGS(OBJ_ENDPOINT, 0), ROOT,
		       (1u << env->bi->cnode_radix) - 2, 3);	/* runs off the root CNode */
	CHECK(r.err == E_RANGE && r.arg == ARG_MR(2));
}

static void retype_bad_types(struct test_env *env)
{
	struct call_result r = atoll_call(big_untyped(env), INV_UNTYPED_RETYPE, RETYPE_ARGS(99, 0),
					  ROOT, S(0), 1);
	CHECK(r.err == E_INVAL && r.arg == ARG_MR(0));
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_IRQ_HANDLER, 0, ROOT, S(0), 1), E_INVAL);
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_CNODE, 0, ROOT, S(0), 1), E_RANGE);
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_UNTYPED, 3, ROOT, S(0), 1), E_RANGE);
}

static void retype_too_big(struct test_env *env)
{
	uint64_t ut = small_untyped(env, 0);
	struct call_result r = atoll_call(ut, INV_UNTYPED_RETYPE, RETYPE_ARGS(OBJ_FRAME_2M, 0), ROOT,
					  S(1), 1);
	CHECK(r.err == E_NOMEM && r.arg == ARG_MR(3));
	CHECK_ERR(untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT, S(1), 5), E_NOMEM);
	CHECK_ERR(untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT, S(1), 4), E_OK);
}

static void retype_dest_must_be_cnode(struct test_env *env)
{
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_ENDPOINT, 0, ROOT, S(0), 1), E_OK);
	struct call_result r = atoll_call(big_untyped(env), INV_UNTYPED_RETYPE,
					  RETYPE_ARGS(OBJ_ENDPOINT, 0), S(0), 0, 1);
	CHECK(r.err == E_WRONGTYPE && r.arg == ARG_MR(1));
}

static void wrong_label_for_type(struct test_env *env)
{
	struct call_result r = atoll_call(ROOT, INV_UNTYPED_RETYPE, 0, 0, 0, 1);
	CHECK(r.err == E_INVAL && r.arg == ARG_CAP);
	r = atoll_call(ROOT, 999, 0, 0, 0, 0);
	CHECK(r.err == E_INVAL && r.arg == ARG_CAP);
	r = atoll_call(big_untyped(env), INV_CNODE_COPY, S(0), ROOT, 0, 0);
	CHECK(r.err == E_INVAL && r.arg == ARG_CAP);
}

static void lookup_failures(struct test_env *env)
{
	struct call_result r = atoll_call(1ull << 40, INV_CNODE_COPY, 0, 0, 0, 0);
	CHECK(r.err == E_LOOKUP && r.arg == ARG_CAP && r.bits_left == 64);
	r = atoll_call(S(7), INV_CNODE_COPY, 0, 0, 0, 0);
	CHECK(r.err == E_EMPTY && r.arg == ARG_CAP);
	r = atoll_call(ROOT, INV_CNODE_COPY, S(1), 1ull << 63, 0, 0);
	CHECK(r.err == E_LOOKUP && r.arg == ARG_MR(1));
}

static void copy_errors(struct test_env *env)
{
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_ENDPOINT, 0, ROOT, S(0), 2), E_OK);
	struct call_result r = atoll_call(ROOT, INV_CNODE_COPY, S(1), S(0), CNODE_ARGS(CAP_ALL_RIGHTS, 0, 0, 0), 0);
	CHECK(r.err == E_NOTEMPTY && r.arg == ARG_MR(0));
	r = atoll_call(ROOT, INV_CNODE_COPY, S(3), S(2), CNODE_ARGS(CAP_ALL_RIGHTS, 0, 0, 0), 0);
	CHECK(r.err == E_EMPTY && r.arg == ARG_MR(1));
}

static void copy_reduces_rights(struct test_env *env)
{
	/* A read-only copy of the root CNode cannot be used to change the CSpace. */
	CHECK_ERR(cnode_copy(ROOT, S(0), ROOT, CAP_READ), E_OK);
	struct call_result r = atoll_call(S(0), INV_CNODE_COPY, S(2), ROOT,
					  CNODE_ARGS(CAP_ALL_RIGHTS, 0, 0, 0), 0);
	CHECK(r.err == E_RIGHTS && r.arg == ARG_CAP);
	CHECK_ERR(cnode_delete(S(0), S(0)), E_RIGHTS);
	/* Rights never grow back: a copy of the copy with all rights is still read-only. */
	CHECK_ERR(cnode_copy(ROOT, S(1), S(0), CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(cnode_copy(S(1), S(2), ROOT, CAP_ALL_RIGHTS), E_RIGHTS);
	CHECK_ERR(cnode_revoke(ROOT, S(0)), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);
}

static void mint_badge_rules(struct test_env *env)
{
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_ENDPOINT, 0, ROOT, S(0), 1), E_OK);
	CHECK_ERR(cnode_mint(ROOT, S(1), S(0), CAP_ALL_RIGHTS, 5), E_OK);
	struct call_result r = atoll_call(ROOT, INV_CNODE_MINT, S(2), S(1),
					  CNODE_ARGS(CAP_ALL_RIGHTS, 0, 0, 0), 6);
	CHECK(r.err == E_INVAL && r.arg == ARG_MR(3));
	CHECK_ERR(cnode_mint(ROOT, S(2), S(1), CAP_ALL_RIGHTS, 5), E_OK);
	CHECK_ERR(cnode_mint(ROOT, S(3), big_untyped(env), CAP_ALL_RIGHTS, 1), E_REVOKE);
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_FRAME_4K, 0, ROOT, S(4), 1), E_OK);
	CHECK_ERR(cnode_mint(ROOT, S(5), S(4), CAP_ALL_RIGHTS, 1), E_INVAL);
}

static void move_empties_source(struct test_env *env)
{
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_NOTIFICATION, 0, ROOT, S(0), 1), E_OK);
	CHECK_ERR(cnode_move(ROOT, S(1), S(0)), E_OK);
	CHECK_ERR(cnode_copy(ROOT, S(2), S(0), CAP_ALL_RIGHTS), E_EMPTY);
	CHECK_ERR(cnode_copy(ROOT, S(2), S(1), CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(cnode_move(ROOT, S(2), S(1)), E_NOTEMPTY);
}

static void mutate_sets_badge(struct test_env *env)
{
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_ENDPOINT, 0, ROOT, S(0), 1), E_OK);
	CHECK_ERR(cnode_mutate(ROOT, S(1), S(0), 9), E_OK);
	CHECK_ERR(cnode_copy(ROOT, S(2), S(0), CAP_ALL_RIGHTS), E_EMPTY);
	CHECK_ERR(cnode_mint(ROOT, S(2), S(1), CAP_ALL_RIGHTS, 10), E_INVAL);	/* badged now */
	CHECK_ERR(cnode_mint(ROOT, S(2), S(1), CAP_ALL_RIGHTS, 9), E_OK);
}

static void delete_empties_slot(struct test_env *env)
{
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_ENDPOINT, 0, ROOT, S(0), 1), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);
	CHECK_ERR(cnode_copy(ROOT, S(1), S(0), CAP_ALL_RIGHTS), E_EMPTY);
	CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);	/* an empty slot is no error */
}

static void revoke_removes_copies(struct test_env *env)
{
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_ENDPOINT, 0, ROOT, S(0), 1), E_OK);
	CHECK_ERR(cnode_copy(ROOT, S(1), S(0), CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(cnode_copy(ROOT, S(2), S(1), CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(cnode_mint(ROOT, S(3), S(0), CAP_ALL_RIGHTS, 4), E_OK);
	CHECK_ERR(cnode_revoke(ROOT, S(0)), E_OK);
	for (unsigned i = 1; i <= 3; i++)
		CHECK_ERR(cnode_copy(ROOT, S(9), S(i), CAP_ALL_RIGHTS), E_EMPTY);
	CHECK_ERR(cnode_copy(ROOT, S(9), S(0), CAP_ALL_RIGHTS), E_OK);	/* the original stays */
}

static void delete_original_keeps_copies(struct test_env *env)
{
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_ENDPOINT, 0, ROOT, S(0), 1), E_OK);
	CHECK_ERR(cnode_copy(ROOT, S(1), S(0), CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(cnode_copy(ROOT, S(2), S(1), CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(1)), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);
	CHECK_ERR(cnode_copy(ROOT, S(3), S(2), CAP_ALL_RIGHTS), E_OK);
}

static void revoke_untyped_allows_reuse(struct test_env *env)
{
	uint64_t ut = small_untyped(env, 0);

	CHECK_ERR(untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT, S(1), 4), E_OK);
	CHECK_ERR(untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT, S(5), 1), E_NOMEM);
	CHECK_ERR(cnode_delete(ROOT, S(1)), E_OK);
	CHECK_ERR(untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT, S(5), 1), E_NOMEM);	/* children live */
	CHECK_ERR(cnode_revoke(ROOT, ut), E_OK);
	for (unsigned i = 2; i <= 4; i++)
		CHECK_ERR(cnode_copy(ROOT, S(9), S(i), CAP_ALL_RIGHTS), E_EMPTY);
	CHECK_ERR(untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT, S(1), 4), E_OK);
}

static void untyped_copy_with_children_refused(struct test_env *env)
{
	uint64_t ut = small_untyped(env, 0);

	CHECK_ERR(cnode_copy(ROOT, S(1), ut, CAP_ALL_RIGHTS), E_OK);	/* no children yet */
	CHECK_ERR(untyped_retype(ut, OBJ_ENDPOINT, 0, ROOT, S(2), 1), E_OK);
	struct call_result r = atoll_call(ROOT, INV_CNODE_COPY, S(3), ut,
					  CNODE_ARGS(CAP_ALL_RIGHTS, 0, 0, 0), 0);
	CHECK(r.err == E_REVOKE && r.arg == ARG_MR(1));
}

static void retype_into_new_cnode(struct test_env *env)
{
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_CNODE, 4, ROOT, S(0), 1), E_OK);
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_ENDPOINT, 0, S(0), 3, 1), E_OK);
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_ENDPOINT, 0, S(0), 3, 1), E_NOTEMPTY);
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_ENDPOINT, 0, S(0), 15, 2), E_RANGE);
	/* Deleting the only cap to the CNode destroys it and what it held. */
	CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);
	CHECK_ERR(untyped_retype(big_untyped(env), OBJ_ENDPOINT, 0, S(0), 3, 1), E_EMPTY);
}

static void unknown_syscall_and_bad_pointers(struct test_env *env)
{
	CHECK(atoll_syscall(99, 0, 0, 0, 0, 0, 0).err == E_NOSYS);
	CHECK(sys_debug_puts(0xFFFF800000000000ull, 4) == E_INVAL);
	CHECK(sys_debug_puts(0x1000, 4) == E_INVAL);	/* unmapped user address */
	CHECK(sys_debug_puts((uint64_t)(uintptr_t)"x", 300) == E_RANGE);
}

const struct test_case cspace_tests[] = {
	{ "bootinfo_initial_cspace", bootinfo_initial_cspace },
	{ "retype_endpoints_fill_slots", retype_endpoints_fill_slots },
	{ "retype_refuses_full_slot", retype_refuses_full_slot },
	{ "retype_count_and_offset_ranges", retype_count_and_offset_ranges },
	{ "retype_bad_types", retype_bad_types },
	{ "retype_too_big", retype_too_big },
	{ "retype_dest_must_be_cnode", retype_dest_must_be_cnode },
	{ "wrong_label_for_type", wrong_label_for_type },
	{ "lookup_failures", lookup_failures },
	{ "copy_errors", copy_errors },
	{ "copy_reduces_rights", copy_reduces_rights },
	{ "mint_badge_rules", mint_badge_rules },
	{ "move_empties_source", move_empties_source },
	{ "mutate_sets_badge", mutate_sets_badge },
	{ "delete_empties_slot", delete_empties_slot },
	{ "revoke_removes_copies", revoke_removes_copies },
	{ "delete_original_keeps_copies", delete_original_keeps_copies },
	{ "revoke_untyped_allows_reuse", revoke_untyped_allows_reuse },
	{ "untyped_copy_with_children_refused", untyped_copy_with_children_refused },
	{ "retype_into_new_cnode", retype_into_new_cnode },
	{ "unknown_syscall_and_bad_pointers", unknown_syscall_and_bad_pointers },
};
const unsigned cspace_ntests = sizeof(cspace_tests) / sizeof(cspace_tests[0]);
