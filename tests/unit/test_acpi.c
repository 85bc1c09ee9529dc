/* Unit tests: ACPI tables built in a fake physical memory, good and broken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/acpi/acpi.h"

/*
 * Fake physical memory: 1 MiB, so the BIOS area 0xE0000-0xFFFFF is inside it.
 * map() hands out a heap copy of exactly the bytes asked for, so that AddressSanitizer
 * catches any read past what the parser mapped, not only past the end of mem[].
 */
#define MEM_SIZE 0x100000
static uint8_t mem[MEM_SIZE];

static void **maps;
static size_t nmaps, cap_maps;
static size_t max_map_len;	/* the longest range the parser asked for */

#define MAX_NOTES 64
static char notes[MAX_NOTES][256];
static unsigned nnotes;
static bool notes_well_formed;

static const void *fake_map(void *ctx, paddr_t pa, size_t len)
{
	void *copy;

	(void)ctx;
	if (len > max_map_len)
		max_map_len = len;
	if (pa > MEM_SIZE || len > MEM_SIZE - pa)
		return NULL;
	if (nmaps == cap_maps) {
		cap_maps = cap_maps ? 2 * cap_maps : 256;
		maps = realloc(maps, cap_maps * sizeof(*maps));
		assert_non_null(maps);
	}
	copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, mem + pa, len);
	maps[nmaps++] = copy;
	return copy;
}

/* Every note is one line starting with "acpi: ". */
static void fake_note(void *ctx, const char *msg)
{
	(void)ctx;
	if (strncmp(msg, "acpi: ", 6) != 0 || strchr(msg, '\n'))
		notes_well_formed = false;
	if (nnotes < MAX_NOTES)
		snprintf(notes[nnotes++], sizeof(notes[0]), "%s", msg);
}

static const struct physview pv = { fake_map, fake_note, NULL };

static void free_maps(void)
{
	for (size_t i = 0; i < nmaps; i++)
		free(maps[i]);
	nmaps = 0;
}

static void reset(void)
{
	memset(mem, 0, sizeof(mem));
	free_maps();
	max_map_len = 0;
	nnotes = 0;
	notes_well_formed = true;
}

static int setup(void **state)
{
	(void)state;
	reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free_maps();
	free(maps);
	maps = NULL;
	cap_maps = 0;
	assert_true(notes_well_formed);
	return 0;
}

/* True if a note contains all of the given parts. */
static bool noted2(const char *part, const char *part2)
{
	for (unsigned i = 0; i < nnotes; i++)
		if (strstr(notes[i], part) && (!part2 || strstr(notes[i], part2)))
			return true;
	return false;
}

static bool noted(const char *part)
{
	return noted2(part, NULL);
}

/* ---- Building tables ---- */

#define RSDP_PA 0xE0000
#define RSDT_PA 0x1000
#define XSDT_PA 0x2000
#define MADT_PA 0x3000
#define MCFG_PA 0x4000
#define DMAR_PA 0x5000
#define SPARE_PA 0x6000

static void w8(paddr_t a, uint8_t v) { mem[a] = v; }
static void w16(paddr_t a, uint16_t v) { w8(a, (uint8_t)v); w8(a + 1, (uint8_t)(v >> 8)); }
static void w32(paddr_t a, uint32_t v) { w16(a, (uint16_t)v); w16(a + 2, (uint16_t)(v >> 16)); }
static void w64(paddr_t a, uint64_t v) { w32(a, (uint32_t)v); w32(a + 4, (uint32_t)(v >> 32)); }

static uint32_t r32(paddr_t a)
{
	return (uint32_t)mem[a] | (uint32_t)mem[a + 1] << 8 | (uint32_t)mem[a + 2] << 16 |
	       (uint32_t)mem[a + 3] << 24;
}

/* Sets the byte at sum_at so that [a, a + len) adds up to 0. */
static void fix_sum(paddr_t a, size_t len, paddr_t sum_at)
{
	uint8_t s = 0;

	mem[sum_at] = 0;
	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + mem[a + i]);
	mem[sum_at] = (uint8_t)-s;
}

/* Recomputes the checksum of the table at a over its length field. */
static void reseal(paddr_t a)
{
	fix_sum(a, r32(a + 4), a + 9);
}

