/*
 * The local APIC in xAPIC mode (Intel SDM vol. 3 ch. 11): its registers on the
 * page at LAPIC_BASE, interrupt acceptance and priority (IRR, ISR, TPR, PPR),
 * EOI (broadcast to the I/O APIC for level-triggered vectors), self-IPIs, and
 * the timer, counting the bus clock (LAPIC_HZ) derived from the TSC. IPIs go
 * through smp.c: to this APIC, or to another vCPU's.
 */
#include "vmm.h"

#define LAPIC_HZ 1000000000ull	/* the timer's input clock before the divider */

/* Register offsets (SDM table 11-1). */
enum {
	REG_ID = 0x020, REG_VERSION = 0x030, REG_TPR = 0x080, REG_APR = 0x090, REG_PPR = 0x0A0,
	REG_EOI = 0x0B0, REG_RRD = 0x0C0, REG_LDR = 0x0D0, REG_DFR = 0x0E0, REG_SVR = 0x0F0,
	REG_ISR = 0x100, REG_TMR = 0x180, REG_IRR = 0x200, REG_ESR = 0x280, REG_ICR_LO = 0x300,
	REG_ICR_HI = 0x310, REG_LVT = 0x320, REG_TMICT = 0x380, REG_TMCCT = 0x390, REG_TDCR = 0x3E0,
};
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR };

#define VERSION 0x14u			/* an integrated APIC */
#define LVT_MASKED (1u << 16)
#define LVT_TIMER_PERIODIC (1u << 17)
#define LVT_MODE(v) (((v) >> 8) & 7)
#define MODE_FIXED 0
#define MODE_LOWEST 1
#define MODE_NMI 4
#define MODE_EXTINT 7
#define SVR_ENABLED (1u << 8)
#define ESR_RECEIVE_ILLEGAL (1u << 6)
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ENABLED (1ull << 11)
/* Writable bits of each LVT (SDM figure 11-8): vector, mode, polarity, trigger, mask, timer mode. */
static const uint32_t lvt_writable[LAPIC_LVT_COUNT] = {
	0x300FF, 0x107FF, 0x107FF, 0x1A7FF, 0x1A7FF, 0x100FF,
};

void lapic_init(struct vm *vm)
{
	struct lapic *a = &vm->lapic;

	*a = (struct lapic){ .base_msr = LAPIC_BASE | (vm->cpu ? 0 : APIC_BASE_BSP) | APIC_BASE_ENABLED,
			     .id = vm->cpu << 24, .dfr = 0xFFFFFFFFu, .svr = 0xFF };
	for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++)
		a->lvt[i] = LVT_MASKED;
	/*
	 * LINT0 as firmware leaves it on a PC: ExtINT, unmasked (the "virtual wire"), so
	 * the PIC reaches the CPU until the guest sets up its APICs; Linux reads that
	 * state to keep or close the wire (SDM 11.5.1; MP spec 3.6.2.2).
	 */
	a->lvt[LVT_LINT0] = MODE_EXTINT << 8;
}

static bool test_bit(const uint32_t *v, unsigned n)
{
	return v[n / 32] >> (n % 32) & 1;
}

static void set_bit(uint32_t *v, unsigned n, bool on)
{
	if (on)
		v[n / 32] |= 1u << (n % 32);
	else
		v[n / 32] &= ~(1u << (n % 32));
}

/* The highest set bit of a 256-bit register, or -1. */
static int highest(const uint32_t *v)
{
	for (int w = 7; w >= 0; w--)
		if (v[w])
			return w * 32 + 31 - __builtin_clz(v[w]);
	return -1;
}

/* Processor priority (SDM 11.8.3.1): the TPR, or the class of the highest vector in service. */
static uint32_t ppr(const struct lapic *a)
{
	int isrv = highest(a->isr);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xF0;

	return (a->tpr & 0xF0) >= isr_class ? a->tpr & 0xFF : isr_class;
}

bool lapic_irr_set(const struct vm *vm, uint8_t vector)
{
	return test_bit(vm->lapic.irr, vector);
}

int lapic_pending(const struct vm *vm)
{
	int v = highest(vm->lapic.irr);

	if (v < 0 || !(vm->lapic.base_msr & APIC_BASE_ENABLED))
		return -1;
	return ((uint32_t)v & 0xF0) > ppr(&vm->lapic) ? v : -1;
}

void lapic_ack(struct vm *vm, uint8_t vector)
{
	set_bit(vm->lapic.irr, vector, false);
	set_bit(vm->lapic.isr, vector, true);
}

void lapic_accept(struct vm *vm, uint8_t vector, bool level)
{
	struct lapic *a = &vm->lapic;

	if (!(a->base_msr & APIC_BASE_ENABLED) || !(a->svr & SVR_ENABLED))
		return;	/* a disabled APIC takes no fixed interrupts (SDM 11.4.3, 11.4.7.2) */
	if (vector < 16) {
		a->esr |= ESR_RECEIVE_ILLEGAL;	/* vectors 0-15 are illegal (SDM 11.5.2) */
		return;
	}
	set_bit(a->irr, vector, true);
	set_bit(a->tmr, vector, level);
}

