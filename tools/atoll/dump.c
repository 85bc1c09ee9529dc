/* `atoll dump`: the compiled spec as stable, diffable text (objects, then caps per CSpace). */
#include <stdio.h>
#include <string.h>

#include "abi/objects.h"
#include "spec.h"

const char *spec_type_name(unsigned type)
{
	static const char *const names[OBJ_TYPE_COUNT] = {
		[OBJ_CNODE] = "cnode", [OBJ_TCB] = "tcb", [OBJ_ENDPOINT] = "endpoint",
		[OBJ_NOTIFICATION] = "notification", [OBJ_FRAME_4K] = "frame_4k",
		[OBJ_FRAME_2M] = "frame_2m", [OBJ_PML4] = "pml4", [OBJ_PDPT] = "pdpt",
		[OBJ_PD] = "pd", [OBJ_PT] = "pt", [OBJ_XSIGNAL] = "xsignal",
		[OBJ_VCPU] = "vcpu", [OBJ_GUEST_SPACE] = "guest_space",
	};

	return type < OBJ_TYPE_COUNT && names[type] ? names[type] : "?";
}

static void rights(char *out, unsigned r)
{
	out[0] = r & CAP_READ ? 'r' : '-';
	out[1] = r & CAP_WRITE ? 'w' : '-';
	out[2] = r & CAP_EXEC ? 'x' : '-';
	out[3] = r & CAP_GRANT ? 'g' : '-';
	out[4] = 0;
}

static uint64_t frame_bytes(const struct spec_object *o)
{
	return o->type == OBJ_FRAME_2M ? 2u << 20 : 4096;
}

/* Consecutive mappings of like frames at consecutive addresses print as one line. */
static void maps(const struct spec *s, FILE *out, uint32_t first, uint32_t n)
{
	for (uint32_t i = first, run; i < first + n; i += run) {
		const struct spec_map *m = &s->maps[i];
		const struct spec_object *o = &s->objects[m->object];
		bool frame = o->type == OBJ_FRAME_4K || o->type == OBJ_FRAME_2M;
		for (run = 1; frame && !m->data_len && i + run < first + n; run++) {
			const struct spec_map *x = &s->maps[i + run];
			if (x->object != m->object + run || x->rights != m->rights || x->data_len ||
			    x->vaddr != m->vaddr + run * frame_bytes(o) ||
			    strcmp(spec_str(s, s->objects[x->object].name), spec_str(s, o->name)))
				break;
		}
		char r[5];
		rights(r, m->rights);
		fprintf(out, "    map 0x%012llx %-8s %s #%u", (unsigned long long)m->vaddr,
			spec_type_name(o->type), frame ? r : "----", m->object);
		if (run > 1)
			fprintf(out, "..#%u (%u)", m->object + run - 1, run);
		fprintf(out, " %s", spec_str(s, o->name));
		if (m->data_len)
			fprintf(out, " data %u bytes at +0x%x", m->data_len, m->page_off);
		fprintf(out, "\n");
	}
}

