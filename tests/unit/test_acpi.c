/* Unit tests: ACPI tables built in a fake physical memory, good and broken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86_64/acpi/acpi.h"

#define MEM_SIZE 0x100000	/* 1 MiB of fake physical memory */
static uint8_t mem[MEM_SIZE];
static char notes[32][160];
static unsigned nnotes;

static const void *fake_map(void *ctx, paddr_t pa, size_t len)
{
	(void)ctx;
	if (pa > MEM_SIZE || len > MEM_SIZE - pa)
		return NULL;
	return mem + pa;
}

static void fake_note(void *ctx, const char *msg)
{
	(void)ctx;
	if (nnotes < 32)
		snprintf(notes[nnotes++], sizeof(notes[0]), "%s", msg);
}

static const struct physview pv = { fake_map, fake_note, NULL };

static bool noted(const char *part)
{
	for (unsigned i = 0; i < nnotes; i++)
		if (strstr(notes[i], part))
			return true;
	return false;
}

static void w8(paddr_t a, uint8_t v) { mem[a] = v; }
static void w16(paddr_t a, uint16_t v) { memcpy(mem + a, &v, 2); }
static void w32(paddr_t a, uint32_t v) { memcpy(mem + a, &v, 4); }
static void w64(paddr_t a, uint64_t v) { memcpy(mem + a, &v, 8); }

static void fix_sum(paddr_t a, size_t len, size_t sum_off)
{
	uint8_t s = 0;

	mem[a + sum_off] = 0;
	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + mem[a + i]);
	mem[a + sum_off] = (uint8_t)-s;
}

static void sdt_header(paddr_t a, const char *sig, uint32_t len)
{
	memcpy(mem + a, sig, 4);
	w32(a + 4, len);
	w8(a + 8, 1);
	memcpy(mem + a + 10, "ATOLL ", 6);
}

static void seal(paddr_t a)
{
	uint32_t len;

	memcpy(&len, mem + a + 4, 4);
	fix_sum(a, len, 9);
}

/* RSDP v2 at 0xE0000 pointing at an RSDT (0x1000) and an XSDT (0x2000). */
static void rsdp(paddr_t a, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memcpy(mem + a, "RSD PTR ", 8);
	memcpy(mem + a + 9, "BOCHS ", 6);
	w8(a + 15, rev);
	w32(a + 16, rsdt);
	w32(a + 20, 36);
	w64(a + 24, xsdt);
	fix_sum(a, 20, 8);
	if (rev >= 2)
		fix_sum(a, 36, 32);
}

static void root_tables(const paddr_t *tables, unsigned n)
{
	sdt_header(0x1000, "RSDT", 36 + 4 * n);
	sdt_header(0x2000, "XSDT", 36 + 8 * n);
	for (unsigned i = 0; i < n; i++) {
		w32(0x1000 + 36 + 4 * i, (uint32_t)tables[i]);
		w64(0x2000 + 36 + 8 * i, tables[i]);
	}
	seal(0x1000);
	seal(0x2000);
}

/* MADT at 0x3000: 4 CPUs (one disabled), 1 I/O APIC, 2 overrides. */
static void madt(void)
{
	paddr_t a = 0x3000, o = a + 44;

	sdt_header(a, "APIC", 0);
	w32(a + 36, 0xFEE00000);
	w32(a + 40, 1);
	for (unsigned i = 0; i < 4; i++, o += 8) {
		w8(o, 0);
		w8(o + 1, 8);
		w8(o + 2, (uint8_t)i);
		w8(o + 3, (uint8_t)(i * 2));
		w32(o + 4, i == 3 ? 2 : 1);	/* cpu 3: online capable, not enabled */
	}
	w8(o, 1); w8(o + 1, 12); w8(o + 2, 7); w32(o + 4, 0xFEC00000); w32(o + 8, 0); o += 12;
	w8(o, 2); w8(o + 1, 10); w8(o + 2, 0); w8(o + 3, 0); w32(o + 4, 2); w16(o + 8, 0); o += 10;
	w8(o, 2); w8(o + 1, 10); w8(o + 2, 0); w8(o + 3, 9); w32(o + 4, 9); w16(o + 8, 0xD); o += 10;
	w32(a + 4, (uint32_t)(o - a));
	seal(a);
}

