/*
 * Handing SR-IOV VFs to VMs on other cores (docs/pcimgr.md, "VFs for VMs"), instance
 * 0's side; spec_vfs_vm.c is the VM's core's.
 * Instance 0's root task makes each VF's IOSpace over its VM's RAM (frames of the
 * shared pool) at boot; when the PF's driver signals that the VFs are online it
 * assigns the IOSpaces, routes each VF's MSIs to the vectors the description gave
 * it on the VM's core, writes the VM's hand-over page and signals that core. The
 * VM's root task then maps the VF's configuration page and BARs into the VMM (and
 * the BARs into the guest), fills the VMM's devices page and signals the VMM.
 */
#include "abi/spec.h"
#include "atoll.h"
#include "cap.h"
#include "core/pci_cfg.h"
#include "kstring.h"
#include "spec_devices.h"
#include "spec_vfs.h"
#include "spec_vfs_int.h"

#define PEEK_VA 0x5FD000ull	/* beside spec.c's and spec_devices.c's scratch pages */

static void settle(struct vfs *v);

static long make(struct vfs *v, unsigned type, uint32_t *out)
{
	return spec_make_object(v->bi, v->next, type, out);
}

long vfs_peek_at(struct vfs *v, uint32_t frame, size_t off, void *out, const void *in, size_t len)
{
	uint32_t copy = take(v);
	long e = cnode_copy(CAP_INIT_CNODE, copy, frame, CAP_ALL_RIGHTS);

	if (!e && !(e = frame_map(copy, CAP_INIT_VSPACE, PEEK_VA, in ? CAP_WRITE : 0))) {
		if (out)
			memcpy(out, (const void *)(uintptr_t)(PEEK_VA + off), len);
		if (in)
			memcpy((void *)(uintptr_t)(PEEK_VA + off), in, len);
		e = frame_unmap(copy);
	}
	(void)cnode_delete(CAP_INIT_CNODE, copy);
	(*v->next)--;	/* the slot is free again */
	return e;
}

long vfs_peek(struct vfs *v, uint32_t frame, void *out, const void *in, size_t len)
{
	return vfs_peek_at(v, frame, 0, out, in, len);
}

long vfs_read_config(struct vfs *v, uint16_t bdf, uint8_t *cfg)
{
	uint32_t page = take(v);
	long e = pci_get_config(CAP_INIT_PCI, bdf, page);

	if (!e)
		e = vfs_peek(v, page, cfg, NULL, PCI_EXT_CFG_SIZE);
	(void)cnode_delete(CAP_INIT_CNODE, page);
	(*v->next)--;
	return e;
}

bool spec_vfs_needed(struct vfs *v)
{
	uint32_t vi;

	for (uint32_t i = 0; i < ndev(v); i++)
		if (vm_vf(v, i, &vi) && (v->bi->instance == 0 || vm(v, vi)->cores[0] == v->bi->instance))
			v->active = true;
	return v->active;
}

bool spec_vfs_pending(const struct vfs *v)
{
	return v->active && !v->done;
}

bool spec_vfs_keeps(const struct vfs *v, uint32_t i)
{
	for (uint32_t k = 0; v->active && k < hdr(v)->nvms; k++)
		if (vm(v, k)->nvfs && vm(v, k)->handover == i &&
		    (v->bi->instance == 0 || vm(v, k)->cores[0] == v->bi->instance))
			return true;
	return false;
}

