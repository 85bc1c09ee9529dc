/* Unit tests: which TLB entries a switch or an unmap drops, with and without PCIDs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "arch/x86_64/tlb.h"

#define ROOT 0x1000000ull
#define X 0x2000000ull
#define Y 0x3000000ull

static void test_without_pcid_every_switch_flushes(void **state)
{
	struct tlb t;

	(void)state;
	tlb_init(&t, false);
	/* A plain CR3: no PCID bits, no bit 63, so the load drops everything. */
	assert_int_equal(tlb_switch(&t, 3, X), X);
	assert_int_equal(tlb_switch(&t, 0, ROOT), ROOT);
	/* Entries of a space that is not loaded are gone already. */
	assert_int_equal(tlb_unmapped(&t, 3, true), TLB_NONE);
	assert_int_equal(tlb_unmapped(&t, 3, false), TLB_NONE);
	tlb_released(&t, 3);
	assert_int_equal(tlb_switch(&t, 3, Y), Y);
}

static void test_current_space_is_invalidated_at_once(void **state)
{
	struct tlb t;

	(void)state;
	for (int pcid = 0; pcid < 2; pcid++) {
		tlb_init(&t, pcid);
		assert_int_equal(tlb_unmapped(&t, 0, true), TLB_PAGE);
		assert_int_equal(tlb_unmapped(&t, 0, false), TLB_CURRENT);
		(void)tlb_switch(&t, 5, X);
		assert_int_equal(tlb_unmapped(&t, 5, true), TLB_PAGE);
		assert_int_equal(tlb_unmapped(&t, 5, false), TLB_CURRENT);
		/* Handled now: the next switch back keeps its entries. */
		(void)tlb_switch(&t, 0, ROOT);
		if (pcid)
			assert_int_equal(tlb_switch(&t, 5, X), X | 5 | CR3_NOFLUSH);
	}
}

static void test_pcid_switches_keep_entries(void **state)
{
	struct tlb t;

	(void)state;
	tlb_init(&t, true);
	assert_int_equal(tlb_switch(&t, 7, X), X | 7 | CR3_NOFLUSH);
	assert_int_equal(tlb_switch(&t, 0, ROOT), ROOT | CR3_NOFLUSH);
	assert_int_equal(tlb_switch(&t, 7, X), X | 7 | CR3_NOFLUSH);
}

static void test_pcid_unmap_elsewhere_flushes_at_next_switch(void **state)
{
	struct tlb t;

	(void)state;
	tlb_init(&t, true);
	(void)tlb_switch(&t, 2, X);
	(void)tlb_switch(&t, 0, ROOT);
	/* A page of space 2 goes while space 0 runs: nothing to do now... */
	assert_int_equal(tlb_unmapped(&t, 2, true), TLB_NONE);
	/* ...others are not affected... */
	assert_int_equal(tlb_switch(&t, 3, Y), Y | 3 | CR3_NOFLUSH);
	/* ...and the load of space 2 drops its PCID's entries, once. */
	assert_int_equal(tlb_switch(&t, 2, X), X | 2);
	assert_int_equal(tlb_switch(&t, 0, ROOT), ROOT | CR3_NOFLUSH);
	assert_int_equal(tlb_switch(&t, 2, X), X | 2 | CR3_NOFLUSH);
	/* The same for a table, and for the instance's own space 0. */
	assert_int_equal(tlb_unmapped(&t, 0, false), TLB_NONE);
	assert_int_equal(tlb_switch(&t, 0, ROOT), ROOT);
}

static void test_pcid_reused_number_starts_clean(void **state)
{
	struct tlb t;

	(void)state;
	tlb_init(&t, true);
	(void)tlb_switch(&t, 63, X);
	(void)tlb_switch(&t, 0, ROOT);
	/* X is destroyed; Y takes number 63: PCID 63 still holds X's entries. */
	tlb_released(&t, 63);
	assert_int_equal(tlb_switch(&t, 63, Y), Y | 63);
	assert_int_equal(tlb_switch(&t, 0, ROOT), ROOT | CR3_NOFLUSH);
	assert_int_equal(tlb_switch(&t, 63, Y), Y | 63 | CR3_NOFLUSH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_pcid_every_switch_flushes),
		cmocka_unit_test(test_current_space_is_invalidated_at_once),
		cmocka_unit_test(test_pcid_switches_keep_entries),
		cmocka_unit_test(test_pcid_unmap_elsewhere_flushes_at_next_switch),
		cmocka_unit_test(test_pcid_reused_number_starts_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
