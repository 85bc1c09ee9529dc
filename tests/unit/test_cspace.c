/* Unit tests: capability addressing, the derivation tree, finality, delete and revoke. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "obj/cnode.h"

/* Fake physical memory: HOST_BASE.. maps to host_mem. */
#define HOST_BASE 0x40000000ull
#define HOST_SIZE (32u << 20)
#define ROOT_PA HOST_BASE			/* radix 14: 16384 slots, 1 MiB */
#define SUB_PA (HOST_BASE + (2u << 20))		/* small CNodes */
#define OBJ_PA (HOST_BASE + (4u << 20))		/* endpoints and other fixed objects */
#define UT_PA (HOST_BASE + (8u << 20))		/* untyped regions for CNodes */

static _Alignas(1u << 21) uint8_t host_mem[HOST_SIZE];

/* What the hooks saw. */
#define LOG_MAX 20000
static struct cap finalised[LOG_MAX];
static unsigned nfinalised, ndeleted;
static unsigned hook_seq, deleted_seq, finalised_seq;
static struct cte *watched;			/* must be empty when its hooks run */
static void (*on_finalise)(const struct cap *cap);

void *kobj_ptr(paddr_t pa)
{
	/* Anything outside the fake memory is a wild pointer in the code under test. */
	assert_true(pa >= HOST_BASE && pa - HOST_BASE < HOST_SIZE);
	return host_mem + (pa - HOST_BASE);
}

void kobj_cap_deleted(const struct cap *cap)
{
	(void)cap;
	ndeleted++;
	deleted_seq = ++hook_seq;
	if (watched) {
		assert_int_equal(watched->cap.type, OBJ_NULL);
		assert_null(watched->parent);
	}
}

void kobj_finalise(const struct cap *cap)
{
	assert_true(nfinalised < LOG_MAX);
	finalised[nfinalised++] = *cap;
	finalised_seq = ++hook_seq;
	if (watched)
		assert_int_equal(watched->cap.type, OBJ_NULL);
	if (on_finalise)
		on_finalise(cap);
}

/* How many times the object (type, obj) was finalised. */
static unsigned times_finalised(uint8_t type, paddr_t obj)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nfinalised; i++)
		if (finalised[i].type == type && finalised[i].obj == obj)
			n++;
	return n;
}

static struct cap root;

static struct cap cnode_cap(paddr_t pa, unsigned radix, unsigned gbits, uint64_t guard)
{
	return (struct cap){ .type = OBJ_CNODE, .rights = CAP_ALL_RIGHTS, .size_bits = (uint8_t)radix,
			     .guard_bits = (uint8_t)gbits, .data = guard, .obj = pa };
}

static int setup(void **state)
{
	(void)state;
	memset(host_mem, 0, HOST_SIZE);
	nfinalised = ndeleted = hook_seq = deleted_seq = finalised_seq = 0;
	watched = NULL;
	on_finalise = NULL;
	root = cnode_cap(ROOT_PA, 14, 50, 0);	/* 50 + 14: a slot index is a whole cptr */
	return 0;
}

static struct cte *slot(unsigned i)
{
	return &cspace_slots(&root)[i];
}

static struct cte *in(const struct cap *cnode, unsigned i)
{
	return &cspace_slots(cnode)[i];
}

/* A cap with no parent, as the kernel makes at boot. */
static struct cte *put(struct cte *s, uint8_t type, paddr_t obj)
{
	s->cap = (struct cap){ .type = type, .rights = CAP_ALL_RIGHTS, .obj = obj };
	cspace_insert_child(NULL, s);
	return s;
}

/* An object's first cap, as retype from ut makes it. */
static struct cte *make(struct cte *ut, struct cte *s, uint8_t type, paddr_t obj)
{
	s->cap = (struct cap){ .type = type, .rights = CAP_ALL_RIGHTS, .obj = obj };
	cspace_insert_child(ut, s);
	return s;
}

static struct cte *make_cnode(struct cte *ut, struct cte *s, paddr_t pa, unsigned radix)
{
	s->cap = cnode_cap(pa, radix, 0, 0);
	cspace_insert_child(ut, s);
	return s;
}

static struct cte *untyped(struct cte *s, paddr_t pa, unsigned bits)
{
	s->cap = (struct cap){ .type = OBJ_UNTYPED, .rights = CAP_ALL_RIGHTS, .size_bits = (uint8_t)bits,
			       .obj = pa };
	cspace_insert_child(NULL, s);
	return s;
}

static struct cte *copy(struct cte *src, struct cte *dst)
{
	assert_int_equal(cnode_decode_copy(src, dst), E_OK);
	cnode_invoke_copy(src, dst, CAP_ALL_RIGHTS);
	return dst;
}

/* ---- addressing ---- */

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
	root.data = 3;	/* guard 3 in the top 50 bits */
	assert_int_equal(cspace_lookup(&root, 3ull << 14 | 7, 64, &s, NULL), E_OK);
	assert_ptr_equal(s, slot(7));
}

static void test_lookup_guard_mismatch(void **state)
{
	struct cte *s = NULL;
	unsigned left = 0;

	(void)state;
	assert_int_equal(cspace_lookup(&root, 1ull << 63 | 5, 64, &s, &left), E_LOOKUP);
	assert_int_equal(left, 64);
	assert_null(s);
	root.data = 3;
	assert_int_equal(cspace_lookup(&root, 7, 64, &s, &left), E_LOOKUP);	/* guard 0 given */
	assert_null(s);
}

/* Root: guard 0xA (4 bits) + radix 4; slot 3: a CNode with guard 0b10 (2 bits) + radix 4. */
static struct cap two_level(void)
{
	struct cap r = cnode_cap(ROOT_PA, 4, 4, 0xA);

