/* Unit tests for multiboot2 and PVH boot information parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/bootinfo.h"

/*
 * Fake physical memory: MEM_SIZE bytes at MEM_BASE, nothing else readable.
 * map() hands out a heap copy of exactly the requested bytes, so AddressSanitizer
 * flags any read past what the parser asked for, not just past the buffer.
 */
#define MEM_BASE 0x100000ull
#define MEM_SIZE 0x10000u
#define MAX_MAPS 8192
#define MAX_NOTES 16

static _Alignas(8) uint8_t mem[MEM_SIZE];
static void *maps[MAX_MAPS];
static unsigned nmaps;
static char notes[MAX_NOTES][128];
static unsigned nnotes;

static const void *fake_map(void *ctx, paddr_t pa, size_t len)
{
	(void)ctx;
	if (pa < MEM_BASE || pa - MEM_BASE > MEM_SIZE || len > MEM_SIZE - (pa - MEM_BASE))
		return NULL;
	assert_true(nmaps < MAX_MAPS);
	void *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, mem + (pa - MEM_BASE), len);
	maps[nmaps++] = copy;
	return copy;
}

static void fake_note(void *ctx, const char *msg)
{
	(void)ctx;
	assert_true(strlen(msg) < sizeof(notes[0]));
	if (nnotes < MAX_NOTES)
		strcpy(notes[nnotes], msg);
	nnotes++;
}

static const struct physview pv = { .map = fake_map, .note = fake_note, .ctx = NULL };

static void release_maps(void)
{
	while (nmaps)
		free(maps[--nmaps]);
}

static int reset(void **state)
{
	(void)state;
	release_maps();
	memset(mem, 0, sizeof(mem));
	nnotes = 0;
	return 0;
}

static bool noted(const char *part)
{
	for (unsigned i = 0; i < nnotes && i < MAX_NOTES; i++)
		if (strstr(notes[i], part))
			return true;
	return false;
}

static void w32(paddr_t pa, uint32_t v)
{
	memcpy(mem + (pa - MEM_BASE), &v, sizeof(v));
}

static void w64(paddr_t pa, uint64_t v)
{
	memcpy(mem + (pa - MEM_BASE), &v, sizeof(v));
}

static void wbytes(paddr_t pa, const void *p, size_t len)
{
	memcpy(mem + (pa - MEM_BASE), p, len);
}

static void wstr(paddr_t pa, const char *s)
{
	wbytes(pa, s, strlen(s) + 1);
}

/* ---- multiboot2 blob builder ---- */

#define MB2_INFO (MEM_BASE + 0x1000)

struct mb2 {
	paddr_t at;
	uint32_t off;
};

static struct mb2 mb2_begin(void)
{
	return (struct mb2){ .at = MB2_INFO, .off = 8 };
}

/* Appends a tag and returns the physical address of its payload. */
static paddr_t mb2_tag(struct mb2 *b, uint32_t type, const void *payload, uint32_t plen)
{
	paddr_t tag = b->at + b->off;

	w32(tag, type);
	w32(tag + 4, 8 + plen);
	if (plen)
		wbytes(tag + 8, payload, plen);
	b->off += (8 + plen + 7) & ~7u;
	return tag + 8;
}

static paddr_t mb2_str(struct mb2 *b, uint32_t type, const char *s)
{
	return mb2_tag(b, type, s, (uint32_t)strlen(s) + 1);
}

static void mb2_module(struct mb2 *b, uint32_t start, uint32_t end, const char *s)
{
	uint8_t buf[256];
	size_t len = strlen(s) + 1;

	memcpy(buf, &start, 4);
	memcpy(buf + 4, &end, 4);
	memcpy(buf + 8, s, len);
	mb2_tag(b, 3, buf, (uint32_t)(8 + len));
}

struct e820 {
	uint64_t base, len;
	uint32_t type;
};