/* Instance 0: the VF's IOSpace, holding every RAM frame of its VM at IOVA = guest-physical. */
static long make_iospace(struct vfs *v, uint32_t i, uint32_t vi)
{
	const struct spec_vm *m = vm(v, vi);
	const struct spec_map *maps = (const struct spec_map *)(v->blob + hdr(v)->maps_off);
	const struct spec_object *objs = (const struct spec_object *)(v->blob + hdr(v)->objects_off);
	uint64_t pd_at = ~0ull, bytes = 0;
	uint32_t io, t;
	long e;

	if ((e = make(v, OBJ_IOSPACE, &io)))
		return e;
	if (v->bi->iommu_levels == 4 && ((e = make(v, OBJ_PDPT, &t)) || (e = page_table_map(t, io, 0))))
		return e;
	for (uint32_t k = m->first_map; k < m->first_map + m->nmaps; k++) {
		const struct spec_map *p = &maps[k];
		if (objs[p->object].type != OBJ_FRAME_2M || p->vaddr >= m->memory)
			continue;	/* page tables and shared regions: not the guest's RAM */
		if (pd_at != p->vaddr >> 30) {
			if ((e = make(v, OBJ_PD, &t)) || (e = page_table_map(t, io, p->vaddr)))
				return e;
			pd_at = p->vaddr >> 30;
		}
		uint32_t copy = take(v);
		if ((e = cnode_copy(CAP_INIT_CNODE, copy, v->slot[p->object], CAP_ALL_RIGHTS)) ||
		    (e = frame_map(copy, io, p->vaddr, CAP_WRITE)))
			return e;
		bytes += 2ull << 20;
	}
	v->iospace[i] = io;
	printf("instance 0: VF %s for vm %s: IOSpace with its %llu MiB of RAM at IOVA = guest-physical\n",
	       str(v, dev(v, i)->name), str(v, m->name), (unsigned long long)(bytes >> 20));
	return E_OK;
}

long spec_vfs_boot(struct vfs *v)
{
	uint32_t vi, ntfn = 0;
	long e = E_OK;

	if (v->bi->instance == 0) {
		if (!v->bi->pci_count || !v->bi->iommu_levels || !v->bi->intremap) {
			/* Without DMA and interrupt remapping a VF would reach all memory: refuse. */
			const char *lack = !v->bi->pci_count ? "no PCI configuration space (ACPI MCFG)"
					   : !v->bi->iommu_levels ? "no IOMMU (ACPI DMAR) to confine its DMA"
								  : "no interrupt remapping to fence its MSIs";
			printf("instance 0: spec: VFs for VMs need an IOMMU with interrupt remapping; none is handed over\n");
			for (uint32_t i = 0; i < ndev(v); i++)
				if (vm_vf(v, i, &vi)) {
					v->state[i] = VM_DEV_FAILED;
					snprintf(v->why[i], sizeof(v->why[i]), "VF %s of PF %s: %s",
						 str(v, dev(v, i)->name), str(v, dev(v, dev(v, i)->pf)->name), lack);
				}
			/* Told now: a signal that comes before the VM's core listens is kept for it. */
			settle(v);
			return E_OK;
		}
		for (uint32_t i = 0; i < ndev(v) && !e; i++) {
			if (!vm_vf(v, i, &vi))
				continue;
			if ((e = make_iospace(v, i, vi)))
				printf("instance 0: spec: IOSpace for VF %s: %s\n", str(v, dev(v, i)->name),
				       err_str(e));
			const struct spec_device *pf = dev(v, dev(v, i)->pf);
			if (!e && pf->online == SPEC_NONE) {
				printf("instance 0: spec: VF %s: its PF %s has no driver to enable it\n",
				       str(v, dev(v, i)->name), str(v, pf->name));
				e = E_NOENT;
			}
			if (!e)
				ntfn = v->slot[pf->online];
		}
	} else if (!(e = make(v, OBJ_NOTIFICATION, &ntfn))) {
		/* Instance 0 tells us by a cross-core signal: bit 0 of this notification's word. */
		e = ntfn_bind_xsignals(ntfn);
	}
	if (!e && ntfn)
		e = tcb_bind_ntfn(CAP_INIT_TCB, ntfn);
	if (e)
		printf("instance %u: spec: VF hand-over not set up: %s\n", v->bi->instance, err_str(e));
	return e;
}

/* Instance 0: true if PCI function bdf answers (its configuration page can be had). */
static bool present(struct vfs *v, uint16_t bdf)
{
	uint32_t page = take(v);
	long e = pci_get_config(CAP_INIT_PCI, bdf, page);

	(void)cnode_delete(CAP_INIT_CNODE, page);
	(*v->next)--;
	return e == E_OK;
}

