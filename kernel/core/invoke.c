/* SYS_CALL on kernel objects: look up, decode every argument, then perform. */
#include "abi/invocations.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/invoke.h"
#include "kstring.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/vspace.h"
#include "core/ipc.h"
#include "core/irq.h"
#include "core/pci.h"
#include "core/sched.h"
#include "core/xsignal.h"
#include "obj/cnode.h"
#include "arch/x86_64/iommu.h"
#include "obj/gspace.h"
#include "obj/iospace.h"
#include "obj/tcb.h"
#include "obj/untyped.h"
#include "obj/vcpu.h"

/* The root task's CSpace root: the original cap, parent of the copy in CAP_INIT_CNODE. */
static struct cte cspace_root;
static struct cte *retype_dest[RETYPE_MAX_OBJECTS];

/* The CSpace the running thread names caps in: its own, or its root task's. */
static const struct cap *current_root(void)
{
	return invoke_cspace_of(sched_current);
}

struct call {
	uint64_t mr[4];
	unsigned arg;		/* which argument an error is about */
	unsigned bits_left;
	uint64_t value;		/* results for rdx and r8 on success */
	uint64_t value2;
	uint64_t value3;	/* ... and for r10 and r9 */
	uint64_t value4;
};

static err_t fail(struct call *c, unsigned arg, err_t e)
{
	c->arg = arg;
	return e;
}

static err_t lookup(struct call *c, const struct cap *root, uint64_t cptr, unsigned depth,
		    unsigned arg, struct cte **out)
{
	err_t e = cspace_lookup(root, cptr, depth ? depth : 64, out, &c->bits_left);

	return e ? fail(c, arg, e) : E_OK;
}

/* Which argument a CNode decode error is about. */
static unsigned cnode_blame(err_t e)
{
	switch (e) {
	case E_EMPTY:
	case E_REVOKE:
		return ARG_MR(1);
	case E_NOTEMPTY:
		return ARG_MR(0);
	default:
		return ARG_MR(3);	/* badge or guard */
	}
}

static err_t cnode_call(struct call *c, struct cte *node, unsigned label)
{
	struct cte *dst, *src = NULL;
	unsigned rights = c->mr[2] & 0xFF, gbits = (c->mr[2] >> 8) & 0xFF;
	unsigned ddepth = (c->mr[2] >> 16) & 0xFF, sdepth = (c->mr[2] >> 24) & 0xFF;
	uint64_t badge = c->mr[3];
	bool two = label != INV_CNODE_DELETE && label != INV_CNODE_REVOKE;
	err_t e;

	if (!(node->cap.rights & CAP_WRITE))
		return fail(c, ARG_CAP, E_RIGHTS);
	if ((e = lookup(c, &node->cap, c->mr[0], ddepth, ARG_MR(0), &dst)))
		return e;
	if (two && (e = lookup(c, &node->cap, c->mr[1], sdepth, ARG_MR(1), &src)))
		return e;
	switch (label) {
	case INV_CNODE_COPY:
		if ((e = cnode_decode_copy(src, dst)))
			return fail(c, cnode_blame(e), e);
		cnode_invoke_copy(src, dst, (uint8_t)rights);
		return E_OK;
	case INV_CNODE_MINT:
		if ((e = cnode_decode_mint(src, dst, badge, gbits)))
			return fail(c, cnode_blame(e), e);
		cnode_invoke_mint(src, dst, (uint8_t)rights, badge, gbits);
		return E_OK;
	case INV_CNODE_MOVE:
		if ((e = cnode_decode_move(src, dst)))
			return fail(c, cnode_blame(e), e);
		cnode_invoke_move(src, dst);
		return E_OK;
	case INV_CNODE_MUTATE:
		if ((e = cnode_decode_mutate(src, dst, badge, gbits)))
			return fail(c, cnode_blame(e), e);
		cnode_invoke_mutate(src, dst, badge, gbits);
		return E_OK;
	case INV_CNODE_DELETE:
		cnode_invoke_delete(dst);
		return E_OK;
	case INV_CNODE_REVOKE:
		cnode_invoke_revoke(dst);
		return E_OK;
	default:
		break;	/* a label of another object type: reported below */
	}
	return fail(c, ARG_CAP, E_INVAL);
}

