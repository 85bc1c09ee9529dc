/*
 * A VM's core receiving its VFs from instance 0 (docs/pcimgr.md, "VFs for VMs"): its
 * root task maps each VF's configuration page and BARs into the VMM (and the BARs
 * into the guest), fills the VMM's devices page and signals the VMM.
 */
#include "cap.h"
#include "core/pci_cfg.h"
#include "kstring.h"
#include "spec_vfs_int.h"

/* A VM's core: maps VF j's BARs into the VMM's window and, but for MSI-X pages, the guest's. */
static long map_bars(struct vfs *v, const struct spec_vm *m, const struct spec_component *c,
		     const uint8_t *pf_cfg, unsigned sriov, struct vm_vf_info *f)
{
	uint64_t used = 0;

	for (unsigned i = 0; i < 6; i++) {
		uint32_t lo = rd32(pf_cfg + sriov + PCI_SRIOV_VF_BAR0 + 4 * i), ut = take(v);
		struct bar_result b = pci_get_vf_bar(CAP_INIT_PCI, f->pf_bdf, f->vf_number, i, ut);
		bool is64 = pci_bar_is64(lo);
		if (b.err == E_NOENT || b.err == E_UNSUPP) {
			(void)cnode_delete(CAP_INIT_CNODE, ut);
			i += is64;
			continue;	/* not implemented, or an I/O BAR (VFs have none) */
		}
		if (b.err)
			return b.err;
		uint64_t size = 1ull << b.bits, off = (used + size - 1) & ~(size - 1);
		if (off + size > SPEC_VF_WINDOW)
			return E_NOMEM;
		f->bar[i] = (struct vm_vf_bar){ .size = size, .offset = off, .hpa = b.base,
						.is64 = is64, .prefetch = (lo & 8) != 0 };
		used = off + size;
		for (uint64_t p = 0; p < size; p += 4096) {
			uint32_t fr = take(v), copy = take(v);
			long e = untyped_retype(ut, OBJ_FRAME_4K, 0, CAP_INIT_CNODE, fr, 1);
			if (!e)
				e = frame_map(fr, v->slot[c->vspace], f->window_va + off + p, CAP_WRITE);
			/* The MSI-X table and PBA are the VMM's to emulate: not in the guest. */
			bool msix = f->msix_cap &&
				    ((f->msix_table_bar == i && p + 4096 > f->msix_table_offset &&
				      p < f->msix_table_offset + 16ull * f->msix_entries) ||
				     (f->msix_pba_bar == i && p + 4096 > f->msix_pba_offset &&
				      p < f->msix_pba_offset + 8ull * ((f->msix_entries + 63) / 64)));
			if (!e && !msix && !(e = cnode_copy(CAP_INIT_CNODE, copy, fr, CAP_ALL_RIGHTS)))
				e = frame_map(copy, v->slot[m->gspace], f->window_gpa + off + p, CAP_WRITE);
			if (e)
				return e;
		}
		i += is64;
	}
	return E_OK;
}