bool lapic_matches(const struct vm *vm, uint8_t dest, bool logical)
{
	const struct lapic *a = &vm->lapic;

	return apic_dest_matches(a->id, a->ldr, a->dfr, dest, logical);
}

bool lapic_takes_extint(const struct vm *vm)
{
	uint32_t lint0 = vm->lapic.lvt[LVT_LINT0];

	if (!(vm->lapic.base_msr & APIC_BASE_ENABLED))
		return true;	/* a globally disabled APIC passes INTR straight on (SDM 11.4.3) */
	return !(lint0 & LVT_MASKED) && LVT_MODE(lint0) == MODE_EXTINT;
}

/* ---- the timer (SDM 11.5.4) ---- */

static uint64_t divisor(const struct lapic *a)
{
	unsigned code = (a->tdcr & 3) | (a->tdcr >> 1 & 4);	/* bits 0, 1 and 3 */

	return code == 7 ? 1 : 2ull << code;
}

/* Timer counts in a TSC interval, and the TSC interval (rounded up) of a number of counts. */
static uint64_t counts_of(const struct vm *vm, uint64_t tsc)
{
	uint64_t khz = vm->tsc_khz, clocks = tsc / khz * (LAPIC_HZ / 1000) +
					       tsc % khz * (LAPIC_HZ / 1000) / khz;

	return clocks / divisor(&vm->lapic);
}

static uint64_t tsc_of(const struct vm *vm, uint64_t counts)
{
	uint64_t clocks = counts * divisor(&vm->lapic);

	return (clocks * vm->tsc_khz + LAPIC_HZ / 1000 - 1) / (LAPIC_HZ / 1000);
}

static bool periodic(const struct lapic *a)
{
	return a->lvt[LVT_TIMER] & LVT_TIMER_PERIODIC;
}

static uint32_t current_count(const struct vm *vm, uint64_t now)
{
	const struct lapic *a = &vm->lapic;

	if (!a->tmict || !a->next_irq)
		return 0;	/* stopped, or a one-shot count ran out */
	uint64_t n = counts_of(vm, now - a->timer_start);
	if (periodic(a))
		return a->tmict - (uint32_t)(n % a->tmict);
	return n >= a->tmict ? 0 : a->tmict - (uint32_t)n;
}

/* Starts a count of `counts` (at most tmict) now; 0 stops the timer. */
static void timer_arm(struct vm *vm, uint64_t now, uint32_t counts)
{
	struct lapic *a = &vm->lapic;

	a->owed = 0;
	if (!counts) {
		a->next_irq = 0;
		return;
	}
	a->next_irq = now + tsc_of(vm, counts);
	a->timer_start = a->next_irq - tsc_of(vm, a->tmict);
}

/*
 * As for the PIT: each periodic expiry is raised, one after the other once the
 * last was taken, though the guest may see them late (at the next host tick).
 * While both timers catch up, irq.c holds this one back behind a PIT tick that
 * came due earlier: its vector outranks the PIT's, so otherwise the guest would
 * take all of its owed expiries before the PIT's next.
 */
#define LAPIC_MAX_OWED 1000

void lapic_update(struct vm *vm, uint64_t now, uint64_t hold)
{
	struct lapic *a = &vm->lapic;
	uint32_t lvt = a->lvt[LVT_TIMER];
	uint64_t period = tsc_of(vm, a->tmict);

	if (a->next_irq && now >= a->next_irq) {
		/* Expiries since the last look: one for a one-shot count, any number when periodic. */
		uint64_t n = 1, first = a->next_irq;
		if (periodic(a)) {
			n += (now - a->next_irq) / period;
			a->timer_start = a->next_irq + (n - 1) * period;
			a->next_irq = a->timer_start + period;
		} else {
			a->next_irq = 0;
		}
		if (!(lvt & LVT_MASKED)) {	/* a masked timer counts on but raises nothing */
			if (!a->owed)
				a->owed_due = first;
			a->owed = a->owed + n < LAPIC_MAX_OWED ? a->owed + (unsigned)n : LAPIC_MAX_OWED;
		}
	}
	if (a->owed && !test_bit(a->irr, lvt & 0xFF) && !(hold && hold < a->owed_due)) {
		lapic_accept(vm, (uint8_t)(lvt & 0xFF), false);
		a->owed--;
		a->owed_due += period;
	}
}

uint64_t lapic_next_deadline(const struct vm *vm)
{
	return vm->lapic.next_irq;
}

/* ---- registers ---- */

static void eoi(struct vm *vm)
{
	struct lapic *a = &vm->lapic;
	int v = highest(a->isr);

	if (v < 0)
		return;
	set_bit(a->isr, (unsigned)v, false);
	if (test_bit(a->tmr, (unsigned)v))
		ioapic_eoi(vm, (uint8_t)v);	/* EOI broadcast (SDM 11.8.5) */
}

