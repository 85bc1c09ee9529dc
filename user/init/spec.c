/*
 * Booting a compiled system description: the root task of each instance finds
 * the spec blob among the boot modules, checks it, makes its core's objects
 * from untyped memory, fills each component's CNode and address space, starts
 * the components, drops the caps it no longer needs and supervises them.
 */
#include "abi/spec.h"
#include "abi/vmstop.h"
#include "atoll.h"
#include "cap.h"
#include "kstring.h"
#include "spec_boot.h"
#include "spec_devices.h"
#include "spec_vfs.h"

#define SCRATCH_VA 0x5FF000ull	/* in the page table that maps our own image */
#define COMPONENT_CNODE_GUARD (64 - COMPONENT_CNODE_RADIX)

struct boot {
	const struct bootinfo *bi;
	const uint8_t *blob;
	const struct spec_header *h;
	const struct spec_component *comps;
	const struct spec_vm *vms;
	const struct spec_object *objs;
	const struct spec_cap *caps;
	const struct spec_map *maps;
	const char *strings;
	uint32_t *slot;		/* per object: where our cap to it is (0: none) */
	uint32_t next;		/* next free slot of our CNode */
	bool pool_made;		/* the shared pool's frames are in slot[] */
	uint8_t *mapped;	/* per object: mapped by this core (pool frames not mapped are dropped) */
	struct vfs vfs;		/* VFs handed to VMs (spec_vfs.c) */
	uint32_t two_level;	/* our CNode with no guard: reaches into components' CNodes */
	uint32_t supervisor;	/* the endpoint components' exits and faults arrive on */
	unsigned me;
};

static const char *str(const struct boot *b, uint32_t off)
{
	return off < b->h->strings_size ? b->strings + off : "?";
}

static bool in_blob(const struct spec_header *h, uint32_t off, uint64_t n, uint64_t elem)
{
	return off % 8 == 0 && off <= h->size && n * elem <= h->size - off;
}

/* Checks the header, the checksum and that every table lies inside the blob. */
static const char *check_blob(const uint8_t *blob, uint64_t size)
{
	const struct spec_header *h = (const struct spec_header *)blob;

	if (h->version != SPEC_VERSION)
		return "unsupported version";
	if (h->size > size)
		return "truncated: the module is shorter than the blob";
	if (spec_checksum(blob, h->size) != h->checksum)
		return "checksum mismatch";
	if (!in_blob(h, h->components_off, h->ncomponents, sizeof(struct spec_component)) ||
	    !in_blob(h, h->vms_off, h->nvms, sizeof(struct spec_vm)) ||
	    !in_blob(h, h->objects_off, h->nobjects, sizeof(struct spec_object)) ||
	    !in_blob(h, h->caps_off, h->ncaps, sizeof(struct spec_cap)) ||
	    !in_blob(h, h->maps_off, h->nmaps, sizeof(struct spec_map)) ||
	    !in_blob(h, h->devices_off, h->ndevices, sizeof(struct spec_device)) ||
	    !in_blob(h, h->data_off, h->data_size, 1) || !in_blob(h, h->strings_off, h->strings_size, 1) ||
	    !h->strings_size || blob[h->strings_off + h->strings_size - 1])
		return "a table lies outside the blob";
	const struct spec_map *m = (const struct spec_map *)(blob + h->maps_off);
	for (uint32_t i = 0; i < h->nmaps; i++)
		if (m[i].object >= h->nobjects || (uint64_t)m[i].data_off + m[i].data_len > h->data_size ||
		    (uint64_t)m[i].page_off + m[i].data_len > 4096)
			return "a mapping is out of range";
	const struct spec_cap *c = (const struct spec_cap *)(blob + h->caps_off);
	for (uint32_t i = 0; i < h->ncaps; i++)
		if (c[i].object >= h->nobjects || c[i].component >= h->ncomponents ||
		    c[i].slot == 0 || c[i].slot >= (1u << COMPONENT_CNODE_RADIX))
			return "a cap is out of range";
	const struct spec_component *p = (const struct spec_component *)(blob + h->components_off);
	for (uint32_t i = 0; i < h->ncomponents; i++)
		if ((uint64_t)p[i].first_cap + p[i].ncaps > h->ncaps ||
		    (uint64_t)p[i].first_map + p[i].nmaps > h->nmaps || p[i].tcb >= h->nobjects ||
		    p[i].cnode >= h->nobjects || p[i].vspace >= h->nobjects ||
		    p[i].ipc_buffer >= h->nobjects || p[i].info >= h->nobjects ||
		    p[i].ncaps > COMPONENT_MAX_CAPS || p[i].cnode_radix != COMPONENT_CNODE_RADIX)
			return "a component is out of range";
	const struct spec_vm *v = (const struct spec_vm *)(blob + h->vms_off);
	for (uint32_t i = 0; i < h->nvms; i++) {
		if (v[i].vmm != SPEC_NONE && (v[i].vmm >= h->ncomponents || v[i].vcpu >= h->nobjects ||
					      v[i].gspace >= h->nobjects))
			return "a VM is out of range";
		for (uint32_t k = 0; k < v[i].ncores && k < SPEC_VM_MAX_CPUS; k++) {
			const struct spec_vm_cpu *vc = &v[i].cpu[k];
			if (vc->vmm >= h->ncomponents || vc->vcpu >= h->nobjects || vc->gspace >= h->nobjects ||
			    (uint64_t)vc->first_map + vc->nmaps > h->nmaps ||
			    (v[i].ncores > 1 && vc->wake >= h->nobjects))
				return "a VM's vCPU is out of range";
		}
	}
	return NULL;
}

