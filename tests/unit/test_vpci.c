/* Unit tests: the guest's PCI bus (user/vmm/pci.c): mechanism #1, host bridge, a passed-through VF's config space and MSI-X. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "../../user/vmm/pci.h"

#define CFG_ADDR(dev, reg) (0x80000000u | (dev) << 11 | (reg))
#define BAR0_GPA 0xFE000000ull	/* 16 KiB, 64-bit: registers, MSI-X table at 0x2000, PBA at 0x3000 */
#define BAR2_GPA 0xFD000000ull	/* 8 KiB, 32-bit */

static struct vpci bus;

static unsigned out(uint16_t port, unsigned size, uint32_t v)
{
	unsigned chg = 99;

	assert_true(vpci_io(&bus, port, size, true, &v, &chg));
	return chg;
}

static uint32_t in(uint16_t port, unsigned size)
{
	uint32_t v = 0x5A5A5A5A;
	unsigned chg = 99;

	assert_true(vpci_io(&bus, port, size, false, &v, &chg));
	assert_int_equal(chg, 0);
	return v;
}

/* A configuration read the way Linux's type 1 accessor does it: address, then the data port + offset. */
static uint32_t cfg_read(unsigned dev, unsigned reg, unsigned size)
{
	out(0xCF8, 4, CFG_ADDR(dev, reg & 0xFC));
	return in((uint16_t)(0xCFC + (reg & 3)), size);
}

static unsigned cfg_write(unsigned dev, unsigned reg, unsigned size, uint32_t v)
{
	out(0xCF8, 4, CFG_ADDR(dev, reg & 0xFC));
	return out((uint16_t)(0xCFC + (reg & 3)), size, v);
}

/* A real NVMe VF's header as QEMU 7.2 shows it: vendor/device 0xFFFF, PCIe cap, then MSI-X (3 entries). */
static uint8_t real_cfg[256];

static void make_real_cfg(void)
{
	memset(real_cfg, 0, sizeof(real_cfg));
	memset(real_cfg, 0xFF, 4);
	real_cfg[0x06] = 0x10;			/* capability list */
	real_cfg[0x08] = 0x02;			/* revision */
	real_cfg[0x09] = 0x02;			/* NVMe: 01 08 02 */
	real_cfg[0x0A] = 0x08;
	real_cfg[0x0B] = 0x01;
	real_cfg[0x2C] = 0xF4;			/* subsystem 1af4:1100 */
	real_cfg[0x2D] = 0x1A;
	real_cfg[0x2F] = 0x11;
	real_cfg[0x34] = 0x80;
	real_cfg[0x80] = 0x10;			/* PCIe, next 0x40 */
	real_cfg[0x81] = 0x40;
	real_cfg[0x40] = 0x11;			/* MSI-X, last */
	real_cfg[0x42] = 0x02;			/* table size 3 */
	real_cfg[0x44] = 0x00;			/* table: BAR0 + 0x2000 */
	real_cfg[0x45] = 0x20;
	real_cfg[0x48] = 0x00;			/* PBA: BAR0 + 0x3000 */
	real_cfg[0x49] = 0x30;
}

static struct vpci_passthrough vf(void)
{
	make_real_cfg();
	return (struct vpci_passthrough){
		.vendor = 0x1b36, .device = 0x0010, .cfg = real_cfg,
		.bar = { [0] = { .gpa = BAR0_GPA, .size = 0x4000, .is64 = true },
			 [2] = { .gpa = BAR2_GPA, .size = 0x2000 } },
	};
}

static void with_vf(void)
{
	struct vpci_passthrough pt = vf();

	vpci_init(&bus);
	assert_int_equal(vpci_add_passthrough(&bus, 1, &pt), E_OK);
}

