/* In-kernel test suite, PCI: configuration pages and BARs through the PCI capability. */
#include "cap.h"
#include "core/pci_cfg.h"
#include "test.h"
#include "tests.h"

#define ROOT CAP_INIT_CNODE
#define VS CAP_INIT_VSPACE
#define PCI CAP_INIT_PCI
#define VA_P 0x060000000000ull	/* PML4 slot 12: this file's mappings, one PD per case */

/* QEMU q35 (docs/testing.md): the host bridge, the standard VGA and the AHCI controller. */
#define HOST_BRIDGE PCI_BDF(0, 0, 0)
#define VGA PCI_BDF(0, 1, 0)
#define AHCI PCI_BDF(0, 0x1f, 2)
#define ABSENT PCI_BDF(0, 0x1e, 0)

/* The PAT entry (0 write-back, 3 uncached) of map_at()'s last mapping, as FRAME_MAP read it back. */
static uint64_t mapped_pat;

/* Maps frame cap f at page nth of case's own 2 MiB at VA_P (its PT in S(62); PDPT, PD made once). */
static volatile uint8_t *map_at(struct test_env *env, uint64_t f, unsigned nth)
{
	static bool upper;
	uint64_t va = VA_P + (uint64_t)env->index * 0x200000ull + nth * 4096ull;

	if (!upper) {
		CHECK_ERR(page_table_map(test_make(env, OBJ_PDPT, 0, 60), VS, VA_P), E_OK);
		CHECK_ERR(page_table_map(test_make(env, OBJ_PD, 0, 61), VS, VA_P), E_OK);
		upper = true;
	}
	if (nth == 0)
		CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 62), VS, va), E_OK);
	struct call_result r = atoll_call(f, INV_FRAME_MAP, VS, va, CAP_WRITE, 0);
	CHECK_ERR(r.err, E_OK);
	mapped_pat = r.arg;
	return (volatile uint8_t *)(uintptr_t)va;
}

static uint32_t rd32(volatile uint8_t *cfg, unsigned off)
{
	return *(volatile uint32_t *)(cfg + off);
}

/*
 * Every instance's root task holds every function (it hands its VMs their VFs);
 * the cases that move and size registers run on instance 0 only, so that the
 * instances of one run do not size the same BAR at once.
 */
static bool owns_pci(struct test_env *env)
{
	if (env->bi->pci_count) {
		CHECK(env->bi->pci_first == 0 && env->bi->pci_count == 0x10000);
		if (env->bi->instance != 0) {
			/* Its own ECAM mapping: the host bridge reads the same here. */
			CHECK_ERR(pci_get_config(PCI, HOST_BRIDGE, S(0)), E_OK);
			CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);
		}
		return env->bi->instance == 0;
	}
	if (env->bi->instance == 0)	/* no MCFG (i440FX): kernel-suite-smp4 rejects this line */
		printf("instance 0: pci: no ECAM, no functions\n");
	CHECK_ERR(pci_get_config(PCI, HOST_BRIDGE, S(0)), E_EMPTY);
	return false;
}