static uint32_t take_slot(struct boot *b)
{
	return b->next++;
}

/* The largest untyped region: a fresh one, so objects land where the compiler placed them. */
static uint32_t pool_untyped(const struct bootinfo *bi, unsigned *bits)
{
	unsigned best = 0;

	for (unsigned i = 1; i < bi->untyped_count; i++)
		if (bi->untyped[i].size_bits > bi->untyped[best].size_bits)
			best = i;
	*bits = bi->untyped[best].size_bits;
	return bi->untyped_first + best;
}

static long make_objects(struct boot *b)
{
	unsigned bits;
	uint32_t ut = pool_untyped(b->bi, &bits);
	uint64_t need = b->h->pool_bytes[b->me];

	printf("instance %u: making %llu KiB of objects from untyped [0x%llx-0x%llx)\n", b->me,
	       (unsigned long long)(need >> 10), (unsigned long long)b->bi->untyped[ut - b->bi->untyped_first].paddr,
	       (unsigned long long)(b->bi->untyped[ut - b->bi->untyped_first].paddr + (1ull << bits)));
	if (need > (1ull << bits)) {
		printf("instance %u: spec: the objects need %llu KiB, the largest untyped region has %llu KiB\n",
		       b->me, (unsigned long long)(need >> 10), (unsigned long long)(1ull << bits >> 10));
		return E_NOMEM;
	}
	/* In the compiler's order; runs of one type go in one call. */
	for (uint32_t i = 0, run; i < b->h->nobjects; i += run) {
		const struct spec_object *o = &b->objs[i];
		run = 1;
		if (o->core != b->me || o->type == OBJ_XSIGNAL || (o->flags & SPEC_OBJ_SHARED))
			continue;
		while (i + run < b->h->nobjects && run < 256 && b->objs[i + run].core == b->me &&
		       b->objs[i + run].type == o->type && b->objs[i + run].size_bits == o->size_bits &&
		       !(b->objs[i + run].flags & SPEC_OBJ_SHARED))
			run++;
		if (b->next + run >= (1u << b->bi->cnode_radix)) {
			printf("instance %u: spec: more objects than slots in the root CNode\n", b->me);
			return E_FULL;
		}
		long e = untyped_retype(ut, o->type, o->size_bits, CAP_INIT_CNODE, b->next, run);
		if (e) {
			printf("instance %u: spec: making %s: %s\n", b->me, str(b, o->name), err_str(e));
			return e;
		}
		for (uint32_t k = 0; k < run; k++)
			b->slot[i + k] = b->next + k;
		b->next += run;
	}
	return E_OK;
}

/*
 * Our caps to every frame of the shared pool, made the first time one is needed:
 * in blob order (largest first), so each lands at its offset as on every core.
 */
