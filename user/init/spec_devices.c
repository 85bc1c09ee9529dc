/*
 * Handing PCI devices to their owners at boot (docs/pcimgr.md): instance 0's root
 * task narrows its PCI capability to each device's functions, makes an IOSpace
 * for the device with the owner's heap in it at IOVA = VA, and gives both, with
 * the owner's own CNode and VSpace, to the owner.
 */
#include "abi/spec.h"
#include "atoll.h"
#include "cap.h"
#include "core/pci_cfg.h"
#include "kstring.h"
#include "spec_devices.h"
#include "sriov.h"

#define PEEK_VA 0x5FE000ull	/* beside spec.c's scratch page, in the page table of our image */

struct give {
	const struct bootinfo *bi;
	const struct spec_header *h;
	const struct spec_component *c;
	const char *strings;
	uint32_t *next;
	uint32_t two_level;
	uint32_t cnode;		/* our slot of the component's CNode */
	uint32_t dest;		/* next slot of the component's CNode we fill */
	uint64_t pd_at, pt_at;	/* the GiB and the 2 MiB whose I/O tables are in place */
};

static const char *str(const struct spec_header *h, uint32_t off)
{
	return off < h->strings_size ? (const char *)h + h->strings_off + off : "?";
}

static const struct spec_device *devices(const uint8_t *blob)
{
	return (const struct spec_device *)(blob + ((const struct spec_header *)blob)->devices_off);
}

static bool is_pci(const struct spec_device *d)
{
	return d->kind == SPEC_DEV_PCI || d->kind == SPEC_DEV_VF;
}

void spec_devices_note(const struct bootinfo *bi, const uint8_t *blob)
{
	const struct spec_header *h = (const struct spec_header *)blob;
	const struct spec_vm *vms = (const struct spec_vm *)(blob + h->vms_off);
	const struct spec_component *comps = (const struct spec_component *)(blob + h->components_off);

	for (uint32_t i = 0; i < h->ndevices; i++) {
		const struct spec_device *d = &devices(blob)[i];
		uint32_t k = d->owner & ~SPEC_VM_OWNER;
		if (d->owner == SPEC_NO_OWNER)
			continue;
		if (d->owner & SPEC_VM_OWNER) {
			/* A VF comes at run time (spec_vfs.c); other devices are not passed through yet. */
			if (k < h->nvms && vms[k].cores[0] == bi->instance && d->kind != SPEC_DEV_VF)
				printf("instance %u: device %s not handed out: VMs get VFs only (issue #6)\n",
				       bi->instance, str(h, d->name));
		} else if (k < h->ncomponents && comps[k].core == bi->instance && !is_pci(d)) {
			printf("instance %u: device %s not handed out: platform devices are not handed out yet (issue #6)\n",
			       bi->instance, str(h, d->name));
		}
	}
}

long spec_make_object(const struct bootinfo *bi, uint32_t *next, unsigned type, uint32_t *out)
{
	long e = E_NOMEM;

	for (unsigned i = 0; i < bi->untyped_count && e; i++)
		e = untyped_retype(bi->untyped_first + i, type, 0, CAP_INIT_CNODE, *next, 1);
	if (!e)
		*out = (*next)++;
	return e;
}

static long make(struct give *g, unsigned type, uint32_t *out)
{
	return spec_make_object(g->bi, g->next, type, out);
}

/* Moves our cap in `from` into the component's next free slot; returns that slot in *slot. */
static long hand_over(struct give *g, uint32_t from, uint32_t *slot)
{
	unsigned radix = g->bi->cnode_radix;
	uint64_t dest = (uint64_t)g->cnode << COMPONENT_CNODE_RADIX | g->dest;
	long e;

	if (g->dest >= (1u << COMPONENT_CNODE_RADIX))
		return E_FULL;
	e = atoll_call(g->two_level, INV_CNODE_MOVE, dest, from,
		       CNODE_ARGS(0, 0, radix + COMPONENT_CNODE_RADIX, radix), 0).err;
	if (!e)
		*slot = g->dest++;
	return e;
}

/*
 * Maps frame cap f into IOSpace io at iova (rising from one call to the next),
 * adding the I/O page tables it needs: the IOSpace is the top level, so below it
 * a PDPT (4-level units only), a PD per GiB and a PT per 2 MiB.
 */