/* MCFG at 0x4000 with one good entry. */
static void mcfg(uint8_t start, uint8_t end)
{
	paddr_t a = 0x4000;

	sdt_header(a, "MCFG", 60);
	w64(a + 44, 0xB0000000);
	w16(a + 52, 0);
	w8(a + 54, start);
	w8(a + 55, end);
	seal(a);
}

/* DMAR at 0x5000: an include-all unit, a unit with two scopes, and an RMRR. */
static void dmar(void)
{
	paddr_t a = 0x5000, o = a + 48;

	sdt_header(a, "DMAR", 0);
	w8(a + 36, 38);	/* 39-bit host address width */
	w8(a + 37, 1);
	w16(o, 0); w16(o + 2, 16 + 8 + 8); w8(o + 4, 0); w16(o + 6, 0); w64(o + 8, 0xFED91000);
	w8(o + 16, 3); w8(o + 17, 8); w8(o + 20, 0); w8(o + 21, 0xF0); w8(o + 22, 0x1F); w8(o + 23, 0);
	w8(o + 24, 1); w8(o + 25, 8); w8(o + 28, 0); w8(o + 29, 0); w8(o + 30, 2); w8(o + 31, 0);
	o += 32;
	w16(o, 0); w16(o + 2, 16); w8(o + 4, 1); w16(o + 6, 0); w64(o + 8, 0xFED90000);
	o += 16;
	w16(o, 1); w16(o + 2, 24); w16(o + 6, 0); w64(o + 8, 0x9D000); w64(o + 16, 0x9DFFF);
	o += 24;
	w32(a + 4, (uint32_t)(o - a));
	seal(a);
}

static int setup(void **state)
{
	(void)state;
	memset(mem, 0, sizeof(mem));
	nnotes = 0;
	return 0;
}

static void full_set(void)
{
	const paddr_t t[] = { 0x3000, 0x4000, 0x5000 };

	madt();
	mcfg(0, 255);
	dmar();
	root_tables(t, 3);
	rsdp(0xE0000, 2, 0x1000, 0x2000);
}

static void test_full_valid_set(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_true(a.xsdt_used);
	assert_string_equal(a.oem_id, "BOCHS ");
	assert_true(a.have_madt && a.have_mcfg && a.have_dmar);
	assert_int_equal(a.ncpus, 4);
	assert_int_equal(a.cpus[2].apic_id, 4);
	assert_true(a.cpus[0].enabled && !a.cpus[3].enabled && a.cpus[3].online_capable);
	assert_int_equal(a.nioapics, 1);
	assert_int_equal(a.ioapics[0].id, 7);
	assert_int_equal(a.ioapics[0].addr, 0xFEC00000);
	assert_int_equal(a.nisos, 2);
	assert_int_equal(a.isos[0].gsi, 2);
	assert_int_equal(a.isos[1].flags, 0xD);
	assert_true(a.pic_present);
	assert_int_equal(a.nmcfg, 1);
	assert_true(a.mcfg[0].base == 0xB0000000 && a.mcfg[0].bus_end == 255);
	assert_int_equal(a.dmar_haw, 39);
	assert_int_equal(a.dmar_flags, 1);
	assert_int_equal(a.ndmar, 2);
	assert_false(a.dmar[0].include_all);
	assert_int_equal(a.dmar[0].nscopes, 2);
	assert_int_equal(a.dmar[0].scopes[0].type, 3);
	assert_int_equal(a.dmar[0].scopes[0].bus, 0xF0);
	assert_int_equal(a.dmar[0].scopes[0].dev, 0x1F);
	assert_int_equal(a.dmar[0].scopes[1].dev, 2);
	assert_true(a.dmar[1].include_all && a.dmar[1].reg_base == 0xFED90000);
	assert_int_equal(a.nrmrr, 1);
	assert_true(a.rmrr[0].base == 0x9D000 && a.rmrr[0].end == 0x9E000);
	assert_int_equal(nnotes, 0);
}

static void test_rsdp_v0_uses_rsdt(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { 0x3000 };

	(void)state;
	madt();
	root_tables(t, 1);
	rsdp(0xE0000, 0, 0x1000, 0);
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_false(a.xsdt_used);
	assert_true(a.have_madt && !a.have_mcfg && !a.have_dmar);
	assert_int_equal(a.ncpus, 4);
}

