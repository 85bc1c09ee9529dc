/* Unit tests: the VMM's local APIC (user/vmm/lapic.c): priority, EOI, the timer's counts, IPIs, LINT0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "../../user/vmm/vmm.h"

/* At a TSC of 1 GHz one TSC tick is one clock of the APIC timer (LAPIC_HZ). */
static uint64_t fake_now;

uint64_t tsc_now(void)
{
	return fake_now;
}

static struct vm vm;

static void setup_vm(void)
{
	memset(&vm, 0, sizeof(vm));
	vm.tsc_khz = 1000000;
	irq_init(&vm);
	fake_now = 5000;
}

static uint32_t rd(uint32_t reg)
{
	uint32_t v = 0xDEAD;

	lapic_mmio(&vm, reg, false, &v);
	return v;
}

static void wr(uint32_t reg, uint32_t v)
{
	lapic_mmio(&vm, reg, true, &v);
}

/* The guest takes what is offered (the VCPU_VIRQ handshake) and returns its vector, or -1. */
static int take(void)
{
	int v = irq_pending(&vm);

	if (v >= 0)
		irq_ack(&vm, v);
	return v;
}

static void enable(void)
{
	wr(0xF0, 0x1FF);	/* SVR: enabled, spurious vector 0xFF */
}

static void test_reset_state(void **state)
{
	(void)state;
	setup_vm();
	assert_int_equal(rd(0x20), 0);			/* APIC id 0 */
	assert_int_equal(rd(0x30), 0x00050014);		/* integrated, 6 LVT entries */
	assert_int_equal(rd(0xE0), 0xFFFFFFFF);		/* DFR: flat */
	assert_int_equal(rd(0xF0), 0xFF);		/* SVR: software disabled */
	assert_int_equal(rd(0x320), 0x10000);		/* timer masked */
	assert_int_equal(rd(0x350), 0x700);		/* LINT0: ExtINT, the virtual wire */
	assert_int_equal(vm.lapic.base_msr, 0xFEE00900);	/* enabled, BSP */
	assert_int_equal(rd(0x34), 0);			/* inside a register slot: reads 0 */
}

static void test_priority_and_eoi(void **state)
{
	(void)state;
	setup_vm();
	enable();
	lapic_accept(&vm, 0x31, false);
	lapic_accept(&vm, 0x51, false);
	lapic_accept(&vm, 0x45, false);
	assert_int_equal(rd(0x200 + 0x10 * (0x51 / 32)) >> (0x51 % 32) & 1, 1);	/* IRR */
	assert_int_equal(take(), 0x51);
	assert_int_equal(rd(0x100 + 0x10 * (0x51 / 32)) >> (0x51 % 32) & 1, 1);	/* ISR */
	assert_int_equal(rd(0xA0), 0x50);	/* PPR: the class in service */
	/* 0x45 and a same-class 0x5F wait below the one in service. */
	lapic_accept(&vm, 0x5F, false);
	assert_int_equal(irq_pending(&vm), -1);
	lapic_accept(&vm, 0x61, false);
	assert_int_equal(take(), 0x61);	/* a higher class nests */
	wr(0xB0, 0);			/* EOI: the highest in service, 0x61 */
	assert_int_equal(rd(0xA0), 0x50);
	wr(0xB0, 0);			/* then 0x51 */
	assert_int_equal(rd(0xA0), 0);
	assert_int_equal(take(), 0x5F);
	wr(0xB0, 0);
	/* The TPR holds back everything of its class and below. */
	wr(0x80, 0x45);
	assert_int_equal(rd(0xA0), 0x45);
	assert_int_equal(irq_pending(&vm), -1);
	wr(0x80, 0x3F);
	assert_int_equal(take(), 0x45);
	wr(0xB0, 0);
	assert_int_equal(irq_pending(&vm), -1);	/* 0x31 is class 3, the TPR's */
	wr(0x80, 0);
	assert_int_equal(take(), 0x31);
	wr(0xB0, 0);
	assert_int_equal(irq_pending(&vm), -1);
	wr(0xB0, 0);				/* an EOI with nothing in service is harmless */
}

