/* Unit tests: ACPI RSDP, root tables, table checks and the BIOS-area scan. */
#include "acpi_fake.h"

/* ---- RSDP and root tables ---- */

static void test_full_valid_set(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	memset(&a, 0xA5, sizeof(a));	/* acpi_parse() must zero it */
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_int_equal(nnotes, 0);
	assert_true(a.rsdp == RSDP_PA);
	assert_int_equal(a.revision, 2);
	assert_true(a.xsdt_used);
	assert_string_equal(a.oem_id, "BOCHS ");
	assert_true(a.have_madt && a.have_mcfg && a.have_dmar);

	assert_true(a.lapic_addr == 0xFEE00000);
	assert_true(a.pic_present);
	assert_int_equal(a.ncpus, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(a.cpus[i].uid, i);
		assert_int_equal(a.cpus[i].apic_id, 2 * i);
		assert_int_equal(a.cpus[i].enabled, i < 3);
		assert_int_equal(a.cpus[i].online_capable, i == 3);
	}
	assert_int_equal(a.nioapics, 1);
	assert_int_equal(a.ioapics[0].id, 7);
	assert_int_equal(a.ioapics[0].addr, 0xFEC00000);
	assert_int_equal(a.ioapics[0].gsi_base, 0);
	assert_int_equal(a.nisos, 2);
	assert_int_equal(a.isos[0].bus_irq, 0);
	assert_int_equal(a.isos[0].gsi, 2);
	assert_int_equal(a.isos[0].flags, 0);
	assert_int_equal(a.isos[1].bus_irq, 9);
	assert_int_equal(a.isos[1].gsi, 9);
	assert_int_equal(a.isos[1].flags, 0xD);

	assert_int_equal(a.nmcfg, 1);
	assert_true(a.mcfg[0].base == 0xB0000000);
	assert_int_equal(a.mcfg[0].segment, 0);
	assert_int_equal(a.mcfg[0].bus_start, 0);
	assert_int_equal(a.mcfg[0].bus_end, 255);

	assert_int_equal(a.dmar_haw, 39);
	assert_int_equal(a.dmar_flags, 1);
	assert_int_equal(a.ndmar, 2);
	assert_true(a.dmar[0].reg_base == 0xFED91000);
	assert_false(a.dmar[0].include_all);
	assert_int_equal(a.dmar[0].nscopes, 2);
	assert_int_equal(a.dmar[0].scopes[0].type, 3);
	assert_int_equal(a.dmar[0].scopes[0].bus, 0xF0);
	assert_int_equal(a.dmar[0].scopes[0].dev, 0x1F);
	assert_int_equal(a.dmar[0].scopes[0].fn, 0);
	assert_int_equal(a.dmar[0].scopes[1].type, 1);
	assert_int_equal(a.dmar[0].scopes[1].dev, 2);
	assert_true(a.dmar[1].reg_base == 0xFED90000);
	assert_true(a.dmar[1].include_all);
	assert_int_equal(a.dmar[1].nscopes, 0);
	assert_int_equal(a.nrmrr, 1);
	assert_int_equal(a.rmrr[0].segment, 0);
	assert_true(a.rmrr[0].base == 0x9D000);
	assert_true(a.rmrr[0].end == 0x9E000);	/* exclusive */
}

static void test_rsdp_v0_uses_rsdt(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { MADT_PA };

	(void)state;
	madt_std();
	root_tables(t, 1);
	memcpy(mem + XSDT_PA, "XXXX", 4);	/* a v0 RSDP has no XSDT: must not be looked at */
	rsdp_at(RSDP_PA, 0, RSDT_PA, 0);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_int_equal(nnotes, 0);
	assert_int_equal(a.revision, 0);
	assert_false(a.xsdt_used);
	assert_true(a.have_madt);
	assert_false(a.have_mcfg || a.have_dmar);
	assert_int_equal(a.ncpus, 4);
}