static long pool_make(struct boot *b)
{
	if (b->pool_made)
		return E_OK;
	if (!b->bi->shared_bits || (1ull << b->bi->shared_bits) < b->h->shared_bytes)
		return E_NOMEM;
	for (uint32_t i = 0, run; i < b->h->nobjects; i += run) {
		const struct spec_object *o = &b->objs[i];
		run = 1;
		if (!(o->flags & SPEC_OBJ_SHARED))
			continue;
		while (i + run < b->h->nobjects && run < 256 && b->objs[i + run].type == o->type &&
		       (b->objs[i + run].flags & SPEC_OBJ_SHARED))
			run++;
		if (b->next + run >= (1u << b->bi->cnode_radix))
			return E_FULL;
		long e = untyped_retype(CAP_INIT_SHARED, o->type, 0, CAP_INIT_CNODE, b->next, run);
		if (e)
			return e;
		for (uint32_t k = 0; k < run; k++)
			b->slot[i + k] = b->next + k;
		b->next += run;
	}
	b->pool_made = true;
	return E_OK;
}

/* Writes bytes into a frame through a temporary mapping in our own space. */
static long fill_frame(struct boot *b, uint32_t frame, uint32_t off, const void *src, uint32_t len)
{
	uint32_t tmp = take_slot(b);
	long e = cnode_copy(CAP_INIT_CNODE, tmp, frame, CAP_ALL_RIGHTS);

	if (!e && !(e = frame_map(tmp, CAP_INIT_VSPACE, SCRATCH_VA, CAP_WRITE))) {
		memcpy((uint8_t *)(uintptr_t)SCRATCH_VA + off, src, len);
		e = frame_unmap(tmp);
	}
	(void)cnode_delete(CAP_INIT_CNODE, tmp);
	b->next--;
	return e;
}

static long map_all(struct boot *b, uint32_t first, uint32_t n, uint32_t vspace)
{
	for (uint32_t i = first; i < first + n; i++) {
		const struct spec_map *m = &b->maps[i];
		const struct spec_object *o = &b->objs[m->object];
		uint32_t slot = b->slot[m->object];
		long e = E_OK;
		if (o->flags & SPEC_OBJ_SHARED) {
			e = pool_make(b);
			slot = b->slot[m->object];
			b->mapped[m->object] = 1;
		}
		if (!e && !slot)
			e = E_NOENT;
		if (!e && o->type >= OBJ_PDPT && o->type <= OBJ_PT)
			e = page_table_map(slot, vspace, m->vaddr);
		else if (!e) {
			if (m->data_len)
				e = fill_frame(b, slot, m->page_off, b->blob + b->h->data_off + m->data_off,
					       m->data_len);
			if (!e)
				e = frame_map(slot, vspace, m->vaddr, m->rights & (CAP_WRITE | CAP_EXEC));
			/* Mapped already (guest RAM: the guest's and its VMM's): through a copy of the cap. */
			if (e == E_BUSY) {
				uint32_t copy = take_slot(b);
				e = cnode_copy(CAP_INIT_CNODE, copy, slot, CAP_ALL_RIGHTS);
				if (!e)
					e = frame_map(copy, vspace, m->vaddr, m->rights & (CAP_WRITE | CAP_EXEC));
			}
		}
		if (e) {
			printf("instance %u: spec: mapping %s at 0x%llx: %s\n", b->me, str(b, o->name),
			       (unsigned long long)m->vaddr, err_str(e));
			return e;
		}
	}
	return E_OK;
}

/* Which vCPU of how many a VMM runs, and its caps to wake and to kick the others. */
static void vcpu_info(const struct spec_vm *v, uint32_t cpu, struct component_info *info)
{
	struct component_vm_info *vm = &info->vm;

	vm->cpu = cpu;
	vm->ncpus = v->ncores;
	if (v->ncores < 2)
		return;
	vm->state_va = COMPONENT_VM_STATE_VA;
	for (uint32_t k = 0; k < info->ncaps; k++) {
		const struct component_cap_info *c = &info->caps[k];
		if (!strcmp(c->name, "wake"))
			vm->wake = c->slot;
		if (c->name[0] == 'c' && c->name[1] == 'p' && c->name[2] == 'u' &&
		    c->name[3] >= '0' && c->name[3] < '0' + SPEC_VM_MAX_CPUS && !c->name[4])
			vm->kick[c->name[3] - '0'] = c->slot;
	}
}