static void mb2_mmap(struct mb2 *b, uint32_t esize, const struct e820 *e, unsigned n)
{
	uint8_t buf[1024] = { 0 };

	assert_true(8 + n * esize <= sizeof(buf));
	memcpy(buf, &esize, 4);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = buf + 8 + i * esize;
		memcpy(p, &e[i].base, 8);
		memcpy(p + 8, &e[i].len, 8);
		memcpy(p + 16, &e[i].type, 4);
		/* Bytes a larger entry_size adds must be skipped, not read as data. */
		memset(p + 24, 0xee, esize - 24);
	}
	mb2_tag(b, 6, buf, 8 + n * esize);
}

static void mb2_finish(struct mb2 *b)
{
	mb2_tag(b, 0, NULL, 0);
	w32(b->at, b->off);
}

static const struct e820 small_map[] = {
	{ 0x0, 0x9fc00, 1 },
	{ 0x100000, 0x7ee0000, 1 },
};

static void mb2_minimal(struct mb2 *b)
{
	*b = mb2_begin();
	mb2_mmap(b, 24, small_map, 2);
}

static void test_mb2_normal(void **state)
{
	static const struct e820 map[] = {
		{ 0x0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xf0000, 0x10000, 2 },
		{ 0x500000, 0, 1 },		/* empty: skipped */
		{ 0x100000, 0x7ee0000, 1 },
		{ 0x7fe0000, 0x20000, 3 },
		{ 0xfeffc000, 0x4000, 4 },
		{ 0xfffc0000, 0x40000, 0x7 },	/* unknown firmware type */
		{ 0x100000000, 0x1000, 5 },
	};
	struct boot_params bp;
	uint8_t rsdp[20];

	(void)state;
	memcpy(rsdp, "RSD PTR ", 8);
	memset(rsdp + 8, 0x11, 12);
	struct mb2 b = mb2_begin();
	mb2_str(&b, 1, "console=ttyS0 smp=4");
	mb2_str(&b, 2, "GRUB 2.12");
	mb2_tag(&b, 4, "\x80\x02\0\0\0\0\x0f\0", 8);	/* basic meminfo: ignored */
	mb2_mmap(&b, 24, map, ARRAY_SIZE(map));
	mb2_module(&b, 0x200000, 0x280000, "initrd arg=1");
	paddr_t rsdp_pa = mb2_tag(&b, 14, rsdp, sizeof(rsdp));
	mb2_finish(&b);

	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_OK);
	assert_string_equal(bp.loader, "multiboot2");
	assert_string_equal(bp.loader_name, "GRUB 2.12");
	assert_string_equal(bp.cmdline, "console=ttyS0 smp=4");
	assert_int_equal(bp.rsdp, rsdp_pa);
	assert_int_equal(bp.rsdp % 8, 0);
	assert_false(bp.efi);
	assert_int_equal(bp.nmods, 1);
	assert_int_equal(bp.mods[0].base, 0x200000);
	assert_int_equal(bp.mods[0].end, 0x280000);
	assert_string_equal(bp.mods[0].cmdline, "initrd arg=1");
	/* Raw and in firmware order: normalizing is the caller's job. */
	assert_int_equal(bp.mm.n, 8);
	static const uint32_t types[] = { MEM_USABLE, MEM_RESERVED, MEM_RESERVED, MEM_USABLE,
					  MEM_ACPI,   MEM_NVS,      MEM_RESERVED, MEM_BAD };
	for (unsigned i = 0, j = 0; i < ARRAY_SIZE(map); i++) {
		if (!map[i].len)
			continue;
		assert_int_equal(bp.mm.r[j].base, map[i].base);
		assert_int_equal(bp.mm.r[j].end, map[i].base + map[i].len);
		assert_int_equal(bp.mm.r[j].type, types[j]);
		j++;
	}
	assert_int_equal(nnotes, 0);
}

