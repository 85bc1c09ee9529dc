/* Local APIC in xAPIC (MMIO) mode: QEMU TCG has no x2APIC (SDM vol. 3 ch. 11). */
#ifndef ARCH_LAPIC_H
#define ARCH_LAPIC_H

#include "types.h"

#define VEC_TIMER 0x30
#define VEC_XSIG_BASE 0x40	/* 0x40 + XSIG_SOURCES * kind + source instance */
#define XSIG_SOURCES 16
/* Spurious vectors must end in 1111b on older CPUs (SDM vol. 3 11.9). */
#define VEC_SPURIOUS 0x3F
/*
 * MSI vectors, allocated per instance by IRQ control: above the device lines
 * (0xB0 + gsi, ioapic.h) and below 0xFF. One 32-bit map covers them.
 */
#define VEC_MSI_BASE 0xD0
#define MSI_VECTORS 32

/* Enables the local APIC mapped at va (switching it from x2APIC to xAPIC mode if needed). */
void lapic_init(uintptr_t va);
void lapic_eoi(void);
/* Sends a fixed IPI; returns false if the previous one never left (delivery stuck). */
bool lapic_send_ipi(uint32_t apic_id, uint8_t vector);
/* Raises vector on this core through the ICR's "self" destination shorthand. */
bool lapic_send_self(uint8_t vector);	/* false if the ICR stayed busy */
/* The MSI address and data that deliver vector to apic_id: fixed, physical, edge. */
uint64_t lapic_msi_address(uint32_t apic_id);
uint32_t lapic_msi_data(uint8_t vector);
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t page);
/* Starts the periodic timer on VEC_TIMER with the given initial count (divide by 16). */
void lapic_timer_periodic(uint32_t count);
/* Starts the timer masked, one-shot from 0xFFFFFFFF (divide by 16), for lapic_timer_count(). */
void lapic_timer_free_run(void);
/* The timer's current count. */
uint32_t lapic_timer_count(void);
/* Stops the timer. */
void lapic_timer_stop(void);

/* Busy-waits at least us microseconds using PIT channel 2; false if the PIT is absent. */
bool pit_delay_us(uint32_t us);
struct calib_trial;
/*
 * Times about 10 ms of PIT channel 2 counts against the TSC and the running APIC
 * timer (lapic_timer_free_run()) into t; false if the PIT's count never moved.
 */
bool pit_calib_trial(struct calib_trial *t);

#endif
