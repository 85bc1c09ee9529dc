/* Unit tests: PCI capability-list walk and BAR sizing arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "core/pci_cfg.h"

/* A header with the capability list bit set and caps at 0x40 (MSI) -> 0x50 (PCIe) -> 0x70 (MSI-X). */
static void make_list(uint8_t cfg[PCI_CFG_SIZE])
{
	memset(cfg, 0, PCI_CFG_SIZE);
	cfg[PCI_STATUS] = PCI_STATUS_CAP_LIST;
	cfg[PCI_CAP_PTR] = 0x40;
	cfg[0x40] = PCI_CAP_MSI;
	cfg[0x41] = 0x50;
	cfg[0x50] = 0x10;
	cfg[0x51] = 0x70;
	cfg[0x70] = PCI_CAP_MSIX;
	cfg[0x71] = 0x00;
}

static void test_cap_walk_finds_each_entry(void **state)
{
	uint8_t cfg[PCI_CFG_SIZE];

	(void)state;
	make_list(cfg);
	assert_int_equal(pci_cfg_find_cap(cfg, PCI_CAP_MSI), 0x40);
	assert_int_equal(pci_cfg_find_cap(cfg, 0x10), 0x50);
	assert_int_equal(pci_cfg_find_cap(cfg, PCI_CAP_MSIX), 0x70);
	assert_int_equal(pci_cfg_find_cap(cfg, 0x09), 0);
}

static void test_cap_walk_needs_the_status_bit(void **state)
{
	uint8_t cfg[PCI_CFG_SIZE];

	(void)state;
	make_list(cfg);
	cfg[PCI_STATUS] = 0;
	assert_int_equal(pci_cfg_find_cap(cfg, PCI_CAP_MSI), 0);
}

static void test_cap_walk_masks_low_pointer_bits(void **state)
{
	uint8_t cfg[PCI_CFG_SIZE];

	(void)state;
	make_list(cfg);
	cfg[PCI_CAP_PTR] = 0x43;	/* the two low bits are reserved and read as anything */
	cfg[0x41] = 0x52;
	assert_int_equal(pci_cfg_find_cap(cfg, 0x10), 0x50);
}

static void test_cap_walk_ends_on_a_loop_or_bad_pointer(void **state)
{
	uint8_t cfg[PCI_CFG_SIZE];

	(void)state;
	make_list(cfg);
	cfg[0x51] = 0x40;	/* 0x40 -> 0x50 -> 0x40 ... */
	assert_int_equal(pci_cfg_find_cap(cfg, PCI_CAP_MSIX), 0);
	make_list(cfg);
	cfg[0x41] = 0x20;	/* into the header: not a capability */
	assert_int_equal(pci_cfg_find_cap(cfg, 0x10), 0);
	make_list(cfg);
	cfg[0x71] = 0xFC;	/* the last dword: its next pointer is at 0xFD, inside the array */
	cfg[0xFC] = 0x22;
	assert_int_equal(pci_cfg_find_cap(cfg, 0x22), 0xFC);
}

static void test_bar_32bit_sizes(void **state)
{
	struct pci_bar b;

	(void)state;
	/* A 1 MiB 32-bit BAR at 0xFEA00000: the low 20 bits read back as zero. */
	assert_int_equal(pci_bar_decode(0xFEA00000u, 0, 0xFFF00000u, 0, &b), E_OK);
	assert_int_equal(b.base, 0xFEA00000u);
	assert_int_equal(b.size, 1u << 20);
	assert_false(b.is64);
	assert_false(b.prefetchable);
	/* 16 bytes, the smallest memory BAR; prefetchable bit kept. */
	assert_int_equal(pci_bar_decode(0xFEB00018u, 0, 0xFFFFFFF8u, 0, &b), E_OK);
	assert_int_equal(b.base, 0xFEB00010u);
	assert_int_equal(b.size, 16);
	assert_true(b.prefetchable);
}