/* A VMM's info page also says which VM it runs and where that VM's parts are. */
static void write_vm_info(struct boot *b, uint32_t index, struct component_info *info)
{
	for (uint32_t i = 0; i < b->h->nvms; i++) {
		const struct spec_vm *v = &b->vms[i];
		uint32_t cpu = 0;
		while (cpu < v->ncores && cpu < SPEC_VM_MAX_CPUS && v->cpu[cpu].vmm != index)
			cpu++;
		if (cpu == v->ncores || cpu == SPEC_VM_MAX_CPUS)
			continue;
		struct component_vm_info *vm = &info->vm;
		vcpu_info(v, cpu, info);
		snprintf(vm->name, sizeof(vm->name), "%s", str(b, v->name));
		for (uint32_t k = 0; k < info->ncaps; k++) {
			if (info->caps[k].type == OBJ_VCPU)
				vm->vcpu = info->caps[k].slot;
			if (info->caps[k].type == OBJ_GUEST_SPACE)
				vm->gspace = info->caps[k].slot;
		}
		vm->console = (v->flags & SPEC_VM_CONSOLE) != 0;
		vm->console_input = v->flags & SPEC_VM_CONSOLE_INPUT ? COMPONENT_CONSOLE_SLOT : 0;
		vm->ram_va = COMPONENT_VM_RAM_VA;
		vm->ram_size = v->memory;
		vm->kernel_va = COMPONENT_VM_KERNEL_VA;
		vm->kernel_size = v->kernel_size;
		vm->initramfs_va = COMPONENT_VM_INITRAMFS_VA;
		vm->initramfs_size = v->initramfs_size;
		snprintf(vm->cmdline, sizeof(vm->cmdline), "%s", str(b, v->cmdline));
		vm->nvfs = v->nvfs;
		for (uint32_t k = 0; k < info->ncaps && v->nvfs; k++)
			if (info->caps[k].type == OBJ_NOTIFICATION && !strcmp(info->caps[k].name, "devices"))
				vm->devices = info->caps[k].slot;
		/* Several vCPUs: only vCPU 0's VMM has the devices page (spec.h). */
		vm->devices_va = v->nvfs && !cpu ? COMPONENT_VM_DEVICES_VA : 0;
	}
}

/* The info page: the component's name and what each of its slots is. */
static long write_info(struct boot *b, const struct spec_component *c)
{
	static struct component_info info;

	memset(&info, 0, sizeof(info));
	info.magic = COMPONENT_INFO_MAGIC;
	snprintf(info.name, sizeof(info.name), "%s", str(b, c->name));
	info.core = c->core;
	info.heap_va = c->heap_va;
	info.heap_size = c->heap_size;
	for (uint32_t k = 0; k < c->ncaps; k++) {
		const struct spec_cap *p = &b->caps[c->first_cap + k];
		struct component_cap_info *ci = &info.caps[info.ncaps++];
		snprintf(ci->name, sizeof(ci->name), "%s", str(b, p->name));
		ci->type = b->objs[p->object].type;
		ci->role = p->role;
		ci->rights = p->rights;
		ci->slot = p->slot;
	}
	/* Shared regions: consecutive frames of one channel make one entry. */
	for (uint32_t i = c->first_map; i < c->first_map + c->nmaps; i++) {
		const struct spec_map *m = &b->maps[i];
		const struct spec_object *o = &b->objs[m->object];
		if (m->vaddr < COMPONENT_SHARED_VA || m->vaddr >= COMPONENT_SHARED_END ||
		    o->type != OBJ_FRAME_4K)
			continue;
		struct component_cap_info *last = info.ncaps ? &info.caps[info.ncaps - 1] : NULL;
		if (last && !last->slot && last->va + last->size == m->vaddr) {
			last->size += 4096;
			continue;
		}
		if (info.ncaps == COMPONENT_MAX_CAPS)
			return E_FULL;
		struct component_cap_info *ci = &info.caps[info.ncaps++];
		/* The object is named "<channel>.shared". */
		const char *name = str(b, o->name);
		for (size_t n = 0; n + 1 < sizeof(ci->name) && name[n] && name[n] != '.'; n++)
			ci->name[n] = name[n];
		ci->type = OBJ_FRAME_4K;
		ci->rights = m->rights;
		ci->va = m->vaddr;
		ci->size = 4096;
	}
	write_vm_info(b, (uint32_t)(c - b->comps), &info);
	return fill_frame(b, b->slot[c->info], 0, &info, sizeof(info));
}

