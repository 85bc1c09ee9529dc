/*
 * The PCI manager (docs/pcimgr.md): for each NVMe physical function the
 * description gives it, enables the virtual functions it asks for and brings
 * each VF's secondary controller online through the PF's admin queue. One line
 * per step; every failure is a line that says what and a non-zero exit.
 */
#include "cap.h"
#include "core/pci_cfg.h"
#include "pcimgr.h"
#include "sriov.h"

#define WINDOW_CONFIG 0		/* page of the device window: the PF's config space */
#define WINDOW_VF_CONFIG 1	/* VF n's config space at page n */
#define WINDOW_BAR0 64		/* the first pages of the PF's BAR0 */
#define BAR0_PAGES 2		/* registers and the admin doorbells */
#define NVME_CLASS 0x010802	/* mass storage, non-volatile memory, NVM Express */
#define VF_ENABLE_MS 100	/* SR-IOV 1.1 3.3.3.1: wait before touching a new VF */


static volatile uint8_t *window(unsigned page)
{
	return (volatile uint8_t *)(uintptr_t)(COMPONENT_DEVICE_VA + page * 4096ull);
}

static long map(struct pf *p, uint32_t frame, unsigned page)
{
	return frame_map(frame, p->me->vspace_slot, COMPONENT_DEVICE_VA + page * 4096ull, CAP_WRITE);
}

static uint16_t cfg16(struct pf *p, unsigned off)
{
	return *(volatile uint16_t *)(p->cfg + off);
}

static uint32_t cfg32(volatile uint8_t *cfg, unsigned off)
{
	return *(volatile uint32_t *)(cfg + off);
}

void rid_str(char *buf, uint16_t rid)
{
	snprintf(buf, 8, "%02x:%02x.%x", rid >> 8, (rid >> 3) & 0x1F, rid & 7);
}

static void delay_ms(uint64_t ms)
{
	uint64_t end = tsc() + ms * TSC_PER_MS;

	while (tsc() < end)
		sys_yield(0, 0);
}

/* The PF's config page: an NVMe controller with SR-IOV offering enough VFs. */
static int find_pf(struct pf *p)
{
	static uint8_t copy[PCI_EXT_CFG_SIZE];
	const char *n = p->d->name;
	char at[8];
	long e;

	rid_str(at, p->d->bdf);
	if ((e = pci_get_config(p->d->pci_slot, p->d->bdf, p->next)) || (e = map(p, p->next, WINDOW_CONFIG))) {
		printf("pcimgr: %s: config space of %s: %s\n", n, at, err_str(e));
		return 2;
	}
	p->next++;
	p->cfg = window(WINDOW_CONFIG);
	for (unsigned i = 0; i < sizeof(copy); i += 4)
		*(uint32_t *)(copy + i) = cfg32(p->cfg, i);
	uint32_t id = cfg32(p->cfg, PCI_VENDOR), class = cfg32(p->cfg, 0x08) >> 8;
	if (class != NVME_CLASS) {
		printf("pcimgr: %s: %s (%04x:%04x) is not an NVMe controller: class %06x\n", n, at,
		       id & 0xFFFF, id >> 16, class);
		return 3;
	}
	p->sriov = pci_cfg_find_ext_cap(copy, PCI_EXT_CAP_SRIOV);
	if (!p->sriov || sriov_parse(copy, p->sriov, &p->s)) {
		printf("pcimgr: %s: %s has no usable SR-IOV capability\n", n, at);
		return 4;
	}
	printf("pcimgr: %s: PF %s %04x:%04x is an NVMe controller; SR-IOV at 0x%x: TotalVFs %u, VF device %04x\n",
	       n, at, id & 0xFFFF, id >> 16, p->sriov, p->s.total_vfs, p->s.vf_device);
	if (!p->d->sriov_vfs || p->d->sriov_vfs > p->s.total_vfs || p->d->sriov_vfs > MAX_VFS) {
		printf("pcimgr: %s: the description asks for %u VFs, the PF offers %u (at most %u here)\n", n,
		       p->d->sriov_vfs, p->s.total_vfs, MAX_VFS);
		return 5;
	}
	return 0;
}

