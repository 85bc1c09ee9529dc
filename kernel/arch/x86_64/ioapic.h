/* The I/O APIC (82093AA datasheet; ACPI MADT): routing device interrupts to one core. */
#ifndef ARCH_IOAPIC_H
#define ARCH_IOAPIC_H

#include "types.h"

#define VEC_IRQ_BASE 0xB0	/* GSI n arrives as vector 0xB0 + n */
#define IOAPIC_MAX_GSI 24

/* Whether an I/O APIC was found and how many GSIs it serves (0 if none). */
unsigned ioapic_gsis(void);

/*
 * Routes gsi to vector VEC_IRQ_BASE + gsi on the local APIC apic_id, with the
 * trigger and polarity ACPI gives for it, masked or not.
 */
void ioapic_route(unsigned gsi, uint32_t apic_id, bool masked);
void ioapic_mask(unsigned gsi, bool masked);

#endif
