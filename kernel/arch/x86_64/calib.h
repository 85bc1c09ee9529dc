/* Boot-time clock calibration arithmetic: PIT-timed trials to TSC and APIC-timer rates. */
#ifndef ARCH_CALIB_H
#define ARCH_CALIB_H

#include "types.h"

/* The 8254's input clock (1.193182 MHz, from the PC's 14.31818 MHz crystal divided by 12). */
#define CALIB_PIT_HZ 1193182u
/* One trial's window: about 10 ms of PIT channel 2 counts. */
#define CALIB_WINDOW_TICKS 11932u
/* Trials per round, and rounds tried before giving up. */
#define CALIB_TRIALS 7
#define CALIB_ROUNDS 5
/* A trial counts only if the TSC reads around its PIT latches span at most 1/200 of its window. */
#define CALIB_MAX_BRACKET 200
/* A round is stable if 4 usable trials lie within 1% of both its median rates. */
#define CALIB_MIN_AGREE 4
#define CALIB_AGREE 100
/* Plausible rates: a TSC of 100 MHz to 10 GHz; an APIC timer (divide by 16) of 0.5 to 200 MHz. */
#define CALIB_TSC_KHZ_MIN 100000ull
#define CALIB_TSC_KHZ_MAX 10000000ull
#define CALIB_APIC_KHZ_MIN 500ull
#define CALIB_APIC_KHZ_MAX 200000ull

/*
 * One end of a trial's window: the TSC just before and just after PIT channel 2
 * was latched, and the APIC timer's current count read between them.
 */
struct calib_sample {
	uint64_t tsc_before, tsc_after;
	uint32_t apic;		/* counts down */
	uint16_t pit;		/* counts down */
};

/* One trial: both ends, and whether channel 2's output had risen (its count passed zero). */
struct calib_trial {
	struct calib_sample start, end;
	bool wrapped;
};

/* What calib_choose() concluded; calib_verdict_str() names each for the console. */
enum calib_verdict {
	CALIB_OK,
	CALIB_NO_TRIALS,	/* no trial had a tight bracket and an unwrapped count */
	CALIB_UNSTABLE,		/* too few usable trials agree with their median */
	CALIB_TSC_IMPLAUSIBLE,
	CALIB_APIC_IMPLAUSIBLE,
};

struct calib_result {
	uint64_t tsc_khz, apic_khz;	/* the medians of the usable trials */
	uint64_t tsc_min, tsc_max;	/* the usable trials' spread */
	unsigned usable, agree;		/* trials usable, and of those within tolerance of the median */
};

/* A usable trial's rates in kHz; false if it wrapped, ran backwards or its bracket is too wide. */
bool calib_trial_rates(const struct calib_trial *t, uint64_t *tsc_khz, uint64_t *apic_khz);
/* Takes the medians of n trials' rates into r and judges them; r is filled whatever the verdict. */
enum calib_verdict calib_choose(const struct calib_trial *t, unsigned n, struct calib_result *r);
/* A short reason for a verdict, for the console. */
const char *calib_verdict_str(enum calib_verdict v);

#endif
