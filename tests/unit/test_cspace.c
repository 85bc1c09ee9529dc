/* Unit tests: capability addressing, the derivation tree, finality, revoke. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "kobj_host.h"
#include "obj/cnode.h"

#define ROOT_PA HOST_PHYS_BASE	/* radix 14: 16384 slots, 1 MiB */
#define SUB_PA (HOST_PHYS_BASE + (2u << 20))
#define EP_PA (HOST_PHYS_BASE + (4u << 20))

static struct cap root;

static int setup(void **state)
{
	host_setup(state);
	root = host_cnode(ROOT_PA, 14, 50, 0);
	return 0;
}

static struct cte *slot(unsigned i)
{
	return host_slot(&root, i);
}

/* A cap with no parent: stands for what the kernel gives the root task at boot. */
static struct cte *put(unsigned i, uint8_t type, paddr_t obj)
{
	struct cte *s = slot(i);
	s->cap = (struct cap){ .type = type, .rights = CAP_ALL_RIGHTS, .obj = obj };
	return s;
}

static void test_lookup_one_level(void **state)
{
	struct cte *s;
	unsigned left = 99;

	(void)state;
	assert_int_equal(cspace_lookup(&root, 5, 64, &s, &left), E_OK);
	assert_ptr_equal(s, slot(5));
	assert_int_equal(left, 0);
	assert_int_equal(cspace_lookup(&root, 16383, 64, &s, NULL), E_OK);
	assert_ptr_equal(s, slot(16383));
}

static void test_guard_mismatch(void **state)
{
	struct cte *s = NULL;
	unsigned left = 0;

	(void)state;
	assert_int_equal(cspace_lookup(&root, 1ull << 63 | 5, 64, &s, &left), E_LOOKUP);
	assert_int_equal(left, 64);
	assert_null(s);
	root.data = 3;	/* guard 3 in the top 50 bits */
	assert_int_equal(cspace_lookup(&root, 3ull << 14 | 7, 64, &s, &left), E_OK);
	assert_ptr_equal(s, slot(7));
}

static void test_two_levels(void **state)
{
	struct cte *s;
	unsigned left;

	(void)state;
	/* Root: guard 0 of 4 bits + radix 4 = 8 bits; slot 3 holds a radix-4 CNode: 12 bits. */
	struct cap r = host_cnode(ROOT_PA, 4, 4, 0);
	host_slot(&r, 3)->cap = host_cnode(SUB_PA, 4, 0, 0);
	struct cap sub = host_slot(&r, 3)->cap;
	assert_int_equal(cspace_lookup(&r, 0x035, 12, &s, &left), E_OK);
	assert_ptr_equal(s, host_slot(&sub, 5));
	/* Depth 8 stops at the CNode cap's own slot. */
	assert_int_equal(cspace_lookup(&r, 0x03, 8, &s, &left), E_OK);
	assert_ptr_equal(s, host_slot(&r, 3));
	/* Depth 10: two bits left, the next level needs four. */
	assert_int_equal(cspace_lookup(&r, 0x0D, 10, &s, &left), E_DEPTH);
	assert_int_equal(left, 2);
	/* Bits left, but slot 4 is empty (not a CNode). */
	assert_int_equal(cspace_lookup(&r, 0x045, 12, &s, &left), E_DEPTH);
	assert_int_equal(left, 4);
}

static void test_bad_depth_and_root(void **state)
{
	struct cte *s;
	struct cap frame = { .type = OBJ_FRAME_4K, .obj = EP_PA };

	(void)state;
	assert_int_equal(cspace_lookup(&root, 1, 0, &s, NULL), E_DEPTH);
	assert_int_equal(cspace_lookup(&root, 1, 65, &s, NULL), E_DEPTH);
	assert_int_equal(cspace_lookup(&root, 1, 32, &s, NULL), E_DEPTH);	/* guard alone is 50 */
	assert_int_equal(cspace_lookup(&frame, 1, 64, &s, NULL), E_LOOKUP);
}