static void test_mb2_rsdp_new_preferred(void **state)
{
	struct boot_params bp;
	uint8_t v1[20] = "RSD PTR ", v2[36] = "RSD PTR ";

	(void)state;
	v2[15] = 2;
	for (int order = 0; order < 2; order++) {
		struct mb2 b;
		paddr_t pa_new;

		reset(NULL);
		mb2_minimal(&b);
		if (order) {
			mb2_tag(&b, 14, v1, sizeof(v1));
			pa_new = mb2_tag(&b, 15, v2, sizeof(v2));
		} else {
			pa_new = mb2_tag(&b, 15, v2, sizeof(v2));
			mb2_tag(&b, 14, v1, sizeof(v1));
		}
		mb2_finish(&b);
		assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_OK);
		assert_int_equal(bp.rsdp, pa_new);
	}

	/* No RSDP at all. */
	struct mb2 b;
	reset(NULL);
	mb2_minimal(&b);
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_OK);
	assert_int_equal(bp.rsdp, 0);

	/* A tag too short to hold the RSDP it claims to carry. */
	reset(NULL);
	mb2_minimal(&b);
	mb2_tag(&b, 15, v2, 24);
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_TRUNC);
	reset(NULL);
	mb2_minimal(&b);
	mb2_tag(&b, 14, v1, 19);
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_TRUNC);
}

static void test_mb2_bad_bounds(void **state)
{
	struct boot_params bp;
	struct mb2 b;

	(void)state;
	/* Last tag runs past total_size. */
	mb2_minimal(&b);
	mb2_str(&b, 1, "hello");
	mb2_finish(&b);
	w32(MB2_INFO, b.off - 16);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_TRUNC);

	/* A tag with size below the header size would make the walk stall. */
	reset(NULL);
	mb2_minimal(&b);
	paddr_t bad = MB2_INFO + b.off;
	mb2_str(&b, 1, "hello");
	mb2_finish(&b);
	w32(bad + 4, 4);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_INVAL);
	w32(bad + 4, 0);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_INVAL);
	/* A huge size, wrapping if added carelessly. */
	w32(bad + 4, 0xfffffff8u);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_TRUNC);

	/* No end tag before total_size runs out. */
	reset(NULL);
	mb2_minimal(&b);
	w32(MB2_INFO, b.off);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_TRUNC);
	assert_true(noted("end tag"));

	/* Insane total_size. */
	reset(NULL);
	mb2_minimal(&b);
	mb2_finish(&b);
	w32(MB2_INFO, 8);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_INVAL);
	w32(MB2_INFO, (uint32_t)MIB(1) + 8);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_INVAL);
	/* Sane but larger than what is readable. */
	w32(MB2_INFO, MEM_SIZE);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_RANGE);

	/* A well-formed blob at an unaligned address is still rejected. */
	w32(MB2_INFO, b.off);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_OK);
	memmove(mem + (MB2_INFO - MEM_BASE) + 4, mem + (MB2_INFO - MEM_BASE), b.off);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO + 4, &bp), E_INVAL);
	assert_true(noted("aligned"));

	/* Unreadable info addresses. */
	assert_int_equal(bootinfo_from_mb2(&pv, 0x1000, &bp), E_RANGE);
	assert_int_equal(bootinfo_from_mb2(&pv, MEM_BASE + MEM_SIZE - 8, &bp), E_INVAL);
	assert_int_equal(bootinfo_from_mb2(&pv, MEM_BASE + MEM_SIZE, &bp), E_RANGE);
	assert_int_equal(bootinfo_from_mb2(&pv, UINT64_MAX & ~7ull, &bp), E_RANGE);
	assert_int_equal(bootinfo_from_mb2(NULL, MB2_INFO, &bp), E_INVAL);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, NULL), E_INVAL);
}

