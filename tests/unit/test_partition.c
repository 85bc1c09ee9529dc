/* Unit tests for splitting usable RAM into per-instance partitions. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "mem/partition.h"

#define MAX_INST 16

static void add(struct memmap *mm, paddr_t base, paddr_t end, uint32_t type)
{
	assert_int_equal(memmap_add(mm, base, end - base, type), E_OK);
}

static void expect_part(const struct partition *p, unsigned i, paddr_t base, paddr_t end)
{
	assert_true(i < p->n);
	assert_int_equal(p->r[i].base, base);
	assert_int_equal(p->r[i].end, end);
	assert_int_equal(p->r[i].type, MEM_USABLE);
}

static uint32_t type_at(const struct memmap *mm, paddr_t a)
{
	for (unsigned i = 0; i < mm->n; i++)
		if (mm->r[i].base <= a && a < mm->r[i].end)
			return mm->r[i].type;
	return 0;
}

static void test_even_single_range(void **state)
{
	struct memmap mm = { 0 };
	struct partition out[4];

	(void)state;
	add(&mm, 0, MIB(64), MEM_USABLE);
	assert_int_equal(memmap_normalize(&mm), E_OK);
	assert_int_equal(partition_even(&mm, 4, MIB(2), MIB(16), out), E_OK);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(out[i].n, 1);
		assert_int_equal(out[i].bytes, MIB(16));
		expect_part(&out[i], 0, i * MIB(16), (i + 1) * MIB(16));
	}
	assert_int_equal(partition_check(out, 4, &mm), E_OK);

	/* One instance gets everything. */
	assert_int_equal(partition_even(&mm, 1, MIB(2), 0, out), E_OK);
	assert_int_equal(out[0].n, 1);
	expect_part(&out[0], 0, 0, MIB(64));

	/* Sorted but unmerged touching entries still yield one range per share. */
	memset(&mm, 0, sizeof(mm));
	for (unsigned i = 0; i < 16; i++)
		add(&mm, i * MIB(4), (i + 1) * MIB(4), MEM_USABLE);
	assert_int_equal(partition_even(&mm, 2, MIB(2), 0, out), E_OK);
	assert_int_equal(out[0].n, 1);
	expect_part(&out[0], 0, 0, MIB(32));
	assert_int_equal(out[1].n, 1);
	expect_part(&out[1], 0, MIB(32), MIB(64));
}

static void test_even_ranges_holes_and_leftovers(void **state)
{
	struct memmap mm = { 0 };
	struct partition out[5];

	(void)state;
	add(&mm, MIB(1) + 0x123, MIB(9), MEM_USABLE);	/* [2M, 8M): 3 granules */
	add(&mm, MIB(9), MIB(10), MEM_RESERVED);
	add(&mm, MIB(10), MIB(17), MEM_USABLE);		/* [10M, 16M): 3 granules */
	add(&mm, MIB(18), MIB(31), MEM_USABLE);		/* [18M, 30M): 6 granules */
	add(&mm, GIB(1), GIB(1) + MIB(1), MEM_USABLE);	/* too small: none */
	assert_int_equal(memmap_normalize(&mm), E_OK);
	/* A kernel image in the middle of the last range removes granules [20M, 22M). */
	assert_int_equal(memmap_reserve(&mm, MIB(20) + 0x1000, MIB(21), MEM_KERNEL), E_OK);

	/* 11 granules, 5 instances: 2 each, 1 left over at the top. */
	assert_int_equal(partition_even(&mm, 5, MIB(2), 0, out), E_OK);
	assert_int_equal(out[0].n, 1);
	expect_part(&out[0], 0, MIB(2), MIB(6));
	assert_int_equal(out[1].n, 2);
	expect_part(&out[1], 0, MIB(6), MIB(8));
	expect_part(&out[1], 1, MIB(10), MIB(12));
	assert_int_equal(out[2].n, 1);
	expect_part(&out[2], 0, MIB(12), MIB(16));
	assert_int_equal(out[3].n, 2);
	expect_part(&out[3], 0, MIB(18), MIB(20));
	expect_part(&out[3], 1, MIB(22), MIB(24));
	assert_int_equal(out[4].n, 1);
	expect_part(&out[4], 0, MIB(24), MIB(28));
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(out[i].bytes, MIB(4));
	assert_int_equal(partition_check(out, 5, &mm), E_OK);
}