static void test_illegal_vector_and_disabled(void **state)
{
	(void)state;
	setup_vm();
	lapic_accept(&vm, 0x40, false);		/* software disabled: not accepted */
	assert_int_equal(irq_pending(&vm), -1);
	enable();
	lapic_accept(&vm, 0x0E, false);
	assert_int_equal(irq_pending(&vm), -1);
	assert_int_equal(rd(0x280) & 0x40, 0x40);	/* ESR: received illegal vector */
	wr(0x280, 0);
	assert_int_equal(rd(0x280), 0);
	/* Software disable masks every LVT, and they stay masked. */
	wr(0x320, 0x20030);
	assert_int_equal(rd(0x320), 0x20030);
	wr(0xF0, 0xFF);
	assert_int_equal(rd(0x320), 0x30030);
	wr(0x320, 0x30);
	assert_int_equal(rd(0x320), 0x10030);
}

static void test_timer_one_shot_and_divider(void **state)
{
	(void)state;
	setup_vm();
	enable();
	wr(0x3E0, 0xB);			/* divide by 1 */
	wr(0x320, 0xEF);		/* one-shot, vector 0xEF */
	wr(0x380, 1000);
	assert_int_equal(irq_next_deadline(&vm), 6000);
	fake_now = 5400;
	assert_int_equal(rd(0x390), 600);
	irq_update(&vm, 5999);
	assert_int_equal(irq_pending(&vm), -1);
	irq_update(&vm, 6000);
	assert_int_equal(take(), 0xEF);
	fake_now = 6000;
	assert_int_equal(rd(0x390), 0);
	assert_int_equal(irq_next_deadline(&vm), 0);
	wr(0xB0, 0);
	irq_update(&vm, 9000);
	assert_int_equal(irq_pending(&vm), -1);	/* once only */

	/* Divide by 16 (code 3), then by 128 (code 0xA). */
	wr(0x3E0, 0x3);
	wr(0x380, 100);
	assert_int_equal(irq_next_deadline(&vm), 6000 + 1600);
	fake_now = 6800;
	assert_int_equal(rd(0x390), 50);
	/* A new divider mid-count: the rest runs at the new rate. */
	wr(0x3E0, 0xA);
	assert_int_equal(irq_next_deadline(&vm), 6800 + 50 * 128);
	assert_int_equal(rd(0x390), 50);
	wr(0x380, 0);			/* a zero count stops it */
	assert_int_equal(irq_next_deadline(&vm), 0);
	assert_int_equal(rd(0x390), 0);
}

static void test_timer_periodic_owed_and_masked(void **state)
{
	(void)state;
	setup_vm();
	enable();
	wr(0x3E0, 0xB);
	wr(0x320, 0x20000 | 0xEC);	/* periodic */
	wr(0x380, 100);
	fake_now = 5350;
	assert_int_equal(rd(0x390), 50);
	irq_update(&vm, 5350);		/* three periods have passed */
	assert_int_equal(irq_next_deadline(&vm), 5400);
	assert_int_equal(vm.lapic.owed, 2);
	assert_int_equal(take(), 0xEC);
	irq_update(&vm, 5350);
	assert_int_equal(irq_pending(&vm), -1);	/* in service: the next waits for the EOI */
	for (unsigned left = 2; left > 0; left--) {
		wr(0xB0, 0);
		irq_update(&vm, 5350);
		assert_int_equal(take(), 0xEC);
		assert_int_equal(vm.lapic.owed, left - 1);
	}
	wr(0xB0, 0);
	/* Masked, it counts on and raises nothing. */
	wr(0x320, 0x30000 | 0xEC);
	irq_update(&vm, 5750);
	assert_int_equal(irq_pending(&vm), -1);
	assert_int_equal(irq_next_deadline(&vm), 5800);
	fake_now = 5775;
	assert_int_equal(rd(0x390), 25);
}

/*
 * After a stall both timers owe ticks. The local APIC timer's vector outranks the
 * PIT's, yet its owed expiries must not all go before the PIT's: they reach the
 * guest in the order they came due (Linux counts PIT ticks against APIC ticks).
 */