static void test_rsdp_bad_checksum(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	mem[RSDP_PA + 9] ^= 1;	/* OEM id: breaks the 20-byte checksum */
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_BADSUM);
	assert_fallbacks(&a);
	assert_true(a.rsdp == 0);
	assert_true(noted2("RSDP", "bad checksum"));
}

static void test_rsdp_bad_extended_checksum(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	mem[RSDP_PA + 33] ^= 1;	/* reserved byte: only the extended checksum covers it */
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_BADSUM);
	assert_fallbacks(&a);
	assert_true(noted("bad extended checksum"));
}

static void test_rsdp_bad_signature_or_unreadable(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	memcpy(mem + RSDP_PA, "RSD PTX ", 8);
	fix_sum(RSDP_PA, 20, RSDP_PA + 8);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_BADSIG);
	assert_fallbacks(&a);

	assert_int_equal(acpi_parse(&pv, MEM_SIZE - 8, &a), E_RANGE);
	assert_int_equal(acpi_parse(&pv, 0xFFFFFFFFFFFFFFF0ull, &a), E_RANGE);
	assert_fallbacks(&a);

	/* A v2 RSDP whose first 20 bytes are readable but not the rest. */
	rsdp_at(MEM_SIZE - 24, 0, RSDT_PA, 0);
	w8(MEM_SIZE - 24 + 15, 2);
	fix_sum(MEM_SIZE - 24, 20, MEM_SIZE - 24 + 8);
	assert_int_equal(acpi_parse(&pv, MEM_SIZE - 24, &a), E_TRUNC);
	assert_true(noted("not readable"));
}

static void test_rsdp_absurd_length(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	w32(RSDP_PA + 20, 0xFFFFFFFF);
	fix_sum(RSDP_PA, 36, RSDP_PA + 32);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_RANGE);
	assert_true(max_map_len <= 36);	/* the absurd length was never mapped */

	w32(RSDP_PA + 20, 20);	/* shorter than the 2.0 structure */
	fix_sum(RSDP_PA, 36, RSDP_PA + 32);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_RANGE);
	assert_true(noted("absurd length"));
	assert_fallbacks(&a);
}

static void test_bad_xsdt_falls_back_to_rsdt(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	mem[XSDT_PA + 16] ^= 0x55;	/* XSDT checksum now wrong */
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_false(a.xsdt_used);
	assert_true(a.have_madt && a.have_mcfg && a.have_dmar);
	assert_int_equal(a.ncpus, 4);
	assert_true(noted2("XSDT at 0x2000", "bad checksum"));
	assert_true(noted("using the RSDT"));
}

static void test_null_or_misnamed_xsdt_falls_back(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	rsdp_at(RSDP_PA, 2, RSDT_PA, 0);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_false(a.xsdt_used);
	assert_true(a.have_madt);
	assert_true(noted2("XSDT", "null pointer"));

	reset();
	full_set();
	rsdp_at(RSDP_PA, 2, RSDT_PA, RSDT_PA);	/* the XSDT pointer names the RSDT */
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_false(a.xsdt_used);
	assert_true(a.have_madt && a.have_mcfg && a.have_dmar);
	assert_true(noted2("XSDT", "wrong signature"));
}

static void test_no_usable_root_table(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	mem[XSDT_PA] = 'Y';
	mem[RSDT_PA] = 'Y';
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_BADSIG);
	assert_fallbacks(&a);
	assert_true(a.rsdp == 0);
	assert_true(noted2("RSDT at 0x1000", "no ACPI tables"));

	reset();
	rsdp_at(RSDP_PA, 0, 0, 0);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_NOENT);
	assert_fallbacks(&a);

	reset();
	full_set();
	mem[RSDT_PA + 20] ^= 1;
	mem[XSDT_PA + 20] ^= 1;
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_BADSUM);
	assert_fallbacks(&a);
}

/* ---- Individual tables: checks, skipping, duplicates ---- */

