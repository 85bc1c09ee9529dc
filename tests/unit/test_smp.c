/* Unit tests: interrupts between the vCPUs of a VM (user/vmm/smp.c): destinations, mailboxes, INIT and STARTUP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "../../user/vmm/vmm.h"

uint64_t tsc_now(void)
{
	return 5000;
}

/* Two VMMs' views of one VM; share() copies the shared part as the pool pages would. */
static struct vm cpu0, cpu1;
static uint32_t kicked[2];

static void record_kick(struct vm *vm, unsigned cpu)
{
	(void)vm;
	kicked[cpu]++;
}

static void share(const struct vm *from, struct vm *to)
{
	size_t at = offsetof(struct vm, lock);

	memcpy((uint8_t *)to + at, (const uint8_t *)from + at, sizeof(struct vm) - at);
}

static void wr(struct vm *vm, uint32_t reg, uint32_t v)
{
	lapic_mmio(vm, reg, true, &v);
}

static void setup(unsigned ncpus)
{
	memset(&cpu0, 0, sizeof(cpu0));
	memset(&cpu1, 0, sizeof(cpu1));
	memset(kicked, 0, sizeof(kicked));
	cpu0.ncpus = cpu1.ncpus = ncpus;
	cpu1.cpu = 1;
	cpu0.tsc_khz = cpu1.tsc_khz = 1000000;
	cpu0.kick = cpu1.kick = record_kick;
	irq_init(&cpu0);
	smp_init(&cpu0);
	share(&cpu0, &cpu1);
	lapic_init(&cpu1);
	wr(&cpu0, 0xF0, 0x1FF);	/* SVR: enabled */
	wr(&cpu1, 0xF0, 0x1FF);
}

static bool irr(const struct vm *vm, unsigned v)
{
	return vm->mail[1].irr[v / 32] >> (v % 32) & 1;
}

static void test_dest_matches(void **state)
{
	(void)state;
	/* Physical: the APIC id, or 0xFF for all. */
	assert_true(apic_dest_matches(1u << 24, 0, ~0u, 1, false));
	assert_false(apic_dest_matches(1u << 24, 0, ~0u, 0, false));
	assert_true(apic_dest_matches(1u << 24, 0, ~0u, 0xFF, false));
	/* Logical flat: a bit per CPU (Linux: 1 << cpu). */
	assert_true(apic_dest_matches(0, 0x02000000, ~0u, 0x02, true));
	assert_true(apic_dest_matches(0, 0x02000000, ~0u, 0x03, true));
	assert_false(apic_dest_matches(0, 0x02000000, ~0u, 0x01, true));
	/* Logical cluster: high nibble the cluster, low its members. */
	assert_true(apic_dest_matches(0, 0x12000000, 0x0FFFFFFF, 0x13, true));
	assert_false(apic_dest_matches(0, 0x12000000, 0x0FFFFFFF, 0x23, true));
}

static void test_targets(void **state)
{
	(void)state;
	setup(2);
	assert_int_equal(smp_targets(&cpu0, 1, 0, false), 1);	/* self */
	assert_int_equal(smp_targets(&cpu0, 2, 0, false), 3);	/* all including self */
	assert_int_equal(smp_targets(&cpu0, 3, 0, false), 2);	/* all excluding self */
	assert_int_equal(smp_targets(&cpu1, 3, 0, false), 1);
	/* Physical ids are the indices: the AP's before its VMM has said so (smp_init). */
	assert_int_equal(smp_targets(&cpu0, 0, 1, false), 2);
	assert_int_equal(smp_targets(&cpu0, 0, 0, false), 1);
	assert_int_equal(smp_targets(&cpu0, 0, 0xFF, false), 3);
	/* Logical flat as Linux sets it: LDR 1 << cpu; the AP publishes its LDR. */
	wr(&cpu0, 0xD0, 0x01000000);
	wr(&cpu1, 0xD0, 0x02000000);
	smp_receive(&cpu1);
	share(&cpu1, &cpu0);
	assert_int_equal(smp_targets(&cpu0, 0, 0x02, true), 2);
	assert_int_equal(smp_targets(&cpu0, 0, 0x03, true), 3);
	assert_int_equal(smp_targets(&cpu0, 0, 0x04, true), 0);
}

