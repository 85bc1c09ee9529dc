/* IOSpaces: DMA domains built from I/O page-table and frame objects, one device each. */
#include "arch/x86_64/iommu.h"
#include "arch/x86_64/vspace.h"
#include "core/console.h"
#include "core/cspace.h"
#include "core/ipc.h"
#include "core/irq.h"
#include "core/numbering.h"
#include "core/pci.h"
#include "obj/gspace.h"
#include "obj/iospace.h"

/*
 * A mapped cap records where its entry is: cap.data = iova, guard_bits =
 * IOSPACE_TAG | number, size_bits = the number's generation, as for guest
 * spaces (gspace.c); the tag stays clear of their tag and of host numbers.
 */
#define IOSPACE_TAG 0x40u
_Static_assert(VSPACE_MAX <= IOSPACE_TAG && IOSPACE_TAG + IOSPACE_MAX <= 0x80u,
	       "tags do not collide with host or guest space numbers");

struct space {
	paddr_t root;		/* 0: number free */
	int32_t bdf;		/* the assigned device, -1 if none */
	bool disabled;		/* cut off after too many faults */
	uint32_t faults;	/* since assignment */
	uint32_t unread;	/* since the last IOSPACE_GET_FAULT */
	struct iommu_fault last;
	struct cte ntfn;	/* the kernel's copy of the bound notification cap */
};

static struct space spaces[IOSPACE_MAX];
static uint8_t generation[IOSPACE_MAX];
static unsigned unowned_reports;

static int number_of(paddr_t root, bool assign)
{
	bool fresh;
	int i = numbering_lookup(&spaces[0].root, sizeof(spaces[0]), IOSPACE_MAX, root, assign,
				 &fresh);

	if (fresh)
		spaces[i] = (struct space){ .root = root, .bdf = -1 };
	return i;
}

static uint16_t domain_of(int number)
{
	return (uint16_t)(number + 1);	/* domain 0 is left alone: some units reserve it (caching mode) */
}

static bool is_frame(const struct cap *cap)
{
	return cap->type == OBJ_FRAME_4K || cap->type == OBJ_FRAME_2M;
}

/* The level of the table entry that points at cap's object (iommu.h). */
static unsigned entry_level(const struct cap *cap)
{
	switch (cap->type) {
	case OBJ_PDPT:
		return 3;
	case OBJ_PD:
		return 2;
	case OBJ_PT:
	case OBJ_FRAME_2M:
		return 1;
	default:
		return 0;
	}
}

err_t iospace_decode_map(const struct cap *cap, paddr_t root, uint64_t iova, uint64_t rights)
{
	if (!iommu_ready())
		return E_UNSUPP;
	if (cap->flags & CAP_FLAG_MAPPED)
		return E_BUSY;	/* one mapping per cap: copy it to map again */
	if (number_of(root, false) < 0)
		return E_FULL;
	if (is_frame(cap) && (rights & CAP_WRITE) && !(cap->rights & CAP_WRITE))
		return E_RIGHTS;
	return iommu_pt_check(root, iova, entry_level(cap), is_frame(cap));
}

void iospace_invoke_map(struct cap *cap, paddr_t root, uint64_t iova, uint64_t rights)
{
	int n = number_of(root, true);

	if (is_frame(cap))
		iommu_pt_map_frame(root, iova, entry_level(cap), cap->obj, rights & CAP_WRITE);
	else
		iommu_pt_map_table(root, iova, entry_level(cap), cap->obj);
	cap->flags |= CAP_FLAG_MAPPED;
	cap->data = iova;
	cap->guard_bits = (uint8_t)(IOSPACE_TAG | (unsigned)n);
	cap->size_bits = generation[n];
}

bool iospace_owns_mapping(const struct cap *cap)
{
	return (cap->flags & CAP_FLAG_MAPPED) && (cap->guard_bits & 0xC0u) == IOSPACE_TAG;
}

void iospace_cap_deleted(const struct cap *cap)
{
	unsigned n = cap->guard_bits & ~IOSPACE_TAG;

	if (!iospace_owns_mapping(cap) || n >= IOSPACE_MAX || !spaces[n].root ||
	    generation[n] != cap->size_bits)
		return;	/* never mapped, or its IOSpace is gone (perhaps reused) */
	/* The frame may be reused as soon as this returns: no cached translation may survive. */
	if (iommu_pt_unmap(spaces[n].root, cap->data, entry_level(cap), cap->obj))
		iommu_flush(domain_of((int)n));
}

err_t iospace_decode_assign(paddr_t root, const struct cte *pci, uint64_t bdf)
{
	if (!iommu_ready())
		return E_UNSUPP;
	err_t e = pci_decode_function(pci, bdf);
	if (e)
		return e;
	int n = number_of(root, false);
	if (n < 0)
		return E_FULL;
	if (n < IOSPACE_MAX && spaces[n].bdf >= 0)
		return E_BUSY;
	for (int i = 0; i < IOSPACE_MAX; i++)
		if (spaces[i].root && spaces[i].bdf == (int32_t)bdf)
			return E_BUSY;
	return E_OK;
}