static void test_bar_64bit_sizes(void **state)
{
	struct pci_bar b;

	(void)state;
	assert_true(pci_bar_is64(0x0000000Cu));
	assert_false(pci_bar_is64(0x00000008u));
	/* A 16 GiB 64-bit BAR at 0x8_0000_0000: sizing touches the upper dword too. */
	assert_int_equal(pci_bar_decode(0x0000000Cu, 0x8u, 0x0000000Cu, 0xFFFFFFFCu, &b), E_OK);
	assert_int_equal(b.base, 0x800000000ull);
	assert_int_equal(b.size, 1ull << 34);
	assert_true(b.is64);
	/* A small 64-bit BAR below 4 GiB. */
	assert_int_equal(pci_bar_decode(0xFE000004u, 0, 0xFFFFC004u, 0xFFFFFFFFu, &b), E_OK);
	assert_int_equal(b.base, 0xFE000000u);
	assert_int_equal(b.size, 0x4000);
}

static void test_bar_refusals(void **state)
{
	struct pci_bar b = { 0 };

	(void)state;
	assert_int_equal(pci_bar_decode(0xC001u, 0, 0xFFFFFFE1u, 0, &b), E_UNSUPP);	/* I/O */
	assert_int_equal(pci_bar_decode(0x2u, 0, 0xFFF00002u, 0, &b), E_UNSUPP);	/* type 1 */
	assert_int_equal(pci_bar_decode(0x6u, 0, 0xFFF00006u, 0, &b), E_UNSUPP);	/* type 3 */
	assert_int_equal(pci_bar_decode(0, 0, 0, 0, &b), E_NOENT);	/* not implemented */
	assert_int_equal(pci_bar_decode(0x4u, 0, 0x4u, 0, &b), E_NOENT);
	/* Writable bits with a hole in them are no size. */
	assert_int_equal(pci_bar_decode(0, 0, 0xFF0F0000u, 0, &b), E_INVAL);
	assert_int_equal(pci_bar_decode(0x4u, 0, 0x00000004u, 0xFFFF0FFFu, &b), E_INVAL);
	assert_int_equal(b.size, 0);	/* nothing written on failure */
}

static void test_bar_count_by_header(void **state)
{
	(void)state;
	assert_int_equal(pci_bar_count(0x00), 6);
	assert_int_equal(pci_bar_count(0x80), 6);	/* multi-function bit */
	assert_int_equal(pci_bar_count(0x01), 2);
	assert_int_equal(pci_bar_count(0x02), 0);	/* CardBus: none handed out */
}

static uint8_t ext[PCI_EXT_CFG_SIZE];

static void ext_cap(unsigned at, uint16_t id, unsigned next)
{
	uint32_t h = id | 1u << 16 | (uint32_t)next << 20;

	for (unsigned i = 0; i < 4; i++)
		ext[at + i] = (uint8_t)(h >> 8 * i);
}

static void test_ext_cap_walk(void **state)
{
	(void)state;
	memset(ext, 0, sizeof(ext));
	assert_int_equal(pci_cfg_find_ext_cap(ext, 0x10), 0);	/* no extended space */
	/* QEMU's NVMe PF: ARI at 0x100, SR-IOV at 0x120. */
	ext_cap(0x100, 0x0E, 0x120);
	ext_cap(0x120, 0x10, 0);
	assert_int_equal(pci_cfg_find_ext_cap(ext, 0x0E), 0x100);
	assert_int_equal(pci_cfg_find_ext_cap(ext, 0x10), 0x120);
	assert_int_equal(pci_cfg_find_ext_cap(ext, 0x01), 0);
	ext_cap(0x120, 0x10, 0x100);	/* a loop ends */
	assert_int_equal(pci_cfg_find_ext_cap(ext, 0x01), 0);
	ext_cap(0x120, 0x10, 0x40);	/* a pointer into the conventional header ends it */
	assert_int_equal(pci_cfg_find_ext_cap(ext, 0x01), 0);
	ext_cap(0x120, 0x10, 0x143);	/* low bits are masked */
	ext_cap(0x140, 0x02, 0);
	assert_int_equal(pci_cfg_find_ext_cap(ext, 0x02), 0x140);
	memset(ext + 0x100, 0xFF, 4);	/* no function: all ones */
	assert_int_equal(pci_cfg_find_ext_cap(ext, 0x0E), 0);
	memset(ext, 0, sizeof(ext));
	ext_cap(0xFFC, 0x10, 0);	/* the last dword is reachable */
	ext_cap(0x100, 0x0E, 0xFFC);
	assert_int_equal(pci_cfg_find_ext_cap(ext, 0x10), 0xFFC);
}

