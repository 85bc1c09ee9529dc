/* Unit tests: the ACPI MCFG and DMAR tables. */
#include "acpi_fake.h"

/* ---- MCFG ---- */

static void test_mcfg_bad_entries(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { MCFG_PA };
	paddr_t o = mcfg_begin(MCFG_PA);

	(void)state;
	mcfg_entry(&o, 0xB0000000, 0, 10, 5);		/* end before start */
	mcfg_entry(&o, 0xC0080000, 1, 0, 0);		/* not 1 MiB aligned */
	mcfg_entry(&o, 0, 2, 0, 0);			/* no base */
	mcfg_entry(&o, 0xFFFFFFFFFFF00000ull, 3, 0, 1);	/* wraps */
	mcfg_entry(&o, 0xE0000000, 4, 0, 63);		/* good */
	table_end(MCFG_PA, o + 8);			/* and half an entry */
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_true(a.have_mcfg);
	assert_int_equal(a.nmcfg, 1);
	assert_int_equal(a.mcfg[0].segment, 4);
	assert_true(a.mcfg[0].base == 0xE0000000);
	assert_int_equal(a.mcfg[0].bus_end, 63);
	assert_true(noted2("segment 0 (buses 10-5", "invalid"));
	assert_true(noted("segment 1"));
	assert_true(noted("segment 2"));
	assert_true(noted("segment 3"));
	assert_true(noted("partial entry"));
}

static void test_mcfg_all_bad_or_too_many(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { MCFG_PA };
	paddr_t o = mcfg_begin(MCFG_PA);

	(void)state;
	mcfg_entry(&o, 0xB0000000, 0, 10, 5);
	table_end(MCFG_PA, o);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_false(a.have_mcfg);	/* no usable window: no ECAM */
	assert_int_equal(a.nmcfg, 0);

	reset();
	o = mcfg_begin(MCFG_PA);
	for (unsigned i = 0; i < ACPI_MAX_MCFG + 2; i++)
		mcfg_entry(&o, 0x80000000ull + 0x10000000ull * i, (uint16_t)i, 0, 255);
	table_end(MCFG_PA, o);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_int_equal(a.nmcfg, ACPI_MAX_MCFG);
	assert_int_equal(a.mcfg[ACPI_MAX_MCFG - 1].segment, ACPI_MAX_MCFG - 1);
	assert_true(noted("segment 8 ignored"));
	assert_true(noted("segment 9 ignored"));
}

/* ---- DMAR ---- */

static void test_dmar_scope_odd_path(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	/* Scopes of 9 and 7 bytes: they still fill the unit exactly, but each has half a path entry. */
	w8(DRHD1_SCOPES + 1, 9);
	w8(DRHD1_SCOPES + 9, 3);
	w8(DRHD1_SCOPES + 10, 7);
	reseal(DMAR_PA);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_int_equal(a.ndmar, 1);	/* the malformed unit is skipped, the next kept */
	assert_true(a.dmar[0].reg_base == 0xFED90000);
	assert_int_equal(a.nrmrr, 1);
	assert_true(noted2("DRHD at offset 48 skipped", "odd length"));
}

static void test_dmar_scope_past_structure(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { DMAR_PA };
	paddr_t o, s;

	(void)state;
	full_set();
	w8(DRHD1_SCOPES + 8 + 1, 40);	/* the second scope claims more than its unit holds */
	reseal(DMAR_PA);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_int_equal(a.ndmar, 1);
	assert_true(noted("device scope runs past its structure"));

	reset();
	full_set();
	w8(DRHD1_SCOPES + 1, 4);	/* shorter than a scope header */
	reseal(DMAR_PA);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_int_equal(a.ndmar, 1);
	assert_true(noted("shorter than 6 bytes"));

	/* One byte after the last unit's fixed part, at the very end of the table. */
	reset();
	o = dmar_begin(DMAR_PA, 38, 0);
	s = drhd_begin(&o, 1, 0, 0xFED90000);
	w8(o++, 3);
	struct_end(s, o);
	table_end(DMAR_PA, o);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_false(a.have_dmar);
	assert_true(noted("device scope header runs past its structure"));
}

static void test_dmar_structure_past_table(void **state)
{
	struct acpi_info a;
	const paddr_t at = MEM_SIZE - 0x100;
	const paddr_t t[] = { at };
	paddr_t o = dmar_begin(at, 38, 0), s;

	(void)state;
	s = drhd_begin(&o, 1, 0, 0xFED90000);
	struct_end(s, o);
	s = drhd_begin(&o, 0, 0, 0xFED91000);
	scope(&o, 1, 0, 2, 0);
	w16(s + 2, 0xFFF0);	/* longer than the table */
	table_end(at, o);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_true(a.have_dmar);
	assert_int_equal(a.ndmar, 1);	/* the first unit stays */
	assert_true(noted2("offset 64", "bad length 65520"));

	/* A structure header cut by the end of the table, and a length below 4. */
	reset();
	o = dmar_begin(at, 38, 0);
	s = drhd_begin(&o, 1, 0, 0xFED90000);
	struct_end(s, o);
	table_end(at, o + 2);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_int_equal(a.ndmar, 1);
	assert_true(noted("inside a structure header"));

	reset();
	o = dmar_begin(at, 38, 0);
	w16(o + 2, 2);
	table_end(at, o + 16);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_false(a.have_dmar);
	assert_true(noted("bad length 2"));
}

