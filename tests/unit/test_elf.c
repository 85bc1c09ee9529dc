/* Unit tests: ELF64 executable checks for the root-task loader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "core/elf.h"

#define LO 0x400000ull
#define HI 0x7FFFFFFF0000ull

static uint8_t img[8192];

static void w16(size_t off, uint16_t v) { memcpy(img + off, &v, 2); }
static void w32(size_t off, uint32_t v) { memcpy(img + off, &v, 4); }
static void w64(size_t off, uint64_t v) { memcpy(img + off, &v, 8); }

static void phdr(unsigned i, uint32_t type, uint32_t flags, uint64_t off, uint64_t va,
		 uint64_t filesz, uint64_t memsz)
{
	size_t p = 64 + 56 * i;

	w32(p, type);
	w32(p + 4, flags);
	w64(p + 8, off);
	w64(p + 16, va);
	w64(p + 24, va);
	w64(p + 32, filesz);
	w64(p + 40, memsz);
	w64(p + 48, 0x1000);
}

/* A valid image: text at LO (R X), data+bss one page up (R W). */
static void make_good(void)
{
	memset(img, 0, sizeof(img));
	memcpy(img, "\x7f" "ELF\x02\x01\x01", 7);
	w16(16, 2);
	w16(18, 62);
	w32(20, 1);
	w64(24, LO + 0x10);
	w64(32, 64);
	w16(52, 64);
	w16(54, 56);
	w16(56, 3);
	phdr(0, 1, ELF_PF_R | ELF_PF_X, 0x1000, LO, 0x100, 0x100);
	phdr(1, 1, ELF_PF_R | ELF_PF_W, 0x1100, LO + 0x1100, 0x20, 0x3000);
	phdr(2, 4 /* PT_NOTE: ignored */, ELF_PF_R, 0, 0, 0, 0);
}

static void test_good_image(void **state)
{
	struct elf_image e;

	(void)state;
	make_good();
	assert_int_equal(elf_parse(img, sizeof(img), LO, HI, &e), E_OK);
	assert_int_equal(e.nseg, 2);
	assert_true(e.entry == LO + 0x10);
	assert_true(e.seg[1].memsz == 0x3000 && e.seg[1].filesz == 0x20);
	assert_int_equal(e.seg[0].flags, ELF_PF_R | ELF_PF_X);
}

static void test_bad_identity(void **state)
{
	struct elf_image e;

	(void)state;
	make_good();
	img[4] = 1;	/* 32-bit class */
	assert_int_equal(elf_parse(img, sizeof(img), LO, HI, &e), E_BADSIG);
	make_good();
	w16(18, 3);	/* i386 */
	assert_int_equal(elf_parse(img, sizeof(img), LO, HI, &e), E_BADSIG);
	make_good();
	w16(16, 3);	/* ET_DYN */
	assert_int_equal(elf_parse(img, sizeof(img), LO, HI, &e), E_BADSIG);
	assert_int_equal(elf_parse(img, 40, LO, HI, &e), E_TRUNC);
}

static void test_truncated_tables(void **state)
{
	struct elf_image e;

	(void)state;
	make_good();
	w64(32, sizeof(img) - 100);	/* program headers run off the end */
	assert_int_equal(elf_parse(img, sizeof(img), LO, HI, &e), E_TRUNC);
	make_good();
	w64(32, UINT64_MAX - 10);	/* wrap-around offset */
	assert_int_equal(elf_parse(img, sizeof(img), LO, HI, &e), E_TRUNC);
	make_good();
	phdr(0, 1, ELF_PF_R | ELF_PF_X, 0x1000, LO, 0x2000 /* past the file */, 0x2000);
	assert_int_equal(elf_parse(img, sizeof(img), LO, HI, &e), E_TRUNC);
	make_good();
	w16(54, 32);	/* wrong program header size */
	assert_int_equal(elf_parse(img, sizeof(img), LO, HI, &e), E_INVAL);
}

static void test_ranges(void **state)
{
	struct elf_image e;

	(void)state;
	make_good();
	phdr(0, 1, ELF_PF_R | ELF_PF_X, 0x1000, 0xFFFFFFFF80000000ull, 0x100, 0x100);
	assert_int_equal(elf_parse(img, sizeof(img), LO, HI, &e), E_RANGE);
	make_good();
	phdr(1, 1, ELF_PF_R | ELF_PF_W, 0x1100, HI - 0x1000, 0x20, 0x2000);	/* ends past HI */
	assert_int_equal(elf_parse(img, sizeof(img), LO, HI, &e), E_RANGE);
	make_good();
	phdr(1, 1, ELF_PF_R | ELF_PF_W, 0x1100, LO + 0x1100, 0x20, UINT64_MAX);	/* wraps */
	assert_int_equal(elf_parse(img, sizeof(img), LO, HI, &e), E_RANGE);
	make_good();
	phdr(1, 1, ELF_PF_R | ELF_PF_W, 0x1100, LO + 0x1100, 0x40, 0x20);	/* filesz > memsz */
	assert_int_equal(elf_parse(img, sizeof(img), LO, HI, &e), E_INVAL);
}

static void test_overlap_and_entry(void **state)
{
	struct elf_image e;

	(void)state;
	make_good();
	phdr(1, 1, ELF_PF_R | ELF_PF_W, 0x1100, LO + 0x800, 0x20, 0x100);	/* shares a page */
	assert_int_equal(elf_parse(img, sizeof(img), LO, HI, &e), E_OVERLAP);
	make_good();
	w64(24, LO + 0x1100);	/* entry in the data segment */
	assert_int_equal(elf_parse(img, sizeof(img), LO, HI, &e), E_RANGE);
	make_good();
	w16(56, 1);
	phdr(0, 4, ELF_PF_R, 0, 0, 0, 0);	/* no loadable segment */
	assert_int_equal(elf_parse(img, sizeof(img), LO, HI, &e), E_NOENT);
}

static void test_too_many_segments(void **state)
{
	struct elf_image e;

	(void)state;
	make_good();
	w16(56, ELF_MAX_SEGS + 1);
	for (unsigned i = 0; i < ELF_MAX_SEGS + 1; i++)
		phdr(i, 1, ELF_PF_R | ELF_PF_X, 0x1000, LO + 0x1000 * i, 0x10, 0x10);
	assert_int_equal(elf_parse(img, sizeof(img), LO, HI, &e), E_FULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_image),
		cmocka_unit_test(test_bad_identity),
		cmocka_unit_test(test_truncated_tables),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_overlap_and_entry),
		cmocka_unit_test(test_too_many_segments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
