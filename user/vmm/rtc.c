/*
 * The CMOS real-time clock (MC146818): index at 0x70, data at 0x71. It tells a
 * fixed date, 2026-01-01 00:00:00 UTC plus the seconds since the VMM started,
 * in BCD and 24-hour mode, never in an update cycle; the rest of CMOS is zero.
 */
#include "vmm.h"

static uint8_t bcd(unsigned v)
{
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static uint8_t read_reg(struct vm *vm, uint8_t reg)
{
	static uint64_t t0;
	uint64_t now = tsc_now();

	if (!t0)
		t0 = now;
	uint64_t s = (now - t0) / (vm->tsc_khz * 1000);	/* whole seconds; days do not roll over */
	switch (reg) {
	case 0x00: return bcd(s % 60);
	case 0x02: return bcd(s / 60 % 60);
	case 0x04: return bcd(s / 3600 % 24);
	case 0x06: return 5;		/* Thursday */
	case 0x07: return bcd(1);
	case 0x08: return bcd(1);
	case 0x09: return bcd(26);
	case 0x32: return bcd(20);	/* century */
	case 0x0A: return 0x26;		/* 32.768 kHz base, 1024 Hz rate, no update in progress */
	case 0x0B: return 0x02;		/* 24-hour, BCD, no interrupts */
	case 0x0D: return 0x80;		/* valid RAM and time */
	default: return 0;
	}
}

void rtc_access(struct vm *vm, struct io *io)
{
	if (io->port == 0x70) {
		if (io->write)
			vm->cmos_index = (uint8_t)(io->value & 0x7F);	/* bit 7 is the NMI mask */
		return;
	}
	if (!io->write)
		io->value = read_reg(vm, vm->cmos_index);
}