static void test_copy_rights_and_errors(void **state)
{
	(void)state;
	struct cte *ep = put(1, OBJ_ENDPOINT, EP_PA);
	assert_int_equal(cnode_decode_copy(ep, slot(2)), E_OK);
	cnode_invoke_copy(ep, slot(2), CAP_READ | CAP_GRANT);
	assert_int_equal(slot(2)->cap.rights, CAP_READ | CAP_GRANT);
	assert_ptr_equal(slot(2)->parent, ep);
	assert_int_equal(cnode_decode_copy(ep, slot(2)), E_NOTEMPTY);
	assert_int_equal(cnode_decode_copy(slot(3), slot(4)), E_EMPTY);
	/* Rights only shrink: copying back with all rights keeps the reduced set. */
	cnode_invoke_copy(slot(2), slot(3), CAP_ALL_RIGHTS);
	assert_int_equal(slot(3)->cap.rights, CAP_READ | CAP_GRANT);
}

static void test_mint_badges_and_guards(void **state)
{
	(void)state;
	struct cte *ep = put(1, OBJ_ENDPOINT, EP_PA);
	assert_int_equal(cnode_decode_mint(ep, slot(2), 42, 0), E_OK);
	cnode_invoke_mint(ep, slot(2), CAP_ALL_RIGHTS, 42, 0);
	assert_true(slot(2)->cap.data == 42);
	assert_int_equal(cnode_decode_mint(slot(2), slot(3), 43, 0), E_INVAL);	/* re-badge */
	assert_int_equal(cnode_decode_mint(slot(2), slot(3), 42, 0), E_OK);	/* same badge */
	struct cte *fr = put(5, OBJ_FRAME_4K, EP_PA + 4096);
	assert_int_equal(cnode_decode_mint(fr, slot(6), 1, 0), E_INVAL);
	assert_int_equal(cnode_decode_mint(fr, slot(6), 0, 0), E_OK);
	struct cte *cn = slot(7);
	cn->cap = host_cnode(SUB_PA, 8, 0, 0);
	assert_int_equal(cnode_decode_mint(cn, slot(8), 0, 57), E_RANGE);	/* 8 + 57 > 64 */
	assert_int_equal(cnode_decode_mint(cn, slot(8), 4, 2), E_RANGE);	/* 4 needs 3 bits */
	assert_int_equal(cnode_decode_mint(cn, slot(8), 3, 56), E_OK);
	cnode_invoke_mint(cn, slot(8), CAP_ALL_RIGHTS, 3, 56);
	assert_int_equal(slot(8)->cap.guard_bits, 56);
	assert_true(slot(8)->cap.data == 3);
}

static void test_move_keeps_tree_position(void **state)
{
	(void)state;
	struct cte *a = put(1, OBJ_ENDPOINT, EP_PA);
	cnode_invoke_copy(a, slot(2), CAP_ALL_RIGHTS);
	cnode_invoke_copy(slot(2), slot(3), CAP_ALL_RIGHTS);
	cnode_invoke_copy(a, slot(4), CAP_ALL_RIGHTS);	/* a sibling of slot 2 */
	assert_int_equal(cnode_decode_move(slot(2), slot(10)), E_OK);
	cnode_invoke_move(slot(2), slot(10));
	assert_int_equal(slot(2)->cap.type, OBJ_NULL);
	assert_ptr_equal(slot(10)->parent, a);
	assert_ptr_equal(slot(3)->parent, slot(10));
	assert_int_equal(cnode_decode_move(slot(2), slot(11)), E_EMPTY);
	assert_int_equal(cnode_decode_move(slot(10), slot(4)), E_NOTEMPTY);
	cspace_revoke(a);
	assert_int_equal(slot(10)->cap.type, OBJ_NULL);
	assert_int_equal(slot(3)->cap.type, OBJ_NULL);
	assert_int_equal(slot(4)->cap.type, OBJ_NULL);
	assert_null(a->first_child);
}

static void test_mutate(void **state)
{
	(void)state;
	struct cte *ep = put(1, OBJ_ENDPOINT, EP_PA);
	assert_int_equal(cnode_decode_mutate(ep, slot(2), 7, 0), E_OK);
	cnode_invoke_mutate(ep, slot(2), 7, 0);
	assert_int_equal(slot(1)->cap.type, OBJ_NULL);
	assert_true(slot(2)->cap.data == 7);
	assert_int_equal(cnode_decode_mutate(slot(2), slot(3), 8, 0), E_INVAL);
}

