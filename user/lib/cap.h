/* Capability invocations on CNodes and untyped memory (docs/syscalls.md). */
#ifndef USER_CAP_H
#define USER_CAP_H

#include "atoll.h"

static inline long cnode_copy(uint64_t cnode, uint64_t dest, uint64_t src, unsigned rights)
{
	return atoll_call(cnode, INV_CNODE_COPY, dest, src, CNODE_ARGS(rights, 0, 0, 0), 0).err;
}

static inline long cnode_mint(uint64_t cnode, uint64_t dest, uint64_t src, unsigned rights,
			      uint64_t badge)
{
	return atoll_call(cnode, INV_CNODE_MINT, dest, src, CNODE_ARGS(rights, 0, 0, 0), badge).err;
}

static inline long cnode_move(uint64_t cnode, uint64_t dest, uint64_t src)
{
	return atoll_call(cnode, INV_CNODE_MOVE, dest, src, 0, 0).err;
}

static inline long cnode_mutate(uint64_t cnode, uint64_t dest, uint64_t src, uint64_t badge)
{
	return atoll_call(cnode, INV_CNODE_MUTATE, dest, src, 0, badge).err;
}

static inline long cnode_delete(uint64_t cnode, uint64_t slot)
{
	return atoll_call(cnode, INV_CNODE_DELETE, slot, 0, 0, 0).err;
}

static inline long cnode_revoke(uint64_t cnode, uint64_t slot)
{
	return atoll_call(cnode, INV_CNODE_REVOKE, slot, 0, 0, 0).err;
}

static inline long untyped_retype(uint64_t ut, unsigned type, unsigned size_bits,
				  uint64_t dest_cnode, uint64_t offset, uint64_t n)
{
	return atoll_call(ut, INV_UNTYPED_RETYPE, RETYPE_ARGS(type, size_bits), dest_cnode, offset, n)
		.err;
}

/* PCI (docs/iommu.md): bdf = bus << 8 | dev << 3 | fn. */
static inline long pci_get_config(uint64_t pci, uint64_t bdf, uint64_t dest)
{
	return atoll_call(pci, INV_PCI_GET_CONFIG, bdf, dest, 0, 0).err;
}

/* A PCI cap over functions [first, first + count) of pci's range, in dest. */
static inline long pci_narrow(uint64_t pci, uint64_t first, uint64_t count, uint64_t dest)
{
	return atoll_call(pci, INV_PCI_NARROW, first, count, dest, 0).err;
}

/* Up to 24 bytes that arrived on the host console, into buf; how many, or a negative error. */
static inline long console_read(uint64_t console, uint8_t buf[24])
{
	struct msg m = atoll_ipc(SYS_CALL, console, INV_CONSOLE_READ, 0, 0, 0, 0);

	if (m.err)
		return -m.err;
	uint64_t w[3] = { m.mr[2], m.mr[1], m.mr[3] };	/* r8, r10, r9 */
	for (unsigned i = 0; i < 24; i++)
		buf[i] = (uint8_t)(w[i / 8] >> (i % 8 * 8));
	return (long)m.mr[0];
}

/* Device untyped over memory BAR bar of bdf in dest; its address and log2 size come back. */
struct bar_result {
	long err;
	uint64_t base;	/* on an error: which argument */
	uint64_t bits;
};

static inline struct bar_result pci_get_bar(uint64_t pci, uint64_t bdf, unsigned bar, uint64_t dest)
{
	struct call_result r = atoll_call(pci, INV_PCI_GET_BAR, bdf, bar, dest, 0);

	return (struct bar_result){ r.err, r.arg, r.bits_left };
}

/* VF n's part of VF BAR bar of the PF at pf (its SR-IOV capability's): device untyped in dest. */
static inline struct bar_result pci_get_vf_bar(uint64_t pci, uint64_t pf, uint64_t n, unsigned bar,
					       uint64_t dest)
{
	struct call_result r = atoll_call(pci, INV_PCI_GET_VF_BAR, pf, n, bar, dest);

	return (struct bar_result){ r.err, r.arg, r.bits_left };
}

/* IOSpaces (docs/iommu.md): frames and tables go in with frame_map() and page_table_map(). */
static inline long iospace_assign(uint64_t iospace, uint64_t pci, uint64_t bdf)
{
	return atoll_call(iospace, INV_IOSPACE_ASSIGN, pci, bdf, 0, 0).err;
}

static inline long iospace_bind_faults(uint64_t iospace, uint64_t ntfn)
{
	return atoll_call(iospace, INV_IOSPACE_BIND_FAULTS, ntfn, 0, 0, 0).err;
}

