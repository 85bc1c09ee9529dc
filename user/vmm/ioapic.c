/*
 * The I/O APIC (Intel 82093AA data sheet, version 0x20 as in later chipsets
 * with the EOI register): IOREGSEL at +0x00, IOWIN at +0x10, EOI at +0x40;
 * ID, version (24 pins), arbitration ID and the redirection table. A pin
 * delivers to the local APIC on an edge (edge-triggered) or while asserted
 * and not waiting for an EOI (level-triggered, remote IRR).
 */
#include "vmm.h"

#define REG_ID 0x00
#define REG_VERSION 0x01
#define REG_ARB 0x02
#define REG_RTE 0x10
#define VERSION (0x20u | (IOAPIC_PINS - 1u) << 16)
#define OFF_SEL 0x00
#define OFF_WIN 0x10
#define OFF_EOI 0x40

#define RTE_MODE(e) ((unsigned)((e) >> 8) & 7)
#define RTE_LOGICAL (1ull << 11)
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_LEVEL (1ull << 15)
#define RTE_MASKED (1ull << 16)
#define RTE_DEST(e) ((uint8_t)((e) >> 56))
/* Bits the guest writes: vector, mode, destination mode, polarity, trigger, mask, destination. */
#define RTE_WRITABLE (0xFF000000000000FFull | 0x7ull << 8 | RTE_LOGICAL | 1ull << 13 | \
		      RTE_LEVEL | RTE_MASKED)

void ioapic_init(struct vm *vm)
{
	vm->ioapic = (struct ioapic){ .id = 1u << 24 };	/* id 1, as the MADT says */
	for (unsigned i = 0; i < IOAPIC_PINS; i++)
		vm->ioapic.rte[i] = RTE_MASKED;
}

int ioapic_vector(const struct vm *vm, unsigned pin)
{
	uint64_t e = vm->ioapic.rte[pin];

	if ((e & RTE_MASKED) || (RTE_MODE(e) != 0 && RTE_MODE(e) != 1))
		return -1;	/* masked, or NMI/SMI/INIT/ExtINT, which are not modelled */
	if (!lapic_matches(vm, RTE_DEST(e), e & RTE_LOGICAL))
		return -1;
	return (int)(e & 0xFF);
}

/* Sends the pin's interrupt if it may go now (SDM vol. 3 11.8.4 for what the APIC does). */
/* To the vCPUs the entry names (smp.c): this one's local APIC, or another's mailbox. */
static void deliver(struct vm *vm, unsigned pin)
{
	uint64_t *e = &vm->ioapic.rte[pin];

	if ((*e & RTE_MASKED) || (RTE_MODE(*e) != 0 && RTE_MODE(*e) != 1))
		return;	/* masked, or NMI/SMI/INIT/ExtINT, which are not modelled */
	uint32_t to = smp_targets(vm, 0, RTE_DEST(*e), *e & RTE_LOGICAL);
	if (!to)
		return;
	if (*e & RTE_LEVEL) {
		if (*e & RTE_REMOTE_IRR)
			return;	/* the last one is not EOIed yet */
		*e |= RTE_REMOTE_IRR;
	}
	smp_fixed(vm, to, (uint8_t)*e, *e & RTE_LEVEL, RTE_MODE(*e) == 1);
}

void ioapic_set_level(struct vm *vm, unsigned pin, bool asserted)
{
	struct ioapic *io = &vm->ioapic;

	if (pin >= IOAPIC_PINS)
		return;
	bool was = io->asserted >> pin & 1;
	io->asserted = asserted ? io->asserted | 1u << pin : io->asserted & ~(1u << pin);
	if (asserted && (!was || (io->rte[pin] & RTE_LEVEL)))
		deliver(vm, pin);
}

void ioapic_eoi(struct vm *vm, uint8_t vector)
{
	struct ioapic *io = &vm->ioapic;

	for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
		if ((io->rte[pin] & 0xFF) != vector || !(io->rte[pin] & RTE_REMOTE_IRR))
			continue;
		io->rte[pin] &= ~RTE_REMOTE_IRR;
		if ((io->rte[pin] & RTE_LEVEL) && (io->asserted >> pin & 1))
			deliver(vm, pin);	/* still asserted: again */
	}
}

static void write_rte(struct vm *vm, unsigned pin, bool high, uint32_t v)
{
	uint64_t *e = &vm->ioapic.rte[pin];
	uint64_t w = high ? (uint64_t)v << 32 | (uint32_t)*e : (*e & 0xFFFFFFFF00000000ull) | v;

	*e = (*e & ~RTE_WRITABLE) | (w & RTE_WRITABLE);
	if (!(*e & RTE_LEVEL))
		*e &= ~RTE_REMOTE_IRR;	/* an edge-triggered pin has no remote IRR */
	if ((*e & RTE_LEVEL) && (vm->ioapic.asserted >> pin & 1))
		deliver(vm, pin);	/* unmasked (or retargeted) while asserted */
}

static uint32_t read_reg(const struct vm *vm, uint32_t reg)
{
	const struct ioapic *io = &vm->ioapic;

	if (reg >= REG_RTE && reg < REG_RTE + 2 * IOAPIC_PINS) {
		uint64_t e = io->rte[(reg - REG_RTE) / 2];
		return (reg & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
	}
	switch (reg) {
	case REG_ID: return io->id;
	case REG_VERSION: return VERSION;
	case REG_ARB: return io->id;
	}
	return 0;	/* reserved registers */
}

void ioapic_mmio(struct vm *vm, uint32_t offset, bool write, uint32_t *value)
{
	struct ioapic *io = &vm->ioapic;

	switch (offset) {
	case OFF_SEL:
		if (write)
			io->sel = *value & 0xFF;
		else
			*value = io->sel;
		return;
	case OFF_WIN:
		if (!write) {
			*value = read_reg(vm, io->sel);
		} else if (io->sel == REG_ID) {
			io->id = *value & 0x0F000000u;
		} else if (io->sel >= REG_RTE && io->sel < REG_RTE + 2 * IOAPIC_PINS) {
			write_rte(vm, (io->sel - REG_RTE) / 2, io->sel & 1, *value);
		}
		return;	/* version and arbitration are read-only */
	case OFF_EOI:
		if (write)
			ioapic_eoi(vm, (uint8_t)*value);
		else
			*value = 0;
		return;
	}
	if (!write)
		*value = 0;	/* nothing else in the window */
}