static void test_timers_catch_up_in_order(void **state)
{
	struct io io = { .port = 0x43, .size = 1, .write = true, .value = 0x34 };
	uint32_t sel = 0x14, rte = 0x30;	/* pin 2 (the PIT's): vector 0x30, to APIC 0 */
	int apic = 0, pit = 0, v;

	(void)state;
	setup_vm();
	enable();
	wr(0x350, 0x10700);		/* LINT0 masked: the PIC's copy of irq 0 goes nowhere */
	ioapic_mmio(&vm, 0x00, true, &sel);
	ioapic_mmio(&vm, 0x10, true, &rte);
	pit_access(&vm, &io);		/* channel 0, mode 2, 1193 PIT ticks: 999847 TSC ticks */
	io.port = 0x40;
	io.value = 1193 & 0xFF;
	pit_access(&vm, &io);
	io.value = 1193 >> 8;
	pit_access(&vm, &io);
	wr(0x3E0, 0xB);
	wr(0x320, 0x20000 | 0xEC);	/* periodic, 1 ms */
	wr(0x380, 1000000);
	/* 10.5 ms later: ten of each are owed. The guest takes and EOIs one at a time. */
	uint64_t now = fake_now + 10500000;
	for (unsigned i = 0; i < 40; i++) {
		irq_update(&vm, now);
		if ((v = take()) < 0)
			break;
		apic += v == 0xEC;
		pit += v == 0x30;
		assert_true(apic - pit <= 1 && pit - apic <= 1);
		wr(0xB0, 0);
	}
	assert_int_equal(apic, 10);
	assert_int_equal(pit, 10);
}

static void test_ipis(void **state)
{
	(void)state;
	setup_vm();
	enable();
	wr(0x300, 0x40000 | 0x41);	/* shorthand self, fixed */
	assert_int_equal(take(), 0x41);
	wr(0xB0, 0);
	wr(0x300, 0xC0000 | 0x42);	/* all but self: nobody */
	assert_int_equal(irq_pending(&vm), -1);
	wr(0x310, 0x01000000);		/* physical destination 1: not us */
	wr(0x300, 0x43);
	assert_int_equal(irq_pending(&vm), -1);
	wr(0x310, 0);			/* physical 0: us */
	wr(0x300, 0x44);
	assert_int_equal(take(), 0x44);
	wr(0xB0, 0);
	assert_int_equal(rd(0x300) & (1u << 12), 0);	/* delivery status: idle */
	/* Logical, flat model: a bit per CPU in the LDR. */
	wr(0xD0, 0x01000000);
	assert_true(lapic_matches(&vm, 0x01, true));
	assert_true(lapic_matches(&vm, 0x03, true));
	assert_false(lapic_matches(&vm, 0x02, true));
	/* Cluster model: cluster 2, member bit 1. */
	wr(0xE0, 0x0FFFFFFF);
	wr(0xD0, 0x21000000);
	assert_true(lapic_matches(&vm, 0x23, true));
	assert_false(lapic_matches(&vm, 0x13, true));
	assert_false(lapic_matches(&vm, 0x22, true));
	assert_true(lapic_matches(&vm, 0xFF, false));
}

static void test_extint_and_apic_base(void **state)
{
	(void)state;
	setup_vm();
	/* The PIC's irq 0 reaches the CPU through the virtual wire until LINT0 is masked. */
	struct io io = { .port = 0x21, .size = 1, .write = true, .value = 0xFE };
	pic_access(&vm, &io);	/* unmask irq 0; vectors at 0x08 by pic_init */
	pic_raise(&vm, 0);
	assert_int_equal(irq_pending(&vm), 0x08 | IRQ_FROM_PIC);
	enable();
	wr(0x350, 0x10700);
	assert_int_equal(irq_pending(&vm), -1);
	/* The local APIC's own vectors come first. */
	wr(0x350, 0x700);
	lapic_accept(&vm, 0x80, false);
	assert_int_equal(take(), 0x80);
	assert_int_equal(take(), 0x08 | IRQ_FROM_PIC);
	assert_int_equal(vm.pic[0].isr, 1);
	/* IA32_APIC_BASE: no relocation, no x2APIC, no reserved bits; disabling opens INTR. */
	assert_false(lapic_write_base(&vm, 0xFED00900));
	assert_false(lapic_write_base(&vm, 0xFEE00D00));
	assert_false(lapic_write_base(&vm, 0xFEE00901));
	wr(0x350, 0x10700);
	assert_true(lapic_write_base(&vm, 0xFEE00100));
	assert_int_equal(vm.lapic.base_msr, 0xFEE00100);
	assert_true(lapic_takes_extint(&vm));
	lapic_accept(&vm, 0x81, false);
	assert_int_equal(lapic_pending(&vm), -1);
	assert_true(lapic_write_base(&vm, 0xFEE00900));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_state),
		cmocka_unit_test(test_priority_and_eoi),
		cmocka_unit_test(test_illegal_vector_and_disabled),
		cmocka_unit_test(test_timer_one_shot_and_divider),
		cmocka_unit_test(test_timer_periodic_owed_and_masked),
		cmocka_unit_test(test_timers_catch_up_in_order),
		cmocka_unit_test(test_ipis),
		cmocka_unit_test(test_extint_and_apic_base),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