	in(&r, 3)->cap = cnode_cap(SUB_PA, 4, 2, 0x2);
	return r;
}

static void test_lookup_two_levels_with_guards(void **state)
{
	struct cap r = two_level(), sub = in(&r, 3)->cap;
	struct cte *s;
	unsigned left = 99;

	(void)state;
	uint64_t cptr = ((0xAull << 4 | 3) << 6) | 2u << 4 | 5;
	assert_int_equal(cspace_lookup(&r, cptr, 14, &s, &left), E_OK);
	assert_ptr_equal(s, in(&sub, 5));
	assert_int_equal(left, 0);
	/* Depth 8 stops at the CNode cap's own slot. */
	assert_int_equal(cspace_lookup(&r, 0xA3, 8, &s, NULL), E_OK);
	assert_ptr_equal(s, in(&r, 3));
	/* The second guard is wrong: 6 bits (its guard and index) were left. */
	s = NULL;
	cptr = ((0xAull << 4 | 3) << 6) | 1u << 4 | 5;
	assert_int_equal(cspace_lookup(&r, cptr, 14, &s, &left), E_LOOKUP);
	assert_int_equal(left, 6);
	assert_null(s);
}

static void test_lookup_full_64_bits(void **state)
{
	/* Three levels of 20+8, 6+10 and 8+12 bits, guards included: exactly 64. */
	struct cap a = cnode_cap(ROOT_PA, 8, 20, 0x92345);
	struct cte *s;

	(void)state;
	in(&a, 0x81)->cap = cnode_cap(SUB_PA, 10, 6, 0x2A);
	struct cap b = in(&a, 0x81)->cap;
	in(&b, 0x3FF)->cap = cnode_cap(UT_PA, 12, 8, 0xC3);
	struct cap c = in(&b, 0x3FF)->cap;
	uint64_t cptr = 0x92345ull << 44 | 0x81ull << 36 | 0x2Aull << 30 | 0x3FFull << 20 |
			0xC3ull << 12 | 0xABC;
	assert_true(cptr >> 63);	/* the top bit is a guard bit here */
	assert_int_equal(cspace_lookup(&a, cptr, 64, &s, NULL), E_OK);
	assert_ptr_equal(s, in(&c, 0xABC));
	assert_int_equal(cspace_lookup(&a, cptr >> 20, 44, &s, NULL), E_OK);
	assert_ptr_equal(s, in(&b, 0x3FF));
}

static void test_lookup_depth_mismatch(void **state)
{
	struct cap r = two_level();
	struct cte *s = NULL;
	unsigned left;

	(void)state;
	/* Too few bits: 2 left after the root, the next level needs 6. */
	assert_int_equal(cspace_lookup(&r, 0xA3ull << 2, 10, &s, &left), E_DEPTH);
	assert_int_equal(left, 2);
	/* Too few for the root itself. */
	assert_int_equal(cspace_lookup(&r, 0x5, 5, &s, &left), E_DEPTH);
	assert_int_equal(left, 5);
	/* Too many: bits left at an endpoint, and at an empty slot. */
	in(&r, 4)->cap = (struct cap){ .type = OBJ_ENDPOINT, .obj = OBJ_PA };
	assert_int_equal(cspace_lookup(&r, 0xA4ull << 4 | 1, 12, &s, &left), E_DEPTH);
	assert_int_equal(left, 4);
	assert_int_equal(cspace_lookup(&r, 0xA6ull << 4 | 1, 12, &s, &left), E_DEPTH);
	assert_int_equal(left, 4);
	assert_null(s);
}

static void test_lookup_bad_depth_and_root(void **state)
{
	struct cte *s = NULL;
	struct cap frame = { .type = OBJ_FRAME_4K, .obj = OBJ_PA };
	unsigned left;

	(void)state;
	assert_int_equal(cspace_lookup(&root, 1, 0, &s, &left), E_DEPTH);
	assert_int_equal(left, 0);
	assert_int_equal(cspace_lookup(&root, 1, 65, &s, &left), E_DEPTH);
	assert_int_equal(cspace_lookup(&root, 1, 32, &s, &left), E_DEPTH);	/* guard alone is 50 */
	assert_int_equal(left, 32);
	assert_int_equal(cspace_lookup(&frame, 1, 64, &s, &left), E_LOOKUP);
	assert_int_equal(left, 64);
	struct cap none = { 0 };
	assert_int_equal(cspace_lookup(&none, 1, 64, &s, NULL), E_LOOKUP);
	assert_null(s);
}

/* ---- copy, mint, move, mutate ---- */

static void test_copy_reduces_rights(void **state)
{
	(void)state;
	struct cte *ep = put(slot(1), OBJ_ENDPOINT, OBJ_PA);
	assert_int_equal(cnode_decode_copy(ep, slot(2)), E_OK);
	cnode_invoke_copy(ep, slot(2), CAP_READ | CAP_GRANT);
	assert_int_equal(slot(2)->cap.rights, CAP_READ | CAP_GRANT);
	assert_true(slot(2)->cap.obj == OBJ_PA);
	assert_ptr_equal(slot(2)->parent, ep);
	assert_ptr_equal(ep->first_child, slot(2));
	/* Rights never grow back. */
	cnode_invoke_copy(slot(2), slot(3), CAP_ALL_RIGHTS);
	assert_int_equal(slot(3)->cap.rights, CAP_READ | CAP_GRANT);
	cnode_invoke_copy(slot(3), slot(4), CAP_WRITE);
	assert_int_equal(slot(4)->cap.rights, 0);
	assert_int_equal(ep->cap.rights, CAP_ALL_RIGHTS);
}