static void test_delete_reparents_children(void **state)
{
	(void)state;
	struct cte *a = put(1, OBJ_ENDPOINT, EP_PA);
	cnode_invoke_copy(a, slot(2), CAP_ALL_RIGHTS);
	cnode_invoke_copy(slot(2), slot(3), CAP_ALL_RIGHTS);
	cnode_invoke_delete(slot(2));
	assert_int_equal(slot(2)->cap.type, OBJ_NULL);
	assert_ptr_equal(slot(3)->parent, a);
	assert_int_equal(nfinalised, 0);
	cspace_revoke(a);
	assert_int_equal(slot(3)->cap.type, OBJ_NULL);
	assert_int_equal(nfinalised, 0);	/* a still holds the endpoint */
	cnode_invoke_delete(slot(9));		/* an empty slot: nothing happens */
	assert_int_equal(nfinalised, 0);
}

static void test_revoke_deep_chain(void **state)
{
	(void)state;
	struct cte *a = put(0, OBJ_ENDPOINT, EP_PA);
	for (unsigned i = 1; i <= 10000; i++)
		cnode_invoke_copy(slot(i - 1), slot(i), CAP_ALL_RIGHTS);
	cspace_revoke(a);
	for (unsigned i = 1; i <= 10000; i++)
		assert_int_equal(slot(i)->cap.type, OBJ_NULL);
	assert_null(a->first_child);
	assert_int_equal(nfinalised, 0);
}

static void test_revoke_wide_tree(void **state)
{
	(void)state;
	struct cte *a = put(0, OBJ_NOTIFICATION, EP_PA);
	for (unsigned i = 1; i <= 5000; i++)
		cnode_invoke_copy(a, slot(i), CAP_ALL_RIGHTS);
	for (unsigned i = 1; i <= 100; i++)	/* and grandchildren */
		cnode_invoke_copy(slot(i), slot(5000 + i), CAP_ALL_RIGHTS);
	cspace_revoke(a);
	for (unsigned i = 1; i <= 5100; i++)
		assert_int_equal(slot(i)->cap.type, OBJ_NULL);
	assert_int_equal(a->cap.type, OBJ_NOTIFICATION);	/* revoke leaves the slot itself */
}

static void test_finality(void **state)
{
	(void)state;
	struct cte *ut = put(0, OBJ_UNTYPED, EP_PA);
	ut->cap.size_bits = 12;
	/* An endpoint made from ut, then copied, moved, and its original deleted. */
	slot(1)->cap = (struct cap){ .type = OBJ_ENDPOINT, .rights = CAP_ALL_RIGHTS, .obj = EP_PA };
	cspace_insert_child(ut, slot(1));
	slot(2)->cap = (struct cap){ .type = OBJ_ENDPOINT, .rights = CAP_ALL_RIGHTS, .obj = EP_PA + 64 };
	cspace_insert_child(ut, slot(2));
	assert_true(cspace_is_final(slot(1)));
	cnode_invoke_copy(slot(1), slot(3), CAP_ALL_RIGHTS);
	assert_false(cspace_is_final(slot(1)));
	assert_false(cspace_is_final(slot(3)));
	cnode_invoke_move(slot(3), slot(4));
	cnode_invoke_delete(slot(1));	/* slot 4 goes to ut, beside the other endpoint */
	assert_int_equal(nfinalised, 0);
	assert_ptr_equal(slot(4)->parent, ut);
	assert_true(cspace_is_final(slot(4)));
	cnode_invoke_delete(slot(4));
	assert_int_equal(nfinalised, 1);
	assert_int_equal(finalised_count(EP_PA), 1);
	assert_int_equal(finalised[0].type, OBJ_ENDPOINT);
	/* Revoking ut finalises the other endpoint exactly once too. */
	cnode_invoke_copy(slot(2), slot(5), CAP_READ);
	cspace_revoke(ut);
	assert_int_equal(finalised_count(EP_PA + 64), 1);
	assert_int_equal(nfinalised, 2);
}

static void test_cnode_holding_itself(void **state)
{
	(void)state;
	struct cte *ut = put(0, OBJ_UNTYPED, SUB_PA);
	ut->cap.size_bits = 20;
	slot(1)->cap = host_cnode(SUB_PA, 4, 0, 0);
	cspace_insert_child(ut, slot(1));
	struct cap sub = slot(1)->cap;
	/* The CNode holds a copy of its own cap, and an endpoint. */
	cnode_invoke_copy(slot(1), host_slot(&sub, 0), CAP_ALL_RIGHTS);
	host_slot(&sub, 5)->cap = (struct cap){ .type = OBJ_ENDPOINT, .obj = EP_PA };
	cspace_insert_child(ut, host_slot(&sub, 5));
	/* Not final: the copy inside still names it. Deleting the outer cap leaves it alive. */
	assert_false(cspace_is_final(slot(1)));
	cspace_revoke(ut);	/* must end, and destroy both objects once */
	assert_int_equal(finalised_count(SUB_PA), 1);
	assert_int_equal(finalised_count(EP_PA), 1);
	assert_int_equal(host_slot(&sub, 0)->cap.type, OBJ_NULL);
	assert_int_equal(host_slot(&sub, 5)->cap.type, OBJ_NULL);
	assert_null(ut->first_child);
}