static void test_fixed_ipi_reaches_the_other_vcpu(void **state)
{
	(void)state;
	setup(2);
	wr(&cpu0, 0x310, 1u << 24);	/* ICR high: physical destination 1 */
	wr(&cpu0, 0x300, 0x4030);	/* fixed, vector 0x30, assert */
	assert_int_equal(kicked[1], 1);
	assert_true(irr(&cpu0, 0x30));
	assert_int_equal(irq_pending(&cpu0), -1);	/* not for the sender */
	share(&cpu0, &cpu1);
	smp_receive(&cpu1);
	assert_false(irr(&cpu1, 0x30));			/* the mailbox is emptied */
	assert_int_equal(irq_pending(&cpu1), 0x30);
	/* A broadcast excluding self from the AP reaches the BSP only. */
	wr(&cpu1, 0x300, 0xC4031);
	assert_int_equal(kicked[0], 1);
	share(&cpu1, &cpu0);
	smp_receive(&cpu0);
	assert_int_equal(irq_pending(&cpu0), 0x31);
	/* Lowest priority to both: the sender takes it itself, nobody is kicked. */
	wr(&cpu1, 0x310, 0xFF000000);
	wr(&cpu1, 0x300, 0x4132);
	assert_int_equal(kicked[0], 1);
	assert_int_equal(irq_pending(&cpu1), 0x32);
}

static void test_init_and_startup(void **state)
{
	(void)state;
	setup(2);
	wr(&cpu0, 0x310, 1u << 24);
	wr(&cpu0, 0x300, 0x4699);		/* STARTUP without INIT: ignored */
	assert_int_equal(cpu0.mail[1].sipi, 0);
	wr(&cpu0, 0x300, 0xC500);		/* INIT, level, assert */
	assert_true(cpu0.mail[1].init);
	cpu0.mail[1].init = false;
	wr(&cpu0, 0x300, 0x8500);		/* INIT level de-assert: nothing */
	assert_false(cpu0.mail[1].init);
	wr(&cpu0, 0x300, 0x4500);		/* INIT, edge */
	assert_true(cpu0.mail[1].init);
	wr(&cpu0, 0x300, 0x4699);		/* STARTUP at 0x99000 */
	assert_int_equal(cpu0.mail[1].sipi, SMP_SIPI | 0x99);
	assert_int_equal(kicked[1], 1);
	/* Once the AP runs, a second STARTUP is ignored, as on a PC. */
	cpu0.mail[1].sipi = 0;
	cpu0.mail[1].running = true;
	wr(&cpu0, 0x300, 0x4699);
	assert_int_equal(cpu0.mail[1].sipi, 0);
	assert_int_equal(kicked[1], 1);
	/* INIT, STARTUP to self: nothing. */
	wr(&cpu0, 0x300, 0x44500);
	wr(&cpu0, 0x300, 0x44699);
	assert_false(cpu0.mail[0].init);
	assert_int_equal(cpu0.mail[0].sipi, 0);
}

static void test_ioapic_routes_to_the_ap(void **state)
{
	uint32_t v;

	(void)state;
	setup(2);
	/* Pin 4: vector 0x41, level-triggered, physical destination 1. */
	v = 0x10 + 2 * 4 + 1, ioapic_mmio(&cpu0, 0x00, true, &v);
	v = 1u << 24, ioapic_mmio(&cpu0, 0x10, true, &v);
	v = 0x10 + 2 * 4, ioapic_mmio(&cpu0, 0x00, true, &v);
	v = 0x8041, ioapic_mmio(&cpu0, 0x10, true, &v);
	ioapic_set_level(&cpu0, 4, true);
	assert_int_equal(kicked[1], 1);
	assert_true(irr(&cpu0, 0x41));
	assert_true(cpu0.mail[1].tmr[0x41 / 32] >> (0x41 % 32) & 1);
	share(&cpu0, &cpu1);
	smp_receive(&cpu1);
	assert_int_equal(irq_pending(&cpu1), 0x41);
	irq_ack(&cpu1, 0x41);
	ioapic_set_level(&cpu1, 4, false);
	wr(&cpu1, 0xB0, 0);	/* EOI: the remote IRR clears in the shared I/O APIC */
	v = 0x10 + 2 * 4, ioapic_mmio(&cpu1, 0x00, true, &v);
	ioapic_mmio(&cpu1, 0x10, false, &v);
	assert_int_equal(v & (1u << 14), 0);
}

static void test_one_vcpu_stays_local(void **state)
{
	(void)state;
	setup(1);
	wr(&cpu0, 0x310, 0xFF000000);
	wr(&cpu0, 0x300, 0x4033);	/* to all: only this one exists */
	assert_int_equal(kicked[0] + kicked[1], 0);
	assert_int_equal(irq_pending(&cpu0), 0x33);
	smp_lock(&cpu0);		/* no lock to take with one vCPU */
	assert_int_equal(cpu0.lock, 0);
	smp_unlock(&cpu0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dest_matches),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_fixed_ipi_reaches_the_other_vcpu),
		cmocka_unit_test(test_init_and_startup),
		cmocka_unit_test(test_ioapic_routes_to_the_ap),
		cmocka_unit_test(test_one_vcpu_stays_local),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