static void test_copy_errors_and_untyped(void **state)
{
	(void)state;
	struct cte *ep = put(slot(1), OBJ_ENDPOINT, OBJ_PA);
	copy(ep, slot(2));
	assert_int_equal(cnode_decode_copy(ep, slot(2)), E_NOTEMPTY);
	assert_int_equal(cnode_decode_copy(ep, ep), E_NOTEMPTY);
	assert_int_equal(cnode_decode_copy(slot(3), slot(4)), E_EMPTY);
	/* Untyped: copies are marked, and allowed only before anything is made from it. */
	struct cte *ut = untyped(slot(10), UT_PA, 16);
	copy(ut, slot(11));
	assert_true(slot(11)->cap.flags & CAP_FLAG_COPY);
	assert_false(ut->cap.flags & CAP_FLAG_COPY);
	copy(ut, slot(12));		/* a copy below it is no object */
	copy(slot(11), slot(13));
	make(ut, slot(14), OBJ_ENDPOINT, UT_PA);
	assert_int_equal(cnode_decode_copy(ut, slot(15)), E_REVOKE);
	assert_int_equal(cnode_decode_mint(ut, slot(15), 0, 0), E_REVOKE);
	assert_int_equal(cnode_decode_copy(slot(11), slot(15)), E_OK);	/* copies have no objects */
	cnode_invoke_revoke(slot(14));
	cnode_invoke_delete(slot(14));
	assert_int_equal(cnode_decode_copy(ut, slot(15)), E_OK);
}

static void test_mint_badge_rules(void **state)
{
	(void)state;
	struct cte *ep = put(slot(1), OBJ_ENDPOINT, OBJ_PA);
	assert_int_equal(cnode_decode_mint(ep, slot(2), 42, 0), E_OK);
	cnode_invoke_mint(ep, slot(2), CAP_WRITE, 42, 0);
	assert_true(slot(2)->cap.data == 42);
	assert_int_equal(slot(2)->cap.rights, CAP_WRITE);
	assert_ptr_equal(slot(2)->parent, ep);
	assert_true(ep->cap.data == 0);
	assert_int_equal(cnode_decode_mint(slot(2), slot(3), 43, 0), E_INVAL);	/* re-badge */
	assert_int_equal(cnode_decode_mint(slot(2), slot(3), 0, 0), E_INVAL);	/* un-badge */
	assert_int_equal(cnode_decode_mint(slot(2), slot(3), 42, 0), E_OK);	/* same badge */
	assert_int_equal(cnode_decode_mint(ep, slot(3), 1, 3), E_INVAL);	/* guard bits */
	struct cte *n = put(slot(4), OBJ_NOTIFICATION, OBJ_PA + 64);
	assert_int_equal(cnode_decode_mint(n, slot(5), UINT64_MAX, 0), E_OK);
	/* Types without badges: data is something else for them. */
	struct cte *fr = put(slot(6), OBJ_FRAME_4K, OBJ_PA + 4096);
	assert_int_equal(cnode_decode_mint(fr, slot(7), 1, 0), E_INVAL);
	assert_int_equal(cnode_decode_mint(fr, slot(7), 0, 0), E_OK);
	struct cte *ut = untyped(slot(8), UT_PA, 16);
	assert_int_equal(cnode_decode_mint(ut, slot(9), 1, 0), E_INVAL);
	/* Copy errors come first. */
	assert_int_equal(cnode_decode_mint(slot(20), slot(21), 1, 0), E_EMPTY);
	assert_int_equal(cnode_decode_mint(ep, slot(2), 1, 0), E_NOTEMPTY);
}

static void test_mint_cnode_guard(void **state)
{
	struct cte *s;

	(void)state;
	struct cte *cn = put(slot(7), OBJ_CNODE, SUB_PA);
	cn->cap = cnode_cap(SUB_PA, 8, 0, 0);
	assert_int_equal(cnode_decode_mint(cn, slot(8), 0, 57), E_RANGE);	/* 8 + 57 > 64 */
	assert_int_equal(cnode_decode_mint(cn, slot(8), 0, 300), E_RANGE);
	assert_int_equal(cnode_decode_mint(cn, slot(8), 4, 2), E_RANGE);	/* 4 needs 3 bits */
	assert_int_equal(cnode_decode_mint(cn, slot(8), 0x5A, 56), E_OK);
	cnode_invoke_mint(cn, slot(8), CAP_ALL_RIGHTS, 0x5A, 56);
	assert_int_equal(slot(8)->cap.guard_bits, 56);
	assert_true(slot(8)->cap.data == 0x5A);
	assert_int_equal(cn->cap.guard_bits, 0);
	/* The minted cap is a 64-bit CSpace root with its new guard. */
	assert_int_equal(cspace_lookup(&slot(8)->cap, 0x5Aull << 8 | 0x77, 64, &s, NULL), E_OK);
	assert_ptr_equal(s, in(&cn->cap, 0x77));
	assert_int_equal(cspace_lookup(&slot(8)->cap, 0x5Bull << 8 | 0x77, 64, &s, NULL), E_LOOKUP);
}