static err_t untyped_call(struct call *c, struct cte *ut)
{
	unsigned type = c->mr[0] & 0xFF, size_bits = (c->mr[0] >> 8) & 0xFF;
	uint64_t offset = c->mr[2], n = c->mr[3];
	struct cte *node;
	struct retype r;
	err_t e;

	if (!(ut->cap.rights & CAP_WRITE))
		return fail(c, ARG_CAP, E_RIGHTS);
	if ((e = lookup(c, current_root(), c->mr[1], 64, ARG_MR(1), &node)))
		return e;
	if (node->cap.type != OBJ_CNODE)
		return fail(c, ARG_MR(1), node->cap.type == OBJ_NULL ? E_EMPTY : E_WRONGTYPE);
	if (!(node->cap.rights & CAP_WRITE))
		return fail(c, ARG_MR(1), E_RIGHTS);
	if (n == 0 || n > RETYPE_MAX_OBJECTS)
		return fail(c, ARG_MR(3), E_RANGE);
	/* Where the CPU cannot run guests, their objects are refused outright (docs/vcpu.md). */
	if ((type == OBJ_VCPU || type == OBJ_GUEST_SPACE) && !virt_ready())
		return fail(c, ARG_MR(0), E_UNSUPP);
	uint64_t slots = 1ull << node->cap.size_bits;
	if (offset >= slots || n > slots - offset)
		return fail(c, ARG_MR(2), E_RANGE);
	for (unsigned i = 0; i < n; i++)
		retype_dest[i] = &cspace_slots(&node->cap)[offset + i];
	e = untyped_decode_retype(ut, type, size_bits, retype_dest, (unsigned)n, &r);
	switch (e) {
	case E_OK:
		untyped_invoke_retype(ut, &r, retype_dest, (unsigned)n);
		for (unsigned i = 0; i < n && type == OBJ_VCPU; i++)
			vcpu_init(retype_dest[i]->cap.obj);
		return E_OK;
	case E_WRONGTYPE:
	case E_RIGHTS:		/* a copy of an untyped: only the original retypes */
		return fail(c, ARG_CAP, e);
	case E_NOTEMPTY:
		return fail(c, ARG_MR(2), e);
	case E_NOMEM:
		return fail(c, ARG_MR(3), e);
	default:
		return fail(c, ARG_MR(0), e);	/* type or size */
	}
}

static err_t tcb_call(struct call *c, struct cte *slot, unsigned label)
{
	struct tcb *t = kobj_ptr(slot->cap.obj);
	err_t e;

	if (!(slot->cap.rights & CAP_WRITE))
		return fail(c, ARG_CAP, E_RIGHTS);
	switch (label) {
	case INV_TCB_WRITE_REGISTERS:
		if ((e = tcb_decode_write_registers(t, c->mr[0], c->mr[1])))
			return fail(c, ARG_MR(0), e);
		tcb_invoke_write_registers(t, c->mr[0], c->mr[1], c->mr[2]);
		return E_OK;
	case INV_TCB_SET_PRIORITY:
		if ((e = tcb_decode_set_priority(sched_current, c->mr[0])))
			return fail(c, ARG_MR(0), e);
		tcb_invoke_set_priority(t, (unsigned)c->mr[0]);
		return E_OK;
	case INV_TCB_RESUME:
		/* A thread whose registers were never written has nowhere to run. */
		if (!ctx_from_user(&t->ctx))
			return fail(c, ARG_CAP, E_INVAL);
		tcb_invoke_resume(t);
		return E_OK;
	case INV_TCB_SUSPEND:
		tcb_invoke_suspend(t);
		return E_OK;
	case INV_TCB_READ_REGISTERS:
		c->value = t->ctx.rip;
		c->value2 = t->ctx.rsp;
		return E_OK;
	case INV_TCB_SET_RECV_SLOT:
		/* mr0 = slot, mr1 = 0 to refuse caps; the slot is checked when a cap arrives. */
		t->recv_slot = c->mr[1] ? c->mr[0] + 1 : 0;
		return E_OK;
	case INV_TCB_SET_VSPACE: {
		struct cte *vs;
		if ((e = lookup(c, current_root(), c->mr[0], 64, ARG_MR(0), &vs)))
			return e;
		if (vs->cap.type != OBJ_PML4)
			return fail(c, ARG_MR(0), E_WRONGTYPE);
		if (vspace_number(vs->cap.obj, false) < 0)
			return fail(c, ARG_MR(0), E_FULL);
		(void)vspace_number(vs->cap.obj, true);
		cspace_delete(&t->vspace);
		t->vspace.cap = vs->cap;
		cspace_insert_child(vs, &t->vspace);
		if (t == sched_current)
			vspace_load(vs->cap.obj);
		return E_OK;
	}
	case INV_TCB_SET_IPC_BUFFER: {
		struct cte *fr;
		if ((e = lookup(c, current_root(), c->mr[0], 64, ARG_MR(0), &fr)))
			return e;
		if (fr->cap.type != OBJ_FRAME_4K || (fr->cap.flags & CAP_FLAG_DEVICE))
			return fail(c, ARG_MR(0), E_WRONGTYPE);
		if ((fr->cap.rights & (CAP_READ | CAP_WRITE)) != (CAP_READ | CAP_WRITE))
			return fail(c, ARG_MR(0), E_RIGHTS);
		cspace_delete(&t->ipc_buf);
		t->ipc_buf.cap = fr->cap;
		t->ipc_buf.cap.flags &= ~CAP_FLAG_MAPPED;	/* the kernel's copy maps nothing */
		t->ipc_buf.cap.data = 0;
		cspace_insert_child(fr, &t->ipc_buf);
		return E_OK;
	}
	case INV_TCB_BIND_NTFN: {
		struct cte *n;
		if ((e = lookup(c, current_root(), c->mr[0], 64, ARG_MR(0), &n)))
			return e;
		if ((e = ipc_decode_bind(t, n)))
			return fail(c, ARG_MR(0), e);
		ipc_invoke_bind(t, n);
		return E_OK;
	}
	case INV_TCB_SET_SPACE: {
		struct cte *cn;
		if ((e = lookup(c, current_root(), c->mr[0], 64, ARG_MR(0), &cn)))
			return e;
		if (cn->cap.type != OBJ_CNODE)
			return fail(c, ARG_MR(0), E_WRONGTYPE);
		cspace_delete(&t->cspace);
		t->cspace.cap = cn->cap;
		cspace_insert_child(cn, &t->cspace);
		return E_OK;
	}
	case INV_TCB_SET_FAULT_EP: {
		struct cte *src;
		if ((e = lookup(c, current_root(), c->mr[0], 64, ARG_MR(0), &src)))
			return e;
		if ((e = tcb_decode_set_fault_ep(src)))
			return fail(c, ARG_MR(0), e);
		tcb_invoke_set_fault_ep(t, src);
		return E_OK;
	}
	default:
		break;	/* a label of another object type: reported below */
	}
	return fail(c, ARG_CAP, E_INVAL);
}