static void test_mb2_strings(void **state)
{
	struct boot_params bp;
	struct mb2 b;
	char longs[300];

	(void)state;
	/* Unterminated command line: the NUL is the byte just past the tag. */
	mb2_minimal(&b);
	mb2_tag(&b, 1, "console=ttyS0!!!", 16);
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_INVAL);
	assert_true(noted("NUL"));

	reset(NULL);
	mb2_minimal(&b);
	mb2_tag(&b, 2, "GRUB", 4);
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_INVAL);

	/* An empty payload has no room for a NUL either. */
	reset(NULL);
	mb2_minimal(&b);
	mb2_tag(&b, 1, NULL, 0);
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_INVAL);

	/* Long strings are cut to the buffers, with a note. */
	reset(NULL);
	memset(longs, 'a', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	longs[0] = 'X';
	mb2_minimal(&b);
	mb2_str(&b, 1, longs);
	mb2_str(&b, 2, longs);
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_OK);
	assert_int_equal(strlen(bp.cmdline), sizeof(bp.cmdline) - 1);
	assert_int_equal(strlen(bp.loader_name), sizeof(bp.loader_name) - 1);
	assert_memory_equal(bp.cmdline, longs, sizeof(bp.cmdline) - 1);
	assert_true(noted("truncated"));
	assert_int_equal(nnotes, 2);

	/* Empty but terminated is fine. */
	reset(NULL);
	mb2_minimal(&b);
	mb2_str(&b, 1, "");
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_OK);
	assert_string_equal(bp.cmdline, "");
	assert_string_equal(bp.loader_name, "");
}

static void test_mb2_memory_map(void **state)
{
	static const struct e820 map[] = {
		{ 0x0, 0x9f000, 1 },
		{ 0x100000, 0x1000000, 1 },
		{ UINT64_MAX - 0xfff, 0x2000, 2 },	/* wraps: cut, not dropped */
	};
	struct boot_params bp;
	struct mb2 b;

	(void)state;
	/* Larger entries than the spec's 24 bytes. */
	b = mb2_begin();
	mb2_mmap(&b, 40, map, ARRAY_SIZE(map));
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_OK);
	assert_int_equal(bp.mm.n, 3);
	assert_int_equal(bp.mm.r[1].base, 0x100000);
	assert_int_equal(bp.mm.r[1].end, 0x1100000);
	assert_int_equal(bp.mm.r[2].base, UINT64_MAX - 0xfff);
	assert_int_equal(bp.mm.r[2].end, UINT64_MAX);
	assert_int_equal(bp.mm.r[2].type, MEM_RESERVED);
	assert_true(noted("wraps"));

	/* Entries too small to hold base, length and type. */
	reset(NULL);
	b = mb2_begin();
	uint8_t small[8 + 2 * 16] = { 16 };
	mb2_tag(&b, 6, small, sizeof(small));
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_INVAL);
	reset(NULL);
	b = mb2_begin();
	mb2_tag(&b, 6, small, 4);
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_TRUNC);

	/* A partial trailing entry is ignored with a note. */
	reset(NULL);
	b = mb2_begin();
	uint8_t part[8 + 24 + 12] = { 24 };
	memcpy(part + 8 + 8, &(uint64_t){ 0x5000 }, 8);
	part[8 + 16] = 1;
	mb2_tag(&b, 6, part, sizeof(part));
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_OK);
	assert_int_equal(bp.mm.n, 1);
	assert_int_equal(bp.mm.r[0].end, 0x5000);
	assert_true(noted("partial"));

	/* No memory map at all. */
	reset(NULL);
	b = mb2_begin();
	mb2_str(&b, 1, "x");
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_NOENT);
	assert_true(noted("memory map"));

	/* More entries than a memmap holds. */
	reset(NULL);
	b = mb2_begin();
	struct e820 many[MEMMAP_MAX + 1];
	for (unsigned i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct e820){ i * 0x2000ull, 0x1000, 1 };
	{
		static uint8_t buf[8 + (MEMMAP_MAX + 1) * 24];
		uint32_t esize = 24;
		memcpy(buf, &esize, 4);
		for (unsigned i = 0; i < ARRAY_SIZE(many); i++) {
			memcpy(buf + 8 + i * 24, &many[i].base, 8);
			memcpy(buf + 8 + i * 24 + 8, &many[i].len, 8);
			memcpy(buf + 8 + i * 24 + 16, &many[i].type, 4);
		}
		mb2_tag(&b, 6, buf, sizeof(buf));
	}
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_FULL);
}