static void test_move_keeps_tree_position(void **state)
{
	(void)state;
	struct cte *a = put(slot(1), OBJ_ENDPOINT, OBJ_PA);
	copy(a, slot(2));
	copy(slot(2), slot(3));
	copy(slot(2), slot(5));
	copy(a, slot(4));	/* a's children: 4, 2 */
	assert_int_equal(cnode_decode_move(slot(2), slot(10)), E_OK);
	cnode_invoke_move(slot(2), slot(10));
	assert_int_equal(slot(2)->cap.type, OBJ_NULL);
	assert_null(slot(2)->parent);
	assert_null(slot(2)->first_child);
	assert_ptr_equal(slot(10)->parent, a);
	assert_ptr_equal(a->first_child, slot(4));
	assert_ptr_equal(slot(4)->next_sibling, slot(10));
	assert_ptr_equal(slot(10)->prev_sibling, slot(4));
	assert_ptr_equal(slot(3)->parent, slot(10));
	assert_ptr_equal(slot(5)->parent, slot(10));
	assert_int_equal(cnode_decode_move(slot(2), slot(11)), E_EMPTY);
	assert_int_equal(cnode_decode_move(slot(10), slot(4)), E_NOTEMPTY);
	/* A mapping moves with its cap. */
	struct cte *f = put(slot(20), OBJ_FRAME_4K, OBJ_PA + 4096);
	f->cap.flags |= CAP_FLAG_MAPPED;
	f->cap.data = 0x400000;
	cnode_invoke_move(f, slot(21));
	assert_true(slot(21)->cap.flags & CAP_FLAG_MAPPED);
	assert_true(slot(21)->cap.data == 0x400000);
	cspace_revoke(a);
	for (unsigned i = 2; i <= 10; i++)
		assert_int_equal(slot(i)->cap.type, OBJ_NULL);
	assert_null(a->first_child);
	assert_int_equal(nfinalised, 0);
}

static void test_mutate_badge_and_guard(void **state)
{
	(void)state;
	struct cte *ep = put(slot(1), OBJ_ENDPOINT, OBJ_PA);
	copy(ep, slot(9));
	assert_int_equal(cnode_decode_mutate(ep, slot(2), 7, 0), E_OK);
	cnode_invoke_mutate(ep, slot(2), 7, 0);
	assert_int_equal(slot(1)->cap.type, OBJ_NULL);
	assert_true(slot(2)->cap.data == 7);
	assert_ptr_equal(slot(9)->parent, slot(2));	/* the children followed it */
	assert_int_equal(cnode_decode_mutate(slot(2), slot(3), 8, 0), E_INVAL);
	assert_int_equal(cnode_decode_mutate(slot(2), slot(9), 7, 0), E_NOTEMPTY);
	assert_int_equal(cnode_decode_mutate(slot(1), slot(3), 7, 0), E_EMPTY);
	struct cte *cn = put(slot(4), OBJ_CNODE, SUB_PA);
	cn->cap = cnode_cap(SUB_PA, 4, 0, 0);
	assert_int_equal(cnode_decode_mutate(cn, slot(5), 1, 61), E_RANGE);
	assert_int_equal(cnode_decode_mutate(cn, slot(5), 1, 60), E_OK);
	cnode_invoke_mutate(cn, slot(5), 1, 60);
	assert_int_equal(slot(5)->cap.guard_bits, 60);
	assert_true(slot(5)->cap.data == 1);
	assert_int_equal(slot(4)->cap.type, OBJ_NULL);
}

/* ---- delete and revoke ---- */

static void test_delete_reparents_in_place(void **state)
{
	(void)state;
	struct cte *a = put(slot(1), OBJ_ENDPOINT, OBJ_PA);
	struct cte *b = copy(a, slot(2));
	copy(a, slot(3));		/* a: 3, 2 */
	copy(b, slot(4));
	copy(b, slot(5));		/* b: 5, 4 */
	copy(slot(4), slot(6));
	cnode_invoke_delete(b);
	assert_int_equal(b->cap.type, OBJ_NULL);
	/* b's children took its place: a's children are now 3, 5, 4. */
	assert_ptr_equal(a->first_child, slot(3));
	assert_ptr_equal(slot(3)->next_sibling, slot(5));
	assert_ptr_equal(slot(5)->next_sibling, slot(4));
	assert_null(slot(4)->next_sibling);
	assert_ptr_equal(slot(4)->prev_sibling, slot(5));
	assert_ptr_equal(slot(5)->prev_sibling, slot(3));
	assert_ptr_equal(slot(5)->parent, a);
	assert_ptr_equal(slot(4)->parent, a);
	assert_ptr_equal(slot(6)->parent, slot(4));
	assert_int_equal(ndeleted, 1);
	assert_int_equal(nfinalised, 0);
	/* Revoking the grandparent still reaches them. */
	cspace_revoke(a);
	for (unsigned i = 2; i <= 6; i++)
		assert_int_equal(slot(i)->cap.type, OBJ_NULL);
	assert_null(a->first_child);
	assert_int_equal(nfinalised, 0);	/* a still holds the endpoint */
	assert_int_equal(ndeleted, 5);
}

static void test_delete_empty_and_revoke_leaf(void **state)
{
	(void)state;
	struct cte *a = put(slot(1), OBJ_ENDPOINT, OBJ_PA);
	cnode_invoke_delete(slot(9));	/* an empty slot: nothing happens */
	cnode_invoke_revoke(slot(9));
	cnode_invoke_revoke(a);		/* no descendants: nothing happens */
	assert_int_equal(a->cap.type, OBJ_ENDPOINT);
	assert_int_equal(ndeleted, 0);
	assert_int_equal(nfinalised, 0);
	cnode_invoke_delete(a);
	assert_int_equal(a->cap.type, OBJ_NULL);
	assert_int_equal(times_finalised(OBJ_ENDPOINT, OBJ_PA), 1);
	cnode_invoke_delete(a);
	assert_int_equal(nfinalised, 1);
}