static void test_address_latch(void **state)
{
	(void)state;
	vpci_init(&bus);
	out(0xCF8, 4, 0x80000000u);
	assert_int_equal(in(0xCF8, 4), 0x80000000u);
	out(0xCF8, 4, 0xFFFFFFFFu);	/* reserved bits 30:24 and 1:0 read 0 */
	assert_int_equal(in(0xCF8, 4), 0x80FFFFFCu);
	/* A byte or word at 0xCF8-0xCFB is not the address register (0xCF9 is reset control). */
	uint32_t v = 6;
	unsigned chg;
	assert_false(vpci_io(&bus, 0xCF9, 1, true, &v, &chg));
	assert_false(vpci_io(&bus, 0xCF8, 2, true, &v, &chg));
	assert_false(vpci_io(&bus, 0xCFB, 1, false, &v, &chg));
	assert_false(vpci_io(&bus, 0xD00, 1, false, &v, &chg));
	assert_int_equal(in(0xCF8, 4), 0x80FFFFFCu);
}

static void test_host_bridge(void **state)
{
	(void)state;
	vpci_init(&bus);
	assert_int_equal(cfg_read(0, 0x00, 4), 0x12378086u);
	assert_int_equal(cfg_read(0, 0x02, 2), 0x1237);
	assert_int_equal(cfg_read(0, 0x03, 1), 0x12);
	assert_int_equal(cfg_read(0, 0x08, 4), 0x06000002u);	/* class 06 00 00, revision 2 */
	assert_int_equal(cfg_read(0, 0x0A, 2), 0x0600);
	assert_int_equal(cfg_read(0, 0x0E, 1), 0x00);		/* type 0, one function */
	assert_int_equal(cfg_read(0, 0x06, 2), 0);		/* no capability list */
	for (unsigned r = 0x10; r < 0x28; r += 4) {
		cfg_write(0, r, 4, 0xFFFFFFFFu);
		assert_int_equal(cfg_read(0, r, 4), 0);		/* no BARs */
	}
	/* Read-only fields keep their values. */
	cfg_write(0, 0x00, 4, 0);
	cfg_write(0, 0x08, 4, 0);
	assert_int_equal(cfg_read(0, 0x00, 4), 0x12378086u);
	assert_int_equal(cfg_read(0, 0x08, 4), 0x06000002u);
	assert_int_equal(cfg_write(0, 0x04, 2, 0xFFFF), VPCI_CHG_COMMAND);
	assert_int_equal(cfg_read(0, 0x04, 2), 0x0006);
}

static void test_nothing_answers(void **state)
{
	(void)state;
	with_vf();
	out(0xCF8, 4, 0x00000000u);			/* enable bit off */
	assert_int_equal(in(0xCFC, 4), 0xFFFFFFFFu);
	assert_int_equal(in(0xCFE, 2), 0xFFFF);
	assert_int_equal(out(0xCFC, 4, 0), 0);
	assert_int_equal(cfg_read(0, 0, 4), 0x12378086u);	/* ...and the write went nowhere */
	out(0xCF8, 4, 0x80010000u);			/* bus 1 */
	assert_int_equal(in(0xCFC, 4), 0xFFFFFFFFu);
	out(0xCF8, 4, CFG_ADDR(0, 0) | 1u << 8);	/* 00:00.1 */
	assert_int_equal(in(0xCFC, 4), 0xFFFFFFFFu);
	assert_int_equal(cfg_read(2, 0, 4), 0xFFFFFFFFu);	/* an empty slot */
	assert_int_equal(cfg_read(VPCI_SLOTS, 0, 4), 0xFFFFFFFFu);
	assert_int_equal(cfg_read(31, 0, 2), 0xFFFF);
	assert_int_equal(cfg_write(2, 0x04, 2, 0x6), 0);
	/* A word at 0xCFF reaches past the data ports: only its low byte is the register's. */
	assert_int_equal(cfg_read(0, 0x03, 1), 0x12);
	out(0xCF8, 4, CFG_ADDR(0, 0));
	assert_int_equal(in(0xCFF, 2), 0xFF12);
	assert_int_equal(in(0xCFF, 4), 0xFFFFFF12u);
}