/* Frames and page tables: mapping into the instance's address space. */
static err_t map_call(struct call *c, struct cte *slot, unsigned label)
{
	struct cap *cap = &slot->cap;
	bool frame = cap->type == OBJ_FRAME_4K || cap->type == OBJ_FRAME_2M;
	struct cte *vs;
	err_t e;

	if (label == INV_FRAME_UNMAP || label == INV_PAGE_TABLE_UNMAP) {
		if (frame != (label == INV_FRAME_UNMAP))
			return fail(c, ARG_CAP, E_INVAL);
		kobj_cap_deleted(cap);	/* removes the mapping this cap made, if any */
		cap->flags &= ~CAP_FLAG_MAPPED;
		cap->data = 0;
		return E_OK;
	}
	if (frame != (label == INV_FRAME_MAP) || label != (frame ? INV_FRAME_MAP : INV_PAGE_TABLE_MAP))
		return fail(c, ARG_CAP, E_INVAL);
	if (cap->flags & CAP_FLAG_MAPPED)
		return fail(c, ARG_CAP, E_BUSY);	/* one mapping per cap: copy it to map again */
	if ((e = lookup(c, current_root(), c->mr[0], 64, ARG_MR(0), &vs)))
		return e;
	if (vs->cap.type == OBJ_GUEST_SPACE) {
		if ((e = gspace_decode_map(cap, vs->cap.obj, c->mr[1], c->mr[2])))
			return fail(c, e == E_FULL ? ARG_MR(0) : e == E_RIGHTS ? ARG_MR(2) : ARG_MR(1), e);
		gspace_invoke_map(cap, vs->cap.obj, c->mr[1], c->mr[2]);
		return E_OK;
	}
	if (vs->cap.type == OBJ_IOSPACE) {
		if ((e = iospace_decode_map(cap, vs->cap.obj, c->mr[1], c->mr[2])))
			return fail(c, e == E_FULL || e == E_UNSUPP ? ARG_MR(0) : e == E_RIGHTS ? ARG_MR(2) : ARG_MR(1), e);
		iospace_invoke_map(cap, vs->cap.obj, c->mr[1], c->mr[2]);
		return E_OK;
	}
	if (vs->cap.type != OBJ_PML4)
		return fail(c, ARG_MR(0), vs->cap.type == OBJ_NULL ? E_EMPTY : E_WRONGTYPE);
	int space = vspace_number(vs->cap.obj, false);
	if (space < 0)
		return fail(c, ARG_MR(0), E_FULL);	/* no free address-space number */
	uint64_t va = c->mr[1];
	if (frame) {
		bool w = c->mr[2] & CAP_WRITE, x = c->mr[2] & CAP_EXEC;
		if ((w && !(cap->rights & CAP_WRITE)) || (x && !(cap->rights & CAP_EXEC)))
			return fail(c, ARG_MR(2), E_RIGHTS);
		e = vspace_map_frame(vs->cap.obj, va, cap->obj, cap->type == OBJ_FRAME_2M, w, x,
				     cap->flags & CAP_FLAG_MMIO);
		if (!e)	/* read back from the entry: what the CPU will use */
			c->value = vspace_pat_index(vs->cap.obj, va, cap->type == OBJ_FRAME_2M);
	} else {
		enum vspace_level l = cap->type == OBJ_PDPT ? VS_PDPT : cap->type == OBJ_PD ? VS_PD : VS_PT;
		e = vspace_map_table(vs->cap.obj, va, l, cap->obj);
	}
	if (e)
		return fail(c, ARG_MR(1), e);
	cap->flags |= CAP_FLAG_MAPPED;
	cap->data = va;
	int number = vspace_number(vs->cap.obj, true);
	cap->guard_bits = (uint8_t)number;
	cap->size_bits = vspace_generation(number);
	return E_OK;
}