static void test_revoke_deep_chain(void **state)
{
	(void)state;
	struct cte *a = put(slot(0), OBJ_ENDPOINT, OBJ_PA);
	for (unsigned i = 1; i <= 10000; i++)
		copy(slot(i - 1), slot(i));
	cspace_revoke(a);
	for (unsigned i = 1; i <= 10000; i++)
		assert_int_equal(slot(i)->cap.type, OBJ_NULL);
	assert_null(a->first_child);
	assert_int_equal(ndeleted, 10000);
	assert_int_equal(nfinalised, 0);
	cnode_invoke_delete(a);
	assert_int_equal(nfinalised, 1);
}

static void test_revoke_wide_tree(void **state)
{
	(void)state;
	struct cte *a = put(slot(0), OBJ_NOTIFICATION, OBJ_PA);
	for (unsigned i = 1; i <= 5000; i++)
		copy(a, slot(i));
	for (unsigned i = 1; i <= 100; i++)	/* and grandchildren */
		copy(slot(i * 7), slot(5000 + i));
	put(slot(6000), OBJ_NOTIFICATION, OBJ_PA);	/* outside: untouched */
	cspace_revoke(a);
	for (unsigned i = 1; i <= 5100; i++)
		assert_int_equal(slot(i)->cap.type, OBJ_NULL);
	assert_int_equal(a->cap.type, OBJ_NOTIFICATION);	/* revoke leaves the slot itself */
	assert_int_equal(slot(6000)->cap.type, OBJ_NOTIFICATION);
	assert_int_equal(ndeleted, 5100);
}

static void test_revoke_untyped_finalises_each_object_once(void **state)
{
	(void)state;
	/* 5000 endpoints made from one untyped, 100 of them copied: each finalised once. */
	struct cte *ut = untyped(slot(0), OBJ_PA, 20);
	for (unsigned i = 1; i <= 5000; i++)
		make(ut, slot(i), OBJ_ENDPOINT, OBJ_PA + 64ull * i);
	for (unsigned i = 1; i <= 100; i++)
		copy(slot(i * 13), slot(5000 + i));
	cspace_revoke(ut);
	assert_int_equal(nfinalised, 5000);
	assert_int_equal(ndeleted, 5100);
	static bool seen[5001];
	memset(seen, 0, sizeof(seen));
	for (unsigned i = 0; i < nfinalised; i++) {
		assert_int_equal(finalised[i].type, OBJ_ENDPOINT);
		uint64_t k = (finalised[i].obj - OBJ_PA) / 64;
		assert_true(k >= 1 && k <= 5000 && !seen[k]);
		seen[k] = true;
	}
	assert_null(ut->first_child);
	assert_int_equal(ut->cap.type, OBJ_UNTYPED);
}

/* ---- finality ---- */

static void test_finality_copies_and_moves(void **state)
{
	(void)state;
	struct cte *ut = untyped(slot(0), OBJ_PA, 12);
	struct cte *e1 = make(ut, slot(1), OBJ_ENDPOINT, OBJ_PA);
	make(ut, slot(2), OBJ_ENDPOINT, OBJ_PA + 64);	/* another object beside it */
	assert_true(cspace_is_final(e1));
	copy(e1, slot(3));
	assert_false(cspace_is_final(e1));
	assert_false(cspace_is_final(slot(3)));
	assert_true(cspace_is_final(slot(2)));
	cnode_invoke_move(slot(3), slot(4));
	assert_false(cspace_is_final(slot(4)));
	cnode_invoke_delete(e1);	/* slot 4 goes to ut, beside the other endpoint */
	assert_int_equal(nfinalised, 0);
	assert_ptr_equal(slot(4)->parent, ut);
	assert_true(cspace_is_final(slot(4)));
	cnode_invoke_move(slot(4), slot(5));
	assert_true(cspace_is_final(slot(5)));
	cnode_invoke_delete(slot(5));
	assert_int_equal(nfinalised, 1);
	assert_int_equal(times_finalised(OBJ_ENDPOINT, OBJ_PA), 1);
	assert_false(cspace_is_final(slot(5)));	/* an empty slot is nobody's last cap */
}

static void test_finality_after_intermediate_deletes(void **state)
{
	(void)state;
	struct cte *ut = untyped(slot(0), OBJ_PA, 16);
	make(ut, slot(30), OBJ_NOTIFICATION, OBJ_PA + 128);
	struct cte *a = make(ut, slot(1), OBJ_ENDPOINT, OBJ_PA);
	make(ut, slot(31), OBJ_TCB, OBJ_PA + 2048);	/* ut: 31, 1, 30 */
	copy(a, slot(2));
	copy(slot(2), slot(3));
	copy(slot(3), slot(4));
	copy(a, slot(5));
	/* Delete the middle of the chain, then its head: the rest become tops under ut. */
	cnode_invoke_delete(slot(2));
	cnode_invoke_delete(slot(3));
	assert_ptr_equal(slot(4)->parent, a);
	cnode_invoke_delete(a);
	assert_ptr_equal(slot(4)->parent, ut);
	assert_ptr_equal(slot(5)->parent, ut);
	assert_int_equal(nfinalised, 0);
	/* Two tops, adjacent, between two other objects' caps. */
	assert_false(cspace_is_final(slot(4)));
	assert_false(cspace_is_final(slot(5)));
	assert_true(cspace_is_final(slot(30)));
	assert_true(cspace_is_final(slot(31)));
	cnode_invoke_delete(slot(5));
	assert_true(cspace_is_final(slot(4)));
	assert_int_equal(nfinalised, 0);
	cnode_invoke_delete(slot(4));
	assert_int_equal(times_finalised(OBJ_ENDPOINT, OBJ_PA), 1);
	assert_int_equal(nfinalised, 1);
}