/* Linux's pci_check_type1() and pci_sanity_check() (arch/x86/pci/direct.c), as observable at the ports. */
static void test_linux_probe(void **state)
{
	(void)state;
	uint32_t one = 0x01;
	unsigned chg;
	vpci_init(&bus);
	/* The byte at 0xCFB (old chipsets' mechanism select) is left to the other ports: ignored. */
	assert_false(vpci_io(&bus, 0xCFB, 1, true, &one, &chg));
	uint32_t saved = in(0xCF8, 4);
	out(0xCF8, 4, 0x80000000u);
	assert_int_equal(in(0xCF8, 4), 0x80000000u);
	out(0xCF8, 4, saved);
	bool found = false;
	for (unsigned dev = 0; dev < 32 && !found; dev++)
		found = cfg_read(dev, 0x0A, 2) == 0x0600;	/* a host bridge */
	assert_true(found);
}

static void test_vf_header(void **state)
{
	(void)state;
	with_vf();
	assert_int_equal(cfg_read(1, 0x00, 4), 0x00101b36u);	/* from the PF, not the VF's 0xFFFF */
	assert_int_equal(cfg_read(1, 0x08, 4), 0x01080202u);	/* class and revision copied */
	assert_int_equal(cfg_read(1, 0x2C, 4), 0x11001af4u);
	assert_int_equal(cfg_read(1, 0x0E, 1), 0x00);
	assert_int_equal(cfg_read(1, 0x06, 2), 0x0010);		/* capability list */
	assert_int_equal(cfg_read(1, 0x3D, 1), 0);		/* no INTx pin */
	/* The list holds only MSI-X, at 0x40, with the real table size, table and PBA. */
	assert_int_equal(cfg_read(1, 0x34, 1), 0x40);
	assert_int_equal(cfg_read(1, 0x40, 2), 0x0011);
	assert_int_equal(cfg_read(1, 0x42, 2), 0x0002);
	assert_int_equal(cfg_read(1, 0x44, 4), 0x2000);
	assert_int_equal(cfg_read(1, 0x48, 4), 0x3000);
	assert_int_equal(cfg_read(1, 0x80, 4), 0);		/* the PCIe cap is not shown */
	/* Read-only: ids, class, status, the capability, table size and offsets, the pin. */
	for (unsigned r = 0; r < 0x100; r += 4)
		if (r != 0x04 && r != 0x0C && !(r >= 0x10 && r < 0x28) && r != 0x3C && r != 0x40)
			cfg_write(1, r, 4, 0xFFFFFFFFu);
	cfg_write(1, 0x40, 4, 0x3FFFFFFFu);	/* all but enable and function mask */
	assert_int_equal(cfg_read(1, 0x00, 4), 0x00101b36u);
	assert_int_equal(cfg_read(1, 0x08, 4), 0x01080202u);
	assert_int_equal(cfg_read(1, 0x40, 4), 0x00020011u);
	assert_int_equal(cfg_read(1, 0x44, 4), 0x2000);
	assert_int_equal(cfg_read(1, 0x30, 4), 0);		/* no expansion ROM */
	assert_int_equal(cfg_read(1, 0x3C, 4), 0);
	/* Writable: memory, bus master, INTx disable; cache line size; interrupt line. */
	assert_int_equal(cfg_write(1, 0x04, 2, 0xFFFF), VPCI_CHG_COMMAND);
	assert_int_equal(cfg_read(1, 0x04, 2), 0x0406);
	assert_int_equal(cfg_write(1, 0x04, 2, 0x0406), 0);	/* unchanged: nothing to carry over */
	cfg_write(1, 0x0C, 1, 0x10);
	cfg_write(1, 0x3C, 1, 0x0B);
	assert_int_equal(cfg_read(1, 0x0C, 4), 0x10);
	assert_int_equal(cfg_read(1, 0x3C, 2), 0x000B);
	assert_true(vpci_bus_master(&bus, 1));
	cfg_write(1, 0x04, 1, 0x02);
	assert_false(vpci_bus_master(&bus, 1));
	assert_int_equal(cfg_write(1, 0x43, 1, 0xC0), VPCI_CHG_MSIX);
	assert_int_equal(cfg_read(1, 0x42, 2), 0xC002);
}