/* Words 4-14 of a VM exit, into the caller's IPC buffer if it has one (docs/vcpu.md). */
static void vcpu_exit_words(const struct vcpu *v, const struct virt_exit *x)
{
	const struct tcb *me = sched_current;

	if (me->ipc_buf.cap.type != OBJ_FRAME_4K)
		return;
	uint64_t *w = kobj_ptr(me->ipc_buf.cap.obj);
	w[VCPU_EXIT_VENDOR_CODE] = x->vendor_code;
	virt_exit_regs(v, w);	/* the registers, as VCPU_READ_REGS would give each */
	w[VCPU_EXIT_EVENT] = x->event;
}

/* *restart: a host interrupt stopped the guest, and the call is to start again once it is in. */
static err_t vcpu_call(struct call *c, struct cte *slot, unsigned label, bool *restart)
{
	struct vcpu *v = kobj_ptr(slot->cap.obj);
	uint64_t id2 = label == INV_VCPU_READ_REGS ? c->mr[1] : c->mr[2];
	struct virt_exit x;
	struct cte *gs;
	err_t e;

	if (!(slot->cap.rights & CAP_WRITE))
		return fail(c, ARG_CAP, E_RIGHTS);
	switch (label) {
	case INV_VCPU_SET_SPACE:
		if ((e = lookup(c, current_root(), c->mr[0], 64, ARG_MR(0), &gs)))
			return e;
		if ((e = vcpu_decode_set_space(gs)))
			return fail(c, ARG_MR(0), e);
		vcpu_invoke_set_space(v, gs);
		return E_OK;
	case INV_VCPU_READ_REGS:
	case INV_VCPU_WRITE_REGS: {
		bool write = label == INV_VCPU_WRITE_REGS;
		if ((e = vcpu_decode_reg(c->mr[0], write)))
			return fail(c, ARG_MR(0), e);
		if (id2 != VCPU_REG_NONE && (e = vcpu_decode_reg(id2, write)))
			return fail(c, write ? ARG_MR(2) : ARG_MR(1), e);
		if (write) {
			vcpu_invoke_write(v, (unsigned)c->mr[0], c->mr[1]);
			if (id2 != VCPU_REG_NONE)
				vcpu_invoke_write(v, (unsigned)id2, c->mr[3]);
			return E_OK;
		}
		c->value = vcpu_invoke_read(v, (unsigned)c->mr[0]);
		c->value2 = id2 != VCPU_REG_NONE ? vcpu_invoke_read(v, (unsigned)id2) : 0;
		return E_OK;
	}
	case INV_VCPU_RUN: {
		struct vcpu_write writes[VCPU_RUN_WRITES_MAX];
		const struct tcb *me = sched_current;
		if ((e = vcpu_decode_run(v)))
			return fail(c, ARG_CAP, e);
		if (c->mr[0]) {	/* a plain run (and every restarted one) skips this */
			if ((e = vcpu_decode_run_writes(me->ipc_buf.cap.type == OBJ_FRAME_4K ?
							kobj_ptr(me->ipc_buf.cap.obj) : NULL, c->mr[0], writes)))
				return fail(c, ARG_MR(0), e);
			vcpu_invoke_run_writes(v, writes, (unsigned)c->mr[0]);
		}
		/*
		 * A signal for the VMM (a device interrupt, another core) ends the run: checked at
		 * every entry, so also after the host interrupt that delivered it restarts the call.
		 */
		uint64_t word = ipc_take_bound_word(sched_current);
		if (word) {
			c->value = VMEXIT_NOTIFY;
			c->value3 = word;
			c->value2 = 0;
			c->value4 = vcpu_invoke_read(v, VCPU_RIP);
			return E_OK;
		}
		if (!vcpu_invoke_run(v, &x)) {
			*restart = true;
			return E_OK;
		}
		c->value = x.reason;
		c->value3 = x.info1;
		c->value2 = x.info2;
		c->value4 = vcpu_invoke_read(v, VCPU_RIP);
		vcpu_exit_words(v, &x);
		return E_OK;
	}
	default:
		break;	/* a label of another object type: reported below */
	}
	return fail(c, ARG_CAP, E_INVAL);
}

