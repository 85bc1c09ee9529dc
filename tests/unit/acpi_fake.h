/* Fake physical memory and ACPI table builders, shared by the ACPI unit tests. */
#ifndef TESTS_ACPI_FAKE_H
#define TESTS_ACPI_FAKE_H

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

static inline const void *fake_map(void *ctx, paddr_t pa, size_t len)
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
static inline void fake_note(void *ctx, const char *msg)
{
	(void)ctx;
	if (strncmp(msg, "acpi: ", 6) != 0 || strchr(msg, '\n'))
		notes_well_formed = false;
	if (nnotes < MAX_NOTES)
		snprintf(notes[nnotes++], sizeof(notes[0]), "%s", msg);
}

static const struct physview pv = { fake_map, fake_note, NULL };

static inline void free_maps(void)
{
	for (size_t i = 0; i < nmaps; i++)
		free(maps[i]);
	nmaps = 0;
}

static inline void reset(void)
{
	memset(mem, 0, sizeof(mem));
	free_maps();
	max_map_len = 0;
	nnotes = 0;
	notes_well_formed = true;
}

static inline int setup(void **state)
{
	(void)state;
	reset();
	return 0;
}

static inline int teardown(void **state)
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
static inline bool noted2(const char *part, const char *part2)
{
	for (unsigned i = 0; i < nnotes; i++)
		if (strstr(notes[i], part) && (!part2 || strstr(notes[i], part2)))
			return true;
	return false;
}

static inline bool noted(const char *part)
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

static inline void w8(paddr_t a, uint8_t v) { mem[a] = v; }
static inline void w16(paddr_t a, uint16_t v) { w8(a, (uint8_t)v); w8(a + 1, (uint8_t)(v >> 8)); }
static inline void w32(paddr_t a, uint32_t v) { w16(a, (uint16_t)v); w16(a + 2, (uint16_t)(v >> 16)); }
static inline void w64(paddr_t a, uint64_t v) { w32(a, (uint32_t)v); w32(a + 4, (uint32_t)(v >> 32)); }

static inline uint32_t r32(paddr_t a)
{
	return (uint32_t)mem[a] | (uint32_t)mem[a + 1] << 8 | (uint32_t)mem[a + 2] << 16 |
	       (uint32_t)mem[a + 3] << 24;
}

/* Sets the byte at sum_at so that [a, a + len) adds up to 0. */
static inline void fix_sum(paddr_t a, size_t len, paddr_t sum_at)
{
	uint8_t s = 0;

	mem[sum_at] = 0;
	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + mem[a + i]);
	mem[sum_at] = (uint8_t)-s;
}

/* Recomputes the checksum of the table at a over its length field. */
static inline void reseal(paddr_t a)
{
	fix_sum(a, r32(a + 4), a + 9);
}

/* Writes a table header at a; returns where the body starts. */
static inline paddr_t table_begin(paddr_t a, const char *sig)
{
	memcpy(mem + a, sig, 4);
	w8(a + 8, 1);
	memcpy(mem + a + 10, "ATOLL ", 6);
	memcpy(mem + a + 16, "TESTTABL", 8);
	return a + 36;
}

/* Sets the table's length to end - a and its checksum. */
static inline void table_end(paddr_t a, paddr_t end)
{
	w32(a + 4, (uint32_t)(end - a));
	reseal(a);
}