void spec_vfs_abandon(struct vfs *v, const char *why)
{
	uint32_t vi;

	if (v->bi->instance != 0 || v->done || !spec_vfs_needed(v))
		return;
	for (uint32_t i = 0; i < ndev(v); i++) {
		if (!vm_vf(v, i, &vi) || v->state[i] != VM_DEV_PENDING)
			continue;
		const struct spec_device *pf = dev(v, dev(v, i)->pf);
		v->state[i] = VM_DEV_FAILED;
		/* The likeliest cause named first: a PF that is not on the bus at all. */
		if (pf->kind == SPEC_DEV_PCI && !present(v, PCI_BDF(pf->bus, pf->dev, pf->fn)))
			snprintf(v->why[i], sizeof(v->why[i]), "PF %s of VF %s not found at %02x:%02x.%x",
				 str(v, pf->name), str(v, dev(v, i)->name), pf->bus, pf->dev, pf->fn);
		else
			snprintf(v->why[i], sizeof(v->why[i]), "instance 0 failed before PF %s's driver ran: %s",
				 str(v, pf->name), why);
		printf("instance 0: VF %s for vm %s failed: %s\n", str(v, dev(v, i)->name),
		       str(v, vm(v, vi)->name), v->why[i]);
	}
	settle(v);
}

/* Moves our cap in `from` into slot `at` of component c's CNode. */
static long give(struct vfs *v, const struct spec_component *c, uint32_t from, uint32_t at)
{
	unsigned radix = v->bi->cnode_radix;
	uint64_t dest = (uint64_t)v->slot[c->cnode] << COMPONENT_CNODE_RADIX | at;

	if (at >= (1u << COMPONENT_CNODE_RADIX))
		return E_FULL;
	return atoll_call(v->two_level, INV_CNODE_MOVE, dest, from,
			  CNODE_ARGS(0, 0, radix + COMPONENT_CNODE_RADIX, radix), 0).err;
}

long spec_vfs_vmm(struct vfs *v, uint32_t index)
{
	const struct spec_component *c = comp(v, index);
	uint32_t vi = 0, t, at = c->ncaps + 1;
	long e;

	while (vi < hdr(v)->nvms && (vm(v, vi)->vmm != index || !vm(v, vi)->nvfs))
		vi++;
	if (vi == hdr(v)->nvms || !v->active || vi >= VFS_MAX_DEVICES)
		return E_OK;
	const struct spec_vm *m = vm(v, vi);
	/*
	 * The MSIs end VCPU_RUN through the notification bound to the VMM's thread:
	 * "devices", or with several vCPUs "wake", which also hears the other vCPUs'
	 * kicks (their bits are below VM_DEV_MSI_BIT's).
	 */
	uint32_t devices = v->slot[m->devices], msis = m->ncores > 1 ? v->slot[m->cpu[0].wake] : devices;
	/* The guest's BAR windows below 4 GiB (its RAM ends below them) and the VMM's. */
	if ((e = make(v, OBJ_PD, &t)) || (e = page_table_map(t, v->slot[m->gspace], SPEC_VM_PCI_HOLE)))
		goto out;
	for (uint32_t i = 0; i < ndev(v); i++) {
		uint32_t owner;
		if (!vm_vf(v, i, &owner) || owner != vi)
			continue;
		const struct spec_device *d = dev(v, i);
		if ((e = make(v, OBJ_PT, &t)) || (e = page_table_map(t, v->slot[m->gspace], d->gpa)) ||
		    (e = make(v, OBJ_PT, &t)) ||
		    (e = page_table_map(t, v->slot[c->vspace], COMPONENT_VM_VF_VA(d->vm_slot))))
			goto out;
		/* The description's vectors on this core, each signalling its own bit of "devices". */
		for (unsigned k = 0; k < d->nvectors; k++) {
			uint32_t h = take(v), badged = take(v);
			struct msi_result r = irq_control_get_msi_vector(CAP_INIT_IRQ_CONTROL, h, d->vectors[k]);
			if ((e = r.err) ||
			    (e = cnode_mint(CAP_INIT_CNODE, badged, msis, CAP_WRITE,
					    1ull << VM_DEV_MSI_BIT(d->vm_slot, k))) ||
			    (e = irq_handler_set_ntfn(h, badged)) || (e = give(v, c, h, at))) {
				printf("instance %u: spec: vector 0x%x for VF %s: %s\n", v->bi->instance,
				       d->vectors[k], str(v, d->name), err_str(e));
				goto out;
			}
			(void)cnode_delete(CAP_INIT_CNODE, badged);
			v->handler[i][k] = at++;
		}
	}
	v->ready[vi] = take(v);
	if ((e = cnode_mint(CAP_INIT_CNODE, v->ready[vi], devices, CAP_WRITE, 1ull << VM_DEV_READY)) ||
	    (m->ncores == 1 && (e = tcb_bind_ntfn(v->slot[c->tcb], devices))))
		goto out;
	printf("instance %u: vm %s: %u VF(s) from instance 0 awaited; %s waits for them\n",
	       v->bi->instance, str(v, m->name), m->nvfs, str(v, c->name));
out:
	if (e)
		printf("instance %u: spec: VFs of vm %s: %s\n", v->bi->instance, str(v, m->name), err_str(e));
	return e;
}