/* Writes a table header at a; returns where the body starts. */
static paddr_t table_begin(paddr_t a, const char *sig)
{
	memcpy(mem + a, sig, 4);
	w8(a + 8, 1);
	memcpy(mem + a + 10, "ATOLL ", 6);
	memcpy(mem + a + 16, "TESTTABL", 8);
	return a + 36;
}

/* Sets the table's length to end - a and its checksum. */
static void table_end(paddr_t a, paddr_t end)
{
	w32(a + 4, (uint32_t)(end - a));
	reseal(a);
}

static void rsdp_at(paddr_t a, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memcpy(mem + a, "RSD PTR ", 8);
	memcpy(mem + a + 9, "BOCHS ", 6);
	w8(a + 15, rev);
	w32(a + 16, rsdt);
	if (rev >= 2) {
		w32(a + 20, 36);
		w64(a + 24, xsdt);
		fix_sum(a, 20, a + 8);
		fix_sum(a, 36, a + 32);
	} else {
		fix_sum(a, 20, a + 8);
	}
}

/* An RSDT and an XSDT listing the same tables. */
static void root_tables(const paddr_t *t, unsigned n)
{
	paddr_t r = table_begin(RSDT_PA, "RSDT"), x = table_begin(XSDT_PA, "XSDT");

	for (unsigned i = 0; i < n; i++, r += 4, x += 8) {
		w32(r, (uint32_t)t[i]);
		w64(x, t[i]);
	}
	table_end(RSDT_PA, r);
	table_end(XSDT_PA, x);
}

/* RSDP v2 at RSDP_PA with both root tables listing t[0..n). */
static void acpi2(const paddr_t *t, unsigned n)
{
	root_tables(t, n);
	rsdp_at(RSDP_PA, 2, RSDT_PA, XSDT_PA);
}

static void lapic(paddr_t *o, uint8_t uid, uint8_t apic_id, uint32_t flags)
{
	w8(*o, 0); w8(*o + 1, 8); w8(*o + 2, uid); w8(*o + 3, apic_id); w32(*o + 4, flags);
	*o += 8;
}

static void x2apic(paddr_t *o, uint32_t x2apic_id, uint32_t flags, uint32_t uid)
{
	w8(*o, 9); w8(*o + 1, 16); w32(*o + 4, x2apic_id); w32(*o + 8, flags); w32(*o + 12, uid);
	*o += 16;
}

static void ioapic(paddr_t *o, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
	w8(*o, 1); w8(*o + 1, 12); w8(*o + 2, id); w32(*o + 4, addr); w32(*o + 8, gsi_base);
	*o += 12;
}

static void iso(paddr_t *o, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	w8(*o, 2); w8(*o + 1, 10); w8(*o + 2, 0); w8(*o + 3, irq); w32(*o + 4, gsi);
	w16(*o + 8, flags);
	*o += 10;
}

static void lapic_override(paddr_t *o, uint64_t addr)
{
	w8(*o, 5); w8(*o + 1, 12); w64(*o + 4, addr);
	*o += 12;
}

/* MADT header fields; returns where entries go. */
static paddr_t madt_begin(paddr_t a, uint32_t lapic_addr, uint32_t flags)
{
	paddr_t o = table_begin(a, "APIC");

	w32(o, lapic_addr);
	w32(o + 4, flags);
	return o + 8;
}

/* The standard MADT: 4 CPUs (the last online capable, not enabled), 1 I/O APIC, 2 ISOs. */
static void madt_std(void)
{
	paddr_t o = madt_begin(MADT_PA, 0xFEE00000, 1);

	lapic(&o, 0, 0, 1);
	lapic(&o, 1, 2, 1);
	lapic(&o, 2, 4, 1);
	lapic(&o, 3, 6, 2);
	ioapic(&o, 7, 0xFEC00000, 0);
	iso(&o, 0, 2, 0);
	iso(&o, 9, 9, 0xD);
	table_end(MADT_PA, o);
}

static void mcfg_entry(paddr_t *o, uint64_t base, uint16_t seg, uint8_t start, uint8_t end)
{
	w64(*o, base); w16(*o + 8, seg); w8(*o + 10, start); w8(*o + 11, end);
	*o += 16;
}

static paddr_t mcfg_begin(paddr_t a)
{
	return table_begin(a, "MCFG") + 8;
}