static inline void rsdp_at(paddr_t a, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
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
static inline void root_tables(const paddr_t *t, unsigned n)
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
static inline void acpi2(const paddr_t *t, unsigned n)
{
	root_tables(t, n);
	rsdp_at(RSDP_PA, 2, RSDT_PA, XSDT_PA);
}

static inline void lapic(paddr_t *o, uint8_t uid, uint8_t apic_id, uint32_t flags)
{
	w8(*o, 0); w8(*o + 1, 8); w8(*o + 2, uid); w8(*o + 3, apic_id); w32(*o + 4, flags);
	*o += 8;
}

static inline void x2apic(paddr_t *o, uint32_t x2apic_id, uint32_t flags, uint32_t uid)
{
	w8(*o, 9); w8(*o + 1, 16); w32(*o + 4, x2apic_id); w32(*o + 8, flags); w32(*o + 12, uid);
	*o += 16;
}

static inline void ioapic(paddr_t *o, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
	w8(*o, 1); w8(*o + 1, 12); w8(*o + 2, id); w32(*o + 4, addr); w32(*o + 8, gsi_base);
	*o += 12;
}

static inline void iso(paddr_t *o, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	w8(*o, 2); w8(*o + 1, 10); w8(*o + 2, 0); w8(*o + 3, irq); w32(*o + 4, gsi);
	w16(*o + 8, flags);
	*o += 10;
}

static inline void lapic_override(paddr_t *o, uint64_t addr)
{
	w8(*o, 5); w8(*o + 1, 12); w64(*o + 4, addr);
	*o += 12;
}

/* MADT header fields; returns where entries go. */
static inline paddr_t madt_begin(paddr_t a, uint32_t lapic_addr, uint32_t flags)
{
	paddr_t o = table_begin(a, "APIC");

	w32(o, lapic_addr);
	w32(o + 4, flags);
	return o + 8;
}

/* The standard MADT: 4 CPUs (the last online capable, not enabled), 1 I/O APIC, 2 ISOs. */
static inline void madt_std(void)
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

static inline void mcfg_entry(paddr_t *o, uint64_t base, uint16_t seg, uint8_t start, uint8_t end)
{
	w64(*o, base); w16(*o + 8, seg); w8(*o + 10, start); w8(*o + 11, end);
	*o += 16;
}

static inline paddr_t mcfg_begin(paddr_t a)
{
	return table_begin(a, "MCFG") + 8;
}

static inline void mcfg_std(void)
{
	paddr_t o = mcfg_begin(MCFG_PA);

	mcfg_entry(&o, 0xB0000000, 0, 0, 255);
	table_end(MCFG_PA, o);
}

static inline paddr_t dmar_begin(paddr_t a, uint8_t haw_field, uint8_t flags)
{
	paddr_t o = table_begin(a, "DMAR");

	w8(o, haw_field);
	w8(o + 1, flags);
	return o + 12;
}

/* Starts a DRHD at *o; drhd_end() sets its length. */
static inline paddr_t drhd_begin(paddr_t *o, uint8_t flags, uint16_t seg, uint64_t reg_base)
{
	paddr_t s = *o;

	w16(s, 0); w8(s + 4, flags); w16(s + 6, seg); w64(s + 8, reg_base);
	*o += 16;
	return s;
}

static inline void struct_end(paddr_t s, paddr_t o)
{
	w16(s + 2, (uint16_t)(o - s));
}

/* A device scope with one path element. */
static inline void scope(paddr_t *o, uint8_t type, uint8_t bus, uint8_t dev, uint8_t fn)
{
	w8(*o, type); w8(*o + 1, 8); w8(*o + 4, 0); w8(*o + 5, bus); w8(*o + 6, dev);
	w8(*o + 7, fn);
	*o += 8;
}

static inline void rmrr(paddr_t *o, uint16_t seg, uint64_t base, uint64_t limit)
{
	paddr_t s = *o;

	w16(s, 1); w16(s + 6, seg); w64(s + 8, base); w64(s + 16, limit);
	*o += 24;
	scope(o, 1, 0, 0x14, 0);	/* the USB controller that owns the region */
	struct_end(s, *o);
}

/* The standard DMAR: a unit with two scopes, an include-all unit, an RMRR. */
#define DRHD1_SCOPES (DMAR_PA + 48 + 16)	/* first scope of the first unit */
static inline void dmar_std(void)
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

static inline void full_set(void)
{
	const paddr_t t[] = { MADT_PA, MCFG_PA, DMAR_PA };

	madt_std();
	mcfg_std();
	dmar_std();
	acpi2(t, 3);
}

/* Only an MCFG: no MADT at all. */
static inline void set_without_madt(void)
{
	const paddr_t t[] = { MCFG_PA };

	mcfg_std();
	acpi2(t, 1);
}

/* What acpi_parse() leaves when nothing is usable. */
static inline void assert_fallbacks(const struct acpi_info *a)
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

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

#endif