/* Instance 0: VF i's routing id from its PF's SR-IOV capability as it is now. */
static long vf_rid(struct vfs *v, uint32_t i, uint16_t *pf_bdf, uint16_t *rid)
{
	static uint8_t cfg[PCI_EXT_CFG_SIZE];
	const struct spec_device *pf = dev(v, dev(v, i)->pf);
	long e;

	*pf_bdf = PCI_BDF(pf->bus, pf->dev, pf->fn);
	if ((e = vfs_read_config(v, *pf_bdf, cfg)))
		return e;
	unsigned at = pci_cfg_find_ext_cap(cfg, PCI_EXT_CAP_SRIOV);
	if (!at)
		return E_UNSUPP;
	if (!(rd16(cfg + at + PCI_SRIOV_CTRL) & PCI_SRIOV_CTRL_VFE))
		return E_NOENT;
	return pci_vf_rid(*pf_bdf, rd16(cfg + at + PCI_SRIOV_VF_OFFSET),
			  rd16(cfg + at + PCI_SRIOV_VF_STRIDE), dev(v, i)->vf_index,
			  rd16(cfg + at + PCI_SRIOV_NUM_VFS), rid);
}

/* Instance 0: VF i is online: its IOSpace takes it, its MSIs go to its VM's core. */
static void hand_over(struct vfs *v, uint32_t i, uint32_t vi)
{
	const struct spec_device *d = dev(v, i);
	uint16_t pf, rid = 0;
	long e = vf_rid(v, i, &pf, &rid);

	if (!e)
		e = iospace_assign(v->iospace[i], CAP_INIT_PCI, rid);
	for (unsigned k = 0; !e && k < d->nvectors; k++) {
		struct msi_result r = irq_control_route_msi(CAP_INIT_IRQ_CONTROL, CAP_INIT_PCI, rid,
							    vm(v, vi)->cores[0], d->vectors[k]);
		e = r.err;
		v->address[i][k] = r.address;
		v->data[i][k] = (uint32_t)r.data;
	}
	if (e) {
		v->state[i] = VM_DEV_FAILED;
		snprintf(v->why[i], sizeof(v->why[i]), "instance 0 could not take VF %s: %s",
			 str(v, d->name), err_str(e));
		printf("instance 0: VF %s for vm %s: %s\n", str(v, d->name), str(v, vm(v, vi)->name),
		       err_str(e));
		return;
	}
	v->state[i] = VM_DEV_OK;
	printf("instance 0: VF %s (%02x:%02x.%x) for vm %s: IOSpace assigned, MSIs routed to vectors 0x%x-0x%x of core %u\n",
	       str(v, d->name), rid >> 8, rid >> 3 & 31, rid & 7, str(v, vm(v, vi)->name), d->vectors[0],
	       d->vectors[d->nvectors - 1], vm(v, vi)->cores[0]);
	v->rid[i] = rid;
	v->pf_bdf[i] = pf;
}

static uint64_t tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

#define TSC_PER_MS 5000000ull	/* at most 5 GHz: a wait lasts at least as long as meant */

