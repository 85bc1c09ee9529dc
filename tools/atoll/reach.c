/*
 * `atoll reach`: from the compiled capability distribution alone, who can read or
 * write whose memory and who can signal whom. A VM reaching another VM's memory,
 * or a component not marked trusted reaching a VM's memory, is forbidden.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/objects.h"
#include "spec.h"

struct owner {
	const char *kind;	/* "component" or "vm" */
	const char *name;
	bool trusted;
	uint32_t first_map, nmaps;
	uint64_t below;		/* only mappings below this address count (a VF: its VM's RAM) */
};

static unsigned owners(const struct spec *s, struct owner *o)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < s->h.ncomponents; i++)
		o[n++] = (struct owner){ "component", spec_str(s, s->components[i].name),
					 s->components[i].trusted != 0, s->components[i].first_map,
					 s->components[i].nmaps, UINT64_MAX };
	for (uint32_t i = 0; i < s->h.nvms; i++)
		o[n++] = (struct owner){ "vm", spec_str(s, s->vms[i].name), false, s->vms[i].first_map,
					 s->vms[i].nmaps, UINT64_MAX };
	return n;
}

static bool is_frame(const struct spec *s, uint32_t obj)
{
	return s->objects[obj].type == OBJ_FRAME_4K || s->objects[obj].type == OBJ_FRAME_2M;
}

/* The rights with which owner a maps a frame that owner b also maps, and how many pages. */
static unsigned overlap(const struct spec *s, const struct owner *a, const struct owner *b,
			unsigned *pages, const char **what)
{
	unsigned r = 0;

	*pages = 0;
	for (uint32_t i = a->first_map; i < a->first_map + a->nmaps; i++) {
		if (!is_frame(s, s->maps[i].object) || s->maps[i].vaddr >= a->below)
			continue;
		for (uint32_t j = b->first_map; j < b->first_map + b->nmaps; j++)
			if (s->maps[j].object == s->maps[i].object) {
				r |= s->maps[i].rights & (CAP_READ | CAP_WRITE);
				*what = spec_str(s, s->objects[s->maps[i].object].name);
				(*pages)++;
				break;
			}
	}
	return r;
}

static const char *verb(unsigned r)
{
	return r == (CAP_READ | CAP_WRITE) ? "read and write" : r & CAP_WRITE ? "write" : "read";
}

/* The component that receives on an object (the `to` end of its caps). */
static int receiver(const struct spec *s, uint32_t obj)
{
	if (s->objects[obj].type == OBJ_XSIGNAL) {
		for (uint32_t k = 0; k < s->h.nobjects; k++)
			if ((s->objects[k].flags & SPEC_OBJ_BIND_XSIGNALS) &&
			    s->objects[k].core == s->objects[obj].target)
				return receiver(s, k);
		return -1;
	}
	for (uint32_t k = 0; k < s->h.ncaps; k++)
		if (s->caps[k].object == obj && s->caps[k].role == SPEC_ROLE_TO)
			return (int)s->caps[k].component;
	return -1;
}