/* Our cap that signals core `target` (made at boot). */
static uint32_t xsignal_slot(const struct bootinfo *bi, unsigned target)
{
	for (unsigned i = 0; i < bi->xsignal_count; i++)
		if (bi->xsignal_target[i] == target)
			return bi->xsignal_first + i;
	return 0;
}

/* The VM this component is a VMM of (of any of its vCPUs), or NULL. */
static const struct spec_vm *vm_of(const struct boot *b, uint32_t component)
{
	for (uint32_t i = 0; i < b->h->nvms; i++) {
		if (b->vms[i].vmm == component)
			return &b->vms[i];
		for (uint32_t k = 0; b->vms[i].ncores > 1 && k < b->vms[i].ncores && k < SPEC_VM_MAX_CPUS; k++)
			if (b->vms[i].cpu[k].vmm == component)
				return &b->vms[i];
	}
	return NULL;
}

/* A vCPU's VMM hears the other vCPUs' kicks in VCPU_RUN (VMEXIT_NOTIFY): bind its wake-up. */
static long bind_wake(struct boot *b, uint32_t index)
{
	for (uint32_t i = 0; i < b->h->nvms; i++)
		for (uint32_t k = 0; b->vms[i].ncores > 1 && k < b->vms[i].ncores && k < SPEC_VM_MAX_CPUS; k++)
			if (b->vms[i].cpu[k].vmm == index)
				return tcb_bind_ntfn(b->slot[b->comps[index].tcb], b->slot[b->vms[i].cpu[k].wake]);
	return E_OK;
}

static long start_component(struct boot *b, uint32_t index)
{
	const struct spec_component *c = &b->comps[index];
	uint32_t cnode = b->slot[c->cnode], tcb = b->slot[c->tcb], vspace = b->slot[c->vspace];
	uint32_t space = take_slot(b), fault = take_slot(b);
	long e;

	/* Its CNode as its CSpace root: a guard makes a slot number a whole cptr. */
	if ((e = atoll_call(CAP_INIT_CNODE, INV_CNODE_MINT, space, cnode,
			    CNODE_ARGS(CAP_ALL_RIGHTS, COMPONENT_CNODE_GUARD, 0, 0), 0).err))
		return e;
	for (uint32_t k = 0; k < c->ncaps; k++) {
		const struct spec_cap *p = &b->caps[c->first_cap + k];
		const struct spec_object *o = &b->objs[p->object];
		uint32_t src = o->type == OBJ_XSIGNAL ? xsignal_slot(b->bi, o->target) : b->slot[p->object];
		if (!src)
			return E_NOENT;
		/* Through our guardless CNode: cnode_radix bits pick `cnode`, 6 more its slot. */
		uint64_t dest = (uint64_t)cnode << COMPONENT_CNODE_RADIX | p->slot;
		if ((e = atoll_call(b->two_level, INV_CNODE_MINT, dest, src,
				    CNODE_ARGS(p->rights, 0, b->bi->cnode_radix + COMPONENT_CNODE_RADIX,
					       b->bi->cnode_radix),
				    p->badge).err)) {
			printf("instance %u: spec: giving %s its cap to %s: %s\n", b->me,
			       str(b, c->name), str(b, p->name), err_str(e));
			return e;
		}
	}
	const struct spec_vm *vm = vm_of(b, index);
	if (vm && (vm->flags & SPEC_VM_CONSOLE_INPUT) &&
	    (e = atoll_call(b->two_level, INV_CNODE_MINT,
			    (uint64_t)cnode << COMPONENT_CNODE_RADIX | COMPONENT_CONSOLE_SLOT,
			    CAP_INIT_CONSOLE,
			    CNODE_ARGS(CAP_READ, 0, b->bi->cnode_radix + COMPONENT_CNODE_RADIX,
				       b->bi->cnode_radix),
			    0).err)) {
		printf("instance %u: spec: giving vm %s the console input: %s\n", b->me,
		       str(b, vm->name), err_str(e));
		return e;
	}
	if ((e = map_all(b, c->first_map, c->nmaps, vspace)) || (e = write_info(b, c)) ||
	    (e = spec_devices_give(b->bi, b->blob, b->slot, &b->next, b->two_level, index, space)) ||
	    (e = spec_vfs_vmm(&b->vfs, index)))
		return e;
	if ((e = bind_wake(b, index)))
		return e;
	if ((e = cnode_mint(CAP_INIT_CNODE, fault, b->supervisor, CAP_WRITE | CAP_GRANT, index + 1)) ||
	    (e = tcb_set_space(tcb, space)) || (e = tcb_set_vspace(tcb, vspace)) ||
	    (e = tcb_set_ipc_buffer(tcb, b->slot[c->ipc_buffer])) ||
	    (e = tcb_set_fault_ep(tcb, fault)) || (e = tcb_set_priority(tcb, c->priority)) ||
	    (e = tcb_write_registers(tcb, c->entry, c->stack_top, COMPONENT_INFO_VA)))
		return e;
	printf("instance %u: component %s started: %llu KiB, %u caps, priority %u\n", b->me,
	       str(b, c->name), (unsigned long long)(c->memory >> 10), c->ncaps, c->priority);
	return tcb_resume(tcb);
}