/* Our cap that signals core `target`, or 0. */
static uint32_t signal_cap(const struct vfs *v, unsigned target)
{
	for (unsigned k = 0; k < v->bi->xsignal_count; k++)
		if (v->bi->xsignal_target[k] == target)
			return v->bi->xsignal_first + k;
	return 0;
}

/*
 * Instance 0, second phase: once every VM's core has mapped its VFs (so no VF BAR
 * is sized any more), each may tell its VMM. A core that does not answer within
 * 3 s is told anyway, and the line says so.
 */
static void go(struct vfs *v)
{
	static const uint32_t one = 1;
	const size_t state_at = __builtin_offsetof(struct spec_handover, state);
	const size_t mapped_at = __builtin_offsetof(struct spec_handover, mapped);
	const size_t go_at = __builtin_offsetof(struct spec_handover, go);
	unsigned waited = 0, late = 0;

	for (uint32_t vi = 0; vi < hdr(v)->nvms; vi++) {
		const struct spec_vm *m = vm(v, vi);
		uint32_t state = 0, mapped = 0;
		if (!m->nvfs || vfs_peek_at(v, v->slot[m->handover], state_at, &state, NULL, 4) ||
		    state != VM_DEV_OK)
			continue;
		for (uint64_t end = tsc() + 3000 * TSC_PER_MS; !mapped && tsc() < end;) {
			if (vfs_peek_at(v, v->slot[m->handover], mapped_at, &mapped, NULL, 4))
				break;
			if (!mapped)
				(void)sys_yield(0, 0);
		}
		waited++;
		late += !mapped;
		/* Its core runs its VMM and will say when it ends: the VFs come back then. */
		if (mapped && vi < VFS_MAX_DEVICES && !v->out[vi]) {
			v->out[vi] = 1;
			v->nout++;
		}
	}
	/* Said before it is done, so that the line precedes anything a VMM prints after go. */
	if (waited)
		printf("instance 0: %u VM core(s) mapped their VFs%s; told them to start their VMs\n", waited - late,
		       late ? ", some did not answer in 3 s" : "");
	for (uint32_t vi = 0; vi < hdr(v)->nvms; vi++) {
		const struct spec_vm *m = vm(v, vi);
		uint32_t sig = signal_cap(v, m->cores[0]);
		if (m->nvfs && !vfs_peek_at(v, v->slot[m->handover], go_at, NULL, &one, 4) && sig)
			(void)ipc_send(sig, 0, 0, 0);
	}
}

/* Instance 0: the notification we are bound to (the PFs' "online"), or 0. */
static uint32_t own_ntfn(const struct vfs *v)
{
	uint32_t vi;

	for (uint32_t i = 0; i < ndev(v); i++)
		if (vm_vf(v, i, &vi) && dev(v, dev(v, i)->pf)->online != SPEC_NONE)
			return v->slot[dev(v, dev(v, i)->pf)->online];
	return 0;
}

/*
 * True if a component on core 0 hears cross-core signals (a channel to another
 * core): then a VM's end cannot be signalled there without waking it.
 */
static bool core0_hears_others(const struct vfs *v)
{
	const struct spec_object *objs = (const struct spec_object *)(v->blob + hdr(v)->objects_off);

	for (uint32_t i = 0; i < hdr(v)->nobjects; i++)
		if (objs[i].core == 0 && (objs[i].flags & SPEC_OBJ_BIND_XSIGNALS))
			return true;
	return false;
}

/*
 * Instance 0, hand-over done: from now on the VMs' cores signal only to say a
 * VM has ended, so our notification takes cross-core signals (those sent
 * meanwhile were kept). Not where a component of ours already hears them.
 */
static void listen_for_ends(struct vfs *v)
{
	uint32_t ntfn = own_ntfn(v);
	long e = ntfn ? E_OK : E_NOENT;

	if (!v->nout)
		return;
	if (!e && core0_hears_others(v))
		e = E_BUSY;
	if (!e)
		e = ntfn_bind_xsignals(ntfn);
	if (e) {
		printf("instance 0: VFs stay with their VMs after these end: cross-core signals: %s\n", err_str(e));
		v->nout = 0;
		return;
	}
	printf("instance 0: listening for the end of %u VM(s), to take their VFs back\n", v->nout);
}