/* A VM's core: VF j of the hand-over page into the VMM's devices page (and its mappings). */
static long receive_vf(struct vfs *v, const struct spec_vm *m, const struct spec_handover *ho,
		       uint32_t i, struct vm_vf_info *f)
{
	static uint8_t cfg[PCI_EXT_CFG_SIZE], pf_cfg[PCI_EXT_CFG_SIZE];
	const struct spec_device *d = dev(v, i);
	const struct spec_component *c = comp(v, m->vmm);
	unsigned j = d->vm_slot;
	uint32_t narrow = take(v), page = take(v);
	long e;

	snprintf(f->name, sizeof(f->name), "%s", str(v, d->name));
	f->bdf = ho->vf[j].bdf;
	f->pf_bdf = ho->vf[j].pf_bdf;
	f->vf_number = ho->vf[j].vf_number;
	f->config_va = COMPONENT_VM_VF_CONFIG_VA(j);
	f->window_va = COMPONENT_VM_VF_VA(j);
	f->window_gpa = d->gpa;
	if ((e = vfs_read_config(v, f->pf_bdf, pf_cfg)))
		return e;
	unsigned sriov = pci_cfg_find_ext_cap(pf_cfg, PCI_EXT_CAP_SRIOV);
	if (!sriov)
		return E_UNSUPP;
	f->vendor = rd16(pf_cfg + PCI_VENDOR);
	f->device = rd16(pf_cfg + sriov + 0x1A);	/* VF Device ID */
	/* Its configuration page, through a cap narrowed to it, read-write in the VMM. */
	if ((e = pci_narrow(CAP_INIT_PCI, f->bdf, 1, narrow)) || (e = pci_get_config(narrow, f->bdf, page)) ||
	    (e = vfs_peek(v, page, cfg, NULL, sizeof(cfg))) ||
	    (e = frame_map(page, v->slot[c->vspace], f->config_va, CAP_WRITE)))
		return e;
	unsigned x = pci_cfg_find_cap(cfg, PCI_CAP_MSIX);
	if (x) {
		f->msix_cap = x;
		f->msix_entries = (rd16(cfg + x + 2) & 0x7FF) + 1u;
		f->msix_table_bar = rd32(cfg + x + 4) & 7;
		f->msix_table_offset = rd32(cfg + x + 4) & ~7u;
		f->msix_pba_bar = rd32(cfg + x + 8) & 7;
		f->msix_pba_offset = rd32(cfg + x + 8) & ~7u;
	}
	if ((e = map_bars(v, m, c, pf_cfg, sriov, f)))
		return e;
	f->nvectors = d->nvectors;
	for (unsigned k = 0; k < d->nvectors; k++)
		f->vectors[k] = (struct vm_vf_vector){ .vector = d->vectors[k], .handler_slot = v->handler[i][k],
			.address = ho->vf[j].address[k], .data = ho->vf[j].data[k],
			.bit = VM_DEV_MSI_BIT(j, k) };
	f->state = VM_DEV_OK;
	printf("instance %u: vm %s: VF %s (%02x:%02x.%x, VF %u of %02x:%02x.%x) given to %s: config page, BAR0 %llu KiB at 0x%llx -> guest 0x%llx, vectors 0x%x-0x%x\n",
	       v->bi->instance, str(v, m->name), f->name, f->bdf >> 8, f->bdf >> 3 & 31, f->bdf & 7,
	       f->vf_number, f->pf_bdf >> 8, f->pf_bdf >> 3 & 31, f->pf_bdf & 7, str(v, c->name),
	       (unsigned long long)(f->bar[0].size >> 10), (unsigned long long)f->bar[0].hpa,
	       (unsigned long long)(f->window_gpa + f->bar[0].offset), d->vectors[0],
	       d->vectors[d->nvectors - 1]);
	return E_OK;
}