static void config_pages_of_own_functions_only(struct test_env *env)
{
	if (!owns_pci(env))
		return;
	CHECK_ERR(pci_get_config(PCI, HOST_BRIDGE, S(0)), E_OK);
	volatile uint8_t *cfg = map_at(env, S(0), 0);
	CHECK(rd32(cfg, PCI_VENDOR) == 0x29C08086);	/* Intel Q35 host bridge */
	/* The AHCI controller lists MSI among its capabilities. */
	CHECK_ERR(pci_get_config(PCI, AHCI, S(1)), E_OK);
	volatile uint8_t *ahci = map_at(env, S(1), 1);
	uint8_t copy[PCI_CFG_SIZE];
	for (unsigned i = 0; i < PCI_CFG_SIZE; i++)
		copy[i] = ahci[i];
	unsigned msi = pci_cfg_find_cap(copy, PCI_CAP_MSI);
	CHECK(msi >= 0x40 && copy[msi] == PCI_CAP_MSI);

	struct call_result r = atoll_call(PCI, INV_PCI_GET_CONFIG, 0x10000, S(2), 0, 0);
	CHECK(r.err == E_RANGE && r.arg == ARG_MR(0));
	r = atoll_call(PCI, INV_PCI_GET_CONFIG, ABSENT, S(2), 0, 0);
	CHECK(r.err == E_NOENT && r.arg == ARG_MR(0));
	r = atoll_call(PCI, INV_PCI_GET_CONFIG, HOST_BRIDGE, S(0), 0, 0);
	CHECK(r.err == E_NOTEMPTY && r.arg == ARG_MR(1));
	/* A copy narrowed to one function hands out that one only; a read-only one nothing. */
	CHECK_ERR(cnode_copy(ROOT, S(3), PCI, CAP_READ), E_OK);
	CHECK_ERR(pci_get_config(S(3), HOST_BRIDGE, S(2)), E_RIGHTS);
	CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(1)), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(3)), E_OK);
}

/*
 * Device registers are mapped uncached (PCD and PWT: PAT entry 3, UC), RAM
 * write-back (entry 0): FRAME_MAP returns the entry's PAT index read back from
 * the page table. A configuration page, a copy of it, and a RAM frame beside
 * them; BAR frames are checked in bar_becomes_device_untyped.
 */
static void device_frames_map_uncached(struct test_env *env)
{
	if (!owns_pci(env))
		return;
	CHECK_ERR(pci_get_config(PCI, HOST_BRIDGE, S(0)), E_OK);
	volatile uint8_t *cfg = map_at(env, S(0), 0);
	CHECK(mapped_pat == 3);
	CHECK(rd32(cfg, PCI_VENDOR) == 0x29C08086);
	CHECK_ERR(cnode_copy(ROOT, S(1), S(0), CAP_READ | CAP_WRITE), E_OK);
	(void)map_at(env, S(1), 1);
	CHECK(mapped_pat == 3);
	(void)map_at(env, test_make(env, OBJ_FRAME_4K, 0, 2), 2);
	CHECK(mapped_pat == 0);
	for (unsigned k = 0; k <= 2; k++)
		CHECK_ERR(cnode_delete(ROOT, S(k)), E_OK);
}

/* PCI_NARROW: a child cap over part of the range reaches exactly that part, and dies with it. */
static void narrowed_cap_reaches_its_functions_only(struct test_env *env)
{
	if (!owns_pci(env))
		return;
	CHECK_ERR(pci_narrow(PCI, VGA, 1, S(0)), E_OK);
	CHECK_ERR(pci_get_config(S(0), VGA, S(1)), E_OK);
	CHECK_ERR(pci_get_config(S(0), HOST_BRIDGE, S(2)), E_RANGE);
	CHECK_ERR(pci_get_bar(S(0), AHCI, 5, S(2)).err, E_RANGE);
	/* Narrowing again: only inside the narrowed range. */
	struct call_result r = atoll_call(S(0), INV_PCI_NARROW, HOST_BRIDGE, 2, S(2), 0);
	CHECK(r.err == E_RANGE && r.arg == ARG_MR(0));
	CHECK_ERR(pci_narrow(S(0), VGA, 2, S(2)), E_RANGE);
	CHECK_ERR(pci_narrow(S(0), VGA, 0, S(2)), E_RANGE);
	r = atoll_call(S(0), INV_PCI_NARROW, VGA, 1, S(1), 0);
	CHECK(r.err == E_NOTEMPTY && r.arg == ARG_MR(2));
	CHECK_ERR(pci_narrow(S(0), VGA, 1, S(2)), E_OK);
	CHECK_ERR(pci_get_config(S(2), VGA, S(3)), E_OK);
	/* A read-only copy cannot narrow; the narrowed cap keeps the parent's rights. */
	CHECK_ERR(cnode_copy(ROOT, S(4), PCI, CAP_READ), E_OK);
	CHECK_ERR(pci_narrow(S(4), VGA, 1, S(5)), E_RIGHTS);
	CHECK_ERR(cnode_delete(ROOT, S(4)), E_OK);
	/* Revoking the first narrowed cap takes the second one and both config pages. */
	CHECK_ERR(cnode_revoke(ROOT, S(0)), E_OK);
	CHECK_ERR(pci_get_config(S(2), VGA, S(4)), E_EMPTY);
	CHECK_ERR(atoll_call(S(1), INV_FRAME_UNMAP, 0, 0, 0, 0).err, E_EMPTY);
	CHECK_ERR(atoll_call(S(3), INV_FRAME_UNMAP, 0, 0, 0, 0).err, E_EMPTY);
	CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);
}