/* Instance 0: a VM that has ended gives its VFs back: their IOSpaces go (no DMA, no MSI routes). */
static void take_back(struct vfs *v)
{
	uint32_t owner;

	for (uint32_t vi = 0; vi < hdr(v)->nvms && vi < VFS_MAX_DEVICES; vi++) {
		const struct spec_vm *m = vm(v, vi);
		uint32_t stopped = 0;
		if (!v->out[vi] ||
		    vfs_peek_at(v, v->slot[m->handover], __builtin_offsetof(struct spec_handover, stopped), &stopped,
			    NULL, sizeof(stopped)) || !stopped)
			continue;
		for (uint32_t i = 0; i < ndev(v); i++) {
			if (!vm_vf(v, i, &owner) || owner != vi || v->state[i] != VM_DEV_OK)
				continue;
			long e = cnode_delete(CAP_INIT_CNODE, v->iospace[i]);
			printf("instance 0: vm %s ended: VF %s taken back: IOSpace deleted%s%s\n", str(v, m->name),
			       str(v, dev(v, i)->name), e ? ": " : " (no DMA, no MSI routes)", e ? err_str(e) : "");
		}
		(void)cnode_delete(CAP_INIT_CNODE, v->slot[m->handover]);
		v->out[vi] = 0;
		v->nout--;
	}
}

bool spec_vfs_listening(const struct vfs *v)
{
	return v->bi->instance == 0 && v->nout > 0;
}

void spec_vfs_vmm_stopped(struct vfs *v, uint32_t index)
{
	static const uint32_t one = 1;
	unsigned left = 0, mine = 0;
	uint32_t sig = signal_cap(v, 0);

	if (v->bi->instance == 0 || core0_hears_others(v))
		return;
	/* Here out[] says "its end was told": told even before the hand-over, which then sees it. */
	for (uint32_t vi = 0; vi < hdr(v)->nvms && vi < VFS_MAX_DEVICES; vi++) {
		const struct spec_vm *m = vm(v, vi);
		if (!m->nvfs || m->cores[0] != v->bi->instance)
			continue;
		mine++;
		if (v->out[vi])
			continue;
		if (m->vmm != index) {
			left++;
			continue;
		}
		long e = vfs_peek_at(v, v->slot[m->handover], __builtin_offsetof(struct spec_handover, stopped), NULL,
				 &one, sizeof(one));
		if (!e)
			e = sig ? ipc_send(sig, 0, 0, 0) : E_NOENT;
		printf("instance %u: vm %s ended: told core 0 to take its VFs back%s%s\n", v->bi->instance,
		       str(v, m->name), e ? ": " : "", e ? err_str(e) : "");
		v->out[vi] = 1;
	}
	if (mine && !left && sig)	/* nothing more to say to core 0 */
		(void)cnode_delete(CAP_INIT_CNODE, sig);
}

