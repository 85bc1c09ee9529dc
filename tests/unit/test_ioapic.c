/* Unit tests: the VMM's I/O APIC (user/vmm/ioapic.c): registers, edge and level pins, EOI, irq routing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "../../user/vmm/vmm.h"

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
	uint32_t svr = 0x1FF;
	lapic_mmio(&vm, 0xF0, true, &svr);	/* the local APIC enabled */
}

static uint32_t io_read(uint32_t reg)
{
	uint32_t v = reg;

	ioapic_mmio(&vm, 0x00, true, &v);
	ioapic_mmio(&vm, 0x10, false, &v);
	return v;
}

static void io_write(uint32_t reg, uint32_t v)
{
	ioapic_mmio(&vm, 0x00, true, &reg);
	ioapic_mmio(&vm, 0x10, true, &v);
}

static void route(unsigned pin, uint32_t lo, uint8_t dest)
{
	io_write(0x11 + 2 * pin, (uint32_t)dest << 24);
	io_write(0x10 + 2 * pin, lo);
}

static int take(void)
{
	int v = irq_pending(&vm);

	if (v >= 0)
		irq_ack(&vm, v);
	return v;
}

static void eoi(void)
{
	uint32_t zero = 0;

	lapic_mmio(&vm, 0xB0, true, &zero);
}

static void test_registers(void **state)
{
	(void)state;
	setup_vm();
	assert_int_equal(io_read(0x00), 0x01000000);	/* id 1 */
	assert_int_equal(io_read(0x01), 0x00170020);	/* 24 pins, version 0x20 */
	assert_int_equal(io_read(0x10 + 2 * 5), 0x10000);	/* masked at reset */
	io_write(0x00, 0x0A000000);
	assert_int_equal(io_read(0x00), 0x0A000000);
	io_write(0x01, 0);
	assert_int_equal(io_read(0x01), 0x00170020);	/* read-only */
	route(5, 0xA935, 0x12);	/* level, active low, logical, vector 0x35 */
	assert_int_equal(io_read(0x10 + 2 * 5), 0xA935);
	assert_int_equal(io_read(0x11 + 2 * 5), 0x12000000);
	io_write(0x10 + 2 * 5, 0x5000 | 0x35);	/* delivery status and remote IRR are read-only */
	assert_int_equal(io_read(0x10 + 2 * 5), 0x35);
	uint32_t sel = 0;
	ioapic_mmio(&vm, 0x00, false, &sel);
	assert_int_equal(sel, 0x10 + 2 * 5);
	assert_int_equal(io_read(0x40), 0);	/* past the table: reserved */
}

static void test_edge(void **state)
{
	(void)state;
	setup_vm();
	ioapic_set_level(&vm, 4, true);	/* masked: the edge is lost */
	ioapic_set_level(&vm, 4, false);
	route(4, 0x34, 0);		/* edge, fixed, physical 0 */
	assert_int_equal(irq_pending(&vm), -1);
	ioapic_set_level(&vm, 4, true);
	assert_int_equal(take(), 0x34);
	ioapic_set_level(&vm, 4, true);	/* no new edge while high */
	eoi();
	assert_int_equal(irq_pending(&vm), -1);
	assert_int_equal(vm.lapic.tmr[0x34 / 32], 0);	/* edge: no EOI to the I/O APIC */
	ioapic_set_level(&vm, 4, false);
	ioapic_set_level(&vm, 4, true);
	assert_int_equal(take(), 0x34);
	eoi();
	/* Another CPU's destination, or a mode not modelled (ExtINT), delivers nothing. */
	ioapic_set_level(&vm, 4, false);
	route(4, 0x34, 3);
	ioapic_set_level(&vm, 4, true);
	assert_int_equal(irq_pending(&vm), -1);
	ioapic_set_level(&vm, 4, false);
	route(4, 0x734, 0);
	ioapic_set_level(&vm, 4, true);
	assert_int_equal(irq_pending(&vm), -1);
}