/* Linux's __pci_read_base(): decoding off, all ones, read, write back, per half of a 64-bit BAR. */
static void test_bar_sizing(void **state)
{
	(void)state;
	with_vf();
	assert_int_equal(cfg_read(1, 0x10, 4), (uint32_t)BAR0_GPA | 0x4);
	assert_int_equal(cfg_read(1, 0x14, 4), 0);
	assert_int_equal(cfg_read(1, 0x18, 4), (uint32_t)BAR2_GPA);
	assert_int_equal(cfg_write(1, 0x10, 4, 0xFFFFFFFFu), VPCI_CHG_BAR);
	assert_int_equal(cfg_read(1, 0x10, 4), 0xFFFFC004u);
	cfg_write(1, 0x14, 4, 0xFFFFFFFFu);
	assert_int_equal(cfg_read(1, 0x14, 4), 0xFFFFFFFFu);
	cfg_write(1, 0x18, 4, 0xFFFFFFFFu);
	assert_int_equal(cfg_read(1, 0x18, 4), 0xFFFFE000u);
	for (unsigned r = 0x1C; r < 0x28; r += 4) {
		cfg_write(1, r, 4, 0xFFFFFFFFu);
		assert_int_equal(cfg_read(1, r, 4), 0);	/* not implemented */
	}
	cfg_write(1, 0x10, 4, (uint32_t)BAR0_GPA);
	cfg_write(1, 0x14, 4, 0);
	cfg_write(1, 0x18, 4, (uint32_t)BAR2_GPA);
	assert_int_equal(cfg_read(1, 0x10, 4), (uint32_t)BAR0_GPA | 0x4);
	/* Decoding off: nothing decodes; on: the BARs are where the guest put them. */
	assert_int_equal(vpci_bar_address(&bus, 1, 0), 0);
	cfg_write(1, 0x04, 2, 0x0002);
	assert_int_equal(vpci_bar_address(&bus, 1, 0), BAR0_GPA);
	assert_int_equal(vpci_bar_address(&bus, 1, 1), 0);	/* the upper half is not a BAR */
	assert_int_equal(vpci_bar_address(&bus, 1, 2), BAR2_GPA);
	assert_int_equal(vpci_bar_address(&bus, 1, 3), 0);
	assert_int_equal(vpci_bar_address(&bus, 0, 0), 0);	/* the host bridge has none */
	/* Moved above 4 GiB: the guest may, the VMM is told. */
	assert_int_equal(cfg_write(1, 0x14, 4, 0x1), VPCI_CHG_BAR);
	assert_int_equal(cfg_write(1, 0x10, 1, 0x0F), 0);	/* type bits are read-only */
	assert_int_equal(vpci_bar_address(&bus, 1, 0), 0x1FE000000ull);
	cfg_write(1, 0x12, 2, 0x1234);		/* a word into the BAR: bits below the size stay 0 */
	assert_int_equal(cfg_read(1, 0x10, 4), 0x12340004u);
}

