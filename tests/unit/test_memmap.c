/* Unit tests for the physical memory map. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "mem/memmap.h"

static void add(struct memmap *mm, paddr_t base, paddr_t end, uint32_t type)
{
	assert_int_equal(memmap_add(mm, base, end - base, type), E_OK);
}

static void expect_range(const struct memmap *mm, unsigned i, paddr_t base, paddr_t end,
			 uint32_t type)
{
	assert_true(i < mm->n);
	assert_int_equal(mm->r[i].base, base);
	assert_int_equal(mm->r[i].end, end);
	assert_int_equal(mm->r[i].type, type);
}

/* Sorted, non-empty, disjoint, and touching neighbours differ in type. */
static void assert_normalized(const struct memmap *mm)
{
	assert_true(mm->n <= MEMMAP_MAX);
	for (unsigned i = 0; i < mm->n; i++) {
		assert_true(mm->r[i].base < mm->r[i].end);
		assert_true(mm->r[i].type >= MEM_USABLE && mm->r[i].type <= MEM_TYPE_MAX);
		if (!i)
			continue;
		assert_true(mm->r[i - 1].end <= mm->r[i].base);
		if (mm->r[i - 1].end == mm->r[i].base)
			assert_int_not_equal(mm->r[i - 1].type, mm->r[i].type);
	}
}

static uint32_t type_at(const struct memmap *mm, paddr_t a)
{
	for (unsigned i = 0; i < mm->n; i++)
		if (mm->r[i].base <= a && a < mm->r[i].end)
			return mm->r[i].type;
	return 0;
}

static void test_add_rejects_bad_entries(void **state)
{
	struct memmap mm = { 0 };

	(void)state;
	assert_int_equal(memmap_add(&mm, 0x1000, 0, MEM_USABLE), E_INVAL);
	assert_int_equal(memmap_add(&mm, UINT64_MAX - 0xfff, 0x1000, MEM_USABLE), E_INVAL);
	assert_int_equal(memmap_add(&mm, 0x1000, 0x1000, 0), E_INVAL);
	assert_int_equal(memmap_add(&mm, 0x1000, 0x1000, MEM_TYPE_MAX + 1), E_INVAL);
	assert_int_equal(mm.n, 0);
	/* The largest representable range: it ends exactly at the top. */
	assert_int_equal(memmap_add(&mm, UINT64_MAX - 0xfff, 0xfff, MEM_RESERVED), E_OK);
	assert_int_equal(memmap_add(&mm, 0, 1, MEM_BOOT), E_OK);
	for (unsigned i = mm.n; i < MEMMAP_MAX; i++)
		assert_int_equal(memmap_add(&mm, (paddr_t)i << 20, 0x1000, MEM_USABLE), E_OK);
	assert_int_equal(memmap_add(&mm, 0x1000, 0x1000, MEM_USABLE), E_FULL);
	assert_int_equal(mm.n, MEMMAP_MAX);
}

static void test_normalize_sorts_and_merges(void **state)
{
	struct memmap mm = { 0 };

	(void)state;
	add(&mm, 0x200000, 0x300000, MEM_USABLE);
	add(&mm, 0x100000, 0x200000, MEM_USABLE);
	add(&mm, 0x0, 0x9f000, MEM_USABLE);
	add(&mm, 0x9f000, 0xa0000, MEM_RESERVED);
	add(&mm, 0xf0000, 0x100000, MEM_RESERVED);
	add(&mm, 0x400000, 0x500000, MEM_USABLE);
	assert_int_equal(memmap_normalize(&mm), E_OK);
	assert_normalized(&mm);
	assert_int_equal(mm.n, 5);
	expect_range(&mm, 0, 0x0, 0x9f000, MEM_USABLE);
	expect_range(&mm, 1, 0x9f000, 0xa0000, MEM_RESERVED);
	expect_range(&mm, 2, 0xf0000, 0x100000, MEM_RESERVED);
	expect_range(&mm, 3, 0x100000, 0x300000, MEM_USABLE);
	/* Same type but not touching: the hole must survive. */
	expect_range(&mm, 4, 0x400000, 0x500000, MEM_USABLE);
}