static void test_mb2_modules(void **state)
{
	struct boot_params bp;
	struct mb2 b;
	char name[16];

	(void)state;
	mb2_minimal(&b);
	for (unsigned i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "mod%u", i);
		mb2_module(&b, 0x400000 + i * 0x10000, 0x400000 + i * 0x10000 + 0x8000, name);
	}
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_OK);
	assert_int_equal(bp.nmods, BOOT_MODS_MAX);
	for (unsigned i = 0; i < BOOT_MODS_MAX; i++) {
		snprintf(name, sizeof(name), "mod%u", i);
		assert_string_equal(bp.mods[i].cmdline, name);
		assert_int_equal(bp.mods[i].base, 0x400000 + i * 0x10000);
		assert_int_equal(bp.mods[i].end, 0x408000 + i * 0x10000);
	}
	assert_true(noted("10 modules"));

	/* Ends before it starts. */
	reset(NULL);
	mb2_minimal(&b);
	mb2_module(&b, 0x500000, 0x400000, "backwards");
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_INVAL);

	/* Too short for its two addresses and a string. */
	reset(NULL);
	mb2_minimal(&b);
	mb2_tag(&b, 3, "\0\0\x40\0\0\0\x50\0", 8);
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_TRUNC);

	/* A corrupt module past the limit is still an error, not silently skipped. */
	reset(NULL);
	mb2_minimal(&b);
	for (unsigned i = 0; i < 9; i++)
		mb2_module(&b, 0x400000, 0x400001, "m");
	mb2_tag(&b, 3, "\0\0\x40\0\0\0\x50\0abc", 11);
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_INVAL);
}

static void test_mb2_efi(void **state)
{
	static const uint32_t efi_tags[] = { 11, 12, 17, 18, 19, 20 };
	struct boot_params bp;
	struct mb2 b;
	uint64_t ptr = 0x7f000000;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(efi_tags); i++) {
		reset(NULL);
		mb2_minimal(&b);
		mb2_tag(&b, efi_tags[i], &ptr, 8);
		mb2_finish(&b);
		assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_OK);
		assert_true(bp.efi);
	}
	/* An unknown tag is skipped and does not imply EFI. */
	reset(NULL);
	mb2_minimal(&b);
	mb2_tag(&b, 99, &ptr, 5);
	mb2_finish(&b);
	assert_int_equal(bootinfo_from_mb2(&pv, MB2_INFO, &bp), E_OK);
	assert_false(bp.efi);
}

static uint64_t lcg_state;

static uint64_t rnd(uint64_t n)
{
	lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
	return (lcg_state >> 33) % n;
}

