/* Unit tests: clock calibration arithmetic (kernel/arch/x86_64/calib.c): rates, overshoot, choice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "arch/x86_64/calib.h"

#define TSC_KHZ 2100000ull	/* about QEMU TCG's TSC on the test host */
#define APIC_KHZ 62500ull	/* QEMU's 1 GHz APIC clock over 16 */

/*
 * A trial whose window lasted pit PIT ticks at the given rates, each latch
 * exactly in the middle of a TSC bracket of bracket ticks.
 */
static struct calib_trial trial(uint64_t tsc_khz, uint64_t apic_khz, uint16_t pit, uint64_t bracket)
{
	struct calib_trial t = { .wrapped = false };
	uint64_t t0 = 1000000000ull, tsc = tsc_khz * 1000 * pit / CALIB_PIT_HZ;

	t.start = (struct calib_sample){ .tsc_before = t0, .tsc_after = t0 + bracket, .apic = 0xFFFFFF00u,
					 .pit = 0xFFF0 };
	t.end = t.start;
	t.end.tsc_before = t0 + tsc;
	t.end.tsc_after = t0 + tsc + bracket;
	t.end.apic = (uint32_t)(t.start.apic - apic_khz * 1000 * pit / CALIB_PIT_HZ);
	t.end.pit = (uint16_t)(t.start.pit - pit);
	return t;
}

static void within(uint64_t got, uint64_t want, uint64_t tol)
{
	assert_true(got + tol >= want && got <= want + tol);
}

static void test_rates_from_counts(void **state)
{
	struct calib_trial t = trial(TSC_KHZ, APIC_KHZ, CALIB_WINDOW_TICKS, 100);
	uint64_t tsc, apic;

	(void)state;
	assert_true(calib_trial_rates(&t, &tsc, &apic));
	/* Only the rounding of the synthetic counts to whole ticks is lost. */
	within(tsc, TSC_KHZ, 1);
	within(apic, APIC_KHZ, 1);
}

/* The old bug: a window that overshot 10 ms inflated both rates. Measured, it does not. */
static void test_overshoot_is_measured_not_assumed(void **state)
{
	struct calib_trial t = trial(TSC_KHZ, APIC_KHZ, 5 * CALIB_WINDOW_TICKS, 100);
	uint64_t tsc, apic;

	(void)state;
	assert_true(calib_trial_rates(&t, &tsc, &apic));
	within(tsc, TSC_KHZ, 1);
	within(apic, APIC_KHZ, 1);
}

static void test_wide_bracket_is_unusable(void **state)
{
	uint64_t window = TSC_KHZ * 1000 * CALIB_WINDOW_TICKS / CALIB_PIT_HZ, tsc, apic;
	/* Two brackets that together just fit the limit: usable; one tick wider each: not. */
	uint64_t limit = window / CALIB_MAX_BRACKET / 2;
	struct calib_trial ok = trial(TSC_KHZ, APIC_KHZ, CALIB_WINDOW_TICKS, limit);
	struct calib_trial wide = trial(TSC_KHZ, APIC_KHZ, CALIB_WINDOW_TICKS, limit + 1);

	(void)state;
	assert_true(calib_trial_rates(&ok, &tsc, &apic));
	assert_false(calib_trial_rates(&wide, &tsc, &apic));
}

static void test_wrapped_or_backwards_is_unusable(void **state)
{
	struct calib_trial t = trial(TSC_KHZ, APIC_KHZ, CALIB_WINDOW_TICKS, 100);
	struct calib_trial u;
	uint64_t tsc, apic;

	(void)state;
	u = t;
	u.wrapped = true;		/* OUT2 rose: more than 65535 ticks passed */
	assert_false(calib_trial_rates(&u, &tsc, &apic));
	u = t;
	u.end.pit = (uint16_t)(u.start.pit + 5);	/* wrapped past zero */
	assert_false(calib_trial_rates(&u, &tsc, &apic));
	u = t;
	u.end.pit = u.start.pit;			/* the PIT did not move */
	assert_false(calib_trial_rates(&u, &tsc, &apic));
	u = t;
	u.end.apic = 0;					/* the APIC timer ran out */
	assert_false(calib_trial_rates(&u, &tsc, &apic));
	u = t;
	u.end.tsc_before = u.start.tsc_before;		/* the TSC went backwards */
	assert_false(calib_trial_rates(&u, &tsc, &apic));
	u = t;
	u.end.pit = (uint16_t)(u.start.pit - CALIB_WINDOW_TICKS / 2 + 1);	/* too short a window */
	assert_false(calib_trial_rates(&u, &tsc, &apic));
}