/* NumVFs, then each VF's routing id (offset and stride are valid once NumVFs is set). */
static int set_num_vfs(struct pf *p)
{
	static uint8_t copy[PCI_EXT_CFG_SIZE];
	char list[MAX_VFS * 9] = "", one[8];

	p->vfs = p->d->sriov_vfs;
	*(volatile uint16_t *)(p->cfg + p->sriov + SRIOV_NUM_VFS) = (uint16_t)p->vfs;
	for (unsigned i = 0; i < sizeof(copy); i += 4)
		*(uint32_t *)(copy + i) = cfg32(p->cfg, i);
	if (cfg16(p, p->sriov + SRIOV_NUM_VFS) != p->vfs || sriov_parse(copy, p->sriov, &p->s)) {
		printf("pcimgr: %s: NumVFs = %u did not take\n", p->d->name, p->vfs);
		return 6;
	}
	for (unsigned n = 1; n <= p->vfs; n++) {
		uint16_t r;
		if (sriov_vf_rid(&p->s, p->d->bdf, n, p->vfs, &r) || r - p->d->bdf >= p->d->nfuncs) {
			printf("pcimgr: %s: VF %u lies outside the functions we were given\n", p->d->name, n);
			return 7;
		}
		p->vf_rid[n - 1] = r;
		rid_str(one, r);
		snprintf(list + strlen(list), sizeof(list) - strlen(list), " %s", one);
	}
	printf("pcimgr: %s: NumVFs = %u: VF offset %u, stride %u, VFs%s\n", p->d->name, p->vfs,
	       p->s.vf_offset, p->s.vf_stride, list);
	return 0;
}

/* The end of the PF's highest memory BAR (each sized by the kernel through PCI_GET_BAR). */
static uint64_t pf_bars_end(struct pf *p, uint64_t *bar0)
{
	uint64_t end = 0;

	for (unsigned i = 0; i < 6; i++) {
		struct bar_result b = pci_get_bar(p->d->pci_slot, p->d->bdf, i, p->next);
		if (b.err)
			continue;
		if (i == 0)
			*bar0 = b.base;
		if (b.base + (1ull << b.bits) > end)
			end = b.base + (1ull << b.bits);
		(void)cnode_delete(p->me->cnode_slot, p->next);
	}
	return end;
}

/*
 * VF BARs: sized with VF MSE off; one the firmware left at 0 is placed after the
 * PF's own BARs, inside the 1 MiB block that holds PF BAR0 (bridge windows are
 * 1 MiB-granular, so that block is inside the window the firmware gave the PF).
 */
static int vf_bars(struct pf *p)
{
	uint64_t bar0 = 0, next = pf_bars_end(p, &bar0);
	unsigned at = p->sriov + SRIOV_VF_BAR0;

	if (!bar0) {
		printf("pcimgr: %s: the PF's BAR0 has no address\n", p->d->name);
		return 8;
	}
	for (unsigned i = 0; i < 6; i++) {
		volatile uint32_t *r = (volatile uint32_t *)(p->cfg + at + 4 * i);
		uint32_t lo = r[0], hi = 0, size_lo, size_hi = 0;
		bool is64 = pci_bar_is64(lo) && i < 5;
		r[0] = 0xFFFFFFFFu;
		size_lo = r[0];
		r[0] = lo;
		if (is64) {
			hi = r[1];
			r[1] = 0xFFFFFFFFu;
			size_hi = r[1];
			r[1] = hi;
		}
		struct pci_bar b;
		if (pci_bar_decode(lo, hi, size_lo, size_hi, &b)) {
			i += is64;
			continue;	/* not implemented */
		}
		uint64_t total = b.size * p->vfs;
		if (!b.base) {
			b.base = (next + b.size - 1) & ~(b.size - 1);
			if ((b.base + total - 1) >> 20 != bar0 >> 20) {
				printf("pcimgr: %s: no room for VF BAR%u (%u x %llu KiB) beside the PF's BARs\n",
				       p->d->name, i, p->vfs, (unsigned long long)(b.size >> 10));
				return 9;
			}
			r[0] = (uint32_t)b.base | (lo & 0xF);
			if (is64)
				r[1] = (uint32_t)(b.base >> 32);
			next = b.base + total;
		}
		printf("pcimgr: %s: VF BAR%u: %llu KiB per VF at 0x%llx\n", p->d->name, i,
		       (unsigned long long)(b.size >> 10), (unsigned long long)b.base);
		i += is64;
	}
	return 0;
}

