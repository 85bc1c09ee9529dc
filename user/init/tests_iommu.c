/*
 * In-kernel test suite, IOMMU: QEMU's edu device DMAs through IOSpaces. Run only
 * where the kernel has DMA remapping on (tests/qemu/cases/iommu-edu.sh): two
 * edu devices at 00:10.0 and 00:11.0 with a 32-bit DMA mask, and the q35 VGA,
 * whose frame buffer is memory any DMA could reach without an IOMMU.
 */
#include "cap.h"
#include "core/pci_cfg.h"
#include "test.h"
#include "tests.h"

#define ROOT CAP_INIT_CNODE
#define VS CAP_INIT_VSPACE
#define PCI CAP_INIT_PCI
#define VA_I 0x068000000000ull	/* PML4 slot 13: this file's mappings, 2 MiB per case */

#define EDU_A PCI_BDF(0, 0x10, 0)	/* given IOSpaces */
#define EDU_B PCI_BDF(0, 0x11, 0)	/* never given one */
#define VGA PCI_BDF(0, 1, 0)

/* QEMU docs/specs/edu.rst: registers in BAR0, a 4 KiB buffer at device address 0x40000. */
#define EDU_ID 0x00
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_CMD_START 1u
#define EDU_CMD_TO_RAM 2u
#define EDU_BUFFER 0x40000ull
#define DMA_N 2048	/* QEMU 7.2's edu refuses a transfer that ends at the buffer's last byte */

#define IOVA_F1 0x100000ull	/* device may write */
#define IOVA_F2 0x101000ull	/* device may only read */
#define IOVA_HOLE 0x180000ull	/* in the same page table, never mapped */

/* Slots of a case: 0-9 device handles, 10-19 IOSpace and its tables, 20-39 frames, 60-62 ours. */
struct edu {
	volatile uint8_t *cfg;
	volatile uint8_t *regs;
};

static uint64_t next_va;

/* Maps frame cap f (R, W) into our own space, in this case's 2 MiB window. */
static volatile uint8_t *map_here(struct test_env *env, uint64_t f)
{
	static bool upper;
	uint64_t window = VA_I + (uint64_t)env->index * 0x200000ull;

	if (!upper) {
		CHECK_ERR(page_table_map(test_make(env, OBJ_PDPT, 0, 60), VS, VA_I), E_OK);
		CHECK_ERR(page_table_map(test_make(env, OBJ_PD, 0, 61), VS, VA_I), E_OK);
		upper = true;
	}
	if (next_va < window || next_va >= window + 0x200000ull) {
		CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 62), VS, window), E_OK);
		next_va = window;
	}
	CHECK_ERR(frame_map(f, VS, next_va, CAP_WRITE), E_OK);
	next_va += 4096;
	return (volatile uint8_t *)(uintptr_t)(next_va - 4096);
}

static uint64_t rd64(volatile uint8_t *r, unsigned off)
{
	return *(volatile uint64_t *)(r + off);
}

static void wr64(volatile uint8_t *r, unsigned off, uint64_t v)
{
	*(volatile uint64_t *)(r + off) = v;
}

/* Config page and register page of an edu in slots S(k..k+2); memory decoding and bus mastering on. */
static struct edu edu_open(struct test_env *env, uint16_t bdf, unsigned k)
{
	struct edu d;

	CHECK_ERR(pci_get_config(PCI, bdf, S(k)), E_OK);
	d.cfg = map_here(env, S(k));
	CHECK(*(volatile uint32_t *)d.cfg == 0x11E81234u);	/* 1234:11e8 */
	struct bar_result b = pci_get_bar(PCI, bdf, 0, S(k + 1));
	CHECK(b.err == E_OK && b.bits == 20);
	CHECK_ERR(untyped_retype(S(k + 1), OBJ_FRAME_4K, 0, ROOT, S(k + 2), 1), E_OK);
	d.regs = map_here(env, S(k + 2));
	CHECK((*(volatile uint32_t *)(d.regs + EDU_ID) & 0xFFFF) == 0x00ED);
	*(volatile uint16_t *)(d.cfg + PCI_COMMAND) |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	return d;
}