/* True if the command line has this word (space-separated). */
static bool has_word(const char *line, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = line; *p; p++)
		if ((p == line || p[-1] == ' ') && !strncmp(p, word, n) && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/*
 * TEST ONLY: a VM whose command line asks for the VF DMA test is told where the
 * first other VM with VFs has its RAM (such RAM is in the pool: the frame's pool
 * offset from the blob plus the pool's base from the boot info, both known to
 * every root task), so its VMM can aim its VF there and see the IOMMU stop it.
 */
static void test_peer(const struct vfs *v, uint32_t vi, struct vm_devices_info *info)
{
	const struct spec_map *maps = (const struct spec_map *)(v->blob + hdr(v)->maps_off);
	const struct spec_object *objs = (const struct spec_object *)(v->blob + hdr(v)->objects_off);

	if (!has_word(str(v, vm(v, vi)->cmdline), "atoll.vf_dma_test"))
		return;
	for (uint32_t k = 0; k < hdr(v)->nvms; k++) {
		const struct spec_vm *p = vm(v, k);
		if (k == vi || !p->nvfs)
			continue;
		for (uint32_t j = p->first_map; j < p->first_map + p->nmaps; j++) {
			const struct spec_object *o = &objs[maps[j].object];
			if (o->type != OBJ_FRAME_2M || !(o->flags & SPEC_OBJ_SHARED) || maps[j].vaddr)
				continue;
			snprintf(info->test_peer, sizeof(info->test_peer), "%s", str(v, p->name));
			info->test_peer_hpa = v->bi->shared_base + o->offset;
			info->test_peer_size = p->memory;
			return;
		}
	}
}

/*
 * A VM's core: instance 0 has signalled. A VM whose hand-over page is written gets
 * its VFs mapped and its devices page filled, and we answer `mapped`; once instance
 * 0 says `go` (every VM's core has mapped, so no VF BAR is sized any more) the VMM
 * is told. A failed hand-over is told at once.
 */
void spec_vfs_receive(struct vfs *v)
{
	static struct spec_handover ho;
	static struct vm_devices_info info;
	static const uint32_t one = 1;
	bool mapped_all = true, told_all = true;

	for (uint32_t vi = 0; vi < hdr(v)->nvms && vi < VFS_MAX_DEVICES; vi++) {
		const struct spec_vm *m = vm(v, vi);
		if (!m->nvfs || m->cores[0] != v->bi->instance || v->vm_done[vi] == 2)
			continue;
		if (vfs_peek(v, v->slot[m->handover], &ho, NULL, sizeof(ho)) || ho.magic != SPEC_HANDOVER_MAGIC) {
			mapped_all = told_all = false;
			continue;	/* not written yet */
		}
		bool tell = false;
		if (!v->vm_done[vi]) {
			memset(&info, 0, sizeof(info));
			info.magic = VM_DEVICES_MAGIC;
			info.nvfs = m->nvfs;
			info.state = ho.state;
			snprintf(info.why, sizeof(info.why), "%s", ho.why);
			for (uint32_t i = 0; i < ndev(v) && info.state == VM_DEV_OK; i++) {
				uint32_t owner;
				if (!vm_vf(v, i, &owner) || owner != vi)
					continue;
				long e = receive_vf(v, m, &ho, i, &info.vf[dev(v, i)->vm_slot]);
				if (e) {
					info.state = VM_DEV_FAILED;
					snprintf(info.why, sizeof(info.why), "VF %s: %s", str(v, dev(v, i)->name),
						 err_str(e));
				}
			}
			if (info.state != VM_DEV_OK)
				printf("instance %u: vm %s: no VFs handed over: %s\n", v->bi->instance,
				       str(v, m->name), info.why);
			test_peer(v, vi, &info);
			tell = info.state != VM_DEV_OK;	/* nothing to wait for */
			v->out[vi] |= tell;	/* nor any VF to give back when the VM ends */
			/* Complete but for its state: VM_DEV_OK goes in only at go. */
			if (!tell)
				info.state = VM_DEV_PENDING;
			long e = vfs_peek(v, v->slot[m->devinfo], NULL, &info, sizeof(info));
			if (!e && !tell)
				e = vfs_peek_at(v, v->slot[m->handover], __builtin_offsetof(struct spec_handover, mapped),
					    NULL, &one, sizeof(one));
			if (e)
				printf("instance %u: vm %s: devices page: %s\n", v->bi->instance, str(v, m->name),
				       err_str(e));
			v->vm_done[vi] = 1;
		}
		if (tell || ho.go) {
			static const uint32_t ok = VM_DEV_OK;
			long e = tell ? E_OK : vfs_peek_at(v, v->slot[m->devinfo],
						       __builtin_offsetof(struct vm_devices_info, state),
						       NULL, &ok, sizeof(ok));
			/*
			 * Instance 0 says nothing more: with several vCPUs this core's cross-core
			 * signals are the VMM's kicks again ("wake"), from before its VM can run.
			 */
			if (!e && m->ncores > 1)
				e = ntfn_bind_xsignals(v->slot[m->cpu[0].wake]);
			if (!e)
				e = ipc_send(v->ready[vi], 0, 0, 0);
			if (e)
				printf("instance %u: vm %s: telling its VMM: %s\n", v->bi->instance,
				       str(v, m->name), err_str(e));
			v->vm_done[vi] = 2;
		}
		told_all &= v->vm_done[vi] == 2;
	}
	if (mapped_all && !v->done) {
		v->done = true;
		(void)cnode_delete(CAP_INIT_CNODE, CAP_INIT_PCI);
		printf("instance %u: VFs received; root task dropped its PCI cap\n", v->bi->instance);
	}
	if (told_all && v->done)
		v->active = false;	/* nothing more to hear from instance 0 */
}