static void test_narrowed_range(void **state)
{
	(void)state;
	assert_true(pci_range_within(0, 0x10000, 0x100, 3));	/* 01:00.0-01:00.2 of everything */
	assert_true(pci_range_within(0x100, 3, 0x100, 3));	/* all of it again */
	assert_true(pci_range_within(0x100, 3, 0x102, 1));	/* its last function */
	assert_false(pci_range_within(0x100, 3, 0x100, 0));	/* nothing */
	assert_false(pci_range_within(0x100, 3, 0xFF, 1));	/* starts before */
	assert_false(pci_range_within(0x100, 3, 0x101, 3));	/* ends after */
	assert_false(pci_range_within(0x100, 3, 0x103, 1));	/* just past */
	assert_false(pci_range_within(0x100, 3, 0x101, UINT64_MAX));	/* first + count wraps */
	assert_false(pci_range_within(0x100, 3, UINT64_MAX, 2));
	assert_false(pci_range_within(0x100, 0, 0x100, 1));	/* an empty cap gives nothing */
}

static void test_vf_rid(void **state)
{
	uint16_t rid = 0;

	(void)state;
	/* QEMU's NVMe PF at 01:00.0: offset 1, stride 1. */
	assert_int_equal(pci_vf_rid(0x100, 1, 1, 1, 2, &rid), E_OK);
	assert_int_equal(rid, 0x101);
	assert_int_equal(pci_vf_rid(0x100, 1, 1, 2, 2, &rid), E_OK);
	assert_int_equal(rid, 0x102);
	assert_int_equal(pci_vf_rid(0x100, 0x80, 4, 3, 8, &rid), E_OK);
	assert_int_equal(rid, 0x188);
	assert_int_equal(pci_vf_rid(0x100, 1, 1, 0, 2, &rid), E_RANGE);	/* VFs count from 1 */
	assert_int_equal(pci_vf_rid(0x100, 1, 1, 3, 2, &rid), E_RANGE);	/* beyond NumVFs */
	assert_int_equal(pci_vf_rid(0x100, 1, 1, 1, 0, &rid), E_RANGE);	/* no VFs at all */
	assert_int_equal(pci_vf_rid(0xFFF0, 0x10, 1, 1, 1, &rid), E_RANGE);	/* past bus 255 */
	assert_int_equal(pci_vf_rid(0x100, 1, 1, UINT64_MAX, 2, &rid), E_RANGE);
}

static void test_vf_bar_slice(void **state)
{
	uint64_t at = 0;

	(void)state;
	assert_int_equal(pci_vf_bar_slice(0xFE800000, 0x4000, 1, 2, &at), E_OK);
	assert_int_equal(at, 0xFE800000);
	assert_int_equal(pci_vf_bar_slice(0xFE800000, 0x4000, 2, 2, &at), E_OK);
	assert_int_equal(at, 0xFE804000);
	assert_int_equal(pci_vf_bar_slice(0xFE800000, 0x4000, 3, 2, &at), E_RANGE);
	assert_int_equal(pci_vf_bar_slice(0xFE800000, 0x4000, 0, 2, &at), E_RANGE);
	/* The VFs' whole range must not wrap, even if VF n's part alone would not. */
	assert_int_equal(pci_vf_bar_slice(0xFFFFFFFFFFFF0000ull, 0x4000, 1, 8, &at), E_OVERLAP);
	assert_int_equal(pci_vf_bar_slice(0x1000, 1ull << 62, 1, 8, &at), E_OVERLAP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap_walk_finds_each_entry),
		cmocka_unit_test(test_cap_walk_needs_the_status_bit),
		cmocka_unit_test(test_cap_walk_masks_low_pointer_bits),
		cmocka_unit_test(test_cap_walk_ends_on_a_loop_or_bad_pointer),
		cmocka_unit_test(test_bar_32bit_sizes),
		cmocka_unit_test(test_bar_64bit_sizes),
		cmocka_unit_test(test_bar_refusals),
		cmocka_unit_test(test_bar_count_by_header),
		cmocka_unit_test(test_narrowed_range),
		cmocka_unit_test(test_ext_cap_walk),
		cmocka_unit_test(test_vf_rid),
		cmocka_unit_test(test_vf_bar_slice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