/*
 * Sizing or moving a BAR changes what the machine decodes. QEMU 7.2's TCG swaps
 * every CPU's view of the memory map from the writing CPU's thread, so another
 * core's MMIO meanwhile can go nowhere (a lost self-IPI, docs/testing.md): these
 * cases run only when this instance is alone on the machine (pvh-smp1).
 */
static bool alone(struct test_env *env)
{
	if (env->bi->ninstances == 1) {
		printf("instance 0: pci: BARs reprogrammed, no other instance running\n");
		return true;
	}
	printf("instance 0: pci: BAR case skipped: %u other instances are running\n",
	       env->bi->ninstances - 1);
	return false;
}

static void bar_becomes_device_untyped(struct test_env *env)
{
	if (!owns_pci(env) || !alone(env))
		return;
	/* The standard VGA: BAR0 is a 16 MiB frame buffer, BAR1 is not implemented. */
	struct bar_result b = pci_get_bar(PCI, VGA, 0, S(0));
	CHECK_ERR(b.err, E_OK);
	CHECK(b.bits == 24 && b.base && !(b.base & ((1ull << 24) - 1)));
	CHECK_ERR(untyped_retype(S(0), OBJ_FRAME_4K, 0, ROOT, S(1), 1), E_OK);
	volatile uint32_t *fb = (volatile uint32_t *)map_at(env, S(1), 0);
	CHECK(mapped_pat == 3);	/* device registers: uncached (device_frames_map_uncached) */
	fb[0] = 0x12345678;
	CHECK(fb[0] == 0x12345678);
	/* A part of the BAR split off as untyped makes uncached frames too. */
	CHECK_ERR(untyped_retype(S(0), OBJ_UNTYPED, 16, ROOT, S(3), 1), E_OK);
	CHECK_ERR(untyped_retype(S(3), OBJ_FRAME_4K, 0, ROOT, S(4), 1), E_OK);
	(void)map_at(env, S(4), 1);
	CHECK(mapped_pat == 3);
	CHECK_ERR(cnode_delete(ROOT, S(4)), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(3)), E_OK);
	CHECK_ERR(pci_get_bar(PCI, VGA, 1, S(2)).err, E_NOENT);
	b = pci_get_bar(PCI, VGA, 6, S(2));
	CHECK(b.err == E_RANGE && b.base == ARG_MR(1));
	b = pci_get_bar(PCI, ABSENT, 0, S(2));
	CHECK(b.err == E_NOENT && b.base == ARG_MR(0));
	/* Revoking the PCI cap's copy takes the untyped and its frame with it. */
	CHECK_ERR(cnode_delete(ROOT, S(1)), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);
}