static void test_normalize_overlap_precedence(void **state)
{
	struct memmap mm = { 0 };

	(void)state;
	/* Usable listed last must still lose to the reservation it overlaps. */
	add(&mm, 0x5000, 0x8000, MEM_RESERVED);
	add(&mm, 0x0, 0x10000, MEM_USABLE);
	/* Partial overlaps of firmware types: higher type wins in the overlap. */
	add(&mm, 0x20000, 0x30000, MEM_ACPI);
	add(&mm, 0x28000, 0x38000, MEM_NVS);
	add(&mm, 0x34000, 0x40000, MEM_RESERVED);
	/* Kernel reservations beat the worst firmware type. */
	add(&mm, 0x50000, 0x60000, MEM_BAD);
	add(&mm, 0x58000, 0x5c000, MEM_KERNEL);
	add(&mm, 0x5a000, 0x70000, MEM_BOOT);
	assert_int_equal(memmap_normalize(&mm), E_OK);
	assert_normalized(&mm);
	assert_int_equal(mm.n, 9);
	expect_range(&mm, 0, 0x0, 0x5000, MEM_USABLE);
	expect_range(&mm, 1, 0x5000, 0x8000, MEM_RESERVED);
	expect_range(&mm, 2, 0x8000, 0x10000, MEM_USABLE);
	expect_range(&mm, 3, 0x20000, 0x28000, MEM_ACPI);
	expect_range(&mm, 4, 0x28000, 0x38000, MEM_NVS);
	expect_range(&mm, 5, 0x38000, 0x40000, MEM_RESERVED);
	expect_range(&mm, 6, 0x50000, 0x58000, MEM_BAD);
	expect_range(&mm, 7, 0x58000, 0x5a000, MEM_KERNEL);
	expect_range(&mm, 8, 0x5a000, 0x70000, MEM_BOOT);
}

static void test_normalize_nested_and_duplicates(void **state)
{
	struct memmap mm = { 0 };

	(void)state;
	add(&mm, 0x0, 0x100000, MEM_USABLE);
	add(&mm, 0x0, 0x100000, MEM_USABLE);
	add(&mm, 0x10000, 0x80000, MEM_RESERVED);
	add(&mm, 0x20000, 0x30000, MEM_NVS);
	add(&mm, 0x20000, 0x30000, MEM_NVS);
	add(&mm, 0x22000, 0x23000, MEM_ACPI);	/* nested but weaker: invisible */
	add(&mm, 0x24000, 0x25000, MEM_BAD);
	add(&mm, 0x40000, 0x50000, MEM_USABLE);	/* usable inside reserved: invisible */
	add(&mm, 0x0, 0x100000, MEM_USABLE);
	assert_int_equal(memmap_normalize(&mm), E_OK);
	assert_normalized(&mm);
	assert_int_equal(mm.n, 7);
	expect_range(&mm, 0, 0x0, 0x10000, MEM_USABLE);
	expect_range(&mm, 1, 0x10000, 0x20000, MEM_RESERVED);
	expect_range(&mm, 2, 0x20000, 0x24000, MEM_NVS);
	expect_range(&mm, 3, 0x24000, 0x25000, MEM_BAD);
	expect_range(&mm, 4, 0x25000, 0x30000, MEM_NVS);
	expect_range(&mm, 5, 0x30000, 0x80000, MEM_RESERVED);
	expect_range(&mm, 6, 0x80000, 0x100000, MEM_USABLE);
	assert_int_equal(memmap_usable_bytes(&mm), 0x10000 + 0x80000);

	/* Normalizing a normalized map changes nothing. */
	struct memmap again = mm;
	assert_int_equal(memmap_normalize(&again), E_OK);
	assert_memory_equal(&again, &mm, sizeof(mm));
}

static void test_normalize_top_of_address_space(void **state)
{
	struct memmap mm = { 0 };

	(void)state;
	add(&mm, UINT64_MAX - 0xffff, UINT64_MAX, MEM_USABLE);
	add(&mm, UINT64_MAX - 0x1000, UINT64_MAX, MEM_RESERVED);
	add(&mm, 0, 0x1000, MEM_USABLE);
	assert_int_equal(memmap_normalize(&mm), E_OK);
	assert_int_equal(mm.n, 3);
	expect_range(&mm, 0, 0, 0x1000, MEM_USABLE);
	expect_range(&mm, 1, UINT64_MAX - 0xffff, UINT64_MAX - 0x1000, MEM_USABLE);
	expect_range(&mm, 2, UINT64_MAX - 0x1000, UINT64_MAX, MEM_RESERVED);
}