static void test_even_aligns_inward(void **state)
{
	struct memmap mm = { 0 };
	struct partition out[2];

	(void)state;
	/* Big enough in bytes, but no whole aligned granule inside. */
	add(&mm, 0x1000, MIB(2) + 0x1000, MEM_USABLE);
	assert_int_equal(memmap_normalize(&mm), E_OK);
	assert_int_equal(partition_even(&mm, 1, MIB(2), 0, out), E_NOMEM);
	assert_int_equal(partition_even(&mm, 1, KIB(4), 0, out), E_OK);
	expect_part(&out[0], 0, 0x1000, MIB(2) + 0x1000);

	/* A range one byte short of the boundaries on both sides. */
	memset(&mm, 0, sizeof(mm));
	add(&mm, MIB(2) - 1, MIB(6) + 1, MEM_USABLE);
	assert_int_equal(partition_even(&mm, 2, MIB(2), 0, out), E_OK);
	expect_part(&out[0], 0, MIB(2), MIB(4));
	expect_part(&out[1], 0, MIB(4), MIB(6));

	/* At the top of the address space the round-up must not wrap to 0. */
	memset(&mm, 0, sizeof(mm));
	add(&mm, 0, MIB(2), MEM_USABLE);
	add(&mm, UINT64_MAX - MIB(8) + 1, UINT64_MAX, MEM_USABLE);
	assert_int_equal(partition_even(&mm, 2, MIB(2), 0, out), E_OK);
	expect_part(&out[0], 0, 0, MIB(2));
	expect_part(&out[0], 1, UINT64_MAX - MIB(8) + 1, UINT64_MAX - MIB(6) + 1);
	expect_part(&out[1], 0, UINT64_MAX - MIB(6) + 1, UINT64_MAX - MIB(2) + 1);
	assert_int_equal(partition_check(out, 2, &mm), E_OK);

	memset(&mm, 0, sizeof(mm));
	add(&mm, UINT64_MAX - 0xfff, UINT64_MAX, MEM_USABLE);
	assert_int_equal(partition_even(&mm, 1, MIB(2), 0, out), E_NOMEM);
}

static void test_even_min_bytes_and_failures_leave_out(void **state)
{
	struct memmap mm = { 0 };
	struct partition out[8], pattern[8];

	(void)state;
	add(&mm, 0, MIB(16), MEM_USABLE);
	memset(pattern, 0xa5, sizeof(pattern));
	memcpy(out, pattern, sizeof(out));
	assert_int_equal(partition_even(&mm, 4, MIB(2), MIB(4) + 1, out), E_NOMEM);
	assert_memory_equal(out, pattern, sizeof(out));
	/* More instances than granules: the share would be empty. */
	assert_int_equal(partition_even(&mm, 9, MIB(2), 0, out), E_NOMEM);
	assert_memory_equal(out, pattern, sizeof(out));
	assert_int_equal(partition_even(&mm, 4, MIB(2), MIB(4), out), E_OK);
	assert_int_equal(out[3].bytes, MIB(4));
	assert_int_equal(partition_even(&mm, 8, MIB(2), 0, out), E_OK);
	expect_part(&out[7], 0, MIB(14), MIB(16));

	/* No usable memory at all. */
	memset(&mm, 0, sizeof(mm));
	add(&mm, 0, MIB(16), MEM_RESERVED);
	assert_int_equal(partition_even(&mm, 1, MIB(2), 0, out), E_NOMEM);
}

static void test_even_invalid_arguments(void **state)
{
	struct memmap mm = { 0 };
	struct partition out[2];

	(void)state;
	add(&mm, 0, MIB(16), MEM_USABLE);
	assert_int_equal(partition_even(&mm, 0, MIB(2), 0, out), E_INVAL);
	assert_int_equal(partition_even(&mm, 1, 0, 0, out), E_INVAL);
	assert_int_equal(partition_even(&mm, 1, 3, 0, out), E_INVAL);
	assert_int_equal(partition_even(&mm, 1, MIB(3), 0, out), E_INVAL);
	assert_int_equal(partition_even(&mm, 1, MIB(2), 0, NULL), E_INVAL);
	assert_int_equal(partition_even(NULL, 1, MIB(2), 0, out), E_INVAL);
	/* An unnormalized, overlapping map would hand the same memory out twice. */
	add(&mm, MIB(8), MIB(24), MEM_USABLE);
	assert_int_equal(partition_even(&mm, 2, MIB(2), 0, out), E_INVAL);
	assert_int_equal(partition_even(&mm, 1, 1, 0, out), E_INVAL);
}

