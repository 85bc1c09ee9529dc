/* Unit tests: the ACPI MADT (processors and interrupt controllers). */
#include "acpi_fake.h"

/* ---- MADT ---- */

static void test_madt_entry_length_zero(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	w8(MADT_PA + 44 + 8 + 1, 0);	/* the second CPU entry */
	reseal(MADT_PA);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_true(a.have_madt);
	assert_int_equal(a.ncpus, 1);	/* what came before is kept, the walk stops */
	assert_int_equal(a.nioapics, 0);
	assert_true(noted2("offset 52", "bad length 0"));
	assert_true(a.have_mcfg && a.have_dmar);
}

static void test_madt_entry_past_end(void **state)
{
	struct acpi_info a;
	const paddr_t at = MEM_SIZE - 60;	/* the MADT ends exactly at the end of memory */
	const paddr_t t[] = { at };
	paddr_t o = madt_begin(at, 0xFEE00000, 0);

	(void)state;
	lapic(&o, 0, 0, 1);
	w8(o, 1);	/* an I/O APIC entry claiming 12 bytes where 8 are left */
	w8(o + 1, 12);
	w32(at + 4, 60);
	reseal(at);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_int_equal(a.ncpus, 1);
	assert_int_equal(a.nioapics, 0);
	assert_true(noted2("offset 52", "bad length 12"));

	/* A single byte left over: not even an entry header. */
	reset();
	o = madt_begin(at, 0xFEE00000, 0);
	lapic(&o, 0, 0, 1);
	w32(at + 4, 53);
	reseal(at);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_int_equal(a.ncpus, 1);
	assert_true(noted("inside an entry header"));
}

static void test_madt_entry_too_short_for_type(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { MADT_PA };
	paddr_t o = madt_begin(MADT_PA, 0xFEE00000, 0);

	(void)state;
	lapic(&o, 0, 0, 1);
	w8(o, 1);	/* an I/O APIC entry of 4 bytes */
	w8(o + 1, 4);
	o += 4;
	w8(o, 0x7F);	/* an unknown type: skipped by its length */
	w8(o + 1, 3);
	o += 3;
	lapic(&o, 1, 1, 1);
	table_end(MADT_PA, o);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_int_equal(a.nioapics, 0);
	assert_int_equal(a.ncpus, 2);	/* the walk goes on past the bad entry */
	assert_int_equal(a.cpus[1].apic_id, 1);
	assert_int_equal(nnotes, 1);
	assert_true(noted2("type 1", "too short"));
}

static void test_madt_too_many_cpus(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { MADT_PA };
	paddr_t o = madt_begin(MADT_PA, 0xFEE00000, 0);

	(void)state;
	for (unsigned i = 0; i < ACPI_MAX_CPUS + 3; i++)
		lapic(&o, (uint8_t)i, (uint8_t)(i + 1), 1);
	ioapic(&o, 2, 0xFEC00000, 0);	/* entries after the overflow are still read */
	table_end(MADT_PA, o);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_int_equal(a.ncpus, ACPI_MAX_CPUS);
	assert_int_equal(a.cpus[ACPI_MAX_CPUS - 1].apic_id, ACPI_MAX_CPUS);
	assert_int_equal(a.nioapics, 1);
	assert_true(noted2("more than 64 CPUs", "APIC id 65"));
	assert_true(noted("APIC id 67"));
}

static void test_madt_x2apic(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { MADT_PA };
	paddr_t o = madt_begin(MADT_PA, 0xFEE00000, 0);

	(void)state;
	lapic(&o, 0, 0, 1);
	x2apic(&o, 0x100, 1, 1000);
	x2apic(&o, 0x12345678, 2, 1001);	/* online capable */
	x2apic(&o, 0x300, 0, 1002);		/* unusable: still listed */
	x2apic(&o, 0x301, 3, 1003);		/* enabled: online capable is reserved then */
	table_end(MADT_PA, o);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_int_equal(a.ncpus, 5);
	assert_int_equal(a.cpus[1].apic_id, 0x100);
	assert_int_equal(a.cpus[1].uid, 1000);
	assert_true(a.cpus[1].enabled && !a.cpus[1].online_capable);
	assert_int_equal(a.cpus[2].apic_id, 0x12345678);
	assert_true(!a.cpus[2].enabled && a.cpus[2].online_capable);
	assert_true(!a.cpus[3].enabled && !a.cpus[3].online_capable);
	assert_true(a.cpus[4].enabled && !a.cpus[4].online_capable);
	assert_false(a.pic_present);
	assert_int_equal(nnotes, 0);
}

static void test_madt_lapic_address_override(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { MADT_PA };
	paddr_t o = madt_begin(MADT_PA, 0xFEE00000, 1);

	(void)state;
	lapic_override(&o, 0x1FEE00000ull);	/* before the CPUs: order does not matter */
	lapic(&o, 0, 0, 1);
	table_end(MADT_PA, o);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_true(a.lapic_addr == 0x1FEE00000ull);
	assert_int_equal(a.ncpus, 1);

	/* Without an override, the header's address counts. */
	reset();
	o = madt_begin(MADT_PA, 0xFED00000, 1);
	lapic(&o, 0, 0, 1);
	table_end(MADT_PA, o);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_true(a.lapic_addr == 0xFED00000);
}

static void test_madt_ioapic_and_iso_overflow(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { MADT_PA };
	paddr_t o = madt_begin(MADT_PA, 0xFEE00000, 1);

	(void)state;
	for (unsigned i = 0; i < ACPI_MAX_IOAPICS + 1; i++)
		ioapic(&o, (uint8_t)i, 0xFEC00000 + 0x1000 * i, 24 * i);
	for (unsigned i = 0; i < ACPI_MAX_ISOS + 1; i++)
		iso(&o, (uint8_t)i, 100 + i, 0);
	table_end(MADT_PA, o);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_int_equal(a.nioapics, ACPI_MAX_IOAPICS);
	assert_int_equal(a.ioapics[ACPI_MAX_IOAPICS - 1].gsi_base, 24 * (ACPI_MAX_IOAPICS - 1));
	assert_int_equal(a.nisos, ACPI_MAX_ISOS);
	assert_int_equal(a.isos[ACPI_MAX_ISOS - 1].gsi, 100 + ACPI_MAX_ISOS - 1);
	assert_true(noted("I/O APICs: id 8 ignored"));
	assert_true(noted("interrupt overrides: IRQ 16 ignored"));
}

static void test_missing_madt_fallback(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { MADT_PA };

	(void)state;
	set_without_madt();
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_false(a.have_madt);
	assert_int_equal(a.ncpus, 0);
	assert_true(a.lapic_addr == ACPI_LAPIC_DEFAULT);
	assert_false(a.pic_present);
	assert_true(a.have_mcfg);

	/* A MADT too short for its fixed fields counts as missing. */
	reset();
	table_end(MADT_PA, table_begin(MADT_PA, "APIC") + 4);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_fallbacks(&a);
	assert_true(noted2("MADT of 40 bytes", "ignored"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_madt_entry_length_zero),
		T(test_madt_entry_past_end),
		T(test_madt_entry_too_short_for_type),
		T(test_madt_too_many_cpus),
		T(test_madt_x2apic),
		T(test_madt_lapic_address_override),
		T(test_madt_ioapic_and_iso_overflow),
		T(test_missing_madt_fallback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