static void test_dmar_other_structures_skipped(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { DMAR_PA };
	paddr_t o = dmar_begin(DMAR_PA, 45, 5), s;

	(void)state;
	s = drhd_begin(&o, 1, 0, 0xFED90000);
	struct_end(s, o);
	/* RHSA (type 3, 20 bytes) and ANDD (type 4): their bodies are not device scopes. */
	w16(o, 3); w16(o + 2, 20); w64(o + 8, 0xFED90000); w32(o + 16, 1);
	o += 20;
	w16(o, 4); w16(o + 2, 14); w8(o + 7, 1); memcpy(mem + o + 8, "\\_SB.", 6);
	o += 14;
	s = o;	/* ATSR (type 2) with one scope */
	w16(o, 2); w8(o + 4, 1);
	o += 8;
	scope(&o, 2, 0, 1, 0);
	struct_end(s, o);
	table_end(DMAR_PA, o);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_int_equal(nnotes, 0);
	assert_int_equal(a.dmar_haw, 46);
	assert_int_equal(a.dmar_flags, 5);
	assert_int_equal(a.ndmar, 1);
	assert_true(a.dmar[0].include_all);
}

static void test_dmar_rmrr_checks(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { DMAR_PA };
	paddr_t o = dmar_begin(DMAR_PA, 38, 0), s;

	(void)state;
	s = drhd_begin(&o, 1, 0, 0xFED90000);
	struct_end(s, o);
	rmrr(&o, 0, 0x9E000, 0x9DFFF);			/* limit below base */
	rmrr(&o, 0, 0x1000, UINT64_MAX);		/* cannot be made exclusive */
	rmrr(&o, 1, 0x7F001000, 0x7F0027FF);		/* ragged: rounded out */
	s = o;						/* shorter than its fixed part */
	w16(o, 1); w16(o + 2, 20);
	o += 20;
	for (unsigned i = 0; i < ACPI_MAX_RMRR; i++)
		rmrr(&o, 0, 0x100000ull * (i + 1), 0x100000ull * (i + 1) + 0xFFF);
	table_end(DMAR_PA, o);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_int_equal(a.nrmrr, ACPI_MAX_RMRR);
	assert_int_equal(a.rmrr[0].segment, 1);
	assert_true(a.rmrr[0].base == 0x7F001000);
	assert_true(a.rmrr[0].end == 0x7F003000);
	assert_true(a.rmrr[1].base == 0x100000 && a.rmrr[1].end == 0x101000);
	assert_true(noted("RMRR 0x9e000-0x9dfff invalid"));
	assert_true(noted("0xffffffffffffffff invalid"));
	assert_true(noted("rounded out"));
	assert_true(noted2("RMRR at offset", "shorter than its fixed part"));
	assert_true(noted("more than 8 RMRRs"));
}

static void test_dmar_without_units(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { DMAR_PA, MADT_PA };
	paddr_t o = dmar_begin(DMAR_PA, 38, 0);

	(void)state;
	madt_std();
	rmrr(&o, 0, 0x9D000, 0x9DFFF);
	table_end(DMAR_PA, o);
	acpi2(t, 2);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_false(a.have_dmar);	/* no IOMMU */
	assert_int_equal(a.ndmar, 0);
	assert_int_equal(a.nrmrr, 1);
	assert_true(a.have_madt);
	assert_true(noted("no usable remapping unit"));
}

static void test_dmar_too_many_scopes_and_units(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { DMAR_PA };
	paddr_t o = dmar_begin(DMAR_PA, 38, 0), s;

	(void)state;
	s = drhd_begin(&o, 0, 0, 0xFED80000);
	w8(o, 1); w8(o + 1, 6); w8(o + 5, 7);	/* a scope with no path */
	o += 6;
	for (unsigned i = 0; i < ACPI_MAX_DMAR_SCOPES + 2; i++)
		scope(&o, 1, 0, (uint8_t)i, 1);
	struct_end(s, o);
	for (unsigned i = 0; i < ACPI_MAX_DMAR_UNITS; i++) {
		s = drhd_begin(&o, 0, (uint16_t)(i + 1), 0xFED00000 + 0x1000 * i);
		struct_end(s, o);
	}
	table_end(DMAR_PA, o);
	acpi2(t, 1);
	assert_int_equal(acpi_parse(&pv, RSDP_PA, &a), E_OK);
	assert_int_equal(a.ndmar, ACPI_MAX_DMAR_UNITS);
	assert_int_equal(a.dmar[0].nscopes, ACPI_MAX_DMAR_SCOPES);
	assert_int_equal(a.dmar[0].scopes[0].bus, 7);
	assert_int_equal(a.dmar[0].scopes[0].dev, 0);
	assert_int_equal(a.dmar[0].scopes[0].fn, 0);
	assert_int_equal(a.dmar[0].scopes[ACPI_MAX_DMAR_SCOPES - 1].dev, ACPI_MAX_DMAR_SCOPES - 2);
	assert_int_equal(a.dmar[0].scopes[ACPI_MAX_DMAR_SCOPES - 1].fn, 1);
	assert_int_equal(a.dmar[ACPI_MAX_DMAR_UNITS - 1].segment, ACPI_MAX_DMAR_UNITS - 1);
	assert_true(noted("more than 16 device scopes"));
	assert_true(noted("unit at 0xfed07000 ignored"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mcfg_bad_entries),
		T(test_mcfg_all_bad_or_too_many),
		T(test_dmar_scope_odd_path),
		T(test_dmar_scope_past_structure),
		T(test_dmar_structure_past_table),
		T(test_dmar_other_structures_skipped),
		T(test_dmar_rmrr_checks),
		T(test_dmar_without_units),
		T(test_dmar_too_many_scopes_and_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