static void test_add_refused(void **state)
{
	(void)state;
	struct vpci_passthrough pt = vf();
	vpci_init(&bus);
	assert_int_equal(vpci_add_passthrough(&bus, 0, &pt), E_INVAL);	/* the host bridge's */
	assert_int_equal(vpci_add_passthrough(&bus, VPCI_SLOTS, &pt), E_INVAL);
	pt.bar[2].size = 0x3000;
	assert_int_equal(vpci_add_passthrough(&bus, 1, &pt), E_INVAL);	/* not a power of two */
	pt.bar[2].size = 0x800;
	assert_int_equal(vpci_add_passthrough(&bus, 1, &pt), E_INVAL);	/* below a page */
	pt = vf();
	pt.bar[2].gpa = BAR2_GPA + 0x1000;
	assert_int_equal(vpci_add_passthrough(&bus, 1, &pt), E_INVAL);	/* not aligned */
	pt = vf();
	pt.bar[2].gpa = 0x100000000ull;
	assert_int_equal(vpci_add_passthrough(&bus, 1, &pt), E_INVAL);	/* 32-bit above 4 GiB */
	pt = vf();
	pt.bar[1] = (struct vpci_bar_desc){ .gpa = BAR2_GPA, .size = 0x1000 };
	assert_int_equal(vpci_add_passthrough(&bus, 1, &pt), E_INVAL);	/* in BAR0's upper half */
	pt = vf();
	pt.bar[5] = (struct vpci_bar_desc){ .gpa = BAR2_GPA, .size = 0x1000, .is64 = true };
	assert_int_equal(vpci_add_passthrough(&bus, 1, &pt), E_INVAL);	/* no room for the upper half */
	pt = vf();
	real_cfg[0x49] = 0x40;			/* PBA at 0x4000: past the 16 KiB BAR */
	assert_int_equal(vpci_add_passthrough(&bus, 1, &pt), E_INVAL);
	pt = vf();
	real_cfg[0x44] = 0x01;			/* table in BAR1: the upper half */
	assert_int_equal(vpci_add_passthrough(&bus, 1, &pt), E_INVAL);
	pt = vf();
	real_cfg[0x42] = VPCI_MSIX_MAX;		/* VPCI_MSIX_MAX + 1 entries */
	assert_int_equal(vpci_add_passthrough(&bus, 1, &pt), E_UNSUPP);
	assert_false(bus.dev[1].present);
	assert_int_equal(cfg_read(1, 0, 4), 0xFFFFFFFFu);
	pt = vf();
	assert_int_equal(vpci_add_passthrough(&bus, 1, &pt), E_OK);
	assert_int_equal(vpci_add_passthrough(&bus, 1, &pt), E_INVAL);	/* taken */
	/* The table cut to the entries with a physical vector behind them; the layout stays. */
	pt.msix_max = 2;
	assert_int_equal(vpci_add_passthrough(&bus, 3, &pt), E_OK);
	assert_int_equal(cfg_read(3, 0x42, 2), 0x0001);
	assert_int_equal(cfg_read(3, 0x44, 4), 0x2000);
	assert_int_equal(bus.dev[3].msix_n, 2);
	pt.msix_max = 0;
	/* Without MSI-X: no capability list at all. */
	real_cfg[0x81] = 0;
	assert_int_equal(vpci_add_passthrough(&bus, 2, &pt), E_OK);
	assert_int_equal(cfg_read(2, 0x06, 2), 0);
	assert_int_equal(cfg_read(2, 0x34, 1), 0);
}

static enum vpci_mmio_kind mmio(uint64_t gpa, unsigned size, bool write, uint64_t *v, struct vpci_hit *hit)
{
	return vpci_mmio(&bus, gpa, size, write, v, hit);
}

static void table_write(unsigned n, unsigned word, uint32_t v)
{
	struct vpci_hit hit;
	uint64_t x = v;

	assert_int_equal(mmio(BAR0_GPA + 0x2000 + 16 * n + 4 * word, 4, true, &x, &hit), VPCI_MMIO_DONE);
}

static uint64_t table_read(unsigned n, unsigned word, unsigned size)
{
	struct vpci_hit hit;
	uint64_t x = 0x77;

	assert_int_equal(mmio(BAR0_GPA + 0x2000 + 16 * n + 4 * word, size, false, &x, &hit), VPCI_MMIO_DONE);
	return x;
}