/* IRQ control, IRQ handlers and I/O ports: the driver-facing objects. */
static err_t device_call(struct call *c, struct cte *slot, unsigned label)
{
	struct cte *other;
	err_t e;

	if (!(slot->cap.rights & CAP_WRITE))
		return fail(c, ARG_CAP, E_RIGHTS);
	switch (slot->cap.type) {
	case OBJ_IRQ_CONTROL:
		if (label == INV_IRQ_CONTROL_GET_MSI) {
			if ((e = lookup(c, current_root(), c->mr[0], 64, ARG_MR(0), &other)))
				return e;
			if ((e = irq_decode_get_msi(other, c->mr[1])))
				return fail(c, e == E_NOTEMPTY ? ARG_MR(0) : e == E_FULL ? ARG_CAP : ARG_MR(1), e);
			irq_invoke_get_msi(slot, other, c->mr[1], &c->value, &c->value2);
			return E_OK;
		}
		if (label == INV_IRQ_CONTROL_ROUTE_MSI) {
			if ((e = lookup(c, current_root(), c->mr[0], 64, ARG_MR(0), &other)))
				return e;
			if ((e = irq_decode_route_msi(other, c->mr[1], c->mr[2], c->mr[3])))
				return fail(c, e == E_UNSUPP || e == E_BUSY ? ARG_CAP
					       : e == E_WRONGTYPE || e == E_RIGHTS ? ARG_MR(0)
					       : e == E_RANGE && (c->mr[2] == 0 || c->mr[2] >= 16) ? ARG_MR(2)
					       : e == E_RANGE && (c->mr[3] < 0xD0 || c->mr[3] > 0xEF) ? ARG_MR(3)
					       : ARG_MR(1), e);
			irq_invoke_route_msi((uint16_t)c->mr[1], (unsigned)c->mr[2], (uint8_t)c->mr[3],
					     &c->value, &c->value2);
			return E_OK;
		}
		if (label != INV_IRQ_CONTROL_GET)
			break;
		if ((e = lookup(c, current_root(), c->mr[1], 64, ARG_MR(1), &other)))
			return e;
		if ((e = irq_decode_get(slot, c->mr[0], other)))
			return fail(c, e == E_NOTEMPTY ? ARG_MR(1) : ARG_MR(0), e);
		irq_invoke_get(slot, (unsigned)c->mr[0], other);
		return E_OK;
	case OBJ_IRQ_HANDLER:
		if (label == INV_IRQ_HANDLER_ACK) {
			irq_invoke_ack(slot);
			return E_OK;
		}
		if (label == INV_IRQ_HANDLER_SET_SOURCE) {
			if ((e = lookup(c, current_root(), c->mr[0], 64, ARG_MR(0), &other)))
				return e;
			if ((e = irq_decode_set_source(slot, other, c->mr[1])))
				return fail(c, e == E_RANGE || e == E_NOENT ? ARG_MR(1)
					       : e == E_UNSUPP ? ARG_CAP : ARG_MR(0), e);
			irq_invoke_set_source(slot, (uint16_t)c->mr[1]);
			return E_OK;
		}
		if (label != INV_IRQ_HANDLER_SET_NTFN)
			break;
		if ((e = lookup(c, current_root(), c->mr[0], 64, ARG_MR(0), &other)))
			return e;
		if ((e = irq_decode_set_ntfn(other)))
			return fail(c, ARG_MR(0), e);
		irq_invoke_set_ntfn(slot, other);
		return E_OK;
	case OBJ_IO_PORT:
		if (label != INV_IO_PORT_IN && label != INV_IO_PORT_OUT)
			break;
		if ((e = io_port_decode(&slot->cap, c->mr[0], c->mr[1])))
			return fail(c, e == E_RANGE ? ARG_MR(0) : ARG_MR(1), e);
		if (label == INV_IO_PORT_IN)
			c->value = io_port_invoke_in((unsigned)c->mr[0], (unsigned)c->mr[1]);
		else
			io_port_invoke_out((unsigned)c->mr[0], (unsigned)c->mr[1], (uint32_t)c->mr[2]);
		return E_OK;
	}
	return fail(c, ARG_CAP, E_INVAL);
}