static void test_cnode_cycle(void **state)
{
	(void)state;
	paddr_t x_pa = SUB_PA, y_pa = SUB_PA + 4096;
	struct cte *ut = put(0, OBJ_UNTYPED, SUB_PA);
	ut->cap.size_bits = 20;
	slot(1)->cap = host_cnode(x_pa, 4, 0, 0);
	cspace_insert_child(ut, slot(1));
	slot(2)->cap = host_cnode(y_pa, 4, 0, 0);
	cspace_insert_child(ut, slot(2));
	struct cap x = slot(1)->cap, y = slot(2)->cap;
	cnode_invoke_copy(slot(2), host_slot(&x, 1), CAP_ALL_RIGHTS);	/* X holds Y */
	cnode_invoke_copy(slot(1), host_slot(&y, 1), CAP_ALL_RIGHTS);	/* Y holds X */
	cnode_invoke_delete(slot(1));
	cnode_invoke_delete(slot(2));
	assert_int_equal(nfinalised, 0);	/* each still named from inside the other */
	cspace_revoke(ut);
	assert_int_equal(finalised_count(x_pa), 1);
	assert_int_equal(finalised_count(y_pa), 1);
	assert_null(ut->first_child);
}

static void test_nested_cnodes_no_recursion(void **state)
{
	(void)state;
	/* A chain of 200 CNodes, each holding the only cap to the next. */
	struct cte *ut = put(0, OBJ_UNTYPED, SUB_PA);
	ut->cap.size_bits = 21;
	struct cte *holder = slot(1);
	for (unsigned i = 0; i < 200; i++) {
		holder->cap = host_cnode(SUB_PA + 1024ull * i, 4, 0, 0);
		cspace_insert_child(ut, holder);
		holder = host_slot(&holder->cap, 3);
	}
	cnode_invoke_delete(slot(1));
	assert_int_equal(nfinalised, 200);
	assert_null(ut->first_child);
}

static void test_mapping_belongs_to_cap(void **state)
{
	(void)state;
	struct cte *f = put(1, OBJ_FRAME_4K, EP_PA);
	f->cap.flags |= CAP_FLAG_MAPPED;
	f->cap.data = 0x10000000000ull;
	cnode_invoke_copy(f, slot(2), CAP_ALL_RIGHTS);
	assert_false(slot(2)->cap.flags & CAP_FLAG_MAPPED);
	assert_true(slot(2)->cap.data == 0);
	assert_true(f->cap.flags & CAP_FLAG_MAPPED);	/* the original keeps its mapping */
	/* Every deleted cap is reported (to undo its mapping), not only the last one. */
	cnode_invoke_delete(slot(2));
	assert_int_equal(ncap_deleted, 1);
	assert_int_equal(nfinalised, 0);
	cnode_invoke_delete(f);
	assert_int_equal(ncap_deleted, 2);
	assert_int_equal(nfinalised, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_lookup_one_level, setup),
		cmocka_unit_test_setup(test_guard_mismatch, setup),
		cmocka_unit_test_setup(test_two_levels, setup),
		cmocka_unit_test_setup(test_bad_depth_and_root, setup),
		cmocka_unit_test_setup(test_copy_rights_and_errors, setup),
		cmocka_unit_test_setup(test_mint_badges_and_guards, setup),
		cmocka_unit_test_setup(test_move_keeps_tree_position, setup),
		cmocka_unit_test_setup(test_mutate, setup),
		cmocka_unit_test_setup(test_delete_reparents_children, setup),
		cmocka_unit_test_setup(test_revoke_deep_chain, setup),
		cmocka_unit_test_setup(test_revoke_wide_tree, setup),
		cmocka_unit_test_setup(test_finality, setup),
		cmocka_unit_test_setup(test_cnode_holding_itself, setup),
		cmocka_unit_test_setup(test_cnode_cycle, setup),
		cmocka_unit_test_setup(test_nested_cnodes_no_recursion, setup),
		cmocka_unit_test_setup(test_mapping_belongs_to_cap, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