/* One DMA of n bytes; waits until the device says it is done (a blocked one ends too). */
static void edu_dma(struct test_env *env, struct edu d, uint64_t src, uint64_t dst, uint64_t n, bool to_ram)
{
	wr64(d.regs, EDU_DMA_SRC, src);
	wr64(d.regs, EDU_DMA_DST, dst);
	wr64(d.regs, EDU_DMA_COUNT, n);
	wr64(d.regs, EDU_DMA_CMD, EDU_CMD_START | (to_ram ? EDU_CMD_TO_RAM : 0));
	unsigned spins = 0;
	while ((rd64(d.regs, EDU_DMA_CMD) & EDU_CMD_START) && spins < 2000000) {
		(void)sys_yield(0, 0);
		spins++;
	}
	CHECK(!(rd64(d.regs, EDU_DMA_CMD) & EDU_CMD_START));
}

static void fill(volatile uint8_t *p, uint8_t seed)
{
	for (unsigned i = 0; i < 4096; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static uint64_t checksum(volatile uint8_t *p)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	for (unsigned i = 0; i < 4096; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* Waits (bounded) for the fault notification; returns its word, 0 if it never came. */
static uint64_t wait_fault(uint64_t ntfn)
{
	for (unsigned i = 0; i < 200000; i++) {
		struct msg m = ipc_nbrecv(ntfn);
		if (m.err == E_OK)
			return m.badge;
		(void)sys_yield(0, 0);
	}
	return 0;
}

/* An IOSpace in S(10) for bdf with a PD and a PT over the first 2 MiB of I/O space (S(11), S(12)). */
static uint64_t iospace_for(struct test_env *env, uint16_t bdf)
{
	uint64_t io = test_make(env, OBJ_IOSPACE, 0, 10);

	CHECK_ERR(iospace_assign(io, PCI, bdf), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PD, 0, 11), io, 0), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 12), io, IOVA_F1), E_OK);
	return io;
}

/* A frame in S(k), mapped in our space (returned) and into io at iova, writable by the device if w. */
static volatile uint8_t *dma_frame(struct test_env *env, unsigned k, uint64_t io, uint64_t iova, bool w)
{
	uint64_t f = test_make(env, OBJ_FRAME_4K, 0, k);
	volatile uint8_t *p = map_here(env, f);

	CHECK_ERR(cnode_copy(ROOT, S(k + 1), f, CAP_ALL_RIGHTS), E_OK);	/* one mapping per cap */
	CHECK_ERR(frame_map(S(k + 1), io, iova, w ? CAP_WRITE : 0), E_OK);
	return p;
}

/* The VGA frame buffer's first page in S(40..41): its bus address in *bus. */
static volatile uint8_t *frame_buffer(struct test_env *env, uint64_t *bus)
{
	struct bar_result b = pci_get_bar(PCI, VGA, 0, S(40));

	CHECK_ERR(b.err, E_OK);
	*bus = b.base;
	CHECK_ERR(untyped_retype(S(40), OBJ_FRAME_4K, 0, ROOT, S(41), 1), E_OK);
	return map_here(env, S(41));
}