static void test_normalize_rejects_corrupt_entries(void **state)
{
	struct memmap mm = { 0 };

	(void)state;
	add(&mm, 0x1000, 0x2000, MEM_USABLE);
	mm.r[mm.n++] = (struct mem_range){ .base = 0x5000, .end = 0x5000, .type = MEM_USABLE };
	struct memmap copy = mm;
	assert_int_equal(memmap_normalize(&mm), E_INVAL);
	assert_memory_equal(&mm, &copy, sizeof(mm));
	mm.r[1] = (struct mem_range){ .base = 0x5000, .end = 0x6000, .type = MEM_TYPE_MAX + 1 };
	assert_int_equal(memmap_normalize(&mm), E_INVAL);
	mm.n = MEMMAP_MAX + 1;
	assert_int_equal(memmap_normalize(&mm), E_INVAL);
}

static void test_normalize_full_leaves_map_unchanged(void **state)
{
	struct memmap mm = { 0 };

	(void)state;
	/* One usable range pierced by 64 holes needs 129 output entries. */
	add(&mm, 0, MIB(128), MEM_USABLE);
	for (unsigned i = 0; i < 64; i++)
		add(&mm, MIB(1) + i * MIB(1), MIB(1) + i * MIB(1) + 0x1000, MEM_RESERVED);
	struct memmap copy = mm;
	assert_int_equal(memmap_normalize(&mm), E_FULL);
	assert_memory_equal(&mm, &copy, sizeof(mm));

	/* 63 holes need exactly 127 entries and fit. */
	mm.n--;
	assert_int_equal(memmap_normalize(&mm), E_OK);
	assert_normalized(&mm);
	assert_int_equal(mm.n, 127);
	assert_int_equal(memmap_usable_bytes(&mm), MIB(128) - 63 * 0x1000);
}

/* The precedence rule as the interface states it, independent of the enum order. */
static bool beats(uint32_t a, uint32_t b)
{
	if (!b)
		return a != 0;
	if (b == MEM_USABLE)
		return a != MEM_USABLE && a != 0;
	return a != MEM_USABLE && a > b;
}

static uint64_t lcg_state;

static uint64_t rnd(uint64_t n)
{
	lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
	return (lcg_state >> 33) % n;
}

/* Random maps on a 4 KiB grid, compared page by page against a brute-force answer. */
static void test_normalize_random_against_brute_force(void **state)
{
	enum { PAGES = 96 };
	const paddr_t origins[] = { 0, GIB(4) - 48 * 0x1000, UINT64_MAX - PAGES * 0x1000ull };

	(void)state;
	lcg_state = 12345;
	for (unsigned iter = 0; iter < 3000; iter++) {
		struct memmap mm = { 0 };
		uint32_t expect[PAGES] = { 0 };
		paddr_t org = origins[iter % ARRAY_SIZE(origins)];
		unsigned n = 1 + (unsigned)rnd(iter % 10 == 0 ? MEMMAP_MAX : 24);

		for (unsigned i = 0; i < n; i++) {
			unsigned a = (unsigned)rnd(PAGES), b = (unsigned)rnd(PAGES);
			if (a > b) {
				unsigned t = a;
				a = b;
				b = t;
			}
			b++;
			/* Usable is made common so precedence against it is exercised. */
			uint32_t type = rnd(3) ? MEM_USABLE : 1 + (uint32_t)rnd(MEM_TYPE_MAX);
			add(&mm, org + a * 0x1000ull, org + b * 0x1000ull, type);
			for (unsigned p = a; p < b; p++)
				if (beats(type, expect[p]))
					expect[p] = type;
		}
		struct memmap copy = mm;
		err_t e = memmap_normalize(&mm);
		if (e == E_FULL) {
			assert_memory_equal(&mm, &copy, sizeof(mm));
			continue;
		}
		assert_int_equal(e, E_OK);
		assert_normalized(&mm);
		uint64_t usable = 0;
		for (unsigned p = 0; p < PAGES; p++) {
			assert_int_equal(type_at(&mm, org + p * 0x1000ull), expect[p]);
			/* No boundary may fall inside a page on this grid. */
			assert_int_equal(type_at(&mm, org + p * 0x1000ull + 0xfff), expect[p]);
			usable += expect[p] == MEM_USABLE ? 0x1000 : 0;
		}
		assert_int_equal(memmap_usable_bytes(&mm), usable);
		if (org)
			assert_int_equal(type_at(&mm, org - 1), 0);
	}
}

