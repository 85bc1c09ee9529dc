/*
 * The two 8259A interrupt controllers (Intel 8259A data sheet): edge-triggered,
 * fully nested, the slave cascaded on the master's irq 2. Initialisation words,
 * the interrupt mask, specific and non-specific EOI, reading IRR or ISR.
 */
#include "vmm.h"

void pic_init(struct vm *vm)
{
	for (unsigned i = 0; i < 2; i++)
		vm->pic[i] = (struct pic){ .imr = 0xFF, .base = (uint8_t)(i ? 0x70 : 0x08) };
}

/* The highest-priority bit (lowest number) of a mask, or -1. */
static int lowest(uint8_t m)
{
	return m ? __builtin_ctz(m) : -1;
}

/* The irq a controller would present: pending, unmasked, above everything in service. */
static int presents(const struct pic *p, uint8_t irr)
{
	int want = lowest(irr & (uint8_t)~p->imr), busy = lowest(p->isr);

	return want >= 0 && (busy < 0 || want < busy) ? want : -1;
}

static uint8_t master_irr(const struct vm *vm)
{
	/* The slave's output is the master's irq 2 input. */
	return (uint8_t)(vm->pic[0].irr | (presents(&vm->pic[1], vm->pic[1].irr) >= 0 ? 0x04 : 0));
}

int pic_pending(struct vm *vm)
{
	int m = presents(&vm->pic[0], master_irr(vm));

	if (m < 0 || vm->pic[0].init_step)
		return -1;
	if (m == 2) {
		int s = presents(&vm->pic[1], vm->pic[1].irr);
		return s < 0 || vm->pic[1].init_step ? -1 : vm->pic[1].base + s;
	}
	return vm->pic[0].base + m;
}

static void take(struct pic *p, int irq)
{
	p->irr &= (uint8_t)~(1u << irq);
	if (!p->auto_eoi)
		p->isr |= (uint8_t)(1u << irq);
}

void pic_ack(struct vm *vm, int vector)
{
	struct pic *m = &vm->pic[0], *s = &vm->pic[1];

	if (vector >= m->base && vector < m->base + 8 && vector - m->base != 2) {
		take(m, vector - m->base);
	} else if (vector >= s->base && vector < s->base + 8) {
		take(s, vector - s->base);
		if (!m->auto_eoi)
			m->isr |= 0x04;
	}
}

void pic_raise(struct vm *vm, unsigned irq)
{
	if (irq < 8)
		vm->pic[0].irr |= (uint8_t)(1u << irq);
	else if (irq < 16)
		vm->pic[1].irr |= (uint8_t)(1u << (irq - 8));
}

static void command(struct pic *p, uint8_t v)
{
	if (v & 0x10) {			/* ICW1: start initialisation */
		*p = (struct pic){ .imr = 0, .base = p->base, .init_step = 1, .icw4 = v & 1 };
		return;
	}
	if ((v & 0x18) == 0x08) {	/* OCW3: which register a read of this port gives */
		if (v & 0x02)
			p->read_isr = v & 0x01;
		return;
	}
	switch (v >> 5) {		/* OCW2 */
	case 1:				/* non-specific EOI: the highest in service */
		if (p->isr)
			p->isr &= (uint8_t)(p->isr - 1);
		return;
	case 3:				/* specific EOI */
		p->isr &= (uint8_t)~(1u << (v & 7));
		return;
	default:
		return;			/* rotation and priority commands: not used by Linux */
	}
}

static void data(struct pic *p, uint8_t v)
{
	switch (p->init_step) {
	case 1:				/* ICW2: the vector base */
		p->base = v & 0xF8;
		p->init_step = 2;
		return;
	case 2:				/* ICW3: cascade wiring, fixed here */
		p->init_step = p->icw4 ? 3 : 0;
		return;
	case 3:				/* ICW4: automatic EOI in bit 1 */
		p->auto_eoi = v & 0x02;
		p->init_step = 0;
		return;
	default:
		p->imr = v;		/* OCW1 */
		return;
	}
}

void pic_access(struct vm *vm, struct io *io)
{
	struct pic *p = &vm->pic[io->port >= 0xA0];
	bool is_data = io->port & 1;

	if (io->write)
		(is_data ? data : command)(p, (uint8_t)io->value);
	else if (is_data)
		io->value = p->imr;
	else
		io->value = p->read_isr ? p->isr : p == &vm->pic[0] ? master_irr(vm) : p->irr;
}