static void test_finality_parentless_roots(void **state)
{
	(void)state;
	/* A boot cap (no parent) copied twice: its copies stay linked when it goes. */
	struct cte *t = put(slot(1), OBJ_TCB, OBJ_PA);
	copy(t, slot(2));
	copy(t, slot(3));
	copy(slot(3), slot(4));
	cnode_invoke_delete(t);
	assert_null(slot(2)->parent);
	assert_false(cspace_is_final(slot(2)));
	assert_false(cspace_is_final(slot(3)));
	assert_int_equal(nfinalised, 0);
	cnode_invoke_delete(slot(3));
	cnode_invoke_delete(slot(2));
	assert_int_equal(nfinalised, 0);
	assert_true(cspace_is_final(slot(4)));
	cnode_invoke_delete(slot(4));
	assert_int_equal(times_finalised(OBJ_TCB, OBJ_PA), 1);
	/* Different objects with no parent are not confused. */
	put(slot(10), OBJ_TCB, OBJ_PA + 4096);
	put(slot(11), OBJ_ENDPOINT, OBJ_PA + 4096);
	assert_true(cspace_is_final(slot(10)));
	assert_true(cspace_is_final(slot(11)));
}

static void test_finality_nested_untyped(void **state)
{
	(void)state;
	/* u0 (1 MiB) holds u1, an untyped of the same size and address, which holds u2 (512 KiB). */
	struct cte *u0 = untyped(slot(0), UT_PA, 20);
	struct cte *u1 = make(u0, slot(1), OBJ_UNTYPED, UT_PA);
	u1->cap.size_bits = 20;
	u1->cap.flags = 1u << CAP_NEST_SHIFT;
	assert_false(cspace_same_object(&u0->cap, &u1->cap));
	assert_true(cspace_is_final(u0));
	assert_true(cspace_is_final(u1));
	copy(u1, slot(3));		/* copied before anything is made from it */
	assert_true(cspace_same_object(&slot(3)->cap, &u1->cap));
	assert_false(cspace_is_final(u1));
	assert_false(cspace_is_final(slot(3)));
	struct cte *u2 = make(u1, slot(2), OBJ_UNTYPED, UT_PA);
	u2->cap.size_bits = 19;
	assert_false(cspace_same_object(&u1->cap, &u2->cap));
	assert_true(cspace_is_final(u0));
	assert_true(cspace_is_final(u2));
	assert_false(cspace_is_final(u1));	/* its copy is behind u2 in its children */
	cnode_invoke_delete(u1);	/* its copy and u2 go to u0 */
	assert_ptr_equal(slot(3)->parent, u0);
	assert_ptr_equal(u2->parent, u0);
	assert_true(cspace_is_final(slot(3)));
	assert_true(cspace_is_final(u0));
	assert_int_equal(nfinalised, 0);
	cnode_invoke_revoke(u0);
	assert_int_equal(times_finalised(OBJ_UNTYPED, UT_PA), 2);	/* u1 and u2 */
}

static void test_hooks_order_and_empty_slot(void **state)
{
	(void)state;
	struct cte *ut = untyped(slot(0), OBJ_PA, 12);
	struct cte *e = make(ut, slot(1), OBJ_ENDPOINT, OBJ_PA);
	copy(e, slot(2));
	watched = slot(2);
	cnode_invoke_delete(slot(2));	/* not the last: only cap_deleted */
	assert_int_equal(ndeleted, 1);
	assert_int_equal(nfinalised, 0);
	watched = e;
	cnode_invoke_delete(e);
	assert_int_equal(ndeleted, 2);
	assert_int_equal(nfinalised, 1);
	assert_true(deleted_seq < finalised_seq);
	/* The hook gets the cap as it was. */
	assert_int_equal(finalised[0].type, OBJ_ENDPOINT);
	assert_true(finalised[0].obj == OBJ_PA);
	assert_int_equal(finalised[0].rights, CAP_ALL_RIGHTS);
	assert_null(ut->first_child);
}

/* ---- destroying CNodes ---- */

static void test_cnode_only_cap_inside_itself(void **state)
{
	(void)state;
	struct cte *ut = untyped(slot(0), UT_PA, 20);
	struct cte *outer = make_cnode(ut, slot(1), SUB_PA, 4);
	struct cap x = outer->cap;
	struct cte *ep = make(ut, slot(2), OBJ_ENDPOINT, OBJ_PA);
	/* X holds its own cap, an endpoint's only cap and a copy of an outside endpoint. */
	cnode_invoke_move(outer, in(&x, 0));
	cnode_invoke_move(ep, in(&x, 9));
	struct cte *ep2 = make(ut, slot(3), OBJ_ENDPOINT, OBJ_PA + 64);
	copy(ep2, in(&x, 15));
	assert_true(cspace_is_final(in(&x, 0)));
	cnode_invoke_delete(in(&x, 0));	/* must end */
	assert_int_equal(times_finalised(OBJ_CNODE, SUB_PA), 1);
	assert_int_equal(times_finalised(OBJ_ENDPOINT, OBJ_PA), 1);
	assert_int_equal(times_finalised(OBJ_ENDPOINT, OBJ_PA + 64), 0);
	assert_int_equal(nfinalised, 2);
	assert_int_equal(ndeleted, 3);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(in(&x, i)->cap.type, OBJ_NULL);
	assert_null(ep2->first_child);
	assert_ptr_equal(ut->first_child, ep2);
	assert_null(ep2->next_sibling);
}

