/* Unit tests: the VMM's guest page walk (user/vmm/guest_walk.c) and where it says a walk stopped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "../../user/vmm/vmm.h"

#define RAM (4u << 20)
#define PG (1ull << 31)
#define PAE (1ull << 5)
#define PSE (1ull << 4)
#define LMA (1ull << 10)
#define P 1ull
#define RW 2ull
#define PS (1ull << 7)

static uint8_t ram[RAM] __attribute__((aligned(4096)));
static struct vm vm = { .ram = ram, .ram_size = RAM };

static void set64(uint64_t gpa, uint64_t v)
{
	memcpy(ram + gpa, &v, 8);
}

static void set32(uint64_t gpa, uint32_t v)
{
	memcpy(ram + gpa, &v, 4);
}

/* 4-level: PML4 at 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000; la 0xffffffff81200000 -> 0x200000. */
static const uint64_t la_4k = 0xffffffff81200123ull;
static void four_level(void)
{
	memset(ram, 0, RAM);
	set64(0x1000 + 511 * 8, 0x2000 | P | RW);
	set64(0x2000 + 510 * 8, 0x3000 | P | RW);
	set64(0x3000 + 9 * 8, 0x4000 | P | RW);
	set64(0x4000 + 0 * 8, 0x200000 | P | RW);
	set64(0x3000 + 10 * 8, 0x400000 | P | RW | PS);	/* a 2 MiB page at la + 2 MiB */
}

static void test_four_level(void **state)
{
	(void)state;
	four_level();
	uint64_t cr[4] = { PG | 1, 0x1000, PAE, LMA }, gpa = 0;
	struct walk_fail why = { 0 };
	assert_true(guest_translate(&vm, cr, la_4k, &gpa, &why));
	assert_int_equal(gpa, 0x200123);
	assert_true(guest_translate(&vm, cr, la_4k + (2u << 20) + 0x4567, &gpa, NULL));
	assert_int_equal(gpa, 0x40468a);
}

/* A walk that stops names the level and the entry: not present, or its table outside RAM. */
static void test_four_level_failures(void **state)
{
	(void)state;
	four_level();
	uint64_t cr[4] = { PG | 1, 0x1000, PAE, LMA }, gpa = 0;
	struct walk_fail why = { 0 };

	set64(0x4000, 0);					/* PTE not present */
	assert_false(guest_translate(&vm, cr, la_4k, &gpa, &why));
	assert_int_equal(why.level, 1);
	assert_int_equal(why.at, 0x4000);
	assert_int_equal(why.entry, 0);
	set64(0x3000 + 9 * 8, 0xFEE00000ull | P | RW);		/* the PD points outside RAM */
	assert_false(guest_translate(&vm, cr, la_4k, &gpa, &why));
	assert_int_equal(why.level, 1);
	assert_int_equal(why.at, 0xFEE00000ull);
	cr[1] = 0x7FF000000ull;					/* CR3 outside RAM */
	assert_false(guest_translate(&vm, cr, la_4k, &gpa, &why));
	assert_int_equal(why.level, 4);
	assert_int_equal(why.at, 0x7FF000000ull + 511 * 8);
	cr[1] = 0x1000;
	set64(0x1000 + 511 * 8, 0x2000);			/* PML4E not present */
	assert_false(guest_translate(&vm, cr, la_4k, &gpa, &why));
	assert_int_equal(why.level, 4);
	assert_int_equal(why.at, 0x1000 + 511 * 8);
	assert_int_equal(why.entry, 0x2000);
}

/* 32-bit paging with a 4 MiB page, and a missing PDE reported at level 2. */
static void test_two_level(void **state)
{
	(void)state;
	memset(ram, 0, RAM);
	uint64_t cr[4] = { PG | 1, 0x1000, PSE, 0 }, gpa = 0;
	struct walk_fail why = { 0 };
	set32(0x1000 + 0x300 * 4, 0x00400000u | P | RW | PS);
	assert_true(guest_translate(&vm, cr, 0xC0012345u, &gpa, &why));
	assert_int_equal(gpa, 0x412345);
	assert_false(guest_translate(&vm, cr, 0xC0412345u, &gpa, &why));
	assert_int_equal(why.level, 2);
	assert_int_equal(why.at, 0x1000 + 0x301 * 4);
}

/* Paging off: linear is physical; RAM reads stop at its end. */
static void test_no_paging_and_ram_reads(void **state)
{
	(void)state;
	uint64_t cr[4] = { 1, 0, 0, 0 }, gpa = 0;
	uint8_t b[4];
	assert_true(guest_translate(&vm, cr, 0x123456, &gpa, NULL));
	assert_int_equal(gpa, 0x123456);
	assert_true(guest_ram_read(&vm, RAM - 4, b, 4));
	assert_false(guest_ram_read(&vm, RAM - 3, b, 4));
	assert_false(guest_ram_read(&vm, 0xFEE00000ull, b, 1));
}

/* A read across a page boundary walks again for the second page, which need not follow the first. */
static void test_linear_read_across_pages(void **state)
{
	(void)state;
	four_level();
	uint64_t cr[4] = { PG | 1, 0x1000, PAE, LMA }, la = (la_4k & ~0xFFFull) + 0xFF8;
	struct linear_stop stop;
	uint8_t out[15];
	set64(0x4000 + 1 * 8, 0x300000 | P | RW);		/* la's next page: 0x300000, not 0x201000 */
	for (unsigned k = 0; k < 8; k++)
		ram[0x200FF8 + k] = (uint8_t)(0xA0 + k);
	for (unsigned k = 0; k < 7; k++)
		ram[0x300000 + k] = (uint8_t)(0xB0 + k);
	ram[0x201000] = 0xEE;
	assert_int_equal(guest_read_linear(&vm, cr, la, out, 15, &stop), 15);
	assert_false(stop.unmapped);
	assert_int_equal(out[0], 0xA0);
	assert_int_equal(out[7], 0xA7);
	assert_int_equal(out[8], 0xB0);
	assert_int_equal(out[14], 0xB6);
	set64(0x4000 + 1 * 8, 0);				/* next page not present: stops after 8 */
	assert_int_equal(guest_read_linear(&vm, cr, la, out, 15, &stop), 8);
	assert_true(stop.unmapped);
	assert_int_equal(stop.walk.level, 1);
	assert_int_equal(stop.walk.at, 0x4008);
	set64(0x4000, 0);					/* the first page not present: nothing */
	assert_int_equal(guest_read_linear(&vm, cr, la, out, 15, &stop), 0);
	assert_true(stop.unmapped);
}

/* A read that runs off the end of RAM stops there and says where. */
static void test_linear_read_ram_end(void **state)
{
	(void)state;
	uint64_t cr[4] = { 1, 0, 0, 0 };
	struct linear_stop stop;
	uint8_t out[15];
	memset(ram, 0, RAM);
	ram[RAM - 1] = 0x5A;
	assert_int_equal(guest_read_linear(&vm, cr, RAM - 5, out, 15, &stop), 5);
	assert_false(stop.unmapped);
	assert_int_equal(stop.gpa, RAM);
	assert_int_equal(out[4], 0x5A);
	assert_int_equal(guest_read_linear(&vm, cr, 0xFEE000B0u, out, 15, &stop), 0);
	assert_int_equal(stop.gpa, 0xFEE000B0u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_four_level),
		cmocka_unit_test(test_four_level_failures),
		cmocka_unit_test(test_two_level),
		cmocka_unit_test(test_no_paging_and_ram_reads),
		cmocka_unit_test(test_linear_read_across_pages),
		cmocka_unit_test(test_linear_read_ram_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