static void bar_moved_over_ram_is_refused(struct test_env *env)
{
	if (!owns_pci(env) || !alone(env))
		return;
	/* A driver holding the configuration page can point a BAR anywhere: at our own RAM, say. */
	CHECK_ERR(pci_get_config(PCI, VGA, S(0)), E_OK);
	volatile uint8_t *cfg = map_at(env, S(0), 0);
	volatile uint32_t *bar2 = (volatile uint32_t *)(cfg + PCI_BAR0 + 8);
	uint32_t old = *bar2;
	struct bar_result b = pci_get_bar(PCI, VGA, 2, S(1));
	CHECK_ERR(b.err, E_OK);
	CHECK(b.base == (old & ~0xFu) && b.bits == 12);
	*bar2 = (uint32_t)env->bi->mem_base;
	b = pci_get_bar(PCI, VGA, 2, S(2));
	CHECK(b.err == E_OVERLAP && b.base == ARG_MR(0));
	*bar2 = old;
	CHECK_ERR(pci_get_bar(PCI, VGA, 2, S(2)).err, E_OK);
	CHECK_ERR(cnode_revoke(ROOT, PCI), E_OK);	/* the config page, both untypeds */
	CHECK_ERR(atoll_call(S(0), INV_FRAME_UNMAP, 0, 0, 0, 0).err, E_EMPTY);
	CHECK_ERR(atoll_call(S(1), INV_UNTYPED_RETYPE, 0, 0, 0, 0).err, E_EMPTY);
}

/*
 * PCI_GET_VF_BAR refusals on q35's functions, none of which has SR-IOV (the
 * working case is the NVMe VF hand-over, tests/qemu/cases/linux-nvme-vfs.sh).
 */
static void vf_bar_needs_an_sriov_pf(struct test_env *env)
{
	if (!owns_pci(env))
		return;
	struct bar_result b = pci_get_vf_bar(PCI, VGA, 1, 0, S(0));
	CHECK(b.err == E_UNSUPP && b.base == ARG_MR(0));
	b = pci_get_vf_bar(PCI, ABSENT, 1, 0, S(0));
	CHECK(b.err == E_NOENT && b.base == ARG_MR(0));
	b = pci_get_vf_bar(PCI, 0x10000, 1, 0, S(0));
	CHECK(b.err == E_RANGE && b.base == ARG_MR(0));
	CHECK_ERR(pci_narrow(PCI, VGA, 1, S(1)), E_OK);
	b = pci_get_vf_bar(S(1), HOST_BRIDGE, 1, 0, S(0));
	CHECK(b.err == E_RANGE && b.base == ARG_MR(0));
	b = pci_get_vf_bar(PCI, VGA, 1, 0, S(1));
	CHECK(b.err == E_NOTEMPTY && b.base == ARG_MR(3));
	CHECK_ERR(cnode_delete(ROOT, S(1)), E_OK);
}

/*
 * PCI_GET_VF_BAR on QEMU's NVMe PF behind a root port (iommu-edu adds one at 01:00.0):
 * the case enables 2 VFs itself and places their BAR0 after the PF's, as pcimgr does,
 * then checks each VF's slice and every refusal. Elsewhere (no such PF) it does nothing.
 */
#define NVME_PF PCI_BDF(1, 0, 0)