static void test_reserve_splits_usable(void **state)
{
	struct memmap mm = { 0 };

	(void)state;
	add(&mm, 0, MIB(64), MEM_USABLE);
	assert_int_equal(memmap_normalize(&mm), E_OK);
	assert_int_equal(memmap_reserve(&mm, MIB(1), MIB(3), MEM_KERNEL), E_OK);
	assert_int_equal(mm.n, 3);
	expect_range(&mm, 0, 0, MIB(1), MEM_USABLE);
	expect_range(&mm, 1, MIB(1), MIB(3), MEM_KERNEL);
	expect_range(&mm, 2, MIB(3), MIB(64), MEM_USABLE);
	/* A module right after the kernel: different type, so it stays separate. */
	assert_int_equal(memmap_reserve(&mm, MIB(3), MIB(3) + 0x1234, MEM_MODULE), E_OK);
	expect_range(&mm, 2, MIB(3), MIB(3) + 0x1234, MEM_MODULE);
	expect_range(&mm, 3, MIB(3) + 0x1234, MIB(64), MEM_USABLE);
	/* Reserving across a range end and into a hole covers the hole too. */
	assert_int_equal(memmap_reserve(&mm, MIB(63), MIB(65), MEM_BOOT), E_OK);
	assert_int_equal(mm.n, 5);
	expect_range(&mm, 4, MIB(63), MIB(65), MEM_BOOT);
	/* A weaker type cannot downgrade a kernel reservation. */
	assert_int_equal(memmap_reserve(&mm, 0, MIB(2), MEM_RESERVED), E_OK);
	expect_range(&mm, 0, 0, MIB(1), MEM_RESERVED);
	expect_range(&mm, 1, MIB(1), MIB(3), MEM_KERNEL);
	assert_normalized(&mm);
	assert_int_equal(memmap_usable_bytes(&mm), MIB(63) - MIB(3) - 0x1234);

	struct memmap copy = mm;
	assert_int_equal(memmap_reserve(&mm, MIB(5), MIB(6), MEM_USABLE), E_INVAL);
	assert_int_equal(memmap_reserve(&mm, MIB(6), MIB(6), MEM_KERNEL), E_INVAL);
	assert_int_equal(memmap_reserve(&mm, MIB(7), MIB(6), MEM_KERNEL), E_INVAL);
	assert_int_equal(memmap_reserve(&mm, MIB(5), MIB(6), 0), E_INVAL);
	assert_int_equal(memmap_reserve(&mm, MIB(5), MIB(6), MEM_TYPE_MAX + 1), E_INVAL);
	assert_memory_equal(&mm, &copy, sizeof(mm));
}

static void test_reserve_on_full_map(void **state)
{
	struct memmap mm = { 0 };

	(void)state;
	/* A full raw map of pieces that merge: reserve must still have room to work. */
	for (unsigned i = 0; i < MEMMAP_MAX; i++)
		add(&mm, i * 0x1000ull, (i + 1) * 0x1000ull, MEM_USABLE);
	assert_int_equal(memmap_reserve(&mm, 0x4000, 0x5000, MEM_KERNEL), E_OK);
	assert_int_equal(mm.n, 3);
	expect_range(&mm, 2, 0x5000, MEMMAP_MAX * 0x1000ull, MEM_USABLE);

	/* When the split really does not fit, E_FULL and nothing changes. */
	memset(&mm, 0, sizeof(mm));
	for (unsigned i = 0; i < MEMMAP_MAX; i++)
		add(&mm, i * 0x2000ull, i * 0x2000ull + 0x1000, i % 2 ? MEM_USABLE : MEM_ACPI);
	assert_int_equal(memmap_normalize(&mm), E_OK);
	struct memmap copy = mm;
	assert_int_equal(memmap_reserve(&mm, 0x2000 * 7 + 0x1000, 0x2000 * 8, MEM_KERNEL), E_FULL);
	assert_memory_equal(&mm, &copy, sizeof(mm));
	/* Filling a hole next to an entry of the same type merges, so it fits. */
	assert_int_equal(memmap_reserve(&mm, 0x1000, 0x2000, MEM_ACPI), E_OK);
	assert_int_equal(mm.n, MEMMAP_MAX);
	expect_range(&mm, 0, 0, 0x2000, MEM_ACPI);
	expect_range(&mm, 1, 0x2000, 0x3000, MEM_USABLE);
}