bool iospace_has_device(uint16_t bdf)
{
	for (int i = 0; i < IOSPACE_MAX; i++)
		if (spaces[i].root && spaces[i].bdf == (int32_t)bdf)
			return true;
	return false;
}

void iospace_invoke_assign(paddr_t root, uint16_t bdf)
{
	int n = number_of(root, true);

	spaces[n].bdf = bdf;
	iommu_attach(bdf, root, domain_of(n));
}

err_t iospace_decode_bind(paddr_t root, const struct cte *ntfn)
{
	if (ntfn->cap.type != OBJ_NOTIFICATION)
		return E_WRONGTYPE;
	if (!(ntfn->cap.rights & CAP_WRITE))
		return E_RIGHTS;
	return number_of(root, false) < 0 ? E_FULL : E_OK;
}

void iospace_invoke_bind(paddr_t root, struct cte *ntfn)
{
	struct space *s = &spaces[number_of(root, true)];

	cspace_delete(&s->ntfn);
	s->ntfn.cap = ntfn->cap;
	cspace_insert_child(ntfn, &s->ntfn);
}

err_t iospace_get_fault(paddr_t root, uint64_t *address, uint64_t *info)
{
	int n = number_of(root, false);

	if (n < 0 || n == IOSPACE_MAX || !spaces[n].unread)
		return E_AGAIN;
	struct space *s = &spaces[n];
	*address = s->last.address;
	*info = IOSPACE_FAULT_INFO(s->last.reason, s->last.write, s->disabled, s->last.bdf, s->unread);
	s->unread = 0;
	return E_OK;
}

void iospace_release(paddr_t root)
{
	int n = number_of(root, false);

	if (n < 0 || n == IOSPACE_MAX)
		return;	/* never used */
	struct space *s = &spaces[n];
	if (s->bdf >= 0 && !s->disabled)
		iommu_detach((uint16_t)s->bdf, domain_of(n));
	if (s->bdf >= 0)	/* its interrupts go with its DMA */
		irq_routes_release((uint16_t)s->bdf);
	cspace_delete(&s->ntfn);
	*s = (struct space){ .root = 0, .bdf = -1 };
	generation[n]++;	/* mappings made in it are now stale */
}

static void print_fault(const struct iommu_fault *f, const char *whose, int n)
{
	kprintf("iommu: DMA fault: %02x:%02x.%x %s at 0x%llx, reason %u, %s",
		f->bdf >> 8, (f->bdf >> 3) & 0x1F, f->bdf & 7, f->write ? "write" : "read",
		(unsigned long long)f->address, f->reason, whose);
	if (n >= 0)
		kprintf(" %d\n", n);
	else
		kprintf("\n");
}

/* Too many faults: the device loses its context entry and bus mastering (docs/iommu.md). */
static void cut_off(struct space *s, int n)
{
	s->disabled = true;
	iommu_detach((uint16_t)s->bdf, domain_of(n));
	volatile uint8_t *cfg = pci_cfg((uint16_t)s->bdf);
	if (cfg)
		*(volatile uint16_t *)(cfg + PCI_COMMAND) &= (uint16_t)~PCI_COMMAND_MASTER;
	kprintf("iommu: %02x:%02x.%x disabled after %u DMA faults\n", s->bdf >> 8,
		(s->bdf >> 3) & 0x1F, s->bdf & 7, s->faults);
}

void iospace_fault(const struct iommu_fault *f)
{
	static unsigned interrupt_reports;
	int n = 0;

	if (f->interrupt) {
		/* A blocked interrupt message: not a DMA fault, so no IOSpace counts it. */
		if (interrupt_reports < IOSPACE_FAULT_LIMIT && ++interrupt_reports)
			kprintf("iommu: interrupt blocked: %02x:%02x.%x entry %u, reason 0x%x\n",
				f->bdf >> 8, (f->bdf >> 3) & 0x1F, f->bdf & 7, f->index, f->reason);
		return;
	}

	while (n < IOSPACE_MAX && !(spaces[n].root && spaces[n].bdf == f->bdf))
		n++;
	if (n == IOSPACE_MAX) {
		/* A device nobody was given: blocked by default; say so, but never flood the console. */
		if (unowned_reports < IOSPACE_FAULT_LIMIT && ++unowned_reports)
			print_fault(f, "device without an IOSpace", -1);
		return;
	}
	struct space *s = &spaces[n];
	s->last = *f;
	s->faults++;
	s->unread++;
	if (s->faults <= IOSPACE_FAULT_LIMIT)
		print_fault(f, "IOSpace", n);
	if (s->ntfn.cap.type == OBJ_NOTIFICATION) {
		struct cap c = s->ntfn.cap;
		if (!c.data)
			c.data = 1;
		(void)ipc_send(NULL, &c, false, false);
	}
	if (s->faults >= IOSPACE_FAULT_LIMIT && !s->disabled)
		cut_off(s, n);
}