/* Deletes what only building needed: untyped memory, devices, other cores' signals. */
static unsigned drop_caps(struct boot *b)
{
	unsigned n = 0;

	for (unsigned i = 0; i < b->bi->untyped_count; i++)
		n += cnode_delete(CAP_INIT_CNODE, b->bi->untyped_first + i) == E_OK;
	bool vfs = spec_vfs_pending(&b->vfs);
	/* Until the VFs are handed over: the PCI cap, and on instance 0 the right to route and signal. */
	/* A VM's core keeps its signal to core 0: it says when its VMs end (spec_vfs.c). */
	for (unsigned i = 0; i < b->bi->xsignal_count && !(vfs && b->me == 0); i++)
		if (!(vfs && b->bi->xsignal_target[i] == 0))
			n += cnode_delete(CAP_INIT_CNODE, b->bi->xsignal_first + i) == E_OK;
	if (!(vfs && b->me == 0))
		n += cnode_delete(CAP_INIT_CNODE, CAP_INIT_IRQ_CONTROL) == E_OK;
	n += cnode_delete(CAP_INIT_CNODE, CAP_INIT_IO_PORT) == E_OK;
	n += cnode_delete(CAP_INIT_CNODE, CAP_INIT_SHARED) == E_OK;
	if (!vfs)
		n += cnode_delete(CAP_INIT_CNODE, CAP_INIT_PCI) == E_OK;
	n += cnode_delete(CAP_INIT_CNODE, CAP_INIT_CONSOLE) == E_OK;
	/* Pool frames this core maps nothing with (other VMs' RAM, others' channels). */
	for (uint32_t i = 0; b->pool_made && i < b->h->nobjects; i++)
		if ((b->objs[i].flags & SPEC_OBJ_SHARED) && !b->mapped[i] && !spec_vfs_keeps(&b->vfs, i))
			n += cnode_delete(CAP_INIT_CNODE, b->slot[i]) == E_OK;
	n += cnode_delete(CAP_INIT_CNODE, b->two_level) == E_OK;
	return n;
}

/*
 * Waits until every component of this core has exited or faulted, and says so;
 * on instance 0 then until every VM on another core holding VFs has ended (to
 * take them back). Returns the failures. A VMM's non-zero status is why its VM
 * stopped (abi/vmstops.def).
 */