static void test_bad_table_checksum_skipped(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	mem[MCFG_PA + 50] ^= 1;
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_false(a.have_mcfg);
	assert_int_equal(a.nmcfg, 0);
	assert_true(a.have_madt && a.have_dmar);
	assert_int_equal(a.ncpus, 4);
	assert_int_equal(a.ndmar, 2);
	assert_true(noted2("MCFG at 0x4000 skipped", "bad checksum"));
}

static void test_truncated_table(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { MEM_SIZE - 40, MADT_PA };

	(void)state;
	madt_std();
	table_begin(MEM_SIZE - 40, "MCFG");	/* says 60 bytes, only 40 are readable */
	w32(MEM_SIZE - 40 + 4, 60);
	acpi2(t, 2);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_false(a.have_mcfg);
	assert_true(noted2("MCFG", "runs past readable memory"));
	assert_true(a.have_madt);
}

static void test_absurd_table_lengths(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	w32(DMAR_PA + 4, 0xFFFFFFFF);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_false(a.have_dmar);
	assert_true(noted2("DMAR at 0x5000 skipped", "absurd length"));
	assert_true(max_map_len < 0x10000);	/* the header was checked before mapping */
	assert_true(a.have_madt && a.have_mcfg);

	reset();
	full_set();
	w32(MCFG_PA + 4, 20);	/* shorter than the header itself */
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_false(a.have_mcfg);
	assert_true(noted2("MCFG", "absurd length"));
	assert_true(a.have_madt && a.have_dmar);
}

static void test_unreadable_and_null_entries(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { 0x7FFFFFFF0ull, 0, MADT_PA };

	(void)state;
	madt_std();
	acpi2(t, 3);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_true(a.have_madt);
	assert_int_equal(a.ncpus, 4);
	assert_true(noted2("table at 0x7fffffff0", "not readable"));
	assert_true(noted("null pointer"));
}

static void test_unknown_tables_ignored(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { SPARE_PA, MADT_PA };

	(void)state;
	madt_std();
	table_begin(SPARE_PA, "FACP");	/* bad checksum and length: Atoll never reads it */
	w32(SPARE_PA + 4, 0xFFFFFFFF);
	acpi2(t, 2);
	/* An XSDT with a trailing partial entry. */
	w32(XSDT_PA + 4, r32(XSDT_PA + 4) + 3);
	reseal(XSDT_PA);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_true(a.xsdt_used && a.have_madt);
	assert_int_equal(nnotes, 1);
	assert_true(noted("partial entry"));
}

static void test_duplicate_first_valid_wins(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { MADT_PA, SPARE_PA };
	paddr_t o;

	(void)state;
	madt_std();
	o = madt_begin(SPARE_PA, 0x12345000, 0);
	lapic(&o, 0, 9, 1);
	table_end(SPARE_PA, o);
	acpi2(t, 2);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_true(a.lapic_addr == 0xFEE00000);
	assert_int_equal(a.ncpus, 4);
	assert_true(noted2("another MADT at 0x6000", "ignored"));
}

static void test_duplicate_after_invalid_is_used(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { MADT_PA, SPARE_PA };
	paddr_t o;

	(void)state;
	madt_std();
	mem[MADT_PA + 40] ^= 1;	/* the first MADT's checksum is broken */
	o = madt_begin(SPARE_PA, 0xFEE00000, 0);
	lapic(&o, 0, 9, 1);
	table_end(SPARE_PA, o);
	acpi2(t, 2);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_true(a.have_madt);
	assert_int_equal(a.ncpus, 1);
	assert_int_equal(a.cpus[0].apic_id, 9);
	assert_true(noted2("MADT at 0x3000 skipped", "bad checksum"));
	assert_false(noted("another MADT"));
}

/* ---- BIOS-area scan ---- */