static void test_msix_table(void **state)
{
	(void)state;
	struct vpci_hit hit;
	uint64_t v = 0;
	with_vf();
	assert_int_equal(mmio(BAR0_GPA + 0x2000, 4, false, &v, &hit), VPCI_MMIO_NONE);	/* not decoding */
	cfg_write(1, 0x04, 2, 0x0006);
	assert_int_equal(table_read(0, 3, 4), 1);	/* entries start masked */
	table_write(0, 0, 0xFEE00003u);			/* the low two bits are reserved */
	table_write(0, 1, 0);
	table_write(0, 2, 0x4041);
	table_write(0, 3, 0xFFFFFFFEu);			/* reserved bits, unmasked */
	assert_int_equal(table_read(0, 0, 4), 0xFEE00000u);
	assert_int_equal(table_read(0, 2, 4), 0x4041);
	assert_int_equal(table_read(0, 3, 4), 0);
	assert_int_equal(table_read(0, 2, 8), 0x4041);	/* a qword: data and vector control */
	uint64_t q = 0x00000001000000A2ull;		/* entry 2's data and a mask */
	assert_int_equal(mmio(BAR0_GPA + 0x2028, 8, true, &q, &hit), VPCI_MMIO_DONE);
	assert_int_equal(bus.dev[1].msix[2].w[VPCI_MSIX_DATA], 0xA2);
	assert_int_equal(bus.dev[1].msix[2].w[VPCI_MSIX_CTRL], 1);
	/* Not a whole aligned dword or qword: all ones, dropped. */
	assert_int_equal(table_read(0, 2, 1), 0xFF);
	v = 0;
	assert_int_equal(mmio(BAR0_GPA + 0x2008, 2, true, &v, &hit), VPCI_MMIO_DONE);
	assert_int_equal(mmio(BAR0_GPA + 0x2004, 8, false, &v, &hit), VPCI_MMIO_DONE);
	assert_int_equal(v, ~0ull);
	assert_int_equal(table_read(0, 2, 4), 0x4041);
	/* The rest of the table's page, the registers, the other BAR: the real device's. */
	assert_int_equal(mmio(BAR0_GPA + 0x2030, 4, false, &v, &hit), VPCI_MMIO_FORWARD);
	assert_int_equal(hit.slot, 1);
	assert_int_equal(hit.bar, 0);
	assert_int_equal(hit.offset, 0x2030);
	assert_int_equal(mmio(BAR0_GPA + 0x1000, 4, true, &v, &hit), VPCI_MMIO_FORWARD);
	assert_int_equal(hit.offset, 0x1000);
	assert_int_equal(mmio(BAR2_GPA + 0x1FFC, 4, false, &v, &hit), VPCI_MMIO_FORWARD);
	assert_int_equal(hit.bar, 2);
	assert_int_equal(hit.offset, 0x1FFC);
	assert_int_equal(mmio(BAR0_GPA + 0x4000, 4, false, &v, &hit), VPCI_MMIO_NONE);
	assert_int_equal(mmio(BAR2_GPA - 4, 4, false, &v, &hit), VPCI_MMIO_NONE);
	/* The PBA reads the pending bits and ignores writes. */
	v = ~0ull;
	assert_int_equal(mmio(BAR0_GPA + 0x3000, 8, true, &v, &hit), VPCI_MMIO_DONE);
	assert_int_equal(mmio(BAR0_GPA + 0x3000, 8, false, &v, &hit), VPCI_MMIO_DONE);
	assert_int_equal(v, 0);
	assert_int_equal(mmio(BAR0_GPA + 0x3008, 4, false, &v, &hit), VPCI_MMIO_FORWARD);
	/* Moved with its BAR. */
	cfg_write(1, 0x10, 4, 0xFC000000u);
	assert_int_equal(mmio(BAR0_GPA + 0x2000, 4, false, &v, &hit), VPCI_MMIO_NONE);
	assert_int_equal(mmio(0xFC002000ull, 4, false, &v, &hit), VPCI_MMIO_DONE);
	assert_int_equal(v, 0xFEE00000u);
}