static unsigned supervise(struct boot *b, unsigned running)
{
	unsigned failed = 0, total = running;
	bool said = false;

	while (running || spec_vfs_listening(&b->vfs)) {
		if (!running && !said) {
			printf("instance %u: all %u components finished, %u failed\n", b->me, total, failed);
			said = true;
		}
		struct msg m = ipc_recv(b->supervisor);
		if (!m.err && (m.info & MSGINFO_NTFN)) {
			spec_vfs_signalled(&b->vfs, m.badge);	/* a PF's VFs online, or core 0's hand-over */
			continue;
		}
		if (m.err || m.badge == 0 || m.badge > b->h->ncomponents)
			continue;
		const char *name = str(b, b->comps[m.badge - 1].name);
		unsigned label = MSGINFO_LABEL(m.info);
		spec_vfs_vmm_stopped(&b->vfs, (uint32_t)m.badge - 1);	/* a VM with VFs ended: core 0 takes them */
		const struct spec_vm *vm = vm_of(b, (uint32_t)m.badge - 1);
		if (label == EXIT_LABEL && vm && m.mr[0] != 0) {
			const char *why = vmstop_str(m.mr[0]);
			printf("instance %u: vm %s stopped: %s (exit status %llu)\n", b->me,
			       str(b, vm->name), why ? why : "unknown reason", (unsigned long long)m.mr[0]);
			failed += !vmstop_by_guest(m.mr[0]);	/* a guest's own end is no failure of ours */
		} else if (label == EXIT_LABEL) {
			printf("instance %u: component %s exited with status %llu\n", b->me, name,
			       (unsigned long long)m.mr[0]);
			failed += m.mr[0] != 0;
			spec_vfs_exited(&b->vfs, (uint32_t)m.badge - 1, m.mr[0]);
		} else {
			printf("instance %u: component %s stopped: fault %u at rip 0x%llx, address 0x%llx\n",
			       b->me, name, FAULT_VECTOR(label), (unsigned long long)m.mr[0],
			       (unsigned long long)m.mr[1]);
			failed++;
			spec_vfs_exited(&b->vfs, (uint32_t)m.badge - 1, ~0ull);
		}
		running--;
	}
	if (!said)
		printf("instance %u: all %u components finished, %u failed\n", b->me, total, failed);
	return failed;
}

