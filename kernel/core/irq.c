/*
 * Device interrupts are routed to the instance whose root task took the line:
 * the handler cap names the line, a bound notification receives it, and the
 * line stays masked from delivery until the driver acknowledges it, so a
 * level-triggered device cannot storm the core.
 */
#include "arch/x86_64/io.h"
#include "arch/x86_64/ioapic.h"
#include "core/arch.h"
#include "core/cspace.h"
#include "core/ipc.h"
#include "core/irq.h"
#include "core/machine.h"

struct line {
	bool taken;		/* a handler cap exists */
	struct cte ntfn;	/* the kernel's copy of the bound notification cap */
};

static struct line lines[IOAPIC_MAX_GSI];

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

err_t irq_decode_set_ntfn(const struct cte *ntfn)
{
	if (ntfn->cap.type != OBJ_NOTIFICATION)
		return E_WRONGTYPE;
	return ntfn->cap.rights & CAP_WRITE ? E_OK : E_RIGHTS;
}

void irq_invoke_set_ntfn(const struct cte *handler, struct cte *ntfn)
{
	struct line *l = &lines[handler->cap.obj];

	cspace_delete(&l->ntfn);
	l->ntfn.cap = ntfn->cap;
	cspace_insert_child(ntfn, &l->ntfn);
	ioapic_mask((unsigned)handler->cap.obj, false);
}

void irq_invoke_ack(const struct cte *handler)
{
	if (lines[handler->cap.obj].ntfn.cap.type == OBJ_NOTIFICATION)
		ioapic_mask((unsigned)handler->cap.obj, false);
}

void irq_deliver(unsigned gsi)
{
	struct line *l = &lines[gsi];

	ioapic_mask(gsi, true);
	if (l->ntfn.cap.type != OBJ_NOTIFICATION)
		return;	/* nobody listens (the binding was revoked): it stays masked */
	struct cap c = l->ntfn.cap;
	if (!c.data)
		c.data = 1ull << gsi;
	(void)ipc_send(NULL, &c, false, false);
}

void irq_finalise(const struct cap *handler)
{
	struct line *l = &lines[handler->obj];

	ioapic_mask((unsigned)handler->obj, true);
	cspace_delete(&l->ntfn);
	l->taken = false;
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