static void test_msix_delivery(void **state)
{
	(void)state;
	struct vpci_hit hit;
	uint64_t v;
	with_vf();
	cfg_write(1, 0x04, 2, 0x0006);
	table_write(0, 0, 0xFEE00000u);
	table_write(0, 2, 0x41);
	table_write(1, 0, 0xFEE00000u);
	table_write(1, 2, 0x42);
	/* MSI-X off: nothing, counted. */
	assert_int_equal(vpci_msix_fire(&bus, 1, 0, NULL), -1);
	assert_int_equal(bus.dev[1].dropped, 1);
	/* Linux enables it with the function masked, then unmasks. */
	cfg_write(1, 0x42, 2, 0xC002);
	assert_int_equal(vpci_msix_fire(&bus, 1, 1, NULL), -1);	/* entry masked, function masked */
	table_write(0, 3, 0);
	assert_int_equal(vpci_msix_fire(&bus, 1, 0, NULL), -1);	/* function masked: pending */
	assert_int_equal(mmio(BAR0_GPA + 0x3000, 4, false, &v, &hit), VPCI_MMIO_DONE);
	assert_int_equal(v, 0x3);
	assert_int_equal(vpci_msix_take_pending(&bus, NULL), -1);	/* still masked */
	assert_int_equal(cfg_write(1, 0x42, 2, 0x8002), VPCI_CHG_MSIX);
	assert_int_equal(vpci_msix_take_pending(&bus, NULL), 0x41);
	assert_int_equal(vpci_msix_take_pending(&bus, NULL), -1);	/* entry 1 is masked still */
	assert_int_equal(mmio(BAR0_GPA + 0x3000, 4, false, &v, &hit), VPCI_MMIO_DONE);
	assert_int_equal(v, 0x2);
	table_write(1, 3, 0);
	assert_int_equal(vpci_msix_take_pending(&bus, NULL), 0x42);
	assert_int_equal(vpci_msix_take_pending(&bus, NULL), -1);
	/* Unmasked and enabled: delivered at once, nothing pending. */
	assert_int_equal(vpci_msix_fire(&bus, 1, 0, NULL), 0x41);
	assert_int_equal(vpci_msix_fire(&bus, 1, 1, NULL), 0x42);
	assert_int_equal(bus.dev[1].pending[0], 0);
	/* Out of range: no such entry, no such function. */
	assert_int_equal(vpci_msix_fire(&bus, 1, 3, NULL), -1);
	assert_int_equal(vpci_msix_fire(&bus, 2, 0, NULL), -1);
	assert_int_equal(vpci_msix_fire(&bus, 0, 0, NULL), -1);
	/* An entry that is not a message to the local APIC raises nothing. */
	table_write(2, 0, 0xFED00000u);
	table_write(2, 2, 0x43);
	table_write(2, 3, 0);
	assert_int_equal(vpci_msix_fire(&bus, 1, 2, NULL), -1);
	assert_int_equal(bus.dev[1].pending[0], 0);
}

static void test_msix_vector(void **state)
{
	(void)state;
	struct vpci_msix e = { .w = { 0xFEE00000u, 0, 0x0031, 0 } };
	assert_int_equal(vpci_msix_vector(&e), 0x31);
	e.w[VPCI_MSIX_DATA] = 0x0131;		/* lowest priority */
	assert_int_equal(vpci_msix_vector(&e), 0x31);
	e.w[VPCI_MSIX_ADDR_LO] = 0xFEE01008u;	/* another destination and redirection hint: one VCPU takes it */
	assert_int_equal(vpci_msix_vector(&e), 0x31);
	e.w[VPCI_MSIX_DATA] = 0x0431;		/* NMI */
	assert_int_equal(vpci_msix_vector(&e), -1);
	e.w[VPCI_MSIX_DATA] = 0x000F;		/* an exception vector */
	assert_int_equal(vpci_msix_vector(&e), -1);
	e.w[VPCI_MSIX_DATA] = 0x0031;
	e.w[VPCI_MSIX_ADDR_HI] = 1;
	assert_int_equal(vpci_msix_vector(&e), -1);
	e.w[VPCI_MSIX_ADDR_HI] = 0;
	e.w[VPCI_MSIX_ADDR_LO] = 0xFEF00000u;
	assert_int_equal(vpci_msix_vector(&e), -1);
}