static void iospace_refusals(struct test_env *env)
{
	CHECK(env->bi->iommu_levels == 3);	/* QEMU's VT-d: 39-bit, 3-level tables */
	uint64_t io = test_make(env, OBJ_IOSPACE, 0, 10), io2 = test_make(env, OBJ_IOSPACE, 0, 13);
	struct call_result r = atoll_call(io, INV_IOSPACE_ASSIGN, VS, EDU_A, 0, 0);
	CHECK(r.err == E_WRONGTYPE && r.arg == ARG_MR(0));
	r = atoll_call(io, INV_IOSPACE_ASSIGN, PCI, PCI_BDF(0, 0x1e, 0), 0, 0);
	CHECK(r.err == E_NOENT && r.arg == ARG_MR(1));
	CHECK_ERR(cnode_copy(ROOT, S(14), PCI, CAP_READ), E_OK);
	CHECK_ERR(iospace_assign(io, S(14), EDU_A), E_RIGHTS);
	CHECK_ERR(iospace_assign(io, PCI, EDU_A), E_OK);
	CHECK_ERR(iospace_assign(io, PCI, EDU_B), E_BUSY);	/* one device per IOSpace */
	CHECK_ERR(iospace_assign(io2, PCI, EDU_A), E_BUSY);	/* one IOSpace per device */
	CHECK_ERR(iospace_get_fault(io).err, E_AGAIN);
	/* Three levels: a PDPT has no place, the input is 39 bits wide. */
	r = atoll_call(test_make(env, OBJ_PDPT, 0, 15), INV_PAGE_TABLE_MAP, io, 0, 0, 0);
	CHECK(r.err == E_INVAL && r.arg == ARG_MR(1));
	CHECK_ERR(page_table_map(test_make(env, OBJ_PD, 0, 11), io, 1ull << 39), E_RANGE);
	CHECK_ERR(page_table_map(S(11), io, 0), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 12), io, IOVA_F1), E_OK);
	uint64_t f = test_make(env, OBJ_FRAME_4K, 0, 20);
	CHECK_ERR(frame_map(f, io, IOVA_F1 + 1, 0), E_ALIGN);
	CHECK_ERR(cnode_copy(ROOT, S(21), f, CAP_READ), E_OK);
	r = atoll_call(S(21), INV_FRAME_MAP, io, IOVA_F1, CAP_WRITE, 0);
	CHECK(r.err == E_RIGHTS && r.arg == ARG_MR(2));
	CHECK_ERR(frame_map(S(21), io, IOVA_F1, 0), E_OK);	/* read-only for the device is fine */
	CHECK_ERR(frame_map(f, io, IOVA_F1, 0), E_BUSY);
	/* Deleting the IOSpace blocks the device again; another IOSpace may then have it. */
	CHECK_ERR(cnode_delete(ROOT, io), E_OK);
	CHECK_ERR(iospace_assign(io2, PCI, EDU_A), E_OK);
	CHECK_ERR(cnode_delete(ROOT, io2), E_OK);
	CHECK_ERR(cnode_revoke(ROOT, PCI), E_OK);
}

static void dma_into_mapped_iova_arrives(struct test_env *env)
{
	struct edu d = edu_open(env, EDU_A, 0);
	uint64_t io = iospace_for(env, EDU_A);
	volatile uint8_t *f1 = dma_frame(env, 20, io, IOVA_F1, true);
	volatile uint8_t *f2 = dma_frame(env, 22, io, IOVA_F2, false);

	fill(f2, 0x3C);
	fill(f1, 0);
	edu_dma(env, d, IOVA_F2, EDU_BUFFER, DMA_N, false);	/* device reads f2 */
	edu_dma(env, d, EDU_BUFFER, IOVA_F1, DMA_N, true);	/* device writes f1 */
	unsigned same = 0;
	while (same < DMA_N && f1[same] == f2[same])
		same++;
	CHECK(same == DMA_N && f1[DMA_N] == 0);
	CHECK_ERR(iospace_get_fault(io).err, E_AGAIN);	/* nothing faulted */
	CHECK_ERR(cnode_delete(ROOT, io), E_OK);
	CHECK_ERR(cnode_revoke(ROOT, PCI), E_OK);
}