/* The last DMA fault: address, and reason | write << 8 | disabled << 9 | bdf << 16 | count << 32. */
struct iofault {
	long err;
	uint64_t address;
	uint64_t info;
};

static inline struct iofault iospace_get_fault(uint64_t iospace)
{
	struct call_result r = atoll_call(iospace, INV_IOSPACE_GET_FAULT, 0, 0, 0, 0);

	return (struct iofault){ r.err, r.arg, r.bits_left };
}

#endif

static inline long tcb_write_registers(uint64_t tcb, uint64_t pc, uint64_t sp, uint64_t arg)
{
	return atoll_call(tcb, INV_TCB_WRITE_REGISTERS, pc, sp, arg, 0).err;
}

static inline long tcb_set_priority(uint64_t tcb, uint64_t prio)
{
	return atoll_call(tcb, INV_TCB_SET_PRIORITY, prio, 0, 0, 0).err;
}

static inline long tcb_resume(uint64_t tcb)
{
	return atoll_call(tcb, INV_TCB_RESUME, 0, 0, 0, 0).err;
}

static inline long tcb_suspend(uint64_t tcb)
{
	return atoll_call(tcb, INV_TCB_SUSPEND, 0, 0, 0, 0).err;
}

static inline long tcb_set_fault_ep(uint64_t tcb, uint64_t ep)
{
	return atoll_call(tcb, INV_TCB_SET_FAULT_EP, ep, 0, 0, 0).err;
}

static inline long page_table_map(uint64_t table, uint64_t vspace, uint64_t vaddr)
{
	return atoll_call(table, INV_PAGE_TABLE_MAP, vspace, vaddr, 0, 0).err;
}

static inline long page_table_unmap(uint64_t table)
{
	return atoll_call(table, INV_PAGE_TABLE_UNMAP, 0, 0, 0, 0).err;
}

/* rights: CAP_WRITE and/or CAP_EXEC on top of read access. */
static inline long frame_map(uint64_t frame, uint64_t vspace, uint64_t vaddr, unsigned rights)
{
	return atoll_call(frame, INV_FRAME_MAP, vspace, vaddr, rights, 0).err;
}

static inline long frame_unmap(uint64_t frame)
{
	return atoll_call(frame, INV_FRAME_UNMAP, 0, 0, 0, 0).err;
}

/* IPIs from other instances will set bit (source instance) in this notification. */
static inline long ntfn_bind_xsignals(uint64_t ntfn)
{
	return atoll_call(ntfn, INV_NTFN_BIND_XSIGNALS, 0, 0, 0, 0).err;
}

static inline long irq_control_get(uint64_t control, uint64_t line, uint64_t dest)
{
	return atoll_call(control, INV_IRQ_CONTROL_GET, line, dest, 0, 0).err;
}

/* An MSI vector of this instance: its handler cap in dest, and what the device must write where. */
struct msi_result {
	long err;
	uint64_t address;	/* MSI address (on an error: which argument) */
	uint64_t data;		/* MSI data */
};

static inline struct msi_result irq_control_get_msi(uint64_t control, uint64_t dest)
{
	struct call_result r = atoll_call(control, INV_IRQ_CONTROL_GET_MSI, dest, 0, 0, 0);

	return (struct msi_result){ r.err, r.arg, r.bits_left };
}

/* As above, but exactly vector (0xD0-0xEF): E_BUSY if it is taken. */
static inline struct msi_result irq_control_get_msi_vector(uint64_t control, uint64_t dest,
							   uint64_t vector)
{
	struct call_result r = atoll_call(control, INV_IRQ_CONTROL_GET_MSI, dest, vector, 0, 0);

	return (struct msi_result){ r.err, r.arg, r.bits_left };
}

/*
 * Instance 0 only: device bdf (covered by pci) may raise vector on instance
 * target; returns the MSI address and data the device must be given.
 */
static inline struct msi_result irq_control_route_msi(uint64_t control, uint64_t pci, uint64_t bdf,
						      uint64_t target, uint64_t vector)
{
	struct call_result r = atoll_call(control, INV_IRQ_CONTROL_ROUTE_MSI, pci, bdf, target, vector);

	return (struct msi_result){ r.err, r.arg, r.bits_left };
}

static inline long irq_handler_set_ntfn(uint64_t handler, uint64_t ntfn)
{
	return atoll_call(handler, INV_IRQ_HANDLER_SET_NTFN, ntfn, 0, 0, 0).err;
}

/* With interrupt remapping: only device bdf (covered by pci) may raise the MSI handler's vector. */
static inline long irq_handler_set_source(uint64_t handler, uint64_t pci, uint64_t bdf)
{
	return atoll_call(handler, INV_IRQ_HANDLER_SET_SOURCE, pci, bdf, 0, 0).err;
}