static void test_median_ignores_outliers(void **state)
{
	struct calib_trial t[CALIB_TRIALS];
	struct calib_result r;
	/* Two trials with a far-off rate (e.g. a wrap missed by a broken PIT), one slightly off. */
	const uint64_t khz[CALIB_TRIALS] = { TSC_KHZ, 6 * TSC_KHZ, TSC_KHZ + 3000, TSC_KHZ - 2000,
					     TSC_KHZ / 2, TSC_KHZ + 1000, TSC_KHZ - 1000 };

	(void)state;
	for (unsigned i = 0; i < CALIB_TRIALS; i++)
		t[i] = trial(khz[i], APIC_KHZ * khz[i] / TSC_KHZ, CALIB_WINDOW_TICKS, 100);
	assert_int_equal(calib_choose(t, CALIB_TRIALS, &r), CALIB_OK);
	within(r.tsc_khz, TSC_KHZ, 1);
	within(r.apic_khz, APIC_KHZ, 1);
	assert_int_equal(r.usable, CALIB_TRIALS);
	assert_int_equal(r.agree, 5);
	within(r.tsc_min, TSC_KHZ / 2, 1);
	within(r.tsc_max, 6 * TSC_KHZ, 1);
}

static void test_unusable_trials_do_not_vote(void **state)
{
	struct calib_trial t[CALIB_TRIALS];
	struct calib_result r;

	(void)state;
	for (unsigned i = 0; i < CALIB_TRIALS; i++)
		t[i] = trial(i < 4 ? TSC_KHZ : 9 * TSC_KHZ, APIC_KHZ, CALIB_WINDOW_TICKS, i < 4 ? 100 : 1000000);
	assert_int_equal(calib_choose(t, CALIB_TRIALS, &r), CALIB_OK);
	assert_int_equal(r.usable, 4);
	within(r.tsc_khz, TSC_KHZ, 1);
	within(r.tsc_max, TSC_KHZ, 1);
}

static void test_even_count_median_is_the_middle_mean(void **state)
{
	struct calib_trial t[4];
	struct calib_result r;

	(void)state;
	t[0] = trial(TSC_KHZ - 2000, APIC_KHZ, CALIB_WINDOW_TICKS, 100);
	t[1] = trial(TSC_KHZ - 1000, APIC_KHZ, CALIB_WINDOW_TICKS, 100);
	t[2] = trial(TSC_KHZ + 1000, APIC_KHZ, CALIB_WINDOW_TICKS, 100);
	t[3] = trial(TSC_KHZ + 2000, APIC_KHZ, CALIB_WINDOW_TICKS, 100);
	assert_int_equal(calib_choose(t, 4, &r), CALIB_OK);
	within(r.tsc_khz, TSC_KHZ, 1);
}

static void test_disagreeing_trials_are_unstable(void **state)
{
	struct calib_trial t[CALIB_TRIALS];
	struct calib_result r;

	(void)state;
	/* Each 3% above the last: no four lie within 1% of the median. */
	for (unsigned i = 0; i < CALIB_TRIALS; i++)
		t[i] = trial(TSC_KHZ * (100 + 3 * i) / 100, APIC_KHZ, CALIB_WINDOW_TICKS, 100);
	assert_int_equal(calib_choose(t, CALIB_TRIALS, &r), CALIB_UNSTABLE);
	assert_int_equal(r.usable, CALIB_TRIALS);
	assert_true(r.agree < CALIB_MIN_AGREE);
	/* The APIC timer must agree too, not only the TSC. */
	for (unsigned i = 0; i < CALIB_TRIALS; i++)
		t[i] = trial(TSC_KHZ, APIC_KHZ * (100 + 3 * i) / 100, CALIB_WINDOW_TICKS, 100);
	assert_int_equal(calib_choose(t, CALIB_TRIALS, &r), CALIB_UNSTABLE);
}