unsigned spec_reach(const struct spec *s, FILE *out)
{
	unsigned n = s->h.ncomponents + s->h.nvms, forbidden = 0;
	struct owner *o = calloc(n + 1, sizeof(*o));

	if (!o)
		return 1;
	(void)owners(s, o);
	for (unsigned a = 0; a < n; a++) {
		unsigned own = 0;
		for (uint32_t i = o[a].first_map; i < o[a].first_map + o[a].nmaps; i++)
			own += is_frame(s, s->maps[i].object);
		fprintf(out, "memory: %s %s maps %u frames\n", o[a].kind, o[a].name, own);
		for (unsigned b = 0; b < n; b++) {
			unsigned pages;
			const char *what = "";
			unsigned r = a == b ? 0 : overlap(s, &o[a], &o[b], &pages, &what);
			if (!r)
				continue;
			bool vm_b = !strcmp(o[b].kind, "vm");
			bool bad = vm_b && (!strcmp(o[a].kind, "vm") || !o[a].trusted);
			fprintf(out, "%smemory: %s %s can %s %u pages of %s %s (%s)%s\n",
				bad ? "FORBIDDEN " : "", o[a].kind, o[a].name, verb(r), pages, o[b].kind,
				o[b].name, what,
				!bad ? "" : !strcmp(o[a].kind, "vm") ? ": a VM reaches another VM"
								    : ": not trusted, reaches a VM");
			forbidden += bad;
		}
	}
	/* A device DMAs into what its owner maps (its IOSpace, issue #6), so it reaches what the owner reaches. */
	for (uint32_t d = 0; d < s->h.ndevices; d++) {
		const struct spec_device *dv = &s->devices[d];
		if (dv->owner == SPEC_NO_OWNER)
			continue;
		unsigned a = dv->owner & SPEC_VM_OWNER ? s->h.ncomponents + (dv->owner & ~SPEC_VM_OWNER)
						       : dv->owner;
		struct owner io = o[a];
		const struct spec_vm *v = dv->owner & SPEC_VM_OWNER ? &s->vms[dv->owner & ~SPEC_VM_OWNER] : NULL;
		if (v && v->nvfs && dv->kind == SPEC_DEV_VF) {
			/* Its IOSpace (instance 0's) holds the VM's RAM at IOVA = guest-physical, nothing else. */
			io.below = v->memory;
			unsigned frames = 0;
			for (uint32_t i = io.first_map; i < io.first_map + io.nmaps; i++)
				frames += is_frame(s, s->maps[i].object) && s->maps[i].vaddr < io.below;
			fprintf(out, "dma: device %s of vm %s can DMA into the %u frames of its RAM (IOVA = guest-physical 0x0-0x%llx)\n",
				spec_str(s, dv->name), io.name, frames, (unsigned long long)v->memory);
		} else {
			fprintf(out, "dma: device %s of %s %s can DMA into the memory %s maps\n",
				spec_str(s, dv->name), o[a].kind, o[a].name, o[a].name);
		}
		for (unsigned b = 0; b < n; b++) {
			unsigned pages;
			const char *what = "";
			if (a == b || !overlap(s, &io, &o[b], &pages, &what))
				continue;
			bool vm_b = !strcmp(o[b].kind, "vm");
			bool bad = vm_b && (!strcmp(o[a].kind, "vm") || !o[a].trusted);
			fprintf(out, "%sdma: device %s can DMA into %u pages of %s %s (%s)%s\n",
				bad ? "FORBIDDEN " : "", spec_str(s, dv->name), pages, o[b].kind, o[b].name,
				what, bad ? ": its owner may not reach that VM" : "");
			forbidden += bad;
		}
	}
	for (uint32_t k = 0; k < s->h.ncaps; k++) {
		const struct spec_cap *c = &s->caps[k];
		if (c->role != SPEC_ROLE_FROM)
			continue;
		int to = receiver(s, c->object);
		bool root = false;
		for (uint32_t d = 0; d < s->h.ndevices; d++)
			root |= s->devices[d].online == c->object;	/* a PF's "VFs online": the root task hears it */
		if (root)
			fprintf(out, "signal: component %s -> the root task of core %u (%s %s)\n",
				spec_str(s, s->components[c->component].name), s->objects[c->object].core,
				spec_type_name(s->objects[c->object].type), spec_str(s, c->name));
		else
			fprintf(out, "signal: component %s -> component %s (%s %s)\n",
				spec_str(s, s->components[c->component].name),
				to < 0 ? "(nobody)" : spec_str(s, s->components[to].name),
				spec_type_name(s->objects[c->object].type), spec_str(s, c->name));
	}
	fprintf(out, "reach: %u forbidden\n", forbidden);
	free(o);
	return forbidden;
}
