/*
 * Device interrupts are routed to the instance whose root task took the line
 * or the MSI vector: the handler cap names it, a bound notification receives
 * it, and nothing more is delivered until the driver acknowledges it, so a
 * level-triggered device cannot storm the core.
 */
#include "arch/x86_64/io.h"
#include "arch/x86_64/iommu.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/lapic.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/cspace.h"
#include "core/ipc.h"
#include "core/irq.h"
#include "core/machine.h"
#include "core/pci.h"
#include "obj/iospace.h"

/*
 * One interrupt source with a handler cap: an I/O APIC line or an MSI vector.
 * A line is masked in the I/O APIC between delivery and acknowledgement; an
 * MSI cannot be masked without touching the device, so the kernel holds back
 * a second one that arrives before the ack (or before a notification is bound)
 * and delivers it then: one signal per acknowledgement either way.
 */
struct source {
	bool taken;		/* a handler cap exists */
	bool held;		/* MSI: delivered, not yet acknowledged */
	bool pending;		/* MSI: arrived while held or unbound */
	struct cte ntfn;	/* the kernel's copy of the bound notification cap */
};

static struct source lines[IOAPIC_MAX_GSI];
static struct source msis[MSI_VECTORS];

/* Handler caps name a line by its GSI and an MSI by its vector: the two ranges never meet. */
_Static_assert(VEC_MSI_BASE >= VEC_IRQ_BASE + IOAPIC_MAX_GSI, "MSI vectors above device lines");

static bool is_msi(const struct cap *handler)
{
	return handler->flags & CAP_FLAG_MSI;
}

static struct source *source_of(const struct cap *handler)
{
	return is_msi(handler) ? &msis[handler->obj - VEC_MSI_BASE] : &lines[handler->obj];
}

/* The notification's badge, or the source's own bit: line n is bit n, MSI i is bit 32 + i. */
static void signal(const struct source *s, unsigned bit)
{
	struct cap c = s->ntfn.cap;

	if (!c.data)
		c.data = 1ull << bit;
	(void)ipc_send(NULL, &c, false, false);
}

err_t irq_decode_get(const struct cte *control, uint64_t gsi, const struct cte *dest)
{
	if (gsi < control->cap.obj || gsi - control->cap.obj >= control->cap.data ||
	    gsi >= ioapic_gsis())
		return E_RANGE;
	if (lines[gsi].taken)
		return E_BUSY;
	return dest->cap.type == OBJ_NULL ? E_OK : E_NOTEMPTY;
}

void irq_invoke_get(struct cte *control, unsigned gsi, struct cte *dest)
{
	lines[gsi].taken = true;
	dest->cap = (struct cap){ .type = OBJ_IRQ_HANDLER, .rights = CAP_ALL_RIGHTS, .obj = gsi };
	cspace_insert_child(control, dest);
	ioapic_route(gsi, machine.inst[instance_self()].apic_id, true);
}

/* The wanted vector's index (want 0: the lowest free one), or MSI_VECTORS if all are taken. */
static unsigned msi_free_index(uint64_t want)
{
	unsigned i = 0;

	if (want)
		return (unsigned)(want - VEC_MSI_BASE);
	while (i < MSI_VECTORS && msis[i].taken)
		i++;
	return i;
}

err_t irq_decode_get_msi(const struct cte *dest, uint64_t want)
{
	if (want && (want < VEC_MSI_BASE || want >= VEC_MSI_BASE + MSI_VECTORS))
		return E_RANGE;
	if (want && msis[want - VEC_MSI_BASE].taken)
		return E_BUSY;
	if (dest->cap.type != OBJ_NULL)
		return E_NOTEMPTY;
	return msi_free_index(want) < MSI_VECTORS ? E_OK : E_FULL;
}