static long io_map(struct give *g, uint32_t io, uint32_t f, uint64_t iova)
{
	uint32_t t;
	long e;

	if (g->pd_at != iova >> 30) {
		if (g->bi->iommu_levels == 4 && g->pd_at == ~0ull &&
		    ((e = make(g, OBJ_PDPT, &t)) || (e = page_table_map(t, io, iova))))
			return e;
		if ((e = make(g, OBJ_PD, &t)) || (e = page_table_map(t, io, iova)))
			return e;
		g->pd_at = iova >> 30;
	}
	if (g->pt_at != iova >> 21) {
		if ((e = make(g, OBJ_PT, &t)) || (e = page_table_map(t, io, iova)))
			return e;
		g->pt_at = iova >> 21;
	}
	return frame_map(f, io, iova, CAP_WRITE);
}

/* The functions a device's cap covers: the PF and, for SR-IOV, up to its last VF. */
static long functions(struct give *g, const struct spec_device *d, uint16_t bdf, uint16_t *n)
{
	static uint8_t cfg[PCI_EXT_CFG_SIZE];
	uint32_t page = (*g->next)++;
	long e = pci_get_config(CAP_INIT_PCI, bdf, page);

	if (!e && !(e = frame_map(page, CAP_INIT_VSPACE, PEEK_VA, 0))) {
		memcpy(cfg, (const void *)(uintptr_t)PEEK_VA, sizeof(cfg));
		e = frame_unmap(page);
	}
	(void)cnode_delete(CAP_INIT_CNODE, page);
	if (e)
		return e;
	*n = 1;
	unsigned at = pci_cfg_find_ext_cap(cfg, PCI_EXT_CAP_SRIOV);
	struct sriov_info s;
	uint16_t last;
	/* No SR-IOV here: the PF alone, and its driver says what is missing. */
	if (!d->sriov_vfs || !at || sriov_parse(cfg, at, &s))
		return E_OK;
	/* Offset and stride as the PF reports them now (QEMU's do not depend on NumVFs). */
	unsigned vfs = d->sriov_vfs < s.total_vfs ? d->sriov_vfs : s.total_vfs;
	if (sriov_vf_rid(&s, bdf, vfs, vfs, &last))
		return E_RANGE;
	*n = (uint16_t)(last - bdf + 1);
	return E_OK;
}

/* The PCI cap and the IOSpace of one device, into the component's CNode. */
static long give_device(struct give *g, const uint8_t *blob, const uint32_t *slot,
			const struct spec_device *d, struct component_device_info *out)
{
	uint16_t bdf = (uint16_t)(d->bus << 8 | d->dev << 3 | d->fn), n;
	uint32_t pci = 0, io = 0;
	long e;

	if (d->kind != SPEC_DEV_PCI || (d->flags & SPEC_DEV_BY_ID))
		return E_UNSUPP;	/* VFs and devices found by id: not yet */
	if ((e = functions(g, d, bdf, &n)))
		return e;
	pci = (*g->next)++;
	if ((e = pci_narrow(CAP_INIT_PCI, bdf, n, pci)) || (e = make(g, OBJ_IOSPACE, &io)) ||
	    (e = iospace_assign(io, CAP_INIT_PCI, bdf)))
		return e;
	g->pd_at = g->pt_at = ~0ull;
	/* The owner's heap, at IOVA = VA: the device may read and write it. */
	const struct spec_map *maps = (const struct spec_map *)(blob + g->h->maps_off);
	const struct spec_object *objs = (const struct spec_object *)(blob + g->h->objects_off);
	for (uint32_t i = g->c->first_map; i < g->c->first_map + g->c->nmaps; i++) {
		const struct spec_map *m = &maps[i];
		if (m->vaddr < g->c->heap_va || m->vaddr >= g->c->heap_va + g->c->heap_size ||
		    objs[m->object].type != OBJ_FRAME_4K)
			continue;	/* not a heap frame (the heap's page tables are listed too) */
		uint32_t copy = (*g->next)++;
		if ((e = cnode_copy(CAP_INIT_CNODE, copy, slot[m->object], CAP_ALL_RIGHTS)) ||
		    (e = io_map(g, io, copy, m->vaddr)))
			return e;
	}
	snprintf(out->name, sizeof(out->name), "%s", str(g->h, d->name));
	out->bdf = bdf;
	out->nfuncs = n;
	out->sriov_vfs = d->sriov_vfs;
	if ((e = hand_over(g, pci, &out->pci_slot)) || (e = hand_over(g, io, &out->iospace_slot)))
		return e;
	printf("instance %u: device %s (%02x:%02x.%x, %u functions) given to %s: PCI cap, IOSpace with %llu KiB of heap at IOVA = VA\n",
	       g->bi->instance, out->name, d->bus, d->dev, d->fn, n, str(g->h, g->c->name),
	       (unsigned long long)(g->c->heap_size >> 10));
	return E_OK;
}