static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(memmap_type_name(MEM_USABLE), "usable");
	assert_string_equal(memmap_type_name(MEM_RESERVED), "reserved");
	assert_string_equal(memmap_type_name(MEM_ACPI), "acpi");
	assert_string_equal(memmap_type_name(MEM_NVS), "nvs");
	assert_string_equal(memmap_type_name(MEM_BAD), "bad");
	assert_string_equal(memmap_type_name(MEM_KERNEL), "kernel");
	assert_string_equal(memmap_type_name(MEM_MODULE), "module");
	assert_string_equal(memmap_type_name(MEM_BOOT), "boot");
	assert_string_equal(memmap_type_name(0), "unknown");
	assert_string_equal(memmap_type_name(MEM_SHARED), "shared");
	assert_string_equal(memmap_type_name(MEM_TYPE_MAX + 1), "unknown");
	assert_string_equal(memmap_type_name(UINT32_MAX), "unknown");
}

static void test_clip(void **state)
{
	struct memmap mm = { 0 };

	(void)state;
	add(&mm, 0, 0x9f000, MEM_USABLE);
	add(&mm, 0xf0000, 0x100000, MEM_RESERVED);
	add(&mm, 0x100000, GIB(3), MEM_USABLE);
	add(&mm, GIB(3), GIB(4), MEM_RESERVED);
	add(&mm, GIB(4), GIB(6), MEM_USABLE);
	add(&mm, GIB(6), GIB(6) + MIB(1), MEM_NVS);
	assert_int_equal(memmap_normalize(&mm), E_OK);
	uint64_t before = memmap_usable_bytes(&mm);

	struct memmap a = mm;
	assert_int_equal(memmap_clip(&a, GIB(8)), 0);
	assert_memory_equal(&a, &mm, sizeof(mm));

	/* Cut inside a usable range: the reserved ranges above do not count. */
	assert_int_equal(memmap_clip(&a, GIB(5)), GIB(1));
	assert_int_equal(a.n, 5);
	expect_range(&a, 4, GIB(4), GIB(5), MEM_USABLE);
	assert_int_equal(memmap_usable_bytes(&a), before - GIB(1));

	/* Cut inside a reserved range: no usable RAM removed beyond what sat above it. */
	a = mm;
	assert_int_equal(memmap_clip(&a, GIB(3) + MIB(5)), GIB(2));
	assert_int_equal(a.n, 4);
	expect_range(&a, 3, GIB(3), GIB(3) + MIB(5), MEM_RESERVED);

	/* Cut exactly at a boundary leaves no empty range behind. */
	a = mm;
	assert_int_equal(memmap_clip(&a, GIB(3)), GIB(2));
	assert_int_equal(a.n, 3);
	expect_range(&a, 2, 0x100000, GIB(3), MEM_USABLE);

	a = mm;
	assert_int_equal(memmap_clip(&a, 0), before);
	assert_int_equal(a.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_rejects_bad_entries),
		cmocka_unit_test(test_normalize_sorts_and_merges),
		cmocka_unit_test(test_normalize_overlap_precedence),
		cmocka_unit_test(test_normalize_nested_and_duplicates),
		cmocka_unit_test(test_normalize_top_of_address_space),
		cmocka_unit_test(test_normalize_rejects_corrupt_entries),
		cmocka_unit_test(test_normalize_full_leaves_map_unchanged),
		cmocka_unit_test(test_normalize_random_against_brute_force),
		cmocka_unit_test(test_reserve_splits_usable),
		cmocka_unit_test(test_reserve_on_full_map),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_clip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