void irq_invoke_get_msi(struct cte *control, struct cte *dest, uint64_t want, uint64_t *address,
			uint64_t *data)
{
	unsigned i = msi_free_index(want);
	uint8_t vector = (uint8_t)(VEC_MSI_BASE + i);

	msis[i] = (struct source){ .taken = true };
	dest->cap = (struct cap){ .type = OBJ_IRQ_HANDLER, .rights = CAP_ALL_RIGHTS,
				  .flags = CAP_FLAG_MSI, .obj = vector };
	cspace_insert_child(control, dest);
	/* With remapping the entry stays empty until SET_SOURCE names the one device allowed. */
	*address = iommu_intremap() ? iommu_msi_address(IOMMU_IRTE_MSI + i)
				    : lapic_msi_address(machine.inst[instance_self()].apic_id);
	*data = lapic_msi_data(vector);
}

err_t irq_decode_set_ntfn(const struct cte *ntfn)
{
	if (ntfn->cap.type != OBJ_NOTIFICATION)
		return E_WRONGTYPE;
	return ntfn->cap.rights & CAP_WRITE ? E_OK : E_RIGHTS;
}

/* MSI i arrived, or is let through: signal it unless one is still unacknowledged. */
static void msi_deliver(unsigned i)
{
	struct source *s = &msis[i];

	if (s->held || s->ntfn.cap.type != OBJ_NOTIFICATION) {
		s->pending = true;
		return;
	}
	s->held = true;
	signal(s, 32 + i);
}

/* An MSI source may signal again: deliver the one held back, if any. */
static void msi_release(unsigned i)
{
	struct source *s = &msis[i];

	s->held = false;
	if (s->pending) {
		s->pending = false;
		msi_deliver(i);
	}
}

void irq_invoke_set_ntfn(const struct cte *handler, struct cte *ntfn)
{
	struct source *s = source_of(&handler->cap);

	cspace_delete(&s->ntfn);
	s->ntfn.cap = ntfn->cap;
	cspace_insert_child(ntfn, &s->ntfn);
	if (is_msi(&handler->cap))
		msi_release((unsigned)handler->cap.obj - VEC_MSI_BASE);
	else
		ioapic_mask((unsigned)handler->cap.obj, false);
}

err_t irq_decode_set_source(const struct cte *handler, const struct cte *pci, uint64_t bdf)
{
	if (!is_msi(&handler->cap) || !iommu_intremap())
		return E_UNSUPP;
	return pci_decode_function(pci, bdf);
}

void irq_invoke_set_source(const struct cte *handler, uint16_t bdf)
{
	unsigned i = (unsigned)handler->cap.obj - VEC_MSI_BASE;

	iommu_irte_set(IOMMU_IRTE_MSI + i, machine.inst[instance_self()].apic_id,
		       (uint8_t)handler->cap.obj, false, bdf);
}

/*
 * Entries for other instances' vectors: instance t's vector 0xD0 + i is entry
 * IOMMU_IRTE_MSI + MSI_VECTORS * t + i, so each instance has a block of its own
 * and instance 0's handlers (block 0) are never touched by a route. A routed
 * entry belongs to its device's IOSpace: per entry, the device's bdf + 1 (0: free).
 */
static uint32_t routed[IOMMU_IRTE_COUNT];

err_t irq_decode_route_msi(const struct cte *pci, uint64_t bdf, uint64_t target, uint64_t vector)
{
	if (!iommu_intremap() || instance_self() != 0)
		return E_UNSUPP;
	if (target == 0 || target >= machine.ninst ||
	    IOMMU_IRTE_MSI + MSI_VECTORS * (target + 1) > IOMMU_IRTE_COUNT)
		return E_RANGE;
	if (vector < VEC_MSI_BASE || vector >= VEC_MSI_BASE + MSI_VECTORS)
		return E_RANGE;
	err_t e = pci_decode_function(pci, bdf);
	if (e)
		return e;
	/* The route lives as long as the device's IOSpace: without one it would never go. */
	if (!iospace_has_device((uint16_t)bdf))
		return E_NOENT;
	return routed[IOMMU_IRTE_MSI + MSI_VECTORS * target + vector - VEC_MSI_BASE] ? E_BUSY : E_OK;
}