/* Instance 0: every VM whose VFs are all settled gets its hand-over page and a signal. */
static void settle(struct vfs *v)
{
	static struct spec_handover ho;
	bool all = true;

	for (uint32_t vi = 0; vi < hdr(v)->nvms && vi < VFS_MAX_DEVICES; vi++) {
		const struct spec_vm *m = vm(v, vi);
		bool ready = m->nvfs > 0 && !v->vm_done[vi];
		for (uint32_t i = 0; i < ndev(v) && ready; i++) {
			uint32_t owner;
			ready = !vm_vf(v, i, &owner) || owner != vi || v->state[i] != VM_DEV_PENDING;
		}
		if (!ready) {
			all &= !m->nvfs || v->vm_done[vi];
			continue;
		}
		memset(&ho, 0, sizeof(ho));
		ho.magic = SPEC_HANDOVER_MAGIC;
		ho.state = VM_DEV_OK;
		ho.nvfs = m->nvfs;
		for (uint32_t i = 0; i < ndev(v); i++) {
			uint32_t owner;
			if (!vm_vf(v, i, &owner) || owner != vi)
				continue;
			const struct spec_device *d = dev(v, i);
			ho.vf[d->vm_slot].state = v->state[i];
			ho.vf[d->vm_slot].bdf = v->rid[i];
			ho.vf[d->vm_slot].pf_bdf = v->pf_bdf[i];
			ho.vf[d->vm_slot].vf_number = d->vf_index;
			ho.vf[d->vm_slot].nvectors = d->nvectors;
			for (unsigned k = 0; k < d->nvectors; k++) {
				ho.vf[d->vm_slot].address[k] = v->address[i][k];
				ho.vf[d->vm_slot].data[k] = v->data[i][k];
			}
			if (v->state[i] != VM_DEV_OK) {
				ho.state = VM_DEV_FAILED;
				snprintf(ho.why, sizeof(ho.why), "%s", v->why[i]);
			}
		}
		uint32_t sig = signal_cap(v, m->cores[0]);
		long e = vfs_peek(v, v->slot[m->handover], NULL, &ho, __builtin_offsetof(struct spec_handover, stopped));
		if (!e)
			e = sig ? ipc_send(sig, 0, 0, 0) : E_NOENT;
		printf("instance 0: vm %s: %u VF(s) %s; core %u signalled%s%s\n", str(v, m->name), m->nvfs,
		       ho.state == VM_DEV_OK ? "handed over" : "failed", m->cores[0], e ? ": " : "",
		       e ? err_str(e) : "");
		v->vm_done[vi] = 1;
	}
	if (all && !v->done) {
		go(v);
		/* Nothing more to route or assign: the PCI cap and the rest go (the IOSpaces stay). */
		unsigned n = 0;
		v->done = true;
		n += cnode_delete(CAP_INIT_CNODE, CAP_INIT_PCI) == E_OK;
		n += cnode_delete(CAP_INIT_CNODE, CAP_INIT_IRQ_CONTROL) == E_OK;
		for (unsigned k = 0; k < v->bi->xsignal_count; k++)
			n += cnode_delete(CAP_INIT_CNODE, v->bi->xsignal_first + k) == E_OK;
		for (uint32_t vi = 0; vi < hdr(v)->nvms; vi++)
			if (vm(v, vi)->nvfs && !(vi < VFS_MAX_DEVICES && v->out[vi]))
				n += cnode_delete(CAP_INIT_CNODE, v->slot[vm(v, vi)->handover]) == E_OK;
		printf("instance 0: VF hand-over done; root task dropped %u more caps\n", n);
		listen_for_ends(v);
	}
}


void spec_vfs_signalled(struct vfs *v, uint64_t word)
{
	uint32_t vi;

	if (!v->active && !spec_vfs_listening(v))
		return;
	if (v->bi->instance != 0) {
		if (word & 1)	/* core 0 */
			spec_vfs_receive(v);
		return;
	}
	if (v->done) {
		take_back(v);	/* now only the VMs' cores signal: a VM has ended */
		return;
	}
	/* The badge of "<pf>.online" is 1 << the PF's device index. */
	for (uint32_t i = 0; i < ndev(v); i++) {
		if (!vm_vf(v, i, &vi) || v->state[i] != VM_DEV_PENDING || dev(v, i)->pf >= 64 ||
		    !(word & 1ull << dev(v, i)->pf))
			continue;
		hand_over(v, i, vi);
	}
	settle(v);
}

void spec_vfs_exited(struct vfs *v, uint32_t index, uint64_t status)
{
	uint32_t vi;

	if (!v->active || v->done || v->bi->instance != 0)
		return;
	for (uint32_t i = 0; i < ndev(v); i++) {
		const struct spec_device *pf;
		if (!vm_vf(v, i, &vi) || v->state[i] != VM_DEV_PENDING)
			continue;
		pf = dev(v, dev(v, i)->pf);
		if (pf->owner != index)
			continue;
		v->state[i] = VM_DEV_FAILED;
		if (status == ~0ull)
			snprintf(v->why[i], sizeof(v->why[i]), "%s, the driver of PF %s, faulted before its VFs were online",
				 str(v, comp(v, index)->name), str(v, pf->name));
		else
			snprintf(v->why[i], sizeof(v->why[i]), "%s, the driver of PF %s, exited with status %llu before its VFs were online",
				 str(v, comp(v, index)->name), str(v, pf->name), (unsigned long long)status);
	}
	settle(v);
}