/* Corrupted blobs must give an error or a sane result, never a stray read. */
static void test_mb2_fuzz(void **state)
{
	static uint8_t good[0x400];
	struct boot_params bp;
	struct mb2 b;
	uint8_t rsdp[36] = "RSD PTR ";
	unsigned ok = 0;

	(void)state;
	b = mb2_begin();
	mb2_str(&b, 1, "console=ttyS0");
	mb2_str(&b, 2, "fuzzloader");
	mb2_mmap(&b, 24, small_map, 2);
	mb2_module(&b, 0x200000, 0x300000, "mod");
	mb2_tag(&b, 15, rsdp, sizeof(rsdp));
	mb2_finish(&b);
	uint32_t total = b.off;
	assert_true(total <= sizeof(good));
	memcpy(good, mem + (MB2_INFO - MEM_BASE), total);

	lcg_state = 42;
	for (unsigned iter = 0; iter < 20000; iter++) {
		reset(NULL);
		wbytes(MB2_INFO, good, total);
		unsigned flips = 1 + (unsigned)rnd(4);
		for (unsigned i = 0; i < flips; i++) {
			uint32_t at = (uint32_t)rnd(total);
			mem[MB2_INFO - MEM_BASE + at] = rnd(3) ? (uint8_t)rnd(256) : 0;
		}
		/* Place the blob at the very end of readable memory half of the time. */
		paddr_t info = MB2_INFO;
		if (iter % 2) {
			info = MEM_BASE + MEM_SIZE - ((total + 7) & ~7u);
			memmove(mem + (info - MEM_BASE), mem + (MB2_INFO - MEM_BASE), total);
		}
		err_t e = bootinfo_from_mb2(&pv, info, &bp);
		assert_true(e >= E_OK && e <= E_UNSUPP);
		if (e != E_OK)
			continue;
		ok++;
		assert_true(bp.nmods <= BOOT_MODS_MAX);
		assert_true(bp.mm.n <= MEMMAP_MAX);
		assert_true(strlen(bp.cmdline) < sizeof(bp.cmdline));
		assert_true(strlen(bp.loader_name) < sizeof(bp.loader_name));
		for (unsigned i = 0; i < bp.mm.n; i++)
			assert_true(bp.mm.r[i].base < bp.mm.r[i].end);
		for (unsigned i = 0; i < bp.nmods; i++)
			assert_true(bp.mods[i].base <= bp.mods[i].end);
		assert_true(!bp.rsdp || (bp.rsdp > info && bp.rsdp < info + total));
	}
	assert_true(ok > 100);
}

/* ---- PVH ---- */

#define SI (MEM_BASE + 0x100)
#define SI_MEMMAP (MEM_BASE + 0x400)
#define SI_CMDLINE (MEM_BASE + 0x800)
#define SI_MODLIST (MEM_BASE + 0xa00)
#define SI_MODCMD (MEM_BASE + 0xc00)

static void pvh_build(unsigned nmods)
{
	static const struct e820 map[] = {
		{ 0x0, 0x9fc00, 1 },
		{ 0xf0000, 0x10000, 2 },
		{ 0x100000, 0x7ee0000, 1 },
		{ 0xfeffc000, 0x4000, 0x10 },
		{ 0x7fe0000, 0x20000, 3 },
	};

	w32(SI + 0, PVH_START_MAGIC);
	w32(SI + 4, 1);
	w32(SI + 8, 0);
	w32(SI + 12, nmods);
	w64(SI + 16, nmods ? SI_MODLIST : 0);
	w64(SI + 24, SI_CMDLINE);
	w64(SI + 32, 0xf5a40);
	w64(SI + 40, SI_MEMMAP);
	w32(SI + 48, ARRAY_SIZE(map));
	for (unsigned i = 0; i < ARRAY_SIZE(map); i++) {
		w64(SI_MEMMAP + i * 24, map[i].base);
		w64(SI_MEMMAP + i * 24 + 8, map[i].len);
		w32(SI_MEMMAP + i * 24 + 16, map[i].type);
	}
	wstr(SI_CMDLINE, "console=ttyS0 instances=2");
	for (unsigned i = 0; i < nmods; i++) {
		char s[24];
		snprintf(s, sizeof(s), "pvhmod%u", i);
		wstr(SI_MODCMD + i * 16, s);
		w64(SI_MODLIST + i * 32, 0x1000000 + i * 0x100000);
		w64(SI_MODLIST + i * 32 + 8, 0x1234);
		/* Odd modules have no command line. */
		w64(SI_MODLIST + i * 32 + 16, i % 2 ? 0 : SI_MODCMD + i * 16);
	}
}