static void test_bios_scan_finds_valid_rsdp(void **state)
{
	paddr_t found = 0;

	(void)state;
	full_set();			/* an RSDP at 0xE0000... */
	mem[RSDP_PA + 9] ^= 1;		/* ...with a bad checksum: passed over */
	memcpy(mem + 0xE8000, "RSD PTR ", 8);	/* a stray signature */
	rsdp_at(0xF1238, 0, RSDT_PA, 0);	/* valid, but not on a 16-byte boundary */
	rsdp_at(0xF1230 + 0x40, 0, RSDT_PA, 0);
	assert_int_equal(acpi_find_rsdp_bios(&pv, &found), E_OK);
	assert_true(found == 0xF1270);
	assert_true(noted2("candidate at 0xe0000", "bad checksum"));
	assert_true(noted("candidate at 0xe8000"));

	/* A v2 RSDP whose extended checksum is wrong is no RSDP either. */
	reset();
	rsdp_at(0xFFF00, 2, RSDT_PA, XSDT_PA);
	mem[0xFFF00 + 33] ^= 1;
	rsdp_at(0xFFFE0, 0, RSDT_PA, 0);
	assert_int_equal(acpi_find_rsdp_bios(&pv, &found), E_OK);
	assert_true(found == 0xFFFE0);
	assert_true(noted2("candidate at 0xfff00", "bad extended checksum"));
}

static void test_bios_scan_ebda(void **state)
{
	paddr_t found = 0;

	(void)state;
	w16(0x40E, 0x9FC0);	/* EBDA at 0x9FC00 */
	rsdp_at(0x9FC00 + 0x20, 2, RSDT_PA, XSDT_PA);
	rsdp_at(0xE0000, 0, RSDT_PA, 0);
	assert_int_equal(acpi_find_rsdp_bios(&pv, &found), E_OK);
	assert_true(found == 0x9FC20);	/* the EBDA comes first */

	/* Past the first KiB of the EBDA is not searched. */
	reset();
	w16(0x40E, 0x9F00);
	rsdp_at(0x9F000 + 0x400, 0, RSDT_PA, 0);
	assert_int_equal(acpi_find_rsdp_bios(&pv, &found), E_NOENT);

	/* An EBDA at or above 640 KiB is nonsense: not searched. */
	reset();
	w16(0x40E, 0xA000);
	rsdp_at(0xA0010, 0, RSDT_PA, 0);
	assert_int_equal(acpi_find_rsdp_bios(&pv, &found), E_NOENT);

	/* So is an EBDA segment inside the BIOS data area. */
	reset();
	w16(0x40E, 0x0010);
	rsdp_at(0x110, 0, RSDT_PA, 0);
	assert_int_equal(acpi_find_rsdp_bios(&pv, &found), E_NOENT);
	rsdp_at(0xFFFE0, 0, RSDT_PA, 0);	/* the BIOS area is still scanned */
	assert_int_equal(acpi_find_rsdp_bios(&pv, &found), E_OK);
	assert_true(found == 0xFFFE0);
}

static void test_bios_scan_nothing(void **state)
{
	paddr_t found = 0x1234;

	(void)state;
	assert_int_equal(acpi_find_rsdp_bios(&pv, &found), E_NOENT);
	assert_true(found == 0x1234);
	assert_int_equal(nnotes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_full_valid_set),
		T(test_rsdp_v0_uses_rsdt),
		T(test_rsdp_bad_checksum),
		T(test_rsdp_bad_extended_checksum),
		T(test_rsdp_bad_signature_or_unreadable),
		T(test_rsdp_absurd_length),
		T(test_bad_xsdt_falls_back_to_rsdt),
		T(test_null_or_misnamed_xsdt_falls_back),
		T(test_no_usable_root_table),
		T(test_bad_table_checksum_skipped),
		T(test_truncated_table),
		T(test_absurd_table_lengths),
		T(test_unreadable_and_null_entries),
		T(test_unknown_tables_ignored),
		T(test_duplicate_first_valid_wins),
		T(test_duplicate_after_invalid_is_used),
		T(test_bios_scan_finds_valid_rsdp),
		T(test_bios_scan_ebda),
		T(test_bios_scan_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