static void dma_to_unmapped_iova_faults(struct test_env *env)
{
	struct edu d = edu_open(env, EDU_A, 0);
	uint64_t io = iospace_for(env, EDU_A), fb_bus;
	volatile uint8_t *f2 = dma_frame(env, 22, io, IOVA_F2, false);
	volatile uint8_t *fb = frame_buffer(env, &fb_bus);
	uint64_t ntfn = test_make(env, OBJ_NOTIFICATION, 0, 30);

	CHECK_ERR(iospace_bind_faults(io, ntfn), E_OK);
	fill(fb, 0x11);
	fill(f2, 0x22);
	uint64_t fb_sum = checksum(fb), f2_sum = checksum(f2);
	/* Into memory that an untranslated DMA would reach: the frame buffer's bus address. */
	edu_dma(env, d, EDU_BUFFER, fb_bus, DMA_N, true);
	CHECK(wait_fault(ntfn) == 1);
	struct iofault fl = iospace_get_fault(io);
	CHECK_ERR(fl.err, E_OK);
	CHECK(fl.address == fb_bus);
	CHECK(((fl.info >> 8) & 1) == 1 && ((fl.info >> 16) & 0xFFFF) == EDU_A && (fl.info >> 32) == 1);
	CHECK(!((fl.info >> 9) & 1));	/* not cut off yet */
	CHECK(checksum(fb) == fb_sum);
	/* Into a hole of its own page table, and into a frame it may only read. */
	edu_dma(env, d, EDU_BUFFER, IOVA_HOLE, 64, true);
	CHECK(wait_fault(ntfn) == 1);
	fl = iospace_get_fault(io);
	CHECK(fl.err == E_OK && fl.address == IOVA_HOLE);
	edu_dma(env, d, EDU_BUFFER, IOVA_F2, 64, true);
	CHECK(wait_fault(ntfn) == 1);
	fl = iospace_get_fault(io);
	CHECK(fl.err == E_OK && fl.address == IOVA_F2 && ((fl.info >> 8) & 1) == 1);
	CHECK(checksum(f2) == f2_sum);
	printf("instance %u: iommu: frame buffer at 0x%llx\n", env->bi->instance,
	       (unsigned long long)fb_bus);
	CHECK_ERR(cnode_delete(ROOT, io), E_OK);
	CHECK_ERR(cnode_revoke(ROOT, PCI), E_OK);
}

static void unmap_blocks_further_dma(struct test_env *env)
{
	struct edu d = edu_open(env, EDU_A, 0);
	uint64_t io = iospace_for(env, EDU_A);
	volatile uint8_t *f1 = dma_frame(env, 20, io, IOVA_F1, true);
	volatile uint8_t *f2 = dma_frame(env, 22, io, IOVA_F2, false);
	uint64_t ntfn = test_make(env, OBJ_NOTIFICATION, 0, 30);

	CHECK_ERR(iospace_bind_faults(io, ntfn), E_OK);
	fill(f2, 0x5A);
	edu_dma(env, d, IOVA_F2, EDU_BUFFER, DMA_N, false);
	fill(f1, 0);
	edu_dma(env, d, EDU_BUFFER, IOVA_F1, DMA_N, true);
	CHECK(f1[1] == (uint8_t)(0x5A + 7));
	/* The device's mapping of f1 goes (the IOTLB with it); our own mapping stays. */
	CHECK_ERR(frame_unmap(S(21)), E_OK);
	fill(f1, 0x77);
	uint64_t sum = checksum(f1);
	edu_dma(env, d, EDU_BUFFER, IOVA_F1, DMA_N, true);
	CHECK(wait_fault(ntfn) == 1);
	struct iofault fl = iospace_get_fault(io);
	CHECK(fl.err == E_OK && fl.address == IOVA_F1);
	CHECK(checksum(f1) == sum);
	/* Mapped again through the same cap, it works again. */
	CHECK_ERR(frame_map(S(21), io, IOVA_F1, CAP_WRITE), E_OK);
	edu_dma(env, d, EDU_BUFFER, IOVA_F1, DMA_N, true);
	CHECK(f1[1] == (uint8_t)(0x5A + 7));
	CHECK_ERR(cnode_delete(ROOT, io), E_OK);
	CHECK_ERR(cnode_revoke(ROOT, PCI), E_OK);
}

static void device_without_iospace_dmas_nowhere(struct test_env *env)
{
	struct edu d = edu_open(env, EDU_B, 0);
	uint64_t fb_bus;
	volatile uint8_t *fb = frame_buffer(env, &fb_bus);

	fill(fb, 0x99);
	uint64_t sum = checksum(fb);
	edu_dma(env, d, EDU_BUFFER, fb_bus, DMA_N, true);
	CHECK(checksum(fb) == sum);
	/* The kernel reports it on the console (iommu-edu.sh checks the line). */
	printf("instance %u: iommu: unassigned device aimed at 0x%llx\n", env->bi->instance,
	       (unsigned long long)fb_bus);
	CHECK_ERR(cnode_revoke(ROOT, PCI), E_OK);
}