static int boot_spec(const struct bootinfo *bi, const uint8_t *blob, uint64_t size)
{
	struct boot b = { .bi = bi, .blob = blob, .h = (const struct spec_header *)blob,
			  .me = bi->instance, .next = bi->empty_first };
	const char *why = check_blob(blob, size);

	if (why) {
		printf("instance %u: spec blob rejected: %s\n", bi->instance, why);
		return 1;
	}
	b.comps = (const void *)(blob + b.h->components_off);
	b.vms = (const void *)(blob + b.h->vms_off);
	b.objs = (const void *)(blob + b.h->objects_off);
	b.caps = (const void *)(blob + b.h->caps_off);
	b.maps = (const void *)(blob + b.h->maps_off);
	b.strings = (const char *)blob + b.h->strings_off;
	if (b.h->ncores != bi->ninstances) {
		printf("instance %u: spec blob rejected: it describes %u cores, this machine runs %u instances\n",
		       b.me, b.h->ncores, bi->ninstances);
		return 1;
	}
	spec_devices_note(bi, blob);
	if (!(b.slot = malloc(b.h->nobjects * sizeof(*b.slot) + 1)) ||
	    !(b.mapped = malloc(b.h->nobjects + 1)))
		return 1;
	memset(b.slot, 0, b.h->nobjects * sizeof(*b.slot));
	memset(b.mapped, 0, b.h->nobjects);
	/* The supervisor endpoint comes from another region: the pool region stays fresh. */
	unsigned bits;
	uint32_t pool = pool_untyped(bi, &bits), other = 0;
	for (unsigned i = 0; i < bi->untyped_count && !other; i++)
		if (bi->untyped_first + i != pool)
			other = bi->untyped_first + i;
	b.two_level = take_slot(&b);
	b.supervisor = take_slot(&b);
	long e = other ? E_OK : E_NOMEM;
	if (!e)
		e = atoll_call(CAP_INIT_CNODE, INV_CNODE_MINT, b.two_level, CAP_INIT_CNODE,
			       CNODE_ARGS(CAP_ALL_RIGHTS, 0, 0, 0), 0).err;
	if (!e)
		e = untyped_retype(other, OBJ_ENDPOINT, 0, CAP_INIT_CNODE, b.supervisor, 1);
	if (!e)
		e = make_objects(&b);
	for (uint32_t i = 0; i < b.h->nobjects && !e; i++)
		if (b.objs[i].core == b.me && (b.objs[i].flags & SPEC_OBJ_BIND_XSIGNALS))
			e = ntfn_bind_xsignals(b.slot[i]);
	b.vfs = (struct vfs){ .bi = bi, .blob = blob, .slot = b.slot, .next = &b.next,
			      .two_level = b.two_level };
	if (!e && spec_vfs_needed(&b.vfs) && !(e = pool_make(&b)))
		e = spec_vfs_boot(&b.vfs);
	/* Guest spaces first: a VMM may run its guest as soon as it starts. */
	for (uint32_t i = 0; i < b.h->nvms && !e; i++) {
		const struct spec_vm *v = &b.vms[i];
		for (uint32_t k = 0; k < v->ncores && k < SPEC_VM_MAX_CPUS && !e; k++) {
			const struct spec_vm_cpu *c = &v->cpu[k];
			if (b.comps[c->vmm].core != b.me)
				continue;
			if ((e = map_all(&b, c->first_map, c->nmaps, b.slot[c->gspace])))
				break;
			if (v->ncores == 1)
				printf("instance %u: vm %s: %llu MiB of guest memory mapped; its VMM %s runs it\n",
				       b.me, str(&b, v->name), (unsigned long long)(v->memory >> 20),
				       str(&b, b.comps[c->vmm].name));
			else
				printf("instance %u: vm %s: %llu MiB of guest memory mapped; its VMM %s runs vCPU %u of %u\n",
				       b.me, str(&b, v->name), (unsigned long long)(v->memory >> 20),
				       str(&b, b.comps[c->vmm].name), k, v->ncores);
		}
	}
	unsigned running = 0;
	static char failure[64];
	snprintf(failure, sizeof(failure), "%s", err_str(e));
	for (uint32_t i = 0; i < b.h->ncomponents && !e; i++) {
		if (b.comps[i].core != b.me)
			continue;
		if ((e = start_component(&b, i))) {
			printf("instance %u: spec: component %s not started: %s\n", b.me,
			       str(&b, b.comps[i].name), err_str(e));
			snprintf(failure, sizeof(failure), "%s not started: %s", str(&b, b.comps[i].name),
				 err_str(e));
		} else
			running++;
	}
	if (e) {
		printf("instance %u: spec: instantiation failed: %s\n", b.me, err_str(e));
		/* VMs on other cores wait for VFs only we can hand over: tell them they will not come. */
		if (b.me == 0 && spec_vfs_needed(&b.vfs) && !(e = pool_make(&b)))
			spec_vfs_abandon(&b.vfs, failure);
		else if (b.me == 0 && spec_vfs_needed(&b.vfs))
			printf("instance 0: spec: VMs awaiting VFs cannot be told: %s\n", err_str(e));
		return 1;
	}
	unsigned dropped = drop_caps(&b);
	printf("instance %u: %u components running; root task dropped %u caps it no longer needs\n",
	       b.me, running, dropped);
	/* From here on it can make nothing: its untyped memory is gone. */
	e = untyped_retype(bi->untyped_first, OBJ_ENDPOINT, 0, CAP_INIT_CNODE, take_slot(&b), 1);
	printf("instance %u: root task retype after the drop: %s\n", b.me, err_str(e));
	if (e == E_OK)
		return 1;
	return supervise(&b, running) ? 1 : 0;
}

int spec_boot_find(const struct bootinfo *bi)
{
	for (unsigned i = 0; i < bi->nmodules && i < BOOTINFO_MAX_MODULES; i++) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)bi->modules[i].va;
		if (bi->modules[i].size >= sizeof(struct spec_header) &&
		    ((const struct spec_header *)p)->magic == SPEC_MAGIC)
			return boot_spec(bi, p, bi->modules[i].size) ? 1 : 0;
	}
	return -1;
}