static void test_even_too_many_ranges(void **state)
{
	struct memmap mm = { 0 };
	struct partition out[2], pattern[2];

	(void)state;
	/* Ten single granules separated by holes. */
	for (unsigned i = 0; i < 10; i++)
		add(&mm, i * MIB(4), i * MIB(4) + MIB(2), MEM_USABLE);
	memset(pattern, 0x5a, sizeof(pattern));
	memcpy(out, pattern, sizeof(out));
	assert_int_equal(partition_even(&mm, 1, MIB(2), 0, out), E_FULL);
	assert_memory_equal(out, pattern, sizeof(out));
	assert_int_equal(partition_even(&mm, 2, MIB(2), 0, out), E_OK);
	assert_int_equal(out[0].n, 5);
	assert_int_equal(out[1].n, 5);
	expect_part(&out[1], 0, MIB(20), MIB(22));
	assert_int_equal(partition_check(out, 2, &mm), E_OK);
}

static uint64_t lcg_state;

static uint64_t rnd(uint64_t n)
{
	lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
	return (lcg_state >> 33) % n;
}

/*
 * Reference model: list the fully usable granules in address order, give
 * instance i the granules [i * per, (i + 1) * per), then compare everything.
 */
static void test_even_random_against_model(void **state)
{
	enum { UNIT = 0x10000, UNITS = 512 };
	unsigned checked_ok = 0, checked_full = 0;

	(void)state;
	lcg_state = 777;
	for (unsigned iter = 0; iter < 3000; iter++) {
		struct memmap mm = { 0 };
		struct partition out[MAX_INST];
		paddr_t org = iter % 2 ? 0 : GIB(1) + MIB(3);
		uint64_t granule = (uint64_t)UNIT << rnd(4);
		unsigned ninst = 1 + (unsigned)rnd(MAX_INST);
		uint64_t min_bytes = rnd(4) ? 0 : granule * rnd(8);
		unsigned n = 1 + (unsigned)rnd(30);

		for (unsigned i = 0; i < n; i++) {
			uint64_t a = rnd(UNITS * UNIT), len = 1 + rnd(UNITS * UNIT / 4);
			if (a + len > UNITS * UNIT)
				len = UNITS * UNIT - a;
			/* The firmware and boot types; the shared pool is carved later. */
			uint32_t type = rnd(2) ? MEM_USABLE : 1 + (uint32_t)rnd(MEM_BOOT);
			add(&mm, org + a, org + a + len, type);
		}
		assert_int_equal(memmap_normalize(&mm), E_OK);

		/* Granule g is usable if every byte of it is; unit-sized probes are not enough. */
		paddr_t gran[UNITS];
		unsigned ng = 0;
		for (paddr_t g = ALIGN_UP(org, granule); g + granule <= org + UNITS * UNIT;
		     g += granule) {
			bool ok = false;
			for (unsigned i = 0; i < mm.n; i++)
				if (mm.r[i].type == MEM_USABLE && mm.r[i].base <= g &&
				    g + granule <= mm.r[i].end)
					ok = true;
			if (ok)
				gran[ng++] = g;
		}
		uint64_t per = ng / ninst;
		err_t e = partition_even(&mm, ninst, granule, min_bytes, out);
		if (!per || per * granule < min_bytes) {
			assert_int_equal(e, E_NOMEM);
			continue;
		}

		bool too_many = false;
		for (unsigned i = 0; i < ninst; i++) {
			unsigned runs = 0;
			for (uint64_t k = i * per; k < (i + 1) * per; k++)
				if (k == i * per || gran[k - 1] + granule != gran[k])
					runs++;
			too_many |= runs > PART_MAX_RANGES;
		}
		if (too_many) {
			assert_int_equal(e, E_FULL);
			checked_full++;
			continue;
		}
		assert_int_equal(e, E_OK);
		checked_ok++;
		assert_int_equal(partition_check(out, ninst, &mm), E_OK);

		for (unsigned i = 0; i < ninst; i++) {
			uint64_t k = i * per, sum = 0;
			assert_int_equal(out[i].bytes, per * granule);
			for (unsigned j = 0; j < out[i].n; j++) {
				const struct mem_range *r = &out[i].r[j];
				assert_int_equal(r->base % granule, 0);
				assert_int_equal(r->end % granule, 0);
				assert_int_equal(r->type, MEM_USABLE);
				/* Ranges are maximal: the next one never starts where this ends. */
				if (j)
					assert_true(out[i].r[j - 1].end < r->base);
				for (paddr_t a = r->base; a < r->end; a += granule) {
					assert_int_equal(a, gran[k]);
					assert_int_equal(type_at(&mm, a), MEM_USABLE);
					assert_int_equal(type_at(&mm, a + granule - 1), MEM_USABLE);
					k++;
				}
				sum += r->end - r->base;
			}
			assert_int_equal(k, (i + 1) * per);
			assert_int_equal(sum, out[i].bytes);
		}
		/* Leftovers are fewer than one granule per instance. */
		assert_true(ng - per * ninst < ninst);
	}
	/* The random maps must actually reach both interesting outcomes. */
	assert_true(checked_ok > 500);
	assert_true(checked_full > 0);
}