void spec_dump(const struct spec *s, FILE *out)
{
	const struct spec_header *h = &s->h;

	fprintf(out, "# atoll spec version %u: %u cores, %u components, %u VMs, %u objects, %u caps, %u mappings\n",
		SPEC_VERSION, h->ncores, h->ncomponents, h->nvms, h->nobjects, h->ncaps, h->nmaps);
	for (unsigned c = 0; c < h->ncores && c < 16; c++)
		fprintf(out, "core %u: %u bytes of objects\n", c, h->pool_bytes[c]);
	fprintf(out, "shared pool: %llu bytes\n", (unsigned long long)h->shared_bytes);
	fprintf(out, "objects:\n");
	for (uint32_t i = 0, run; i < h->nobjects; i += run) {
		const struct spec_object *o = &s->objects[i];
		/* Runs of like frames made back to back print as one line. */
		for (run = 1; i + run < h->nobjects; run++) {
			const struct spec_object *x = &s->objects[i + run];
			if (x->type != o->type || strcmp(spec_str(s, x->name), spec_str(s, o->name)) || x->core != o->core ||
			    x->flags != o->flags || (o->type != OBJ_FRAME_4K && o->type != OBJ_FRAME_2M) ||
			    x->offset != o->offset + run * frame_bytes(o))
				break;
		}
		fprintf(out, "  #%u", i);
		if (run > 1)
			fprintf(out, "..#%u (%u)", i + run - 1, run);
		fprintf(out, " %s ", spec_type_name(o->type));
		if (o->type == OBJ_XSIGNAL)
			fprintf(out, "core %u, signals core %u", o->core, o->target);
		else if (o->flags & SPEC_OBJ_SHARED)
			fprintf(out, "shared pool +0x%llx", (unsigned long long)o->offset);
		else
			fprintf(out, "core %u +0x%llx", o->core, (unsigned long long)o->offset);
		if (o->type == OBJ_CNODE)
			fprintf(out, " radix %u", o->size_bits);
		if (o->flags & SPEC_OBJ_BIND_XSIGNALS)
			fprintf(out, " hears other cores");
		fprintf(out, " %s\n", spec_str(s, o->name));
	}
	for (uint32_t i = 0; i < h->ncomponents; i++) {
		const struct spec_component *c = &s->components[i];
		fprintf(out, "component %s: core %u, priority %u, memory %llu, %s\n", spec_str(s, c->name),
			c->core, c->priority, (unsigned long long)c->memory,
			c->trusted ? "trusted" : "untrusted");
		fprintf(out, "  tcb #%u, cnode #%u (radix %u), vspace #%u, ipc buffer #%u, info #%u\n",
			c->tcb, c->cnode, c->cnode_radix, c->vspace, c->ipc_buffer, c->info);
		fprintf(out, "  entry 0x%llx, stack top 0x%llx, heap 0x%llx + %llu\n",
			(unsigned long long)c->entry, (unsigned long long)c->stack_top,
			(unsigned long long)c->heap_va, (unsigned long long)c->heap_size);
		for (uint32_t k = c->first_cap; k < c->first_cap + c->ncaps; k++) {
			const struct spec_cap *p = &s->caps[k];
			char r[5];
			rights(r, p->rights);
			fprintf(out, "    cap %u: %s #%u %s, badge 0x%llx, %s of channel %s\n", p->slot,
				spec_type_name(s->objects[p->object].type), p->object, r,
				(unsigned long long)p->badge, p->role == SPEC_ROLE_FROM ? "from" : "to",
				spec_str(s, p->name));
		}
		maps(s, out, c->first_map, c->nmaps);
	}
	for (uint32_t i = 0; i < h->ndevices; i++) {
		const struct spec_device *d = &s->devices[i];
		fprintf(out, "device %s: ", spec_str(s, d->name));
		if (d->kind == SPEC_DEV_VF)
			fprintf(out, "VF %u of %s", d->vf_index, spec_str(s, s->devices[d->pf].name));
		else if (d->kind == SPEC_DEV_PCI && (d->flags & SPEC_DEV_BY_ID))
			fprintf(out, "PCI %04x:%04x", d->vendor, d->device);
		else if (d->kind == SPEC_DEV_PCI)
			fprintf(out, "PCI %02x:%02x.%u", d->bus, d->dev, d->fn);
		else
			fprintf(out, "platform");
		if (d->sriov_vfs)
			fprintf(out, ", %u VFs", d->sriov_vfs);
		if (d->online != SPEC_NONE)
			fprintf(out, ", signals #%u when they are online", d->online);
		if (d->kind == SPEC_DEV_VF && (d->owner & SPEC_VM_OWNER) && d->owner != SPEC_NO_OWNER) {
			const struct spec_vm *v = &s->vms[d->owner & ~SPEC_VM_OWNER];
			fprintf(out, ", VF %u of its VM: BARs at guest 0x%llx, vectors", d->vm_slot,
				(unsigned long long)d->gpa);
			for (unsigned k = 0; k < d->nvectors && k < SPEC_VF_MAX_VECTORS; k++)
				fprintf(out, " 0x%x", d->vectors[k]);
			fprintf(out, " on core %u, DMA into its RAM only", v->cores[0]);
		}
		if (d->owner == SPEC_NO_OWNER)
			fprintf(out, ", no owner\n");
		else if (d->owner & SPEC_VM_OWNER)
			fprintf(out, ", owned by vm %s\n", spec_str(s, s->vms[d->owner & ~SPEC_VM_OWNER].name));
		else
			fprintf(out, ", owned by component %s\n", spec_str(s, s->components[d->owner].name));
	}
	for (uint32_t i = 0; i < h->nvms; i++) {
		const struct spec_vm *v = &s->vms[i];
		fprintf(out, "vm %s: %u cores, memory %llu, kernel %s, initramfs %s, cmdline \"%s\"\n",
			spec_str(s, v->name), v->ncores, (unsigned long long)v->memory,
			spec_str(s, v->kernel), spec_str(s, v->initramfs), spec_str(s, v->cmdline));
		if (v->nvfs)
			fprintf(out, "  %u VFs: RAM in the shared pool, hand-over page #%u, VMM notification #%u, devices page #%u\n",
				v->nvfs, v->handover, v->devices, v->devinfo);
		if (v->ncores < 2) {
			maps(s, out, v->first_map, v->nmaps);
			continue;
		}
		fprintf(out, "  RAM and state #%u.. in the shared pool\n", v->state);
		for (uint32_t k = 0; k < v->ncores && k < SPEC_VM_MAX_CPUS; k++) {
			const struct spec_vm_cpu *c = &v->cpu[k];
			fprintf(out, "  vcpu %u on core %u: VMM %s, vcpu #%u, guest space #%u, wake #%u\n", k,
				v->cores[k], c->vmm < h->ncomponents ? spec_str(s, s->components[c->vmm].name) : "?",
				c->vcpu, c->gspace, c->wake);
			maps(s, out, c->first_map, c->nmaps);
		}
	}
}
