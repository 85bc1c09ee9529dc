/* Unit tests: untyped retype arithmetic, placement, zeroing and reuse rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "kobj_host.h"
#include "obj/cnode.h"
#include "obj/untyped.h"

#define ROOT_PA HOST_PHYS_BASE
#define UT_PA (HOST_PHYS_BASE + (16u << 20))	/* a 1 MiB untyped region */

static struct cap root;
static struct cte *dest[16];

static int setup(void **state)
{
	host_setup(state);
	root = host_cnode(ROOT_PA, 10, 54, 0);
	for (unsigned i = 0; i < 16; i++)
		dest[i] = host_slot(&root, 100 + i);
	struct cte *ut = host_slot(&root, 1);
	ut->cap = (struct cap){ .type = OBJ_UNTYPED, .rights = CAP_ALL_RIGHTS, .size_bits = 20,
				.obj = UT_PA };
	return 0;
}

static struct cte *ut(void)
{
	return host_slot(&root, 1);
}

static err_t retype(unsigned type, unsigned bits, unsigned n)
{
	struct retype r;
	err_t e = untyped_decode_retype(ut(), type, bits, dest, n, &r);

	if (!e)
		untyped_invoke_retype(ut(), &r, dest, n);
	return e;
}

static void test_fit_arithmetic(void **state)
{
	uint64_t first;

	(void)state;
	assert_int_equal(untyped_fit(0, 12, 12, 1, &first), E_OK);
	assert_true(first == 0);
	assert_int_equal(untyped_fit(0, 12, 12, 2, &first), E_NOMEM);
	assert_int_equal(untyped_fit(64, 20, 12, 255, &first), E_OK);	/* padded to 4096 */
	assert_true(first == 4096);
	assert_int_equal(untyped_fit(64, 20, 12, 256, &first), E_NOMEM);
	assert_int_equal(untyped_fit(0, 20, 6, 1u << 14, &first), E_OK);	/* exact fit */
	assert_int_equal(untyped_fit(0, 20, 6, (1u << 14) + 1, &first), E_NOMEM);
	assert_int_equal(untyped_fit(0, 20, 6, UINT64_MAX, &first), E_NOMEM);	/* n << bits overflows */
	assert_int_equal(untyped_fit(UINT64_MAX - 5, 20, 6, 1, &first), E_NOMEM);	/* align wraps */
	assert_int_equal(untyped_fit(0, 12, 13, 1, &first), E_NOMEM);
	assert_int_equal(untyped_fit(0, 20, 6, 0, &first), E_NOMEM);
}

static void test_object_sizes(void **state)
{
	unsigned bits;

	(void)state;
	assert_int_equal(untyped_object_bits(OBJ_TCB, 0, &bits), E_OK);
	assert_int_equal(bits, 11);
	assert_int_equal(untyped_object_bits(OBJ_CNODE, 4, &bits), E_OK);
	assert_int_equal(bits, 10);
	assert_int_equal(untyped_object_bits(OBJ_CNODE, 0, &bits), E_RANGE);
	assert_int_equal(untyped_object_bits(OBJ_CNODE, 21, &bits), E_RANGE);
	assert_int_equal(untyped_object_bits(OBJ_UNTYPED, 3, &bits), E_RANGE);
	assert_int_equal(untyped_object_bits(OBJ_IRQ_HANDLER, 0, &bits), E_INVAL);
	assert_int_equal(untyped_object_bits(OBJ_NULL, 0, &bits), E_INVAL);
	assert_int_equal(untyped_object_bits(999, 0, &bits), E_INVAL);
}

static void test_retype_places_and_links(void **state)
{
	(void)state;
	assert_int_equal(retype(OBJ_ENDPOINT, 0, 3), E_OK);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(dest[i]->cap.type, OBJ_ENDPOINT);
		assert_true(dest[i]->cap.obj == UT_PA + 64 * i);
		assert_ptr_equal(dest[i]->parent, ut());
		assert_int_equal(dest[i]->cap.rights, CAP_ALL_RIGHTS);
	}
	assert_true(ut()->cap.data == 192);
	/* A frame after them is aligned to 4 KiB. */
	assert_int_equal(retype(OBJ_FRAME_4K, 0, 1), E_NOTEMPTY);	/* dest[0] is full now */
	struct cte *save = dest[0];
	dest[0] = host_slot(&root, 200);
	assert_int_equal(retype(OBJ_FRAME_4K, 0, 1), E_OK);
	assert_true(dest[0]->cap.obj == UT_PA + 4096);
	assert_true(ut()->cap.data == 8192);
	dest[0] = save;
}