/* QEMU docs/specs/edu.rst: writing the raise register sends the device's interrupt. */
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64
#define MSI_CONTROL 2		/* PCI 3.0 6.8.1: message control, then address (and upper half) and data */
#define MSI_ENABLE 1u
#define MSI_64BIT (1u << 7)

/* Points d's MSI at (address, data), enabled; the capability is found by the list walk. */
static void edu_msi(struct test_env *env, struct edu d, uint64_t address, uint32_t data)
{
	uint8_t copy[PCI_CFG_SIZE];

	for (unsigned i = 0; i < PCI_CFG_SIZE; i++)
		copy[i] = d.cfg[i];
	unsigned msi = pci_cfg_find_cap(copy, PCI_CAP_MSI);
	CHECK(msi >= 0x40);
	volatile uint16_t *ctl = (volatile uint16_t *)(d.cfg + msi + MSI_CONTROL);
	*(volatile uint32_t *)(d.cfg + msi + 4) = (uint32_t)address;
	if (*ctl & MSI_64BIT) {
		*(volatile uint32_t *)(d.cfg + msi + 8) = (uint32_t)(address >> 32);
		*(volatile uint16_t *)(d.cfg + msi + 12) = (uint16_t)data;
	} else {
		*(volatile uint16_t *)(d.cfg + msi + 8) = (uint16_t)data;
	}
	*ctl |= MSI_ENABLE;
}

/* Raises d's interrupt; returns the notification word seen within a bounded wait (0: none). */
static uint64_t edu_raise(struct edu d, uint64_t ntfn)
{
	*(volatile uint32_t *)(d.regs + EDU_IRQ_RAISE) = 1;
	uint64_t word = 0;
	for (unsigned i = 0; i < 20000 && !word; i++) {
		struct msg m = ipc_nbrecv(ntfn);
		if (m.err == E_OK)
			word = m.badge;
		else
			(void)sys_yield(0, 0);
	}
	*(volatile uint32_t *)(d.regs + EDU_IRQ_ACK) = 1;
	return word;
}

static void msi_raises_only_its_owners_vector(struct test_env *env)
{
	CHECK(env->bi->intremap == 1);
	struct edu a = edu_open(env, EDU_A, 0), b = edu_open(env, EDU_B, 3);
	uint64_t ntfn = test_make(env, OBJ_NOTIFICATION, 0, 30);
	struct msi_result m = irq_control_get_msi(CAP_INIT_IRQ_CONTROL, S(6));
	CHECK_ERR(m.err, E_OK);
	CHECK_ERR(irq_handler_set_ntfn(S(6), ntfn), E_OK);
	uint64_t bit = 1ull << (32 + m.data - 0xD0);

	/* Until the handler names its device, its entry is empty: nothing is raised. */
	edu_msi(env, a, m.address, (uint32_t)m.data);
	CHECK(edu_raise(a, ntfn) == 0);
	struct call_result r = atoll_call(S(6), INV_IRQ_HANDLER_SET_SOURCE, VS, EDU_A, 0, 0);
	CHECK(r.err == E_WRONGTYPE && r.arg == ARG_MR(0));
	r = atoll_call(S(6), INV_IRQ_HANDLER_SET_SOURCE, PCI, PCI_BDF(0, 0x1e, 0), 0, 0);
	CHECK(r.err == E_NOENT && r.arg == ARG_MR(1));
	CHECK_ERR(irq_handler_set_source(S(6), PCI, EDU_A), E_OK);
	CHECK(edu_raise(a, ntfn) == bit);
	CHECK_ERR(irq_handler_ack(S(6)), E_OK);
	CHECK(edu_raise(a, ntfn) == bit);	/* and again after the ack */
	CHECK_ERR(irq_handler_ack(S(6)), E_OK);
	/* The other device copies the address and data: its requester id is not the one named. */
	edu_msi(env, b, m.address, (uint32_t)m.data);
	CHECK(edu_raise(b, ntfn) == 0);
	/* A handle nobody was given (the last MSI entry of the instance) raises nothing either. */
	edu_msi(env, a, 0xFEE00010ull | (uint64_t)(32 + 31) << 5, 0xEF);
	CHECK(edu_raise(a, ntfn) == 0);
	/*
	 * Deleting the handler empties its entry: the next handler gets the same
	 * vector and handle, and the device's old message must not reach it.
	 */
	edu_msi(env, a, m.address, (uint32_t)m.data);
	CHECK_ERR(cnode_delete(ROOT, S(6)), E_OK);
	struct msi_result again = irq_control_get_msi(CAP_INIT_IRQ_CONTROL, S(7));
	CHECK(again.err == E_OK && again.data == m.data && again.address == m.address);
	CHECK_ERR(irq_handler_set_ntfn(S(7), ntfn), E_OK);
	CHECK(edu_raise(a, ntfn) == 0);
	CHECK_ERR(cnode_delete(ROOT, S(7)), E_OK);
	*(volatile uint16_t *)(a.cfg + 0x40 + MSI_CONTROL) &= (uint16_t)~MSI_ENABLE;
	CHECK_ERR(cnode_revoke(ROOT, PCI), E_OK);
}

