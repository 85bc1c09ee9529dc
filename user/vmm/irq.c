/*
 * Interrupt routing of the PC the guest sees: an ISA line goes both to the
 * 8259A pair and to the I/O APIC pin the MADT names for it (irq 0, the PIT,
 * on pin 2 by an interrupt source override; the others on their own number).
 * The CPU takes the local APIC's highest deliverable vector, else the PIC's
 * when LINT0 is the virtual wire (ExtINT), as before Linux sets its APICs up.
 */
#include "vmm.h"

void irq_init(struct vm *vm)
{
	pic_init(vm);
	lapic_init(vm);
	ioapic_init(vm);
}

/* The I/O APIC pin of an ISA irq (the overrides in acpi.c's MADT). */
static unsigned pin_of(unsigned isa_irq)
{
	return isa_irq == 0 ? 2 : isa_irq;
}

void irq_raise(struct vm *vm, unsigned isa_irq)
{
	pic_raise(vm, isa_irq);
	ioapic_set_level(vm, pin_of(isa_irq), true);
	ioapic_set_level(vm, pin_of(isa_irq), false);
}

bool irq_busy(const struct vm *vm, unsigned isa_irq)
{
	int v = ioapic_vector(vm, pin_of(isa_irq));

	if (v >= 0)
		return lapic_irr_set(vm, (uint8_t)v);
	const struct pic *p = &vm->pic[isa_irq >= 8];
	return p->irr >> (isa_irq & 7) & 1;
}

/*
 * After the guest was held up, both timers owe it ticks, raised one at a time
 * each. They reach the guest in the order they came due: the local APIC timer's
 * next waits while a PIT tick that came due before it sits in the IRR, as
 * Linux's check of the one against the other (calibrate_APIC_clock) expects.
 * Only a PIT tick the guest will take holds it: one in the local APIC's IRR.
 */
void irq_update(struct vm *vm, uint64_t now)
{
	uint64_t hold = 0;

	pit_update(vm, now);
	int v = ioapic_vector(vm, pin_of(0));
	if (v >= 0 && lapic_irr_set(vm, (uint8_t)v))
		hold = pit_raised_due(vm);
	lapic_update(vm, now, hold);
}

int irq_pending(struct vm *vm)
{
	int v = lapic_pending(vm);

	if (v >= 0)
		return v;
	if (!lapic_takes_extint(vm))
		return -1;
	v = pic_pending(vm);
	return v < 0 ? -1 : v | IRQ_FROM_PIC;
}

void irq_ack(struct vm *vm, int pending)
{
	if (pending & IRQ_FROM_PIC)
		pic_ack(vm, pending & 0xFF);
	else
		lapic_ack(vm, (uint8_t)pending);
}

uint64_t irq_next_deadline(const struct vm *vm)
{
	/* The PIT is the VM's: the BSP's VMM keeps its time, each vCPU its own local APIC's. */
	uint64_t p = vm->cpu ? 0 : pit_next_deadline(vm), l = lapic_next_deadline(vm);

	return !p ? l : !l ? p : p < l ? p : l;
}
