/* 8254 PIT channel 2: boot-time delays and the calibration clock (mode 0, gate via port 0x61). */
#include "arch/x86_64/calib.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/lapic.h"

#define PIT_HZ CALIB_PIT_HZ
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PORT_B 0x61
#define PORTB_GATE2 0x01
#define PORTB_SPEAKER 0x02
#define PORTB_OUT2 0x20
/* Control word: channel 2, access bits 00 (8254 data sheet, "Counter Latch Command"). */
#define PIT_LATCH2 0x80
/* A PIT that never counts (absent, or its gate stuck) is given up on after this many reads. */
#define PIT_MAX_READS 10000000u

bool pit_delay_us(uint32_t us)
{
	while (us) {
		uint32_t chunk = us > 50000 ? 50000 : us;
		uint32_t count = (uint32_t)((uint64_t)chunk * PIT_HZ / 1000000u);
		if (count < 2)
			count = 2;
		uint8_t b = inb(PORT_B) & (uint8_t)~(PORTB_SPEAKER | PORTB_GATE2);
		outb(PORT_B, b);
		outb(PIT_CMD, 0xB0);	/* channel 2, lobyte/hibyte, mode 0 */
		outb(PIT_CH2, count & 0xFF);
		outb(PIT_CH2, (count >> 8) & 0xFF);
		outb(PORT_B, b | PORTB_GATE2);
		unsigned spins = 0;
		while (!(inb(PORT_B) & PORTB_OUT2))
			if (++spins > 50000000u)
				return false;
		us -= chunk;
	}
	return true;
}

/*
 * Loads 0xFFFF in mode 0 with the gate high. In mode 0 the count keeps going
 * down past zero (wrapping to 0xFFFF), and OUT rises at zero and stays high
 * until the next control word: a high OUT at the end means the window lasted
 * more than 65535 ticks (55 ms) and its count difference cannot be trusted.
 */
static void ch2_start(void)
{
	uint8_t b = inb(PORT_B) & (uint8_t)~(PORTB_SPEAKER | PORTB_GATE2);

	outb(PORT_B, b);
	outb(PIT_CMD, 0xB0);	/* channel 2, lobyte/hibyte, mode 0 */
	outb(PIT_CH2, 0xFF);
	outb(PIT_CH2, 0xFF);
	outb(PORT_B, b | PORTB_GATE2);
}

static uint16_t ch2_read_latched(void)
{
	uint8_t lo = inb(PIT_CH2);

	return (uint16_t)(lo | inb(PIT_CH2) << 8);
}

static uint16_t ch2_count(void)
{
	outb(PIT_CMD, PIT_LATCH2);
	return ch2_read_latched();
}

/* The latch is the instant measured; the TSC reads bracket it and the APIC read. */
static void sample(struct calib_sample *s)
{
	s->tsc_before = rdtsc();
	s->apic = lapic_timer_count();
	outb(PIT_CMD, PIT_LATCH2);
	s->tsc_after = rdtsc();
	s->pit = ch2_read_latched();
}

bool pit_calib_trial(struct calib_trial *t)
{
	ch2_start();
	sample(&t->start);
	for (unsigned n = 0;; n++) {
		uint16_t c = ch2_count();
		if (c > t->start.pit || (unsigned)(t->start.pit - c) >= CALIB_WINDOW_TICKS)
			break;
		if (n >= PIT_MAX_READS)
			return false;
	}
	sample(&t->end);
	t->wrapped = inb(PORT_B) & PORTB_OUT2;
	return true;
}