static void test_cnode_holding_itself_and_outer(void **state)
{
	(void)state;
	struct cte *ut = untyped(slot(0), UT_PA, 20);
	make_cnode(ut, slot(1), SUB_PA, 4);
	struct cap x = slot(1)->cap;
	copy(slot(1), in(&x, 0));
	make(ut, in(&x, 5), OBJ_ENDPOINT, OBJ_PA);
	/* The copy inside still names X: deleting the outer cap destroys nothing. */
	assert_false(cspace_is_final(slot(1)));
	cnode_invoke_delete(slot(1));
	assert_int_equal(nfinalised, 0);
	assert_ptr_equal(in(&x, 0)->parent, ut);
	/* X is out of reach now; revoking its untyped destroys it and what it holds, once. */
	cspace_revoke(ut);
	assert_int_equal(times_finalised(OBJ_CNODE, SUB_PA), 1);
	assert_int_equal(times_finalised(OBJ_ENDPOINT, OBJ_PA), 1);
	assert_int_equal(in(&x, 0)->cap.type, OBJ_NULL);
	assert_int_equal(in(&x, 5)->cap.type, OBJ_NULL);
	assert_null(ut->first_child);
}

static void test_cnode_cycle(void **state)
{
	(void)state;
	paddr_t x_pa = SUB_PA, y_pa = SUB_PA + 4096;
	struct cte *ut = untyped(slot(0), SUB_PA, 20);
	make_cnode(ut, slot(1), x_pa, 4);
	make_cnode(ut, slot(2), y_pa, 4);
	struct cap x = slot(1)->cap, y = slot(2)->cap;
	copy(slot(2), in(&x, 1));	/* X holds Y */
	copy(slot(1), in(&y, 1));	/* Y holds X */
	cnode_invoke_delete(slot(1));
	cnode_invoke_delete(slot(2));
	assert_int_equal(nfinalised, 0);	/* each still named from inside the other */
	cspace_revoke(ut);
	assert_int_equal(times_finalised(OBJ_CNODE, x_pa), 1);
	assert_int_equal(times_finalised(OBJ_CNODE, y_pa), 1);
	assert_int_equal(nfinalised, 2);
	assert_int_equal(in(&x, 1)->cap.type, OBJ_NULL);
	assert_int_equal(in(&y, 1)->cap.type, OBJ_NULL);
	assert_null(ut->first_child);
}

static void test_nested_cnodes_no_recursion(void **state)
{
	(void)state;
	/* 2000 CNodes of 4 slots, each holding the only cap to the next. */
	struct cte *ut = untyped(slot(0), UT_PA, 21);
	struct cte *holder = slot(1);
	for (unsigned i = 0; i < 2000; i++) {
		make_cnode(ut, holder, UT_PA + 256ull * i, 2);
		holder = in(&holder->cap, 3);
	}
	make(ut, holder, OBJ_ENDPOINT, OBJ_PA);	/* and an endpoint at the bottom */
	cnode_invoke_delete(slot(1));
	assert_int_equal(nfinalised, 2001);
	/* Innermost first: a CNode is destroyed only once it is empty. */
	assert_int_equal(finalised[0].type, OBJ_ENDPOINT);
	assert_true(finalised[1].obj == UT_PA + 256ull * 1999);
	assert_true(finalised[2000].obj == UT_PA);
	assert_null(ut->first_child);
}

static void test_cnode_destroy_deletes_contents(void **state)
{
	(void)state;
	struct cte *ut = untyped(slot(0), UT_PA, 20);
	make_cnode(ut, slot(1), SUB_PA, 3);
	struct cap x = slot(1)->cap;
	/* Inside X: a copy of an outside endpoint (itself copied outside), and a TCB's only cap. */
	struct cte *e = make(ut, slot(2), OBJ_ENDPOINT, OBJ_PA);
	copy(e, in(&x, 2));
	copy(in(&x, 2), slot(3));
	make(ut, in(&x, 6), OBJ_TCB, OBJ_PA + 2048);
	cnode_invoke_delete(slot(1));
	assert_int_equal(times_finalised(OBJ_CNODE, SUB_PA), 1);
	assert_int_equal(times_finalised(OBJ_TCB, OBJ_PA + 2048), 1);
	assert_int_equal(times_finalised(OBJ_ENDPOINT, OBJ_PA), 0);
	assert_int_equal(nfinalised, 2);
	/* The outside copy of the deleted inside cap went up to e. */
	assert_ptr_equal(slot(3)->parent, e);
	assert_ptr_equal(e->first_child, slot(3));
	assert_false(cspace_is_final(e));
	/* The CNode's own cap is reported last, after its contents. */
	assert_int_equal(finalised[1].type, OBJ_CNODE);
}

/* The test hook for the next case: deleting one more slot when a notification goes. */
static struct cte *victim;

static void delete_victim(const struct cap *cap)
{
	if (cap->type == OBJ_NOTIFICATION && victim) {
		struct cte *v = victim;
		victim = NULL;
		cspace_delete(v);
	}
}

static void test_revoke_survives_hook_deletions(void **state)
{
	(void)state;
	/* r -> s (an untyped) -> n (a notification): destroying n also deletes s, n's parent. */
	struct cte *r = untyped(slot(0), UT_PA, 20);
	for (unsigned i = 3; i < 8; i++)
		make(r, slot(i), OBJ_ENDPOINT, UT_PA + 4096 + 64 * i);
	/* s is r's first child, so the walk goes down to n first and has work left after. */
	struct cte *s = make(r, slot(1), OBJ_UNTYPED, UT_PA);
	s->cap.size_bits = 12;
	make(s, slot(2), OBJ_NOTIFICATION, UT_PA);
	victim = s;
	on_finalise = delete_victim;
	cspace_revoke(r);
	assert_null(victim);
	assert_null(r->first_child);
	for (unsigned i = 1; i < 8; i++)
		assert_int_equal(slot(i)->cap.type, OBJ_NULL);
	assert_int_equal(nfinalised, 7);	/* s, n and five endpoints */
	assert_int_equal(times_finalised(OBJ_UNTYPED, UT_PA), 1);
}