static void test_bad_rsdp(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	mem[0xE0000 + 9] ^= 1;	/* breaks the 20-byte checksum */
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_BADSUM);
	assert_false(a.have_madt);
	full_set();
	mem[0xE0000 + 30] ^= 1;	/* only the extended checksum */
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_BADSUM);
	full_set();
	memcpy(mem + 0xE0000, "RSD PTX ", 8);
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_BADSIG);
	assert_int_equal(acpi_parse(&pv, MEM_SIZE - 8, &a), E_RANGE);
}

static void test_bad_xsdt_falls_back(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	mem[0x2000 + 20] ^= 0x55;	/* XSDT checksum now wrong */
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_false(a.xsdt_used);
	assert_true(a.have_madt && a.have_mcfg && a.have_dmar);
	assert_true(noted("XSDT") && noted("bad checksum") && noted("using the RSDT"));
}

static void test_no_root_table(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	mem[0x2000] = 'Y';
	mem[0x1000] = 'Y';
	assert_int_not_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_true(noted("RSDT"));
}

static void test_bad_table_skipped_others_parse(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	mem[0x4000 + 50] ^= 1;	/* MCFG checksum */
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_false(a.have_mcfg);
	assert_int_equal(a.nmcfg, 0);
	assert_true(a.have_madt && a.have_dmar);
	assert_true(noted("MCFG") && noted("bad checksum"));
}

static void test_truncated_and_absurd_lengths(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { MEM_SIZE - 40, 0x3000 };

	(void)state;
	madt();
	sdt_header(MEM_SIZE - 40, "MCFG", 60);	/* runs past the end of memory */
	root_tables(t, 2);
	rsdp(0xE0000, 2, 0x1000, 0x2000);
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_false(a.have_mcfg);
	assert_true(noted("runs past readable memory"));
	assert_true(a.have_madt);

	setup(NULL);
	full_set();
	w32(0x4000 + 4, 0xFFFFFFFF);
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_false(a.have_mcfg);
	assert_true(noted("absurd length"));

	setup(NULL);
	full_set();
	w32(0x4000 + 4, 20);
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_false(a.have_mcfg);
}

static void test_unreadable_pointer(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { 0x7FFFFFFF0ull, 0x3000 };

	(void)state;
	madt();
	root_tables(t, 2);
	rsdp(0xE0000, 2, 0x1000, 0x2000);
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_true(a.have_madt);
	assert_true(noted("not readable"));
}

static void test_madt_bad_entries(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	w8(0x3000 + 44 + 8 + 1, 0);	/* second CPU entry: length 0 */
	seal(0x3000);
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_int_equal(a.ncpus, 1);	/* what came before is kept */
	assert_true(noted("bad length 0"));

	setup(NULL);
	full_set();
	w8(0x3000 + 44 + 8 + 1, 200);	/* runs past the table */
	seal(0x3000);
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_int_equal(a.ncpus, 1);

	setup(NULL);
	full_set();
	w8(0x3000 + 44 + 32 + 1, 4);	/* I/O APIC entry too short for its type */
	w8(0x3000 + 44 + 32 + 4, 0);
	seal(0x3000);
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_int_equal(a.nioapics, 0);
	assert_true(noted("too short"));
}

static void test_madt_many_cpus_x2apic_override(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { 0x3000 };
	paddr_t o = 0x3000 + 44;

	(void)state;
	sdt_header(0x3000, "APIC", 0);
	w32(0x3000 + 36, 0xFEE00000);
	for (unsigned i = 0; i < ACPI_MAX_CPUS + 3; i++, o += 16) {
		w8(o, 9);
		w8(o + 1, 16);
		w32(o + 4, 1000 + i);
		w32(o + 8, 1);
		w32(o + 12, i);
	}
	w8(o, 5); w8(o + 1, 12); w64(o + 4, 0xFD000000ull); o += 12;
	w32(0x3000 + 4, (uint32_t)(o - 0x3000));
	seal(0x3000);
	root_tables(t, 1);
	rsdp(0xE0000, 2, 0x1000, 0x2000);
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_int_equal(a.ncpus, ACPI_MAX_CPUS);
	assert_int_equal(a.cpus[5].apic_id, 1005);
	assert_true(a.lapic_addr == 0xFD000000ull);
	assert_false(a.pic_present);
	assert_true(noted("more than"));
}