static void test_retype_zeroes(void **state)
{
	(void)state;
	memset(kobj_ptr(UT_PA), 0xAA, 1u << 20);
	assert_int_equal(retype(OBJ_FRAME_4K, 0, 2), E_OK);
	uint8_t *p = kobj_ptr(UT_PA);
	for (unsigned i = 0; i < 8192; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(p[8192], 0xAA);	/* only what was made */
}

static void test_no_reuse_while_children_live(void **state)
{
	(void)state;
	assert_int_equal(retype(OBJ_UNTYPED, 19, 1), E_OK);	/* half the region */
	struct cte *second[1] = { host_slot(&root, 300) };
	struct retype r;
	assert_int_equal(untyped_decode_retype(ut(), OBJ_UNTYPED, 19, second, 1, &r), E_OK);
	assert_true(r.first == 1u << 19);
	untyped_invoke_retype(ut(), &r, second, 1);
	struct cte *third[1] = { host_slot(&root, 301) };
	assert_int_equal(untyped_decode_retype(ut(), OBJ_FRAME_4K, 0, third, 1, &r), E_NOMEM);
	/* Deleting one child is not enough: the watermark stays while any child lives. */
	cnode_invoke_delete(dest[0]);
	assert_int_equal(untyped_decode_retype(ut(), OBJ_FRAME_4K, 0, third, 1, &r), E_NOMEM);
	/* After revoke the whole region is free again. */
	cnode_invoke_revoke(ut());
	assert_int_equal(untyped_decode_retype(ut(), OBJ_FRAME_4K, 0, third, 1, &r), E_OK);
	assert_true(r.first == 0);
}

static void test_retype_errors(void **state)
{
	struct retype r;

	(void)state;
	assert_int_equal(untyped_decode_retype(dest[0], OBJ_TCB, 0, dest + 1, 1, &r), E_WRONGTYPE);
	assert_int_equal(retype(OBJ_UNTYPED, 21, 1), E_RANGE);	/* bigger than its parent */
	assert_int_equal(retype(OBJ_CNODE, 21, 1), E_RANGE);
	assert_int_equal(retype(OBJ_IO_PORT, 0, 1), E_INVAL);
	assert_int_equal(retype(OBJ_TYPE_COUNT, 0, 1), E_INVAL);
	assert_int_equal(retype(OBJ_FRAME_2M, 0, 1), E_NOMEM);	/* 2 MiB in 1 MiB */
	struct cte *twice[2] = { dest[0], dest[0] };
	assert_int_equal(untyped_decode_retype(ut(), OBJ_TCB, 0, twice, 2, &r), E_NOTEMPTY);
	assert_int_equal(ut()->first_child, NULL);	/* nothing changed on failure */
	assert_true(ut()->cap.data == 0);
}

static void test_device_untyped(void **state)
{
	(void)state;
	ut()->cap.flags = CAP_FLAG_DEVICE;
	memset(kobj_ptr(UT_PA), 0x5A, 4096);
	assert_int_equal(retype(OBJ_TCB, 0, 1), E_INVAL);
	assert_int_equal(retype(OBJ_CNODE, 4, 1), E_INVAL);
	assert_int_equal(retype(OBJ_FRAME_4K, 0, 1), E_OK);
	/* Device memory is not ours to clear: a device register must not be written. */
	assert_int_equal(((uint8_t *)kobj_ptr(UT_PA))[0], 0x5A);
}

static void test_cnode_from_untyped_is_usable(void **state)
{
	struct cte *s;

	(void)state;
	assert_int_equal(retype(OBJ_CNODE, 4, 1), E_OK);
	assert_int_equal(dest[0]->cap.size_bits, 4);
	/* With a 54-bit guard the root takes all 64 bits: 100 << 4 | 9 fails its guard. */
	assert_int_equal(cspace_lookup(&root, 100ull << 4 | 9, 64, &s, NULL), E_LOOKUP);
	struct cap r2 = host_cnode(ROOT_PA, 10, 50, 0);	/* 50 + 10 + 4 = 64 bits */
	assert_int_equal(cspace_lookup(&r2, 100ull << 4 | 9, 64, &s, NULL), E_OK);
	assert_ptr_equal(s, host_slot(&dest[0]->cap, 9));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fit_arithmetic, setup),
		cmocka_unit_test_setup(test_object_sizes, setup),
		cmocka_unit_test_setup(test_retype_places_and_links, setup),
		cmocka_unit_test_setup(test_retype_zeroes, setup),
		cmocka_unit_test_setup(test_no_reuse_while_children_live, setup),
		cmocka_unit_test_setup(test_retype_errors, setup),
		cmocka_unit_test_setup(test_device_untyped, setup),
		cmocka_unit_test_setup(test_cnode_from_untyped_is_usable, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