void irq_invoke_route_msi(uint16_t bdf, unsigned target, uint8_t vector, uint64_t *address,
			  uint64_t *data)
{
	unsigned index = IOMMU_IRTE_MSI + MSI_VECTORS * target + vector - VEC_MSI_BASE;

	routed[index] = bdf + 1u;
	iommu_irte_set(index, machine.inst[target].apic_id, vector, false, bdf);
	*address = iommu_msi_address(index);
	*data = lapic_msi_data(vector);
}

void irq_routes_release(uint16_t bdf)
{
	unsigned n = 0;

	for (unsigned i = 0; i < IOMMU_IRTE_COUNT; i++) {
		if (routed[i] != bdf + 1u)
			continue;
		iommu_irte_clear(i);	/* not present, and the unit's cached copy invalidated */
		routed[i] = 0;
		n++;
	}
	if (n)
		kprintf("iommu: %02x:%02x.%x left its IOSpace: %u routed interrupt entr%s cleared\n", bdf >> 8,
			(bdf >> 3) & 0x1F, bdf & 7, n, n == 1 ? "y" : "ies");
}

void irq_invoke_ack(const struct cte *handler)
{
	if (source_of(&handler->cap)->ntfn.cap.type != OBJ_NOTIFICATION)
		return;
	if (is_msi(&handler->cap))
		msi_release((unsigned)handler->cap.obj - VEC_MSI_BASE);
	else
		ioapic_mask((unsigned)handler->cap.obj, false);
}

void irq_deliver(unsigned gsi)
{
	struct source *s = &lines[gsi];

	ioapic_mask(gsi, true);
	if (s->ntfn.cap.type != OBJ_NOTIFICATION)
		return;	/* nobody listens (the binding was revoked): it stays masked */
	signal(s, gsi);
}

void irq_deliver_msi(unsigned vector)
{
	static unsigned unclaimed;	/* this instance's, like msis */

	if (msis[vector - VEC_MSI_BASE].taken)
		msi_deliver(vector - VEC_MSI_BASE);
	else if (unclaimed++ < 8)	/* a device may still use a freed vector: said, not flooded */
		kprintf("atoll: instance %d: MSI vector 0x%x arrived with no handler; dropped\n", instance_self(),
			vector);
}

err_t irq_debug_raise(const struct cap *handler)
{
	if (handler->type != OBJ_IRQ_HANDLER || !is_msi(handler))
		return E_WRONGTYPE;
	return lapic_send_self((uint8_t)handler->obj) ? E_OK : E_BUSY;
}

void irq_finalise(const struct cap *handler)
{
	struct source *s = source_of(handler);

	if (!is_msi(handler))
		ioapic_mask((unsigned)handler->obj, true);
	else if (iommu_intremap())
		iommu_irte_clear(IOMMU_IRTE_MSI + (unsigned)handler->obj - VEC_MSI_BASE);
	cspace_delete(&s->ntfn);
	*s = (struct source){ .taken = false };
}

err_t io_port_decode(const struct cap *cap, uint64_t port, uint64_t width)
{
	if (width != 1 && width != 2 && width != 4)
		return E_INVAL;
	if (port < cap->obj || port + width > cap->obj + cap->data)
		return E_RANGE;
	return E_OK;
}

uint32_t io_port_invoke_in(unsigned port, unsigned width)
{
	return width == 1 ? inb((uint16_t)port) : width == 2 ? inw((uint16_t)port) : inl((uint16_t)port);
}

void io_port_invoke_out(unsigned port, unsigned width, uint32_t value)
{
	if (width == 1)
		outb((uint16_t)port, (uint8_t)value);
	else if (width == 2)
		outw((uint16_t)port, (uint16_t)value);
	else
		outl((uint16_t)port, value);
}