static void test_missing_madt_fallback(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { 0x4000 };

	(void)state;
	mcfg(0, 63);
	root_tables(t, 1);
	rsdp(0xE0000, 2, 0x1000, 0x2000);
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_false(a.have_madt);
	assert_int_equal(a.ncpus, 0);
	assert_true(a.lapic_addr == ACPI_LAPIC_DEFAULT);
	assert_true(a.have_mcfg);
}

static void test_mcfg_end_before_start(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	mcfg(10, 5);
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_false(a.have_mcfg);
	assert_true(noted("invalid"));
}

static void test_dmar_malformed_scope(void **state)
{
	struct acpi_info a;

	(void)state;
	full_set();
	/* Two scopes of 9 and 7 bytes: they chain exactly, but each has half a path entry. */
	w8(0x5000 + 48 + 17, 9);
	w8(0x5000 + 48 + 25, 1);
	w8(0x5000 + 48 + 26, 7);
	seal(0x5000);
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_int_equal(a.ndmar, 1);	/* the malformed unit is skipped, the next kept */
	assert_true(a.dmar[0].reg_base == 0xFED90000);
	assert_true(noted("malformed"));

	setup(NULL);
	full_set();
	w8(0x5000 + 48 + 25, 40);	/* scope runs past its structure */
	seal(0x5000);
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_int_equal(a.ndmar, 1);

	setup(NULL);
	full_set();
	w16(0x5000 + 48 + 2, 0xFFF0);	/* structure longer than the table */
	seal(0x5000);
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_false(a.have_dmar);
	assert_true(noted("bad length"));
}

static void test_duplicate_table(void **state)
{
	struct acpi_info a;
	const paddr_t t[] = { 0x3000, 0x6000 };

	(void)state;
	madt();
	memcpy(mem + 0x6000, mem + 0x3000, 0x100);
	w32(0x6000 + 36, 0x12345000);
	seal(0x6000);
	root_tables(t, 2);
	rsdp(0xE0000, 2, 0x1000, 0x2000);
	assert_int_equal(acpi_parse(&pv, 0xE0000, &a), E_OK);
	assert_true(a.lapic_addr == 0xFEE00000);
	assert_true(noted("second APIC"));
}

static void test_bios_scan(void **state)
{
	paddr_t found = 0;

	(void)state;
	full_set();	/* RSDP at 0xE0000 */
	memcpy(mem + 0xE0000, "RSD PTR ", 8);
	mem[0xE0000 + 9] ^= 1;	/* corrupt: must be passed over */
	rsdp(0xF1230, 0, 0x1000, 0);
	assert_int_equal(acpi_find_rsdp_bios(&pv, &found), E_OK);
	assert_true(found == 0xF1230);

	setup(NULL);
	w16(0x40E, 0x9FC0);	/* EBDA segment */
	rsdp(0x9FC00 + 0x20, 0, 0x1000, 0);
	assert_int_equal(acpi_find_rsdp_bios(&pv, &found), E_OK);
	assert_true(found == 0x9FC20);

	setup(NULL);
	assert_int_equal(acpi_find_rsdp_bios(&pv, &found), E_NOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_full_valid_set, setup),
		cmocka_unit_test_setup(test_rsdp_v0_uses_rsdt, setup),
		cmocka_unit_test_setup(test_bad_rsdp, setup),
		cmocka_unit_test_setup(test_bad_xsdt_falls_back, setup),
		cmocka_unit_test_setup(test_no_root_table, setup),
		cmocka_unit_test_setup(test_bad_table_skipped_others_parse, setup),
		cmocka_unit_test_setup(test_truncated_and_absurd_lengths, setup),
		cmocka_unit_test_setup(test_unreadable_pointer, setup),
		cmocka_unit_test_setup(test_madt_bad_entries, setup),
		cmocka_unit_test_setup(test_madt_many_cpus_x2apic_override, setup),
		cmocka_unit_test_setup(test_missing_madt_fallback, setup),
		cmocka_unit_test_setup(test_mcfg_end_before_start, setup),
		cmocka_unit_test_setup(test_dmar_malformed_scope, setup),
		cmocka_unit_test_setup(test_duplicate_table, setup),
		cmocka_unit_test_setup(test_bios_scan, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