static void test_check_rejects_crafted_partitions(void **state)
{
	struct memmap mm = { 0 };
	struct partition good[3], p[3];

	(void)state;
	add(&mm, 0, MIB(32), MEM_USABLE);
	add(&mm, MIB(32), MIB(34), MEM_RESERVED);
	add(&mm, MIB(34), MIB(64), MEM_USABLE);
	assert_int_equal(partition_even(&mm, 3, MIB(2), 0, good), E_OK);
	assert_int_equal(partition_check(good, 3, &mm), E_OK);

	/* Overlap between two instances by a single page. */
	memcpy(p, good, sizeof(p));
	p[1].r[0].base -= 0x1000;
	p[1].bytes += 0x1000;
	assert_int_equal(partition_check(p, 3, &mm), E_OVERLAP);

	/* The same range given to two instances. */
	memcpy(p, good, sizeof(p));
	p[2].r[0] = p[0].r[0];
	p[2].bytes = p[0].bytes;
	p[2].n = 1;
	assert_int_equal(partition_check(p, 3, &mm), E_OVERLAP);

	/* Overlap inside one instance. */
	memcpy(p, good, sizeof(p));
	p[0].r[1] = (struct mem_range){ MIB(2), MIB(4), MEM_USABLE };
	p[0].n = 2;
	p[0].bytes += MIB(2);
	assert_int_equal(partition_check(p, 3, &mm), E_OVERLAP);

	/* Touching but not overlapping is fine. */
	memcpy(p, good, sizeof(p));
	assert_int_equal(p[0].r[p[0].n - 1].end, p[1].r[0].base);
	assert_int_equal(partition_check(p, 3, &mm), E_OK);

	/* Straddling into the reserved range, inside it, and past the end of RAM. */
	memcpy(p, good, sizeof(p));
	p[2].r[p[2].n] = (struct mem_range){ MIB(30), MIB(33), MEM_USABLE };
	p[2].bytes += MIB(3);
	p[2].n++;
	assert_int_equal(partition_check(p, 3, &mm), E_RANGE);
	p[2].r[p[2].n - 1] = (struct mem_range){ MIB(32), MIB(33), MEM_USABLE };
	p[2].bytes -= MIB(2);
	assert_int_equal(partition_check(p, 3, &mm), E_RANGE);
	p[2].r[p[2].n - 1] = (struct mem_range){ MIB(64), MIB(65), MEM_USABLE };
	assert_int_equal(partition_check(p, 3, &mm), E_RANGE);

	/* Malformed partitions. */
	memcpy(p, good, sizeof(p));
	p[1].bytes++;
	assert_int_equal(partition_check(p, 3, &mm), E_INVAL);
	memcpy(p, good, sizeof(p));
	p[1].r[0].end = p[1].r[0].base;
	p[1].bytes = 0;
	for (unsigned i = 1; i < p[1].n; i++)
		p[1].bytes += p[1].r[i].end - p[1].r[i].base;
	assert_int_equal(partition_check(p, 3, &mm), E_INVAL);
	memcpy(p, good, sizeof(p));
	p[0].n = PART_MAX_RANGES + 1;
	assert_int_equal(partition_check(p, 3, &mm), E_INVAL);
	memcpy(p, good, sizeof(p));
	p[0].r[0].type = MEM_KERNEL;
	assert_int_equal(partition_check(p, 3, &mm), E_INVAL);
	assert_int_equal(partition_check(good, 0, &mm), E_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_even_single_range),
		cmocka_unit_test(test_even_ranges_holes_and_leftovers),
		cmocka_unit_test(test_even_aligns_inward),
		cmocka_unit_test(test_even_min_bytes_and_failures_leave_out),
		cmocka_unit_test(test_even_invalid_arguments),
		cmocka_unit_test(test_even_too_many_ranges),
		cmocka_unit_test(test_even_random_against_model),
		cmocka_unit_test(test_check_rejects_crafted_partitions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