/* The console's input: up to CONSOLE_READ_MAX bytes that have arrived, in r8, r10, r9; the count in rdx. */
static err_t console_call(struct call *c, struct cte *slot, unsigned label)
{
	uint8_t buf[CONSOLE_READ_MAX];
	uint64_t w[3] = { 0, 0, 0 };

	if (label != INV_CONSOLE_READ)
		return fail(c, ARG_CAP, E_INVAL);
	if (!(slot->cap.rights & CAP_READ))
		return fail(c, ARG_CAP, E_RIGHTS);
	unsigned n = console_read(buf, sizeof(buf));
	memcpy(w, buf, n);
	c->value = n;
	c->value2 = w[0];
	c->value3 = w[1];
	c->value4 = w[2];
	return E_OK;
}

/* PCI functions: configuration pages and BARs (docs/iommu.md). */
static err_t pci_call(struct call *c, struct cte *slot, unsigned label)
{
	struct pci_bar_grant g;
	struct cte *dest;
	err_t e;

	if (!(slot->cap.rights & CAP_WRITE))
		return fail(c, ARG_CAP, E_RIGHTS);
	switch (label) {
	case INV_PCI_GET_CONFIG:
		if ((e = lookup(c, current_root(), c->mr[1], 64, ARG_MR(1), &dest)))
			return e;
		if ((e = pci_decode_get_config(slot, c->mr[0], dest)))
			return fail(c, e == E_NOTEMPTY ? ARG_MR(1) : ARG_MR(0), e);
		pci_invoke_get_config(slot, (uint16_t)c->mr[0], dest);
		return E_OK;
	case INV_PCI_GET_BAR:
		if ((e = lookup(c, current_root(), c->mr[2], 64, ARG_MR(2), &dest)))
			return e;
		if ((e = pci_decode_get_bar(slot, c->mr[0], c->mr[1], dest, &g)))
			return fail(c, e == E_NOTEMPTY ? ARG_MR(2) : e == E_RANGE && pci_covers(&slot->cap, c->mr[0])
					   ? ARG_MR(1) : ARG_MR(0), e);
		pci_invoke_get_bar(slot, &g, dest);
		c->value = g.base;
		c->value2 = g.bits;
		return E_OK;
	case INV_PCI_GET_VF_BAR:
		if ((e = lookup(c, current_root(), c->mr[3], 64, ARG_MR(3), &dest)))
			return e;
		if ((e = pci_decode_get_vf_bar(slot, c->mr[0], c->mr[1], c->mr[2], dest, &g)))
			return fail(c, e == E_NOTEMPTY ? ARG_MR(3)
				       : e == E_RANGE && !pci_covers(&slot->cap, c->mr[0]) ? ARG_MR(0)
				       : e == E_RANGE && c->mr[2] >= 6 ? ARG_MR(2)
				       : e == E_RANGE ? ARG_MR(1) : ARG_MR(0), e);
		pci_invoke_get_bar(slot, &g, dest);
		c->value = g.base;
		c->value2 = g.bits;
		return E_OK;
	case INV_PCI_NARROW:
		if ((e = lookup(c, current_root(), c->mr[2], 64, ARG_MR(2), &dest)))
			return e;
		if ((e = pci_decode_narrow(slot, c->mr[0], c->mr[1], dest)))
			return fail(c, e == E_NOTEMPTY ? ARG_MR(2) : ARG_MR(0), e);
		pci_invoke_narrow(slot, (uint16_t)c->mr[0], (uint32_t)c->mr[1], dest);
		return E_OK;
	default:
		break;	/* a label of another object type: reported below */
	}
	return fail(c, ARG_CAP, E_INVAL);
}

/* IOSpaces: a device's DMA domain (docs/iommu.md); mapping goes through map_call(). */
static err_t iospace_call(struct call *c, struct cte *slot, unsigned label)
{
	paddr_t root = slot->cap.obj;
	struct cte *other;
	err_t e;

	if (!(slot->cap.rights & CAP_WRITE))
		return fail(c, ARG_CAP, E_RIGHTS);
	switch (label) {
	case INV_IOSPACE_ASSIGN:
		if ((e = lookup(c, current_root(), c->mr[0], 64, ARG_MR(0), &other)))
			return e;
		if ((e = iospace_decode_assign(root, other, c->mr[1])))
			return fail(c, e == E_WRONGTYPE || (e == E_RIGHTS) ? ARG_MR(0)
				       : e == E_RANGE || e == E_NOENT ? ARG_MR(1) : ARG_CAP, e);
		iospace_invoke_assign(root, (uint16_t)c->mr[1]);
		return E_OK;
	case INV_IOSPACE_BIND_FAULTS:
		if ((e = lookup(c, current_root(), c->mr[0], 64, ARG_MR(0), &other)))
			return e;
		if ((e = iospace_decode_bind(root, other)))
			return fail(c, e == E_FULL ? ARG_CAP : ARG_MR(0), e);
		iospace_invoke_bind(root, other);
		return E_OK;
	case INV_IOSPACE_GET_FAULT:
		if ((e = iospace_get_fault(root, &c->value, &c->value2)))
			return fail(c, ARG_CAP, e);
		return E_OK;
	default:
		break;	/* a label of another object type: reported below */
	}
	return fail(c, ARG_CAP, E_INVAL);
}