/* Where a message goes: the destination field, DM and the mode, as fire and take_pending give them. */
static void test_msix_destination(void **state)
{
	(void)state;
	struct vpci_msi m = { 0 };
	struct vpci_msix e = { .w = { 0xFEE01000u, 0, 0x0031, 0 } };	/* physical APIC id 1, fixed */
	assert_int_equal(vpci_msix_message(&e, &m), 0x31);
	assert_int_equal(m.vector, 0x31);
	assert_int_equal(m.dest, 1);
	assert_false(m.logical);
	assert_false(m.lowest);
	e.w[VPCI_MSIX_ADDR_LO] = 0xFEE0200Cu;	/* logical 0x02 (flat: the second CPU), RH and DM set */
	e.w[VPCI_MSIX_DATA] = 0x0132;		/* lowest priority */
	assert_int_equal(vpci_msix_message(&e, &m), 0x32);
	assert_int_equal(m.dest, 2);
	assert_true(m.logical);
	assert_true(m.lowest);
	e.w[VPCI_MSIX_ADDR_LO] = 0xFEEFF004u;	/* DM without RH: still logical, broadcast 0xFF */
	assert_int_equal(vpci_msix_message(&e, &m), 0x32);
	assert_int_equal(m.dest, 0xFF);
	assert_true(m.logical);
	/* Not a message a local APIC takes: *msg is left alone. */
	m = (struct vpci_msi){ .vector = 7 };
	e.w[VPCI_MSIX_DATA] = 0x0432;
	assert_int_equal(vpci_msix_message(&e, &m), -1);
	assert_int_equal(m.vector, 7);

	/* Through the bus: what fire and a pending entry's unmasking deliver carries the guest's destination. */
	struct vpci_hit hit;
	uint64_t v;
	with_vf();
	cfg_write(1, 0x04, 2, 0x0006);
	table_write(0, 0, 0xFEE01000u);	/* entry 0: APIC id 1 */
	table_write(0, 2, 0x41);
	table_write(0, 3, 0);
	cfg_write(1, 0x42, 2, 0x8002);	/* MSI-X on */
	m = (struct vpci_msi){ 0 };
	assert_int_equal(vpci_msix_fire(&bus, 1, 0, &m), 0x41);
	assert_int_equal(m.dest, 1);
	assert_false(m.logical);
	/* The guest moves it (Linux's affinity change rewrites the entry) while it is masked. */
	table_write(0, 3, 1);
	assert_int_equal(vpci_msix_fire(&bus, 1, 0, &m), -1);
	table_write(0, 0, 0xFEE02004u);	/* logical 0x02 */
	table_write(0, 3, 0);
	(void)mmio(BAR0_GPA + 0x3000, 4, false, &v, &hit);
	assert_int_equal(v, 1);
	m = (struct vpci_msi){ 0 };
	assert_int_equal(vpci_msix_take_pending(&bus, &m), 0x41);
	assert_int_equal(m.dest, 2);
	assert_true(m.logical);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address_latch),
		cmocka_unit_test(test_host_bridge),
		cmocka_unit_test(test_nothing_answers),
		cmocka_unit_test(test_linux_probe),
		cmocka_unit_test(test_vf_header),
		cmocka_unit_test(test_bar_sizing),
		cmocka_unit_test(test_add_refused),
		cmocka_unit_test(test_msix_table),
		cmocka_unit_test(test_msix_delivery),
		cmocka_unit_test(test_msix_vector),
		cmocka_unit_test(test_msix_destination),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
