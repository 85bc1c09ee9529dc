/* Boot-time clock calibration arithmetic: PIT-timed trials to TSC and APIC-timer rates. */
#include "arch/x86_64/calib.h"

static uint64_t midpoint(const struct calib_sample *s)
{
	return s->tsc_before + (s->tsc_after - s->tsc_before) / 2;
}

/* count clock ticks over pit PIT ticks, in kHz, rounded to nearest. */
static uint64_t khz(uint64_t count, uint64_t pit)
{
	return (count * CALIB_PIT_HZ + pit * 500) / (pit * 1000);
}

bool calib_trial_rates(const struct calib_trial *t, uint64_t *tsc_khz, uint64_t *apic_khz)
{
	const struct calib_sample *s = &t->start, *e = &t->end;

	/* Both counters count down; an end above its start means a wrap we cannot size. */
	if (t->wrapped || e->pit >= s->pit || e->apic >= s->apic || e->apic == 0)
		return false;
	if (s->tsc_after < s->tsc_before || e->tsc_after < e->tsc_before || e->tsc_before < s->tsc_after)
		return false;
	uint64_t pit = (uint64_t)(s->pit - e->pit);
	uint64_t tsc = midpoint(e) - midpoint(s);
	uint64_t bracket = (s->tsc_after - s->tsc_before) + (e->tsc_after - e->tsc_before);

	/* Too short a window leaves the PIT's own one-tick resolution above the tolerance. */
	if (pit < CALIB_WINDOW_TICKS / 2 || tsc > UINT64_MAX / CALIB_PIT_HZ)
		return false;
	if (bracket > tsc / CALIB_MAX_BRACKET)
		return false;
	*tsc_khz = khz(tsc, pit);
	*apic_khz = khz(s->apic - e->apic, pit);
	return true;
}

static void sort(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
}

/* The median of n > 0 sorted values; of an even count, the mean of the middle two. */
static uint64_t median(const uint64_t *v, unsigned n)
{
	return n % 2 ? v[n / 2] : v[n / 2 - 1] + (v[n / 2] - v[n / 2 - 1]) / 2;
}

static bool near(uint64_t x, uint64_t m)
{
	uint64_t d = x > m ? x - m : m - x;

	return d * CALIB_AGREE <= m;
}

enum calib_verdict calib_choose(const struct calib_trial *t, unsigned n, struct calib_result *r)
{
	/* Each trial's rates stay paired by index; the sorted copies give the medians. */
	uint64_t tsc[CALIB_TRIALS], apic[CALIB_TRIALS];
	uint64_t tsc_sorted[CALIB_TRIALS], apic_sorted[CALIB_TRIALS];
	unsigned u = 0;

	*r = (struct calib_result){ 0 };
	for (unsigned i = 0; i < n && i < CALIB_TRIALS; i++)
		if (calib_trial_rates(&t[i], &tsc[u], &apic[u]))
			u++;
	r->usable = u;
	if (!u)
		return CALIB_NO_TRIALS;
	for (unsigned i = 0; i < u; i++) {
		tsc_sorted[i] = tsc[i];
		apic_sorted[i] = apic[i];
	}
	sort(tsc_sorted, u);
	sort(apic_sorted, u);
	r->tsc_min = tsc_sorted[0];
	r->tsc_max = tsc_sorted[u - 1];
	r->tsc_khz = median(tsc_sorted, u);
	r->apic_khz = median(apic_sorted, u);
	for (unsigned i = 0; i < u; i++)
		if (near(tsc[i], r->tsc_khz) && near(apic[i], r->apic_khz))
			r->agree++;
	if (r->agree < CALIB_MIN_AGREE)
		return CALIB_UNSTABLE;
	if (r->tsc_khz < CALIB_TSC_KHZ_MIN || r->tsc_khz > CALIB_TSC_KHZ_MAX)
		return CALIB_TSC_IMPLAUSIBLE;
	if (r->apic_khz < CALIB_APIC_KHZ_MIN || r->apic_khz > CALIB_APIC_KHZ_MAX)
		return CALIB_APIC_IMPLAUSIBLE;
	return CALIB_OK;
}

const char *calib_verdict_str(enum calib_verdict v)
{
	switch (v) {
	case CALIB_OK:
		return "ok";
	case CALIB_NO_TRIALS:
		return "no trial had tight TSC reads around unwrapped PIT counts";
	case CALIB_UNSTABLE:
		return "fewer than 4 usable trials agree within 1% of the median";
	case CALIB_TSC_IMPLAUSIBLE:
		return "TSC rate outside 100 MHz - 10 GHz";
	case CALIB_APIC_IMPLAUSIBLE:
		return "APIC timer rate outside 500 kHz - 200 MHz (divide by 16)";
	}
	return "unknown verdict";
}