const struct cap *invoke_cspace_of(const struct tcb *t)
{
	return t && t->cspace.cap.type == OBJ_CNODE ? &t->cspace.cap : &cspace_root.cap;
}

err_t invoke_lookup(uint64_t cptr, struct cte **out, unsigned *bits_left)
{
	err_t e = cspace_lookup(current_root(), cptr, 64, out, bits_left);

	if (!e && (*out)->cap.type == OBJ_NULL)
		return E_EMPTY;
	return e;
}

long invoke_call(struct cte *target, struct trap_frame *f)
{
	struct call c = { { f->rdx, f->r10, f->r8, f->r9 }, ARG_CAP, 0, 0, 0, 0, 0 };
	unsigned label = MSGINFO_LABEL(f->rsi);
	err_t e;

	switch (target->cap.type) {
	case OBJ_CNODE:
		e = label >= INV_CNODE_COPY && label <= INV_CNODE_REVOKE ? cnode_call(&c, target, label)
									: fail(&c, ARG_CAP, E_INVAL);
		break;
	case OBJ_UNTYPED:
		e = label == INV_UNTYPED_RETYPE ? untyped_call(&c, target) : fail(&c, ARG_CAP, E_INVAL);
		break;
	case OBJ_TCB:
		e = tcb_call(&c, target, label);
		break;
	case OBJ_FRAME_4K:
	case OBJ_FRAME_2M:
	case OBJ_PDPT:
	case OBJ_PD:
	case OBJ_PT:
		e = map_call(&c, target, label);
		break;
	case OBJ_IRQ_CONTROL:
	case OBJ_IRQ_HANDLER:
	case OBJ_IO_PORT:
		e = device_call(&c, target, label);
		break;
	case OBJ_PCI:
		e = pci_call(&c, target, label);
		break;
	case OBJ_CONSOLE:
		e = console_call(&c, target, label);
		break;
	case OBJ_IOSPACE:
		e = iospace_call(&c, target, label);
		break;
	case OBJ_VCPU: {
		bool restart = false;
		e = vcpu_call(&c, target, label, &restart);
		if (restart) {
			/*
			 * Registers untouched but mr0: once the interrupt is in, the thread calls
			 * again, and the register writes this call made are not made twice.
			 */
			f->rdx = 0;
			ctx_restart_syscall(f);
			return IPC_BLOCKED;
		}
		break;
	}
	case OBJ_NOTIFICATION:
		/* A notification is signalled with SYS_SEND; its one invocation binds it. */
		if (label != INV_NTFN_BIND_XSIGNALS) {
			e = fail(&c, ARG_CAP, E_WRONGTYPE);
		} else if ((e = xsignal_decode_bind(target))) {
			e = fail(&c, ARG_CAP, e);
		} else {
			xsignal_invoke_bind(target);
		}
		break;
	default:
		/* Reply objects, PML4s, guest spaces and cross-instance signals have no invocations (yet). */
		e = fail(&c, ARG_CAP, E_UNSUPP);
		break;
	}
	f->rdx = e ? c.arg : c.value;
	f->r8 = e ? c.bits_left : c.value2;
	if (!e) {
		f->r10 = c.value3;
		f->r9 = c.value4;
	}
	return e;
}

/* Largest aligned power-of-two block at base that fits before end. */
static unsigned block_bits(paddr_t base, paddr_t end)
{
	unsigned bits = base ? (unsigned)__builtin_ctzll(base) : 63;
	while (bits > 0 && (bits >= 63 || (1ull << bits) > end - base))
		bits--;
	return bits;
}