static inline long irq_handler_ack(uint64_t handler)
{
	return atoll_call(handler, INV_IRQ_HANDLER_ACK, 0, 0, 0, 0).err;
}

/* Reads width (1, 2 or 4) bytes from an I/O port in the cap's range; ~0 on error. */
static inline uint32_t io_port_in(uint64_t cap, unsigned port, unsigned width)
{
	struct call_result r = atoll_call(cap, INV_IO_PORT_IN, port, width, 0, 0);

	return r.err ? ~0u : (uint32_t)r.arg;
}

static inline long io_port_out(uint64_t cap, unsigned port, unsigned width, uint32_t value)
{
	return atoll_call(cap, INV_IO_PORT_OUT, port, width, value, 0).err;
}

/* rdx = pc, r8 = sp of the thread. */
static inline struct call_result tcb_read_registers(uint64_t tcb)
{
	return atoll_call(tcb, INV_TCB_READ_REGISTERS, 0, 0, 0, 0);
}

/* Where caps sent to this thread land (accept = 0 refuses them). */
static inline long tcb_set_recv_slot(uint64_t tcb, uint64_t slot, bool accept)
{
	return atoll_call(tcb, INV_TCB_SET_RECV_SLOT, slot, accept, 0, 0).err;
}

/* The thread names caps in this CNode from now on (a copy of the cap is kept). */
static inline long tcb_set_space(uint64_t tcb, uint64_t cnode)
{
	return atoll_call(tcb, INV_TCB_SET_SPACE, cnode, 0, 0, 0).err;
}

/* The thread also hears this notification while it receives on an endpoint (needs R). */
static inline long tcb_bind_ntfn(uint64_t tcb, uint64_t ntfn)
{
	return atoll_call(tcb, INV_TCB_BIND_NTFN, ntfn, 0, 0, 0).err;
}

/* Message words 4..14 travel in this 4 KiB frame (R and W rights; map it to write to it). */
static inline long tcb_set_ipc_buffer(uint64_t tcb, uint64_t frame)
{
	return atoll_call(tcb, INV_TCB_SET_IPC_BUFFER, frame, 0, 0, 0).err;
}

/* The thread runs in this address space (a PML4 object); until set, in its root task's. */
static inline long tcb_set_vspace(uint64_t tcb, uint64_t pml4)
{
	return atoll_call(tcb, INV_TCB_SET_VSPACE, pml4, 0, 0, 0).err;
}

/* Virtual CPUs and guest-physical address spaces (docs/vcpu.md). */
#include "abi/vcpu.h"

/* The VCPU runs in this guest-physical address space (a copy of the cap is kept). */
static inline long vcpu_set_space(uint64_t vcpu, uint64_t gspace)
{
	return atoll_call(vcpu, INV_VCPU_SET_SPACE, gspace, 0, 0, 0).err;
}

/* Writes two guest registers (id2 VCPU_REG_NONE: one). */
static inline long vcpu_write_regs(uint64_t vcpu, unsigned id, uint64_t value, unsigned id2,
				   uint64_t value2)
{
	return atoll_call(vcpu, INV_VCPU_WRITE_REGS, id, value, id2, value2).err;
}

static inline long vcpu_write_reg(uint64_t vcpu, unsigned id, uint64_t value)
{
	return vcpu_write_regs(vcpu, id, value, VCPU_REG_NONE, 0);
}

/* A guest register; ~0 on error. */
static inline uint64_t vcpu_read_reg(uint64_t vcpu, unsigned id)
{
	struct call_result r = atoll_call(vcpu, INV_VCPU_READ_REGS, id, VCPU_REG_NONE, 0, 0);

	return r.err ? ~0ull : r.arg;
}

/* What VCPU_RUN returns: the exit the VMM is to handle. */
struct vcpu_exit {
	long err;
	uint64_t reason;	/* enum vmexit_reason */
	uint64_t info1, info2;
	uint64_t rip;
};

/*
 * Runs the guest after the n register writes (id, value) the caller put in its
 * IPC buffer from word VCPU_RUN_WRITE_WORD on (abi/vcpu.h); n = 0: none.
 */
static inline struct vcpu_exit vcpu_run_writing(uint64_t vcpu, unsigned n)
{
	struct msg m = atoll_ipc(SYS_CALL, vcpu, INV_VCPU_RUN, n, 0, 0, 0);

	return (struct vcpu_exit){ m.err, m.mr[0], m.mr[1], m.mr[2], m.mr[3] };
}

static inline struct vcpu_exit vcpu_run(uint64_t vcpu)
{
	return vcpu_run_writing(vcpu, 0);
}