static void test_pvh_good(void **state)
{
	struct boot_params bp;

	(void)state;
	pvh_build(2);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_OK);
	assert_string_equal(bp.loader, "pvh");
	assert_string_equal(bp.loader_name, "");
	assert_string_equal(bp.cmdline, "console=ttyS0 instances=2");
	assert_int_equal(bp.rsdp, 0xf5a40);
	assert_false(bp.efi);
	assert_int_equal(bp.mm.n, 5);
	assert_int_equal(bp.mm.r[2].base, 0x100000);
	assert_int_equal(bp.mm.r[2].end, 0x7fe0000);
	assert_int_equal(bp.mm.r[2].type, MEM_USABLE);
	assert_int_equal(bp.mm.r[3].type, MEM_RESERVED);
	assert_int_equal(bp.mm.r[4].type, MEM_ACPI);
	assert_int_equal(bp.nmods, 2);
	assert_int_equal(bp.mods[0].base, 0x1000000);
	assert_int_equal(bp.mods[0].end, 0x1001234);
	assert_string_equal(bp.mods[0].cmdline, "pvhmod0");
	assert_int_equal(bp.mods[1].base, 0x1100000);
	assert_string_equal(bp.mods[1].cmdline, "");
	assert_int_equal(nnotes, 0);

	/* No command line and no modules is fine too. */
	reset(NULL);
	pvh_build(0);
	w64(SI + 24, 0);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_OK);
	assert_string_equal(bp.cmdline, "");
	assert_int_equal(bp.nmods, 0);
}

static void test_pvh_bad_header(void **state)
{
	struct boot_params bp;

	(void)state;
	pvh_build(1);
	w32(SI, 0x1badb002);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_BADSIG);

	reset(NULL);
	pvh_build(1);
	w32(SI + 4, 0);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_NOENT);
	assert_true(noted("memory map"));

	reset(NULL);
	pvh_build(1);
	w64(SI + 40, 0);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_NOENT);
	assert_true(noted("memory map"));
	reset(NULL);
	pvh_build(1);
	w32(SI + 48, 0);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_NOENT);

	/* Modules announced without a list. */
	reset(NULL);
	pvh_build(1);
	w64(SI + 16, 0);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_INVAL);

	/* A module wrapping around the address space. */
	reset(NULL);
	pvh_build(1);
	w64(SI_MODLIST, UINT64_MAX - 0x10);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_INVAL);

	assert_int_equal(bootinfo_from_pvh(NULL, SI, &bp), E_INVAL);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, NULL), E_INVAL);
}

static void test_pvh_pointers_out_of_memory(void **state)
{
	struct boot_params bp;

	(void)state;
	assert_int_equal(bootinfo_from_pvh(&pv, 0x2000, &bp), E_RANGE);

	/* Version 0 fits in the last 40 bytes; version 1 needs 56. */
	paddr_t tail = MEM_BASE + MEM_SIZE - 40;
	w32(tail, PVH_START_MAGIC);
	w32(tail + 4, 1);
	assert_int_equal(bootinfo_from_pvh(&pv, tail, &bp), E_RANGE);
	w32(tail + 4, 0);
	assert_int_equal(bootinfo_from_pvh(&pv, tail, &bp), E_NOENT);

	reset(NULL);
	pvh_build(1);
	w64(SI + 40, 0x5000);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_RANGE);
	/* Starts inside but the entry count runs it off the end. */
	w64(SI + 40, SI_MEMMAP);
	w32(SI + 48, (MEM_SIZE - 0x400) / 24 + 1);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_RANGE);
	w32(SI + 48, UINT32_MAX);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_RANGE);

	reset(NULL);
	pvh_build(1);
	w64(SI + 24, 0x3000);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_RANGE);
	w64(SI + 24, UINT64_MAX - 2);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_RANGE);
	/* Unterminated command line running into the end of readable memory. */
	memset(mem + MEM_SIZE - 20, 'z', 20);
	w64(SI + 24, MEM_BASE + MEM_SIZE - 20);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_RANGE);
	/* 255 characters end exactly at the edge: enough to fill the buffer, no stray read. */
	memset(mem + MEM_SIZE - 255, 'z', 255);
	w64(SI + 24, MEM_BASE + MEM_SIZE - 255);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_OK);
	assert_int_equal(strlen(bp.cmdline), 255);
	assert_true(noted("truncated"));

	reset(NULL);
	pvh_build(2);
	w64(SI + 16, MEM_BASE + MEM_SIZE - 32);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_RANGE);
	reset(NULL);
	pvh_build(2);
	w64(SI_MODLIST + 16, 0x4000);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_RANGE);
}