err_t invoke_init_root(paddr_t cnode_pa, unsigned radix, paddr_t tcb_pa,
		       const struct mem_range *free, unsigned nfree, struct bootinfo *bi)
{
	struct cap root = {
		.type = OBJ_CNODE,
		.rights = CAP_ALL_RIGHTS,
		.size_bits = (uint8_t)radix,
		.guard_bits = (uint8_t)(64 - radix),	/* a slot index is a whole cptr */
		.obj = cnode_pa,
	};
	struct cte *slots = kobj_ptr(cnode_pa);
	unsigned next = CAP_INIT_CNODE + 1;

	memset(slots, 0, (size_t)1 << (radix + CTE_SIZE_BITS));
	memset(&cspace_root, 0, sizeof(cspace_root));
	cspace_root.cap = root;
	slots[CAP_INIT_CNODE].cap = root;
	cspace_insert_child(&cspace_root, &slots[CAP_INIT_CNODE]);
	slots[CAP_INIT_TCB].cap = (struct cap){ .type = OBJ_TCB, .rights = CAP_ALL_RIGHTS,
						.obj = tcb_pa };
	slots[CAP_INIT_VSPACE].cap = (struct cap){ .type = OBJ_PML4, .rights = CAP_ALL_RIGHTS,
						   .obj = vspace_root() };
	/*
	 * Until the system description assigns devices (#4), instance 0 takes every
	 * interrupt line and the CMOS/RTC ports; the other instances get none. Each
	 * instance's IRQ control hands out MSI vectors of its own core, lines or not.
	 */
	if (bi->instance == 0) {
		bi->irq_first = 0;
		bi->irq_count = ioapic_gsis();
	}
	slots[CAP_INIT_IRQ_CONTROL].cap = (struct cap){ .type = OBJ_IRQ_CONTROL,
		.rights = CAP_ALL_RIGHTS, .obj = bi->irq_first, .data = bi->irq_count };
	if (bi->instance == 0) {
		bi->io_port_first = 0x70;
		bi->io_port_count = 2;
		slots[CAP_INIT_IO_PORT].cap = (struct cap){ .type = OBJ_IO_PORT,
			.rights = CAP_ALL_RIGHTS, .obj = bi->io_port_first, .data = bi->io_port_count };
	}
	/*
	 * Every instance gets this cap to the same memory: it is device untyped, so it
	 * only makes frames, and they are never zeroed (the pool was zeroed at boot).
	 */
	if (bi->shared_bits)
		slots[CAP_INIT_SHARED].cap = (struct cap){ .type = OBJ_UNTYPED,
			.rights = CAP_ALL_RIGHTS, .size_bits = (uint8_t)bi->shared_bits,
			.flags = CAP_FLAG_DEVICE, .obj = bi->shared_base };
	/*
	 * Every root task gets every PCI function of segment 0 and hands out what the
	 * description says: instance 0's to device owners, the others' to their VMs
	 * (docs/pcimgr.md); all of them drop the cap once that is done.
	 */
	{
		for (unsigned i = 0; machine.have_acpi && i < machine.acpi.nmcfg; i++) {
			const struct acpi_mcfg *m = &machine.acpi.mcfg[i];
			if (m->segment != 0)
				continue;
			bi->pci_first = (uint32_t)m->bus_start << 8;
			bi->pci_count = (uint32_t)(m->bus_end - m->bus_start + 1) << 8;
			slots[CAP_INIT_PCI].cap = (struct cap){ .type = OBJ_PCI,
				.rights = CAP_ALL_RIGHTS, .obj = bi->pci_first, .data = bi->pci_count };
			break;
		}
	}
	bi->iommu_levels = bi->pci_count && iommu_ready() ? iommu_levels() : 0;
	bi->intremap = iommu_intremap();
	/* Every instance may read the console; the root tasks give it to at most one VMM. */
	slots[CAP_INIT_CONSOLE].cap = (struct cap){ .type = OBJ_CONSOLE, .rights = CAP_ALL_RIGHTS };
	next = CAP_INIT_CONSOLE + 1;
	bi->cnode_radix = radix;
	/* The right to signal every other instance; the description will narrow this (#4). */
	bi->xsignal_first = next;
	bi->xsignal_count = 0;
	for (unsigned i = 0; i < bi->ninstances && i < 16; i++) {
		if (i == bi->instance)
			continue;
		slots[next++].cap = (struct cap){ .type = OBJ_XSIGNAL, .rights = CAP_ALL_RIGHTS,
						  .obj = i };
		bi->xsignal_target[bi->xsignal_count++] = (uint8_t)i;
	}
	bi->untyped_first = next;
	bi->untyped_count = 0;
	for (unsigned i = 0; i < nfree; i++) {
		paddr_t at = ALIGN_UP(free[i].base, 4096), end = ALIGN_DOWN(free[i].end, 4096);
		while (at < end) {
			unsigned bits = block_bits(at, end);
			if (bi->untyped_count == BOOTINFO_MAX_UNTYPED || next >= (1u << radix))
				return E_FULL;
			slots[next].cap = (struct cap){ .type = OBJ_UNTYPED, .rights = CAP_ALL_RIGHTS,
							.size_bits = (uint8_t)bits, .obj = at };
			bi->untyped[bi->untyped_count].paddr = at;
			bi->untyped[bi->untyped_count].size_bits = (uint8_t)bits;
			bi->untyped_count++;
			next++;
			at += 1ull << bits;
		}
	}
	bi->empty_first = next;
	return E_OK;
}