static void vf_bar_is_vf_n_slice(struct test_env *env)
{
	static uint8_t copy[PCI_EXT_CFG_SIZE];

	if (!owns_pci(env) || pci_get_config(PCI, NVME_PF, S(0)) != E_OK)
		return;
	volatile uint8_t *cfg = map_at(env, S(0), 0);
	for (unsigned i = 0; i < PCI_EXT_CFG_SIZE; i++)
		copy[i] = cfg[i];
	unsigned at = pci_cfg_find_ext_cap(copy, PCI_EXT_CAP_SRIOV);
	if (!at) {
		CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);
		return;
	}
	volatile uint16_t *ctrl = (volatile uint16_t *)(cfg + at + PCI_SRIOV_CTRL);
	volatile uint16_t *num = (volatile uint16_t *)(cfg + at + PCI_SRIOV_NUM_VFS);
	volatile uint32_t *vbar = (volatile uint32_t *)(cfg + at + PCI_SRIOV_VF_BAR0);
	/* VF BAR0's size per VF (all ones, read back, restore), placed after the PF's BAR0. */
	struct bar_result pf = pci_get_bar(PCI, NVME_PF, 0, S(1));
	CHECK_ERR(pf.err, E_OK);
	uint32_t old = vbar[0];
	vbar[0] = 0xFFFFFFFFu;
	uint64_t size = (uint64_t)(~(vbar[0] & ~0xFu) + 1u);
	vbar[0] = old;
	uint64_t base = (pf.base + (1ull << pf.bits) + size - 1) & ~(size - 1);
	CHECK(size >= 4096 && (size & (size - 1)) == 0);
	*num = 2;
	vbar[0] = (uint32_t)base;
	vbar[1] = (uint32_t)(base >> 32);
	*ctrl = (uint16_t)(*ctrl | PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
	struct bar_result b = pci_get_vf_bar(PCI, NVME_PF, 1, 0, S(2));
	CHECK(b.err == E_OK && b.base == base && (1ull << b.bits) == size);
	b = pci_get_vf_bar(PCI, NVME_PF, 2, 0, S(3));
	CHECK(b.err == E_OK && b.base == base + size);
	printf("instance 0: pci: VF BAR0 of %02x:%02x.%x: %llu KiB per VF, VF 1 at 0x%llx, VF 2 at 0x%llx\n",
	       NVME_PF >> 8, NVME_PF >> 3 & 31, NVME_PF & 7, (unsigned long long)(size >> 10),
	       (unsigned long long)base, (unsigned long long)b.base);
	b = pci_get_vf_bar(PCI, NVME_PF, 3, 0, S(4));
	CHECK(b.err == E_RANGE && b.base == ARG_MR(1));	/* beyond NumVFs */
	b = pci_get_vf_bar(PCI, NVME_PF, 0, 0, S(4));
	CHECK(b.err == E_RANGE && b.base == ARG_MR(1));	/* VFs count from 1 */
	b = pci_get_vf_bar(PCI, NVME_PF, 1, 6, S(4));
	CHECK(b.err == E_RANGE && b.base == ARG_MR(2));
	b = pci_get_vf_bar(PCI, NVME_PF, 1, 2, S(4));
	CHECK(b.err == E_NOENT);			/* a VF BAR the PF does not implement */
	/* A cap over the PF alone does not reach its VFs' BARs. */
	CHECK_ERR(pci_narrow(PCI, NVME_PF, 1, S(5)), E_OK);
	b = pci_get_vf_bar(S(5), NVME_PF, 1, 0, S(4));
	CHECK(b.err == E_RANGE && b.base == ARG_MR(1));
	/* VF BAR0 pointed at our own RAM: refused, as PCI_GET_BAR refuses it. */
	vbar[0] = (uint32_t)env->bi->mem_base;
	vbar[1] = (uint32_t)(env->bi->mem_base >> 32);
	b = pci_get_vf_bar(PCI, NVME_PF, 1, 0, S(4));
	CHECK(b.err == E_OVERLAP && b.base == ARG_MR(0));
	/* VFs off again: no VF, no VF BAR. */
	vbar[0] = (uint32_t)base;
	vbar[1] = (uint32_t)(base >> 32);
	*ctrl = (uint16_t)(*ctrl & ~(PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE));
	b = pci_get_vf_bar(PCI, NVME_PF, 1, 0, S(4));
	CHECK(b.err == E_NOENT && b.base == ARG_MR(0));
	*num = 0;
	vbar[0] = old;
	vbar[1] = 0;
	for (unsigned k = 0; k <= 5; k++)
		(void)cnode_delete(ROOT, S(k));
}

const struct test_case pci_tests[] = {
	{ "vf_bar_needs_an_sriov_pf", vf_bar_needs_an_sriov_pf },
	{ "vf_bar_is_vf_n_slice", vf_bar_is_vf_n_slice },
	{ "config_pages_of_own_functions_only", config_pages_of_own_functions_only },
	{ "device_frames_map_uncached", device_frames_map_uncached },
	{ "narrowed_cap_reaches_its_functions_only", narrowed_cap_reaches_its_functions_only },
	{ "bar_becomes_device_untyped", bar_becomes_device_untyped },
	{ "bar_moved_over_ram_is_refused", bar_moved_over_ram_is_refused },
};
const unsigned pci_ntests = sizeof(pci_tests) / sizeof(pci_tests[0]);