static void test_pvh_limits(void **state)
{
	struct boot_params bp;
	char longs[400];

	(void)state;
	pvh_build(10);
	memset(longs, 'c', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	wstr(SI_CMDLINE, longs);
	/* A module command line longer than its 63-character buffer. */
	wstr(SI_MODCMD + 0x200, longs);
	w64(SI_MODLIST + 2 * 32 + 16, SI_MODCMD + 0x200);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_OK);
	assert_int_equal(strlen(bp.cmdline), 255);
	assert_memory_equal(bp.cmdline, longs, 255);
	assert_int_equal(bp.nmods, BOOT_MODS_MAX);
	assert_string_equal(bp.mods[7].cmdline, "");
	assert_string_equal(bp.mods[6].cmdline, "pvhmod6");
	assert_int_equal(strlen(bp.mods[2].cmdline), sizeof(bp.mods[2].cmdline) - 1);
	assert_true(noted("10 modules"));
	assert_true(noted("truncated"));

	/* Exactly 255 characters is not a truncation. */
	reset(NULL);
	pvh_build(0);
	longs[255] = '\0';
	wstr(SI_CMDLINE, longs);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_OK);
	assert_int_equal(strlen(bp.cmdline), 255);
	assert_int_equal(nnotes, 0);

	/* Unknown firmware types and empty or wrapping entries. */
	reset(NULL);
	pvh_build(0);
	w32(SI + 48, 3);
	w64(SI_MEMMAP + 8, 0);
	w32(SI_MEMMAP + 24 + 16, 0);
	w64(SI_MEMMAP + 48, UINT64_MAX - 0xfff);
	w64(SI_MEMMAP + 48 + 8, 0x10000);
	w32(SI_MEMMAP + 48 + 16, 1);
	assert_int_equal(bootinfo_from_pvh(&pv, SI, &bp), E_OK);
	assert_int_equal(bp.mm.n, 2);
	assert_int_equal(bp.mm.r[0].type, MEM_RESERVED);
	assert_int_equal(bp.mm.r[1].end, UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mb2_normal, reset, reset),
		cmocka_unit_test_setup_teardown(test_mb2_rsdp_new_preferred, reset, reset),
		cmocka_unit_test_setup_teardown(test_mb2_bad_bounds, reset, reset),
		cmocka_unit_test_setup_teardown(test_mb2_strings, reset, reset),
		cmocka_unit_test_setup_teardown(test_mb2_memory_map, reset, reset),
		cmocka_unit_test_setup_teardown(test_mb2_modules, reset, reset),
		cmocka_unit_test_setup_teardown(test_mb2_efi, reset, reset),
		cmocka_unit_test_setup_teardown(test_mb2_fuzz, reset, reset),
		cmocka_unit_test_setup_teardown(test_pvh_good, reset, reset),
		cmocka_unit_test_setup_teardown(test_pvh_bad_header, reset, reset),
		cmocka_unit_test_setup_teardown(test_pvh_pointers_out_of_memory, reset, reset),
		cmocka_unit_test_setup_teardown(test_pvh_limits, reset, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