static void test_no_usable_trial(void **state)
{
	struct calib_trial t[CALIB_TRIALS];
	struct calib_result r;

	(void)state;
	for (unsigned i = 0; i < CALIB_TRIALS; i++) {
		t[i] = trial(TSC_KHZ, APIC_KHZ, CALIB_WINDOW_TICKS, 100);
		t[i].wrapped = true;
	}
	assert_int_equal(calib_choose(t, CALIB_TRIALS, &r), CALIB_NO_TRIALS);
	assert_int_equal(r.usable, 0);
	assert_int_equal(calib_choose(t, 0, &r), CALIB_NO_TRIALS);
}

static void test_implausible_rates_are_rejected(void **state)
{
	struct calib_trial t[CALIB_TRIALS];
	struct calib_result r;

	(void)state;
	for (unsigned i = 0; i < CALIB_TRIALS; i++)
		t[i] = trial(20000000, APIC_KHZ, CALIB_WINDOW_TICKS, 100);	/* 20 GHz */
	assert_int_equal(calib_choose(t, CALIB_TRIALS, &r), CALIB_TSC_IMPLAUSIBLE);
	for (unsigned i = 0; i < CALIB_TRIALS; i++)
		t[i] = trial(50000, APIC_KHZ, CALIB_WINDOW_TICKS, 2);		/* 50 MHz */
	assert_int_equal(calib_choose(t, CALIB_TRIALS, &r), CALIB_TSC_IMPLAUSIBLE);
	for (unsigned i = 0; i < CALIB_TRIALS; i++)
		t[i] = trial(TSC_KHZ, 250000, CALIB_WINDOW_TICKS, 100);		/* 4 GHz / 16 */
	assert_int_equal(calib_choose(t, CALIB_TRIALS, &r), CALIB_APIC_IMPLAUSIBLE);
	for (unsigned i = 0; i < CALIB_TRIALS; i++)
		t[i] = trial(TSC_KHZ, 400, CALIB_WINDOW_TICKS, 100);
	assert_int_equal(calib_choose(t, CALIB_TRIALS, &r), CALIB_APIC_IMPLAUSIBLE);
	/* The limits themselves are plausible. */
	for (unsigned i = 0; i < CALIB_TRIALS; i++)
		t[i] = trial(CALIB_TSC_KHZ_MAX, CALIB_APIC_KHZ_MAX, CALIB_WINDOW_TICKS, 100);
	assert_int_equal(calib_choose(t, CALIB_TRIALS, &r), CALIB_OK);
}

static void test_every_verdict_has_a_reason(void **state)
{
	(void)state;
	assert_string_equal(calib_verdict_str(CALIB_OK), "ok");
	assert_non_null(strstr(calib_verdict_str(CALIB_UNSTABLE), "agree"));
	assert_non_null(strstr(calib_verdict_str(CALIB_TSC_IMPLAUSIBLE), "TSC"));
	assert_non_null(strstr(calib_verdict_str(CALIB_APIC_IMPLAUSIBLE), "APIC"));
	assert_non_null(strstr(calib_verdict_str(CALIB_NO_TRIALS), "PIT"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates_from_counts),
		cmocka_unit_test(test_overshoot_is_measured_not_assumed),
		cmocka_unit_test(test_wide_bracket_is_unusable),
		cmocka_unit_test(test_wrapped_or_backwards_is_unusable),
		cmocka_unit_test(test_median_ignores_outliers),
		cmocka_unit_test(test_unusable_trials_do_not_vote),
		cmocka_unit_test(test_even_count_median_is_the_middle_mean),
		cmocka_unit_test(test_disagreeing_trials_are_unstable),
		cmocka_unit_test(test_no_usable_trial),
		cmocka_unit_test(test_implausible_rates_are_rejected),
		cmocka_unit_test(test_every_verdict_has_a_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
