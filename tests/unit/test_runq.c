/* Unit tests: the VMM's queue of register writes for the next VCPU_RUN (user/vmm/runq.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "../../user/vmm/runq.h"

#define MAX 3

static void test_pairs_in_order(void **state)
{
	uint64_t p[2 * MAX] = { 0 };
	unsigned n = 0;

	(void)state;
	assert_true(runq_add(p, &n, MAX, 16, 0x1000));	/* rip */
	assert_true(runq_add(p, &n, MAX, 0, 0x5A));	/* rax */
	assert_int_equal(n, 2);
	assert_int_equal(p[0], 16);
	assert_int_equal(p[1], 0x1000);
	assert_int_equal(p[2], 0);
	assert_int_equal(p[3], 0x5A);
}

static void test_same_register_keeps_one_pair_with_the_last_value(void **state)
{
	uint64_t p[2 * MAX] = { 0 };
	unsigned n = 0;

	(void)state;
	assert_true(runq_add(p, &n, MAX, 16, 0x1000));
	assert_true(runq_add(p, &n, MAX, 0, 1));
	assert_true(runq_add(p, &n, MAX, 16, 0x1002));
	assert_int_equal(n, 2);
	assert_int_equal(p[1], 0x1002);
	assert_int_equal(p[3], 1);
}

static void test_full_queue_refuses_only_a_new_register(void **state)
{
	uint64_t p[2 * MAX + 2];
	unsigned n = 0;

	(void)state;
	memset(p, 0xEE, sizeof(p));
	for (unsigned id = 0; id < MAX; id++)
		assert_true(runq_add(p, &n, MAX, id, id));
	assert_false(runq_add(p, &n, MAX, 7, 7));	/* no room: the caller writes it */
	assert_int_equal(n, MAX);
	assert_true(p[2 * MAX] == 0xEEEEEEEEEEEEEEEEull);	/* nothing past the end */
	assert_true(runq_add(p, &n, MAX, 1, 0x11));	/* a queued one still takes a new value */
	assert_int_equal(p[3], 0x11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairs_in_order),
		cmocka_unit_test(test_same_register_keeps_one_pair_with_the_last_value),
		cmocka_unit_test(test_full_queue_refuses_only_a_new_register),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