static void test_mapping_belongs_to_cap(void **state)
{
	(void)state;
	struct cte *f = put(slot(1), OBJ_FRAME_4K, OBJ_PA);
	f->cap.flags |= CAP_FLAG_MAPPED;
	f->cap.data = 0x10000000000ull;
	cnode_invoke_copy(f, slot(2), CAP_ALL_RIGHTS);
	assert_false(slot(2)->cap.flags & CAP_FLAG_MAPPED);
	assert_true(slot(2)->cap.data == 0);
	assert_true(f->cap.flags & CAP_FLAG_MAPPED);	/* the original keeps its mapping */
	cnode_invoke_mint(f, slot(3), CAP_READ, 0, 0);
	assert_false(slot(3)->cap.flags & CAP_FLAG_MAPPED);
	/* Every deleted cap is reported (to undo its mapping), not only the last one. */
	cnode_invoke_delete(slot(2));
	cnode_invoke_delete(slot(3));
	assert_int_equal(ndeleted, 2);
	assert_int_equal(nfinalised, 0);
	cnode_invoke_delete(f);
	assert_int_equal(ndeleted, 3);
	assert_int_equal(nfinalised, 1);
}

static void test_next_descendant_preorder(void **state)
{
	(void)state;
	/* a has a next sibling, outside its subtree: the walk must not go there. */
	struct cte *ut = untyped(slot(0), OBJ_PA, 16);
	make(ut, slot(50), OBJ_ENDPOINT, OBJ_PA + 64);
	struct cte *a = make(ut, slot(1), OBJ_ENDPOINT, OBJ_PA);
	assert_ptr_equal(a->next_sibling, slot(50));
	copy(a, slot(2));
	copy(slot(2), slot(3));
	copy(slot(3), slot(4));
	copy(slot(2), slot(5));
	copy(a, slot(6));
	/* Pre-order, children newest first: 6, 2, 5, 3, 4. */
	static const unsigned want[] = { 6, 2, 5, 3, 4 };
	unsigned n = 0;
	for (struct cte *k = cspace_next_descendant(a, a); k; k = cspace_next_descendant(a, k)) {
		assert_true(n < 5);
		assert_ptr_equal(k, slot(want[n]));
		n++;
	}
	assert_int_equal(n, 5);
	assert_null(cspace_next_descendant(slot(4), slot(4)));	/* a leaf's subtree is empty */
	assert_true(cspace_has_children(a));
	assert_false(cspace_has_children(slot(4)));
	/* Unlinking 2 by hand: 5 and 3 take its place, the cap stays. */
	cspace_unlink(slot(2));
	assert_int_equal(slot(2)->cap.type, OBJ_ENDPOINT);
	assert_ptr_equal(slot(6)->next_sibling, slot(5));
	assert_ptr_equal(slot(3)->parent, a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_lookup_one_level, setup),
		cmocka_unit_test_setup(test_lookup_guard_mismatch, setup),
		cmocka_unit_test_setup(test_lookup_two_levels_with_guards, setup),
		cmocka_unit_test_setup(test_lookup_full_64_bits, setup),
		cmocka_unit_test_setup(test_lookup_depth_mismatch, setup),
		cmocka_unit_test_setup(test_lookup_bad_depth_and_root, setup),
		cmocka_unit_test_setup(test_copy_reduces_rights, setup),
		cmocka_unit_test_setup(test_copy_errors_and_untyped, setup),
		cmocka_unit_test_setup(test_mint_badge_rules, setup),
		cmocka_unit_test_setup(test_mint_cnode_guard, setup),
		cmocka_unit_test_setup(test_move_keeps_tree_position, setup),
		cmocka_unit_test_setup(test_mutate_badge_and_guard, setup),
		cmocka_unit_test_setup(test_delete_reparents_in_place, setup),
		cmocka_unit_test_setup(test_delete_empty_and_revoke_leaf, setup),
		cmocka_unit_test_setup(test_revoke_deep_chain, setup),
		cmocka_unit_test_setup(test_revoke_wide_tree, setup),
		cmocka_unit_test_setup(test_revoke_untyped_finalises_each_object_once, setup),
		cmocka_unit_test_setup(test_finality_copies_and_moves, setup),
		cmocka_unit_test_setup(test_finality_after_intermediate_deletes, setup),
		cmocka_unit_test_setup(test_finality_parentless_roots, setup),
		cmocka_unit_test_setup(test_finality_nested_untyped, setup),
		cmocka_unit_test_setup(test_hooks_order_and_empty_slot, setup),
		cmocka_unit_test_setup(test_cnode_only_cap_inside_itself, setup),
		cmocka_unit_test_setup(test_cnode_holding_itself_and_outer, setup),
		cmocka_unit_test_setup(test_cnode_cycle, setup),
		cmocka_unit_test_setup(test_nested_cnodes_no_recursion, setup),
		cmocka_unit_test_setup(test_cnode_destroy_deletes_contents, setup),
		cmocka_unit_test_setup(test_revoke_survives_hook_deletions, setup),
		cmocka_unit_test_setup(test_mapping_belongs_to_cap, setup),
		cmocka_unit_test_setup(test_next_descendant_preorder, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