static void mcfg_std(void)
{
	paddr_t o = mcfg_begin(MCFG_PA);

	mcfg_entry(&o, 0xB0000000, 0, 0, 255);
	table_end(MCFG_PA, o);
}

static paddr_t dmar_begin(paddr_t a, uint8_t haw_field, uint8_t flags)
{
	paddr_t o = table_begin(a, "DMAR");

	w8(o, haw_field);
	w8(o + 1, flags);
	return o + 12;
}

/* Starts a DRHD at *o; drhd_end() sets its length. */
static paddr_t drhd_begin(paddr_t *o, uint8_t flags, uint16_t seg, uint64_t reg_base)
{
	paddr_t s = *o;

	w16(s, 0); w8(s + 4, flags); w16(s + 6, seg); w64(s + 8, reg_base);
	*o += 16;
	return s;
}

static void struct_end(paddr_t s, paddr_t o)
{
	w16(s + 2, (uint16_t)(o - s));
}

/* A device scope with one path element. */
static void scope(paddr_t *o, uint8_t type, uint8_t bus, uint8_t dev, uint8_t fn)
{
	w8(*o, type); w8(*o + 1, 8); w8(*o + 4, 0); w8(*o + 5, bus); w8(*o + 6, dev);
	w8(*o + 7, fn);
	*o += 8;
}

static void rmrr(paddr_t *o, uint16_t seg, uint64_t base, uint64_t limit)
{
	paddr_t s = *o;

	w16(s, 1); w16(s + 6, seg); w64(s + 8, base); w64(s + 16, limit);
	*o += 24;
	scope(o, 1, 0, 0x14, 0);	/* the USB controller that owns the region */
	struct_end(s, *o);
}

/* The standard DMAR: a unit with two scopes, an include-all unit, an RMRR. */
#define DRHD1_SCOPES (DMAR_PA + 48 + 16)	/* first scope of the first unit */
static void dmar_std(void)
{
	paddr_t o = dmar_begin(DMAR_PA, 38, 1), s;

	s = drhd_begin(&o, 0, 0, 0xFED91000);
	scope(&o, 3, 0xF0, 0x1F, 0);	/* I/O APIC */
	scope(&o, 1, 0, 2, 0);		/* the graphics device */
	struct_end(s, o);
	s = drhd_begin(&o, 1, 0, 0xFED90000);
	struct_end(s, o);
	rmrr(&o, 0, 0x9D000, 0x9DFFF);
	table_end(DMAR_PA, o);
}

static void full_set(void)
{
	const paddr_t t[] = { MADT_PA, MCFG_PA, DMAR_PA };

	madt_std();
	mcfg_std();
	dmar_std();
	acpi2(t, 3);
}

/* Only an MCFG: no MADT at all. */
static void set_without_madt(void)
{
	const paddr_t t[] = { MCFG_PA };

	mcfg_std();
	acpi2(t, 1);
}

/* What acpi_parse() leaves when nothing is usable. */
static void assert_fallbacks(const struct acpi_info *a)
{
	assert_false(a->have_madt);
	assert_false(a->have_mcfg);
	assert_false(a->have_dmar);
	assert_int_equal(a->ncpus, 0);
	assert_int_equal(a->nioapics, 0);
	assert_int_equal(a->nmcfg, 0);
	assert_int_equal(a->ndmar, 0);
	assert_int_equal(a->nrmrr, 0);
	assert_true(a->lapic_addr == 0xFEE00000);
	assert_false(a->pic_present);
}

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

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

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
		T(test_madt_entry_length_zero),
		T(test_madt_entry_past_end),
		T(test_madt_entry_too_short_for_type),
		T(test_madt_too_many_cpus),
		T(test_madt_x2apic),
		T(test_madt_lapic_address_override),
		T(test_madt_ioapic_and_iso_overflow),
		T(test_missing_madt_fallback),
		T(test_mcfg_bad_entries),
		T(test_mcfg_all_bad_or_too_many),
		T(test_dmar_scope_odd_path),
		T(test_dmar_scope_past_structure),
		T(test_dmar_structure_past_table),
		T(test_dmar_other_structures_skipped),
		T(test_dmar_rmrr_checks),
		T(test_dmar_without_units),
		T(test_dmar_too_many_scopes_and_units),
		T(test_bios_scan_finds_valid_rsdp),
		T(test_bios_scan_ebda),
		T(test_bios_scan_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