static void faulting_device_is_cut_off(struct test_env *env)
{
	struct edu d = edu_open(env, EDU_A, 0);
	uint64_t io = iospace_for(env, EDU_A);
	volatile uint8_t *f1 = dma_frame(env, 20, io, IOVA_F1, true);
	uint64_t ntfn = test_make(env, OBJ_NOTIFICATION, 0, 30);
	struct iofault fl = { 0 };

	CHECK_ERR(iospace_bind_faults(io, ntfn), E_OK);
	for (unsigned i = 0; i < 8; i++) {
		edu_dma(env, d, EDU_BUFFER, IOVA_HOLE, 16, true);
		CHECK(wait_fault(ntfn) == 1);
		fl = iospace_get_fault(io);
		CHECK(fl.err == E_OK && (fl.info >> 32) == 1);
	}
	CHECK(((fl.info >> 9) & 1) == 1);	/* the eighth fault cut it off */
	CHECK(!(*(volatile uint16_t *)(d.cfg + PCI_COMMAND) & PCI_COMMAND_MASTER));
	/* Even with bus mastering switched back on, its context entry is gone: nothing arrives. */
	*(volatile uint16_t *)(d.cfg + PCI_COMMAND) |= PCI_COMMAND_MASTER;
	fill(f1, 0x42);
	uint64_t sum = checksum(f1);
	edu_dma(env, d, EDU_BUFFER, IOVA_F1, DMA_N, true);
	CHECK(checksum(f1) == sum);
	CHECK_ERR(cnode_delete(ROOT, io), E_OK);
	CHECK_ERR(cnode_revoke(ROOT, PCI), E_OK);
}

bool iommu_suite_applies(const struct bootinfo *bi)
{
	uint64_t scratch = (1ull << bi->cnode_radix) - 2;	/* past every case's slots */
	bool edu = bi->iommu_levels && pci_get_config(PCI, EDU_A, scratch) == E_OK &&
		   pci_get_config(PCI, EDU_B, scratch + 1) == E_OK;

	(void)cnode_delete(ROOT, scratch);
	(void)cnode_delete(ROOT, scratch + 1);
	return edu;
}

const struct test_case iommu_tests[] = {
	{ "iospace_refusals", iospace_refusals },
	{ "dma_into_mapped_iova_arrives", dma_into_mapped_iova_arrives },
	{ "dma_to_unmapped_iova_faults", dma_to_unmapped_iova_faults },
	{ "unmap_blocks_further_dma", unmap_blocks_further_dma },
	{ "device_without_iospace_dmas_nowhere", device_without_iospace_dmas_nowhere },
	{ "msi_raises_only_its_owners_vector", msi_raises_only_its_owners_vector },
	{ "faulting_device_is_cut_off", faulting_device_is_cut_off },
};
const unsigned iommu_ntests = sizeof(iommu_tests) / sizeof(iommu_tests[0]);