static uint32_t read_reg(struct vm *vm, uint32_t reg)
{
	struct lapic *a = &vm->lapic;

	if (reg >= REG_ISR && reg < REG_ISR + 0x80)
		return a->isr[(reg - REG_ISR) >> 4];
	if (reg >= REG_TMR && reg < REG_TMR + 0x80)
		return a->tmr[(reg - REG_TMR) >> 4];
	if (reg >= REG_IRR && reg < REG_IRR + 0x80)
		return a->irr[(reg - REG_IRR) >> 4];
	if (reg >= REG_LVT && reg < REG_LVT + LAPIC_LVT_COUNT * 0x10)
		return a->lvt[(reg - REG_LVT) >> 4];
	switch (reg) {
	case REG_ID: return a->id;
	case REG_VERSION: return VERSION | (LAPIC_LVT_COUNT - 1) << 16;	/* no EOI suppression */
	case REG_TPR: return a->tpr;
	case REG_PPR: return ppr(a);
	case REG_LDR: return a->ldr;
	case REG_DFR: return a->dfr;
	case REG_SVR: return a->svr;
	case REG_ESR: return a->esr;
	case REG_ICR_LO: return a->icr_lo & ~(1u << 12);	/* delivery status: always idle */
	case REG_ICR_HI: return a->icr_hi;
	case REG_TMICT: return a->tmict;
	case REG_TMCCT: return current_count(vm, tsc_now());
	case REG_TDCR: return a->tdcr;
	}
	return 0;	/* APR, RRD, CMCI and reserved offsets */
}

static void write_svr(struct vm *vm, uint32_t v)
{
	struct lapic *a = &vm->lapic;

	a->svr = v & 0x13FF;	/* vector, enable, focus check, EOI suppression (bit 12) */
	a->svr &= ~(1u << 12);	/* not offered (version bit 24 clear) */
	if (!(v & SVR_ENABLED))	/* software disable masks every LVT (SDM 11.4.7.2) */
		for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++)
			a->lvt[i] |= LVT_MASKED;
}

static void write_reg(struct vm *vm, uint32_t reg, uint32_t v)
{
	struct lapic *a = &vm->lapic;
	uint64_t now = tsc_now();

	if (reg >= REG_LVT && reg < REG_LVT + LAPIC_LVT_COUNT * 0x10) {
		unsigned i = (reg - REG_LVT) >> 4;
		a->lvt[i] = (a->lvt[i] & ~lvt_writable[i]) | (v & lvt_writable[i]);
		if (!(a->svr & SVR_ENABLED))
			a->lvt[i] |= LVT_MASKED;	/* cannot be unmasked while disabled */
		return;
	}
	switch (reg) {
	case REG_ID:
		a->id = v & 0xFF000000u;
		return;
	case REG_TPR:
		a->tpr = v & 0xFF;
		return;
	case REG_EOI:
		eoi(vm);
		return;
	case REG_LDR:
		a->ldr = v & 0xFF000000u;
		return;
	case REG_DFR:
		a->dfr = v | 0x0FFFFFFFu;
		return;
	case REG_SVR:
		write_svr(vm, v);
		return;
	case REG_ESR:
		a->esr = 0;	/* a write latches the errors since; we keep none between writes */
		return;
	case REG_ICR_LO:
		a->icr_lo = v & 0x000CDFFFu;
		smp_ipi(vm, a->icr_lo, a->icr_hi);	/* an IPI (SDM 11.6.1): smp.c */
		return;
	case REG_ICR_HI:
		a->icr_hi = v & 0xFF000000u;
		return;
	case REG_TMICT:
		a->tmict = v;
		timer_arm(vm, now, v);
		return;
	case REG_TDCR: {
		/* The count goes on from where it is at the new rate. */
		uint32_t left = current_count(vm, now);
		bool running = a->next_irq != 0;
		a->tdcr = v & 0xB;
		if (running)
			timer_arm(vm, now, left ? left : a->tmict);
		return;
	}
	}
	/* Read-only or reserved registers: writes are ignored. */
}

void lapic_mmio(struct vm *vm, uint32_t offset, bool write, uint32_t *value)
{
	/* Registers are 32 bits at 16-byte boundaries (SDM 11.4.1); the rest of each slot reads 0. */
	uint32_t reg = offset & 0xFF0;

	if (offset & 0xC) {
		if (!write)
			*value = 0;
		return;
	}
	if (write)
		write_reg(vm, reg, *value);
	else
		*value = read_reg(vm, reg);
}

bool lapic_write_base(struct vm *vm, uint64_t value)
{
	/* The base stays put and x2APIC mode is not offered: either is #GP (SDM 11.4.4, 11.12.1). */
	if ((value & ~0xFFFull) != LAPIC_BASE || (value & APIC_BASE_X2APIC) || (value & 0x2FFull))
		return false;
	vm->lapic.base_msr = (vm->lapic.base_msr & ~APIC_BASE_ENABLED) | (value & APIC_BASE_ENABLED);
	return true;
}
