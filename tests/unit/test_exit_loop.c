/* Unit tests: the VMM's exit-loop detector (user/vmm/loop.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "../../user/vmm/loop.h"
#include "abi/vcpu.h"

#define RIP 0x1000123u

/* n identical unmoved WRMSR exits; how many of them said "loop". */
static unsigned wrmsrs(struct exit_loop *l, unsigned n)
{
	unsigned hits = 0;

	for (unsigned i = 0; i < n; i++)
		hits += exit_loop_note(l, VMEXIT_MSR, RIP, 1, false);
	return hits;
}

static void test_nth_repetition_triggers(void **state)
{
	struct exit_loop l = { 0 };

	(void)state;
	assert_int_equal(wrmsrs(&l, EXIT_LOOP_LIMIT - 1), 0);
	assert_true(exit_loop_note(&l, VMEXIT_MSR, RIP, 1, false));
	assert_int_equal(l.count, EXIT_LOOP_LIMIT);
}

static void test_progress_resets(void **state)
{
	struct exit_loop l = { 0 };

	(void)state;
	/* The VMM moved the guest on once: the run starts again. */
	assert_int_equal(wrmsrs(&l, EXIT_LOOP_LIMIT - 1), 0);
	assert_false(exit_loop_note(&l, VMEXIT_MSR, RIP, 1, true));
	assert_int_equal(wrmsrs(&l, EXIT_LOOP_LIMIT - 1), 0);
	assert_true(exit_loop_note(&l, VMEXIT_MSR, RIP, 1, false));
	/* A string I/O chunk that made progress (moved) never counts however often it comes. */
	l = (struct exit_loop){ 0 };
	for (unsigned i = 0; i < 2 * EXIT_LOOP_LIMIT; i++)
		assert_false(exit_loop_note(&l, VMEXIT_IO, RIP, 0x3F8000Cu, true));
}

static void test_other_exit_in_between_resets(void **state)
{
	struct exit_loop l = { 0 };

	(void)state;
	assert_int_equal(wrmsrs(&l, EXIT_LOOP_LIMIT - 1), 0);
	assert_false(exit_loop_note(&l, VMEXIT_MSR, RIP, 0, false));	/* rdmsr, not wrmsr */
	assert_int_equal(wrmsrs(&l, EXIT_LOOP_LIMIT - 1), 0);
	assert_false(exit_loop_note(&l, VMEXIT_MSR, RIP + 2, 1, false));	/* another rip */
	assert_int_equal(wrmsrs(&l, EXIT_LOOP_LIMIT - 1), 0);
	assert_false(exit_loop_note(&l, VMEXIT_HYPERCALL, RIP, 1, false));	/* another reason */
	assert_int_equal(wrmsrs(&l, EXIT_LOOP_LIMIT - 1), 0);
	assert_true(exit_loop_note(&l, VMEXIT_MSR, RIP, 1, false));
}

static void test_excluded_exits_never_count(void **state)
{
	struct exit_loop l = { 0 };

	(void)state;
	/* The host's exits neither count nor break a run... */
	for (unsigned i = 0; i < 2 * EXIT_LOOP_LIMIT; i++) {
		assert_false(exit_loop_note(&l, VMEXIT_TIMER, RIP, 0, false));
		assert_false(exit_loop_note(&l, VMEXIT_NOTIFY, RIP, 0, false));
	}
	assert_int_equal(l.count, 0);
	assert_int_equal(wrmsrs(&l, EXIT_LOOP_LIMIT / 2), 0);
	assert_false(exit_loop_note(&l, VMEXIT_TIMER, 0, 0, false));
	assert_false(exit_loop_note(&l, VMEXIT_NOTIFY, 0, 1, false));
	assert_int_equal(wrmsrs(&l, EXIT_LOOP_LIMIT - EXIT_LOOP_LIMIT / 2 - 1), 0);
	assert_true(exit_loop_note(&l, VMEXIT_MSR, RIP, 1, false));
	/* ...and HLT, even left where it was, is waiting, not looping. */
	l = (struct exit_loop){ 0 };
	for (unsigned i = 0; i < 2 * EXIT_LOOP_LIMIT; i++)
		assert_false(exit_loop_note(&l, VMEXIT_HLT, RIP, 0, false));
}

static void test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(exit_loop_reason_name(VMEXIT_MSR), "VMEXIT_MSR");
	assert_string_equal(exit_loop_reason_name(VMEXIT_HYPERCALL), "VMEXIT_HYPERCALL");
	assert_string_equal(exit_loop_reason_name(999), "an unknown exit");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nth_repetition_triggers),
		cmocka_unit_test(test_progress_resets),
		cmocka_unit_test(test_other_exit_in_between_resets),
		cmocka_unit_test(test_excluded_exits_never_count),
		cmocka_unit_test(test_reason_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