/* VF Enable and VF MSE; then each VF answers config reads with the VF device id. */
static int enable_vfs(struct pf *p)
{
	volatile uint16_t *ctrl = (volatile uint16_t *)(p->cfg + p->sriov + SRIOV_CTRL);

	*ctrl = (uint16_t)(*ctrl | SRIOV_CTRL_VFE | SRIOV_CTRL_MSE);
	delay_ms(VF_ENABLE_MS);
	if ((*ctrl & (SRIOV_CTRL_VFE | SRIOV_CTRL_MSE)) != (SRIOV_CTRL_VFE | SRIOV_CTRL_MSE)) {
		printf("pcimgr: %s: VF Enable / VF MSE did not stick (control 0x%x)\n", p->d->name, *ctrl);
		return 10;
	}
	printf("pcimgr: %s: VF Enable and VF MSE set\n", p->d->name);
	return 0;
}

/* The PF's BAR0, mapped, with memory decoding and bus mastering on. */
static int map_bar0(struct pf *p, volatile uint8_t **regs)
{
	struct bar_result b = pci_get_bar(p->d->pci_slot, p->d->bdf, 0, p->next);
	uint32_t ut = p->next++;
	long e = b.err;

	if (!e && (1ull << b.bits) < BAR0_PAGES * 4096ull)
		e = E_RANGE;
	if (!e)
		e = untyped_retype(ut, OBJ_FRAME_4K, 0, p->me->cnode_slot, p->next, BAR0_PAGES);
	for (unsigned i = 0; !e && i < BAR0_PAGES; i++)
		e = map(p, p->next + i, WINDOW_BAR0 + i);
	if (e) {
		printf("pcimgr: %s: mapping BAR0: %s\n", p->d->name, err_str(e));
		return 11;
	}
	p->next += BAR0_PAGES;
	*(volatile uint16_t *)(p->cfg + PCI_COMMAND) |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	*regs = window(WINDOW_BAR0);
	return 0;
}

/* The VFs of d are online: the root task hands them to their VMs (cap "<device>.online", if given). */
static void tell_online(const struct component_info *info, const struct component_device_info *d)
{
	char name[40];

	snprintf(name, sizeof(name), "%s.online", d->name);
	for (uint32_t k = 0; k < info->ncaps; k++)
		if (!strcmp(info->caps[k].name, name) && info->caps[k].slot) {
			long e = ipc_send(info->caps[k].slot, 0, 0, 0);
			printf("pcimgr: %s: told the root task that its VFs are online%s%s\n", d->name,
			       e ? ": " : "", e ? err_str(e) : "");
		}
}

int main(const struct component_info *info)
{
	if (info->magic != COMPONENT_INFO_MAGIC)
		return 99;
	if (info->heap_size < 3 * 4096) {
		printf("pcimgr: %s: the admin queues need 3 pages of heap\n", info->name);
		return 1;
	}
	if (!info->ndevices) {
		printf("pcimgr: %s owns no PCI device: nothing to do\n", info->name);
		return 1;
	}
	for (uint32_t i = 0; i < info->ndevices && i < COMPONENT_MAX_DEVICES; i++) {
		static struct pf p;
		volatile uint8_t *regs;
		int rc;
		p = (struct pf){ .me = info, .d = &info->devices[i], .next = info->free_slot };
		if ((rc = find_pf(&p)) || (rc = set_num_vfs(&p)) || (rc = vf_bars(&p)) ||
		    (rc = enable_vfs(&p)) || (rc = map_bar0(&p, &regs)) ||
		    (rc = pcimgr_bring_up(&p, regs, (uint8_t *)(uintptr_t)info->heap_va)))
			return rc;
		tell_online(info, p.d);
	}
	return 0;
}