/* Page tables for the component's device window; its own CNode and VSpace caps. */
static long give_spaces(struct give *g, uint32_t space, uint32_t vspace, struct component_info *tail)
{
	static const unsigned levels[] = { OBJ_PDPT, OBJ_PD, OBJ_PT };
	uint32_t copy = (*g->next)++;
	long e;

	for (unsigned l = 0; l < 3; l++) {
		uint32_t t;
		if ((e = make(g, levels[l], &t)) || (e = page_table_map(t, vspace, COMPONENT_DEVICE_VA)))
			return e;
	}
	if ((e = cnode_copy(CAP_INIT_CNODE, copy, space, CAP_ALL_RIGHTS)) ||
	    (e = hand_over(g, copy, &tail->cnode_slot)))
		return e;
	copy = (*g->next)++;
	if ((e = cnode_copy(CAP_INIT_CNODE, copy, vspace, CAP_ALL_RIGHTS)) ||
	    (e = hand_over(g, copy, &tail->vspace_slot)))
		return e;
	return E_OK;
}

/* Writes the device part of the info page (everything from `ndevices` on). */
static long write_tail(struct give *g, uint32_t info, const struct component_info *tail)
{
	const size_t at = __builtin_offsetof(struct component_info, ndevices);
	uint32_t copy = (*g->next)++;
	long e = cnode_copy(CAP_INIT_CNODE, copy, info, CAP_ALL_RIGHTS);

	if (!e && !(e = frame_map(copy, CAP_INIT_VSPACE, PEEK_VA, CAP_WRITE))) {
		memcpy((uint8_t *)(uintptr_t)PEEK_VA + at, (const uint8_t *)tail + at, sizeof(*tail) - at);
		e = frame_unmap(copy);
	}
	(void)cnode_delete(CAP_INIT_CNODE, copy);
	return e;
}

long spec_devices_give(const struct bootinfo *bi, const uint8_t *blob, const uint32_t *slot,
		       uint32_t *next, uint32_t two_level, uint32_t index, uint32_t space)
{
	const struct spec_header *h = (const struct spec_header *)blob;
	const struct spec_component *c = (const struct spec_component *)(blob + h->components_off) + index;
	const struct spec_cap *caps = (const struct spec_cap *)(blob + h->caps_off);
	struct give g = { .bi = bi, .h = h, .c = c, .next = next, .two_level = two_level,
			  .cnode = slot[c->cnode], .dest = 1 };
	static struct component_info tail;
	unsigned owned = 0;
	long e = E_OK;

	for (uint32_t i = 0; i < h->ndevices; i++)
		owned += devices(blob)[i].owner == index && is_pci(&devices(blob)[i]);
	if (!owned)
		return E_OK;
	if (!bi->pci_count || !bi->iommu_levels) {
		/* Without an IOMMU a bus-mastering device reaches all memory: refuse. */
		printf("instance %u: spec: %s owns PCI devices, but this instance has %s\n", bi->instance,
		       str(h, c->name), bi->pci_count ? "no IOMMU to confine their DMA" : "no PCI capability");
		return E_UNSUPP;
	}
	for (uint32_t k = 0; k < c->ncaps; k++)
		if (caps[c->first_cap + k].slot >= g.dest)
			g.dest = caps[c->first_cap + k].slot + 1;
	memset(&tail, 0, sizeof(tail));
	if ((e = give_spaces(&g, space, slot[c->vspace], &tail)))
		goto out;
	for (uint32_t i = 0; i < h->ndevices && !e; i++) {
		const struct spec_device *d = &devices(blob)[i];
		if (d->owner != index || !is_pci(d))
			continue;
		if (tail.ndevices == COMPONENT_MAX_DEVICES)
			e = E_FULL;
		else if ((e = give_device(&g, blob, slot, d, &tail.devices[tail.ndevices])) == E_OK)
			tail.ndevices++;
		else
			printf("instance %u: spec: device %s for %s: %s%s\n", bi->instance, str(h, d->name),
			       str(h, c->name), err_str(e),
			       e == E_UNSUPP ? " (only PFs given as \"bb:dd.f\" are handed out yet)" : "");
	}
	tail.free_slot = g.dest;
	if (!e)
		e = write_tail(&g, slot[c->info], &tail);
out:
	if (e)
		printf("instance %u: spec: devices of %s not handed out: %s\n", bi->instance,
		       str(h, c->name), err_str(e));
	return e;
}
