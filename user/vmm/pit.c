/*
 * The 8254 timer (Intel 8254 data sheet) driven by the TSC: channel 0 raises
 * irq 0 (periodic in modes 2 and 3, once in the others), channel 2 counts
 * under the gate of port 0x61 with its output in bit 5 there, which is how
 * Linux calibrates. Counts read back as they would be at that instant.
 */
#include "vmm.h"

#define PIT_PORT_CH0 0x40
#define PIT_PORT_CMD 0x43
#define PORT_B 0x61

static uint64_t count_of(const struct pit_channel *c)
{
	return c->reload ? c->reload : 65536;
}

static bool periodic(const struct pit_channel *c)
{
	return (c->mode & 3) == 2;	/* modes 2, 3 (and their aliases 6, 7) */
}

/* PIT ticks between two TSC values, and back. */
static uint64_t ticks(const struct vm *vm, uint64_t tsc)
{
	return tsc / vm->tsc_khz * PIT_HZ / 1000 + tsc % vm->tsc_khz * PIT_HZ / (vm->tsc_khz * 1000);
}

static uint64_t tsc_of(const struct vm *vm, uint64_t n)
{
	return n * vm->tsc_khz * 1000 / PIT_HZ;
}

static uint16_t current(const struct vm *vm, const struct pit_channel *c, uint64_t now)
{
	uint64_t n = c->armed ? ticks(vm, now - c->start) : 0;

	if (periodic(c))
		return (uint16_t)(count_of(c) - n % count_of(c));
	return (uint16_t)(count_of(c) - n);	/* counts on through 0, modulo 2^16 */
}

static void arm(struct vm *vm, struct pit_channel *c, uint64_t now)
{
	c->start = now;
	c->armed = true;
	c->next_irq = now + tsc_of(vm, count_of(c));
}

/*
 * The guest sees a periodic tick late (its VMM runs it again at the next host
 * tick at the latest), but it sees every one: ticks that came due meanwhile
 * are owed and raised one after the other, each once the last was taken, so
 * that a guest counting ticks (jiffies) keeps time with its TSC.
 */
#define PIT_MAX_OWED 1000

void pit_update(struct vm *vm, uint64_t now)
{
	struct pit_channel *c = &vm->pit[0];

	while (c->next_irq && now >= c->next_irq) {
		if (!c->owed)
			c->owed_due = c->next_irq;
		if (c->owed < PIT_MAX_OWED)
			c->owed++;
		c->next_irq = periodic(c) ? c->next_irq + tsc_of(vm, count_of(c)) : 0;
	}
	if (c->owed && !irq_busy(vm, 0)) {
		irq_raise(vm, 0);
		c->raised_due = c->owed_due;
		c->owed--;
		c->owed_due += tsc_of(vm, count_of(c));
	}
}

uint64_t pit_raised_due(const struct vm *vm)
{
	return vm->pit[0].raised_due;
}

uint64_t pit_next_deadline(const struct vm *vm)
{
	/* Owed ticks need no deadline: the next goes in at the exit where the guest EOIs the last. */
	return vm->pit[0].next_irq;
}

static void control(struct vm *vm, uint8_t v, uint64_t now)
{
	unsigned ch = v >> 6;

	if (ch == 3)
		return;		/* read-back: not used by Linux */
	struct pit_channel *c = &vm->pit[ch];
	if (!(v & 0x30)) {	/* counter latch */
		c->latch = current(vm, c, now);
		c->latched = true;
		c->latched_hi = false;
		return;
	}
	c->access = (v >> 4) & 3;
	c->mode = (v >> 1) & 7;
	c->rw_hi = false;
	c->armed = false;
	c->next_irq = 0;
	c->owed = 0;
}

static void write_count(struct vm *vm, unsigned ch, uint8_t v, uint64_t now)
{
	struct pit_channel *c = &vm->pit[ch];

	if (c->access == 1 || (c->access == 3 && !c->rw_hi)) {
		c->reload = (uint16_t)((c->reload & 0xFF00) | v);
		if (c->access == 3) {
			c->rw_hi = true;
			return;
		}
	} else {
		c->reload = (uint16_t)((c->reload & 0x00FF) | v << 8);
		c->rw_hi = false;
	}
	if (ch != 2 || (vm->port_b & 1))
		arm(vm, c, now);
	if (ch != 0)
		c->next_irq = 0;	/* only channel 0 is wired to an interrupt */
}

static uint8_t read_count(struct vm *vm, unsigned ch, uint64_t now)
{
	struct pit_channel *c = &vm->pit[ch];
	uint16_t v;
	bool hi;

	if (c->latched) {
		v = c->latch;
		hi = c->latched_hi;
		c->latched_hi = !hi;
		if (hi || c->access != 3)
			c->latched = false;
	} else {
		v = current(vm, c, now);
		hi = c->access == 2 || (c->access == 3 && c->rw_hi);
		if (c->access == 3)
			c->rw_hi = !c->rw_hi;
	}
	return (uint8_t)(hi ? v >> 8 : v);
}

void pit_access(struct vm *vm, struct io *io)
{
	uint64_t now = tsc_now();

	if (io->port == PORT_B) {
		struct pit_channel *c2 = &vm->pit[2];
		if (io->write) {
			if ((io->value & 1) && !(vm->port_b & 1))
				arm(vm, c2, now);	/* the gate's rising edge starts the count */
			vm->port_b = (uint8_t)(io->value & 3);
			c2->next_irq = 0;
			return;
		}
		/* Channel 2's output: high once a mode 0 count has run out. */
		bool out = c2->armed && !periodic(c2) && ticks(vm, now - c2->start) >= count_of(c2);
		io->value = vm->port_b | (out ? 0x20 : 0);
		return;
	}
	if (io->port == PIT_PORT_CMD) {
		if (io->write)
			control(vm, (uint8_t)io->value, now);
		return;
	}
	unsigned ch = io->port - PIT_PORT_CH0;
	if (io->write)
		write_count(vm, ch, (uint8_t)io->value, now);
	else
		io->value = read_count(vm, ch, now);
}