static void test_level_remote_irr_and_eoi(void **state)
{
	(void)state;
	setup_vm();
	route(9, 0x8000 | 0x39, 0);	/* level, fixed, physical 0 */
	ioapic_set_level(&vm, 9, true);
	assert_int_equal(io_read(0x10 + 2 * 9) & 0x4000, 0x4000);	/* remote IRR */
	assert_int_equal(vm.lapic.tmr[0x39 / 32] >> (0x39 % 32) & 1, 1);
	assert_int_equal(take(), 0x39);
	ioapic_set_level(&vm, 9, true);	/* still asserted: nothing new before the EOI */
	assert_int_equal(irq_pending(&vm), -1);
	eoi();				/* the EOI reaches the I/O APIC; the pin is still high */
	assert_int_equal(take(), 0x39);
	ioapic_set_level(&vm, 9, false);
	eoi();
	assert_int_equal(io_read(0x10 + 2 * 9) & 0x4000, 0);
	assert_int_equal(irq_pending(&vm), -1);
	/* The EOI register (version 0x20) clears remote IRR by vector, too. */
	ioapic_set_level(&vm, 9, true);
	assert_int_equal(take(), 0x39);
	ioapic_set_level(&vm, 9, false);
	uint32_t v = 0x39;
	ioapic_mmio(&vm, 0x40, true, &v);
	assert_int_equal(io_read(0x10 + 2 * 9) & 0x4000, 0);
	eoi();
	/* Asserted while masked, delivered when unmasked. */
	route(9, 0x18000 | 0x39, 0);
	ioapic_set_level(&vm, 9, true);
	assert_int_equal(irq_pending(&vm), -1);
	route(9, 0x8000 | 0x39, 0);
	assert_int_equal(take(), 0x39);
}

static void test_isa_routing(void **state)
{
	(void)state;
	setup_vm();
	/* The PIT's irq 0 is on pin 2 (the MADT's override); the PIC gets it on its irq 0. */
	route(2, 0x30, 0);
	irq_raise(&vm, 0);
	assert_int_equal(vm.pic[0].irr & 1, 1);
	assert_true(irq_busy(&vm, 0));
	assert_int_equal(take(), 0x30);
	assert_false(irq_busy(&vm, 0));
	/* The UART's irq 4 on pin 4; with the pin masked, the PIC's IRR tells whether it waits. */
	irq_raise(&vm, 4);
	assert_int_equal(irq_pending(&vm), -1);	/* the PIC's path: LINT0 is ExtINT but the PIC masks */
	assert_true(irq_busy(&vm, 4));
}

static void test_pit_through_ioapic(void **state)
{
	(void)state;
	setup_vm();
	fake_now = 0;
	vm.tsc_khz = PIT_HZ;	/* one PIT tick per 1000 TSC ticks */
	route(2, 0x30, 0);
	struct io io = { .port = 0x43, .size = 1, .write = true, .value = 0x34 };
	pit_access(&vm, &io);
	io.port = 0x40, io.value = 10;
	pit_access(&vm, &io);
	io.value = 0;
	pit_access(&vm, &io);
	irq_update(&vm, 35 * 1000);	/* three periods: one raised, two owed */
	assert_int_equal(take(), 0x30);
	eoi();
	irq_update(&vm, 35 * 1000);
	assert_int_equal(take(), 0x30);
	irq_update(&vm, 35 * 1000);
	assert_int_equal(irq_pending(&vm), -1);	/* taken but not EOIed: in service */
	eoi();
	irq_update(&vm, 35 * 1000);
	assert_int_equal(take(), 0x30);
	eoi();
	irq_update(&vm, 35 * 1000);
	assert_int_equal(irq_pending(&vm), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registers),
		cmocka_unit_test(test_edge),
		cmocka_unit_test(test_level_remote_irr_and_eoi),
		cmocka_unit_test(test_isa_routing),
		cmocka_unit_test(test_pit_through_ioapic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
