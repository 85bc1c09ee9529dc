/*
 * `atoll compile`: from a checked description to the exact objects each instance
 * makes, the caps each component gets and every mapping (abi/spec.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi/bootinfo.h"
#include "abi/objects.h"
#include "core/elf.h"
#include "desc.h"
#include "diag.h"
#include "spec.h"

#define PAGE 4096ull

struct builder {
	struct spec *s;
	struct diag *d;
	const struct system *sys;
	uint32_t cap_objs, cap_caps, cap_maps, cap_data, cap_str;
	int xsig_ntfn[MAX_CORES];	/* per core: the notification that hears other cores */
	int xsig_owner[MAX_CORES];
	uint32_t pf_online[MAX_DEVICES];	/* per device: its VFs-online notification, SPEC_NONE */
	unsigned vm_cpu;			/* vmm_maps(): the vCPU whose VMM it maps */
};

static void *grow(void *p, uint32_t n, uint32_t *cap, size_t elem)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 64;
	p = realloc(p, *cap * elem);
	if (!p) {
		fprintf(stderr, "atoll: out of memory\n");
		exit(1);
	}
	return p;
}

/* A string in the table, of any length (paths and command lines are long). */
static uint32_t add_str(struct builder *b, const char *fmt, const char *a, const char *c)
{
	/* Paths and command lines can be long: measure first. */
	int n = snprintf(NULL, 0, fmt, a, c);
	uint32_t off = b->s->h.strings_size;

	if (n < 0)
		n = 0;
	for (uint32_t need = off + (uint32_t)n + 1; b->cap_str < need;)
		b->s->strings = grow(b->s->strings, b->cap_str, &b->cap_str, 1);
	snprintf(b->s->strings + off, (size_t)n + 1, fmt, a, c);
	b->s->h.strings_size += (uint32_t)n + 1;
	return off;
}

static uint32_t add_object(struct builder *b, unsigned core, unsigned type, unsigned size_bits,
			   uint32_t name)
{
	struct spec *s = b->s;

	s->objects = grow(s->objects, s->h.nobjects, &b->cap_objs, sizeof(*s->objects));
	s->objects[s->h.nobjects] = (struct spec_object){ .name = name, .core = (uint16_t)core,
		.type = (uint8_t)type, .size_bits = (uint8_t)size_bits };
	return s->h.nobjects++;
}

static void add_map(struct builder *b, uint32_t owner, uint32_t obj, uint64_t va, unsigned rights,
		    uint32_t data_off, uint32_t data_len, uint32_t page_off)
{
	struct spec *s = b->s;

	s->maps = grow(s->maps, s->h.nmaps, &b->cap_maps, sizeof(*s->maps));
	s->maps[s->h.nmaps++] = (struct spec_map){ .owner = owner, .object = obj, .vaddr = va,
		.data_off = data_off, .data_len = data_len, .page_off = page_off,
		.rights = (uint8_t)rights };
}

static void add_cap(struct builder *b, uint32_t comp, uint32_t obj, uint32_t name, unsigned rights,
		    uint64_t badge, unsigned role)
{
	struct spec *s = b->s;
	struct spec_component *c = &s->components[comp];

	s->caps = grow(s->caps, s->h.ncaps, &b->cap_caps, sizeof(*s->caps));
	s->caps[s->h.ncaps++] = (struct spec_cap){ .component = comp, .slot = 1 + c->ncaps,
		.object = obj, .name = name, .badge = badge, .rights = (uint8_t)rights,
		.role = (uint8_t)role };
	c->ncaps++;
}

/* Bytes of an object of this type (size_bits: a CNode's radix), wherever it is made. */
static uint64_t type_bytes(const struct spec_object *o)
{
	static const uint8_t bits[OBJ_TYPE_COUNT] = {
#define OBJ(name, value, b) [value] = b,
#include "abi/objects.def"
#undef OBJ
	};

	if (o->type == OBJ_CNODE)
		return 1ull << (o->size_bits + CTE_SIZE_BITS);
	return o->type < OBJ_TYPE_COUNT && bits[o->type] ? 1ull << bits[o->type] : 0;
}

/* Bytes of an object of this type (size_bits: a CNode's radix). */
static uint64_t object_bytes(const struct spec_object *o)
{
	static const uint8_t bits[OBJ_TYPE_COUNT] = {
#define OBJ(name, value, b) [value] = b,
#include "abi/objects.def"
#undef OBJ
	};

	if (o->type == OBJ_CNODE)
		return 1ull << (o->size_bits + CTE_SIZE_BITS);
	if (o->type >= OBJ_TYPE_COUNT || !bits[o->type] || (o->flags & SPEC_OBJ_SHARED))
		return 0;	/* made at boot, or in the shared pool */
	return 1ull << bits[o->type];
}

static char *read_file(const struct system *sys, const char *path, size_t *len)
{
	char full[PATH_LEN * 2];
	const char *slash = strrchr(sys->file, '/');

	if (path[0] == '/' || !slash)
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%.*s/%s", (int)(slash - sys->file), sys->file, path);
	FILE *f = fopen(full, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0, got;
	do {
		if (n == cap && !(buf = realloc(buf, cap = cap ? cap * 2 : 65536)))
			break;
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	*len = n;
	return buf;
}

/* A frame in an owner's space: made on `core`, mapped at va. */
static uint32_t frame(struct builder *b, uint32_t owner, unsigned core, uint64_t va,
		      unsigned rights, uint32_t name)
{
	uint32_t o = add_object(b, core, OBJ_FRAME_4K, 0, name);

	add_map(b, owner, o, va, rights, 0, 0, 0);
	return o;
}

/* Copies the part of an ELF segment that falls in the page at va into the data table. */
static void page_data(struct builder *b, struct spec_map *m, const char *elf,
		      const struct elf_seg *sg)
{
	uint64_t lo = m->vaddr > sg->vaddr ? m->vaddr : sg->vaddr;
	uint64_t end = sg->vaddr + sg->filesz;
	uint64_t hi = m->vaddr + PAGE < end ? m->vaddr + PAGE : end;
	struct spec *s = b->s;

	if (lo >= hi)
		return;
	for (uint32_t need = s->h.data_size + (uint32_t)(hi - lo); b->cap_data < need;)
		s->data = grow(s->data, b->cap_data, &b->cap_data, 1);
	memcpy(s->data + s->h.data_size, elf + sg->offset + (lo - sg->vaddr), hi - lo);
	m->data_off = s->h.data_size;
	m->data_len = (uint32_t)(hi - lo);
	m->page_off = (uint32_t)(lo - m->vaddr);
	s->h.data_size += m->data_len;
}

/* Page-table objects for every page the owner maps, mapped before the frames. */
static void page_tables(struct builder *b, uint32_t owner, unsigned core, uint32_t first,
			const char *name)
{
	static const struct { unsigned type, shift; const char *fmt; } lv[3] = {
		{ OBJ_PDPT, 39, "%s.pdpt@%s" }, { OBJ_PD, 30, "%s.pd@%s" }, { OBJ_PT, 21, "%s.pt@%s" },
	};
	struct spec *s = b->s;
	uint32_t nframes = s->h.nmaps - first;

	for (unsigned l = 0; l < 3; l++)
		for (uint32_t i = first; i < first + nframes; i++) {
			uint64_t base = s->maps[i].vaddr >> lv[l].shift << lv[l].shift;
			bool seen = false;
			/* A 2 MiB frame is the PD's entry itself: no page table below it. */
			if (lv[l].type == OBJ_PT && s->objects[s->maps[i].object].type == OBJ_FRAME_2M)
				continue;
			for (uint32_t j = first; j < i && !seen; j++)
				seen = s->maps[j].vaddr >> lv[l].shift << lv[l].shift == base &&
				       !(lv[l].type == OBJ_PT &&
					 s->objects[s->maps[j].object].type == OBJ_FRAME_2M);
			if (seen)
				continue;
			char at[24];
			snprintf(at, sizeof(at), "0x%llx", (unsigned long long)base);
			uint32_t o = add_object(b, core, lv[l].type, 0, add_str(b, lv[l].fmt, name, at));
			add_map(b, owner, o, base, 0, 0, 0, 0);
		}
	/* Tables first (by level, then address), then the frames: rotate the frames to the end. */
	uint32_t ntables = s->h.nmaps - first - nframes;
	struct spec_map *tmp = malloc((size_t)nframes * sizeof(*tmp));
	if (!tmp && nframes) {
		fprintf(stderr, "atoll: out of memory\n");
		exit(1);
	}
	memcpy(tmp, &s->maps[first], (size_t)nframes * sizeof(*tmp));
	memmove(&s->maps[first], &s->maps[first + nframes], (size_t)ntables * sizeof(*tmp));
	memcpy(&s->maps[first + ntables], tmp, (size_t)nframes * sizeof(*tmp));
	free(tmp);
}

static const struct component *find_component(const struct system *sys, const char *name, int *i)
{
	for (*i = 0; *i < (int)sys->ncomponents; (*i)++)
		if (!strcmp(sys->components[*i].name, name))
			return &sys->components[*i];
	return NULL;
}

static const struct vm *find_vm(const struct system *sys, const char *name, int *i)
{
	for (*i = 0; *i < (int)sys->nvms; (*i)++)
		if (!strcmp(sys->vms[*i].name, name))
			return &sys->vms[*i];
	return NULL;
}

static unsigned rights_of(const char *r)
{
	return (strchr(r, 'r') ? CAP_READ : 0) | (strchr(r, 'w') ? CAP_WRITE : 0);
}

/* The frames of one shared channel, mapped into one end at *next (advanced). */
static void shared_end(struct builder *b, const struct channel *ch, uint32_t first_obj,
		       const char *rights, uint64_t *next, bool vm, int idx)
{
	uint32_t owner = vm ? SPEC_VM_OWNER | (uint32_t)idx : (uint32_t)idx;

	for (uint64_t off = 0; off < ch->size; off += PAGE)
		add_map(b, owner, first_obj + (uint32_t)(off / PAGE), *next + off, rights_of(rights),
			0, 0, 0);
	*next += ch->size + PAGE;	/* a guard page between regions */
}

/* Endpoints and notifications: objects and the caps of both ends. */
static void channel_caps(struct builder *b, const struct channel *ch, uint32_t name)
{
	const struct system *sys = b->sys;
	int fi, ti;
	const struct component *from = find_component(sys, ch->from.name, &fi);
	const struct component *to = find_component(sys, ch->to.name, &ti);
	uint64_t badge = 1ull << (b->s->components[fi].ncaps % 64);

	if (ch->type == CH_ENDPOINT) {
		uint32_t o = add_object(b, to->core, OBJ_ENDPOINT, 0, add_str(b, "%s.endpoint%s", ch->name, ""));
		add_cap(b, (uint32_t)fi, o, name, CAP_WRITE | CAP_GRANT, badge, SPEC_ROLE_FROM);
		add_cap(b, (uint32_t)ti, o, name, CAP_READ, 0, SPEC_ROLE_TO);
		return;
	}
	if (from->core == to->core) {
		uint32_t o = add_object(b, to->core, OBJ_NOTIFICATION, 0,
					add_str(b, "%s.notification%s", ch->name, ""));
		add_cap(b, (uint32_t)fi, o, name, CAP_WRITE, badge, SPEC_ROLE_FROM);
		add_cap(b, (uint32_t)ti, o, name, CAP_READ, 0, SPEC_ROLE_TO);
		return;
	}
	/* Across cores: the receiving core binds one notification to every other core's IPIs. */
	if (b->xsig_ntfn[to->core] < 0) {
		char nname[40];
		snprintf(nname, sizeof(nname), "core%u.xsignals", to->core);
		b->xsig_ntfn[to->core] = (int)add_object(b, to->core, OBJ_NOTIFICATION, 0,
			add_str(b, "%s%s", nname, ""));
		b->s->objects[b->xsig_ntfn[to->core]].flags |= SPEC_OBJ_BIND_XSIGNALS;
		b->xsig_owner[to->core] = ti;
	} else if (b->xsig_owner[to->core] != ti) {
		diag_error(b->d, ch->loc, "channel-xcore-receiver",
			   "'%s' and '%s' both receive cross-core notifications on core %u, but a core has one such receiver",
			   sys->components[b->xsig_owner[to->core]].name, to->name, to->core);
		return;
	}
	char xname[40];
	snprintf(xname, sizeof(xname), "core%u.signal-core%u", from->core, to->core);
	uint32_t x = add_object(b, from->core, OBJ_XSIGNAL, 0, add_str(b, "%s%s", xname, ""));
	b->s->objects[x].target = to->core;
	add_cap(b, (uint32_t)fi, x, name, CAP_WRITE, 0, SPEC_ROLE_FROM);
	add_cap(b, (uint32_t)ti, (uint32_t)b->xsig_ntfn[to->core], name, CAP_READ, 0, SPEC_ROLE_TO);
}

static void vmm_maps(struct builder *b, uint32_t ci, unsigned core, uint32_t vi);

/* A component's image, stack, info page, IPC buffer, heap and shared regions; a VMM's VM (vi). */
static bool component_image(struct builder *b, const struct component *c, uint32_t ci,
			    uint64_t *next_shared, const uint32_t *shared_first, uint32_t vi)
{
	struct spec_component *sc = &b->s->components[ci];
	size_t len = 0;
	char *elf = read_file(b->sys, c->image, &len);
	struct elf_image img;
	err_t e;

	if (!elf) {
		diag_error(b->d, c->image_loc, "image-missing", "cannot read '%s'", c->image);
		return false;
	}
	if ((e = elf_parse(elf, len, USER_IMAGE_BASE, COMPONENT_HEAP_VA, &img))) {
		diag_error(b->d, c->image_loc, "image-format",
			   "'%s' is not a component image: ELF64 x86_64 executable in [0x%llx, 0x%llx) needed (%s)",
			   c->image, (unsigned long long)USER_IMAGE_BASE,
			   (unsigned long long)COMPONENT_HEAP_VA, err_str(e));
		free(elf);
		return false;
	}
	uint32_t first = b->s->h.nmaps;
	uint64_t used = 0;
	for (unsigned i = 0; i < img.nseg; i++) {
		const struct elf_seg *sg = &img.seg[i];
		uint64_t va = sg->vaddr & ~(PAGE - 1);
		unsigned rights = CAP_READ | (sg->flags & ELF_PF_W ? CAP_WRITE : 0) |
				  (sg->flags & ELF_PF_X ? CAP_EXEC : 0);
		for (; va < sg->vaddr + sg->memsz; va += PAGE, used += PAGE) {
			char at[24];
			snprintf(at, sizeof(at), "0x%llx", (unsigned long long)va);
			frame(b, ci, c->core, va, rights, add_str(b, "%s.image@%s", c->name, at));
			page_data(b, &b->s->maps[b->s->h.nmaps - 1], elf, sg);
		}
	}
	free(elf);
	sc->entry = img.entry;
	sc->stack_top = USER_STACK_TOP;
	for (uint64_t va = USER_STACK_TOP - c->stack; va < USER_STACK_TOP; va += PAGE, used += PAGE)
		frame(b, ci, c->core, va, CAP_READ | CAP_WRITE, add_str(b, "%s.stack%s", c->name, ""));
	sc->info = frame(b, ci, c->core, COMPONENT_INFO_VA, CAP_READ,
			 add_str(b, "%s.info%s", c->name, ""));
	sc->ipc_buffer = frame(b, ci, c->core, COMPONENT_IPC_BUFFER_VA, CAP_READ | CAP_WRITE,
			       add_str(b, "%s.ipc-buffer%s", c->name, ""));
	used += 2 * PAGE;
	if (used > c->memory) {
		diag_error(b->d, c->memory_loc, "component-memory",
			   "'%s' needs %llu KiB for its image, stack, IPC buffer and info page, more than its %llu KiB",
			   c->name, (unsigned long long)(used >> 10),
			   (unsigned long long)(c->memory >> 10));
		return false;
	}
	sc->heap_va = COMPONENT_HEAP_VA;
	sc->heap_size = c->memory - used;
	for (uint64_t off = 0; off < sc->heap_size; off += PAGE)
		frame(b, ci, c->core, COMPONENT_HEAP_VA + off, CAP_READ | CAP_WRITE,
		      add_str(b, "%s.heap%s", c->name, ""));
	/* Shared regions, in channel order. */
	for (unsigned k = 0; k < b->sys->nchannels; k++) {
		const struct channel *ch = &b->sys->channels[k];
		if (ch->type != CH_SHARED)
			continue;
		if (!strcmp(ch->from.name, c->name))
			shared_end(b, ch, shared_first[k], ch->from_rights, next_shared, false, (int)ci);
		if (!strcmp(ch->to.name, c->name))
			shared_end(b, ch, shared_first[k], ch->to_rights, next_shared, false, (int)ci);
	}
	if (*next_shared > COMPONENT_SHARED_END) {
		diag_error(b->d, c->loc, "component-memory",
			   "'%s' has more shared memory than fits at 0x%llx-0x%llx", c->name,
			   (unsigned long long)COMPONENT_SHARED_VA, (unsigned long long)COMPONENT_SHARED_END);
		return false;
	}
	if (vi != SPEC_NONE)
		vmm_maps(b, ci, c->core, vi);
	page_tables(b, ci, c->core, first, c->name);
	sc->first_map = first;
	sc->nmaps = b->s->h.nmaps - first;
	return true;
}

/* A frame of the shared pool (placed in it by place()). */
static uint32_t pool_object(struct builder *b, unsigned type, uint32_t name)
{
	uint32_t o = add_object(b, SPEC_CORE_ANY, type, 0, name);

	b->s->objects[o].flags |= SPEC_OBJ_SHARED;
	return o;
}

/* How many VFs the VM owns. */
static unsigned vm_vfs(const struct system *sys, uint32_t vi)
{
	unsigned n = 0;

	for (unsigned i = 0; i < sys->ndevices; i++)
		n += sys->devices[i].kind == DEV_VF && sys->devices[i].owner_kind == 2 &&
		     sys->devices[i].owner == (int)vi;
	return n;
}

static void vm_memory(struct builder *b, uint32_t vi, const uint32_t *shared_first)
{
	const struct vm *v = &b->sys->vms[vi];
	struct spec_vm *sv = &b->s->vms[vi];
	uint32_t owner = SPEC_VM_OWNER | vi;
	uint64_t per_core = v->memory / v->ncores;
	/*
	 * A VM with VFs has its RAM in the shared pool: instance 0 maps the same
	 * frames into the VFs' IOSpaces (docs/pcimgr.md, "VFs for VMs").
	 */
	bool pool = vm_vfs(b->sys, vi) > 0 || v->ncores > 1;

	sv->first_map = b->s->h.nmaps;
	for (uint64_t gpa = 0; gpa < v->memory; gpa += 2 * 1024 * 1024) {
		unsigned core = v->cores[gpa / per_core < v->ncores ? gpa / per_core : v->ncores - 1];
		uint32_t name = add_str(b, "%s.ram%s", v->name, "");
		uint32_t o = pool ? pool_object(b, OBJ_FRAME_2M, name)
				  : add_object(b, core, OBJ_FRAME_2M, 0, name);
		add_map(b, owner, o, gpa, CAP_READ | CAP_WRITE | CAP_EXEC, 0, 0, 0);
	}
	/* Shared regions appear in guest-physical space right after the RAM. */
	uint64_t next = v->memory;
	for (unsigned k = 0; k < b->sys->nchannels; k++) {
		const struct channel *ch = &b->sys->channels[k];
		if (ch->type != CH_SHARED)
			continue;
		if (!strcmp(ch->from.name, v->name))
			shared_end(b, ch, shared_first[k], ch->from_rights, &next, true, (int)vi);
		if (!strcmp(ch->to.name, v->name))
			shared_end(b, ch, shared_first[k], ch->to_rights, &next, true, (int)vi);
	}
	/*
	 * Each vCPU gets its guest space and nested page tables on its core; a vCPU
	 * after the first maps the same frames (pool RAM, shared regions) again.
	 */
	uint32_t nframes = b->s->h.nmaps - sv->first_map;
	struct spec_map *frames = malloc((size_t)nframes * sizeof(*frames) + 1);
	if (!frames) {
		fprintf(stderr, "atoll: out of memory\n");
		exit(1);
	}
	memcpy(frames, b->s->maps + sv->first_map, (size_t)nframes * sizeof(*frames));
	sv->vmm = sv->vcpu = sv->gspace = sv->state = SPEC_NONE;
	for (unsigned k = 0; k < SPEC_VM_MAX_CPUS; k++)
		sv->cpu[k] = (struct spec_vm_cpu){ SPEC_NONE, SPEC_NONE, SPEC_NONE, 0, 0, SPEC_NONE };
	for (unsigned k = 0; k < v->ncores && k < SPEC_VM_MAX_CPUS; k++) {
		struct spec_vm_cpu *cpu = &sv->cpu[k];
		char sfx[8] = "", tname[NAME_MAX_LEN + 8];
		if (v->ncores > 1)
			snprintf(sfx, sizeof(sfx), "%u", k);
		snprintf(tname, sizeof(tname), "%s%s", v->name, k ? sfx : "");
		cpu->first_map = k ? b->s->h.nmaps : sv->first_map;
		for (uint32_t i = 0; k && i < nframes; i++)
			add_map(b, owner, frames[i].object, frames[i].vaddr, frames[i].rights, 0, 0, 0);
		cpu->gspace = add_object(b, v->cores[k], OBJ_GUEST_SPACE, 0,
					 add_str(b, "%s.guest-space%s", v->name, sfx));
		cpu->vcpu = add_object(b, v->cores[k], OBJ_VCPU, 0, add_str(b, "%s.vcpu%s", v->name, sfx));
		page_tables(b, owner, v->cores[k], cpu->first_map, tname);
		cpu->nmaps = b->s->h.nmaps - cpu->first_map;
	}
	free(frames);
	sv->vcpu = sv->cpu[0].vcpu;
	sv->gspace = sv->cpu[0].gspace;
	sv->nmaps = sv->cpu[0].nmaps;
	/* The device models all vCPUs share (docs/vmm.md, "VMs of several cores"). */
	for (unsigned i = 0; v->ncores > 1 && i < VM_STATE_SHARED_PAGES; i++) {
		uint32_t o = pool_object(b, OBJ_FRAME_4K, add_str(b, "%s.state%s", v->name, ""));
		if (!i)
			sv->state = o;
	}
	sv->handover = sv->devices = sv->devinfo = SPEC_NONE;
	if (!vm_vfs(b->sys, vi))
		return;
	/* vCPU 0's core receives the VFs and their MSIs (docs/vmm.md, "Passed-through VFs"). */
	sv->nvfs = vm_vfs(b->sys, vi);
	sv->handover = pool_object(b, OBJ_FRAME_4K, add_str(b, "%s.handover%s", v->name, ""));
	sv->devices = add_object(b, v->cores[0], OBJ_NOTIFICATION, 0,
				 add_str(b, "%s.devices%s", v->name, ""));
	sv->devinfo = add_object(b, v->cores[0], OBJ_FRAME_4K, 0, add_str(b, "%s.devinfo%s", v->name, ""));
}

/* Devices and their owners (what the checker found), for reach and the later IOMMU work. */
static void devices(struct builder *b)
{
	const struct system *sys = b->sys;
	struct spec *s = b->s;

	s->h.ndevices = sys->ndevices;
	s->devices = calloc(sys->ndevices + 1, sizeof(*s->devices));
	if (!s->devices) {
		fprintf(stderr, "atoll: out of memory\n");
		exit(1);
	}
	for (unsigned i = 0; i < sys->ndevices; i++) {
		const struct device *dv = &sys->devices[i];
		struct spec_device *o = &s->devices[i];
		o->name = add_str(b, "%s%s", dv->name, "");
		o->owner = dv->owner_kind == 1 ? (uint32_t)dv->owner
			 : dv->owner_kind == 2 ? SPEC_VM_OWNER | (uint32_t)dv->owner : SPEC_NO_OWNER;
		o->kind = dv->kind == DEV_PCI ? SPEC_DEV_PCI : dv->kind == DEV_VF ? SPEC_DEV_VF
									     : SPEC_DEV_PLATFORM;
		o->bus = (uint8_t)dv->bus;
		o->dev = (uint8_t)dv->dev;
		o->fn = (uint8_t)dv->fn;
		o->vendor = (uint16_t)dv->vendor;
		o->device = (uint16_t)dv->device;
		o->flags = dv->kind == DEV_PCI && !dv->by_bdf ? SPEC_DEV_BY_ID : 0;
		o->vf_index = (uint16_t)dv->vf_index;
		o->sriov_vfs = dv->sriov_vfs;
		o->online = b->pf_online[i];
		for (unsigned k = 0; k < sys->ndevices; k++)
			if (dv->kind == DEV_VF && !strcmp(sys->devices[k].name, dv->pf.name))
				o->pf = k;
		if (dv->kind != DEV_VF || dv->owner_kind != 2)
			continue;
		/* The VM's j-th VF: its BAR window and SPEC_VF_VECTORS vectors of the VM's core. */
		unsigned j = 0;
		for (unsigned k = 0; k < i; k++)
			j += sys->devices[k].kind == DEV_VF && sys->devices[k].owner_kind == 2 &&
			     sys->devices[k].owner == dv->owner;
		o->vm_slot = (uint8_t)j;
		o->gpa = SPEC_VM_PCI_HOLE + j * SPEC_VF_WINDOW;
		o->nvectors = SPEC_VF_VECTORS;
		for (unsigned v = 0; v < SPEC_VF_VECTORS; v++)
			o->vectors[v] = (uint8_t)(0xD0 + j * SPEC_VF_VECTORS + v);
	}
}

/*
 * The owner of an SR-IOV PF signals instance 0's root task when its VFs are
 * online: one notification on the owner's core, a badged cap "<pf>.online" per PF.
 */
static void pf_online_caps(struct builder *b)
{
	const struct system *sys = b->sys;
	uint32_t ntfn = SPEC_NONE;

	for (unsigned i = 0; i < sys->ndevices; i++) {
		const struct device *dv = &sys->devices[i];
		b->pf_online[i] = SPEC_NONE;
		if (dv->kind != DEV_PCI || !dv->sriov_vfs || dv->owner_kind != 1)
			continue;
		const struct component *c = &sys->components[dv->owner];
		if (ntfn == SPEC_NONE)
			ntfn = add_object(b, c->core, OBJ_NOTIFICATION, 0,
					  add_str(b, "pci.vfs-online%s%s", "", ""));
		b->pf_online[i] = ntfn;
		add_cap(b, (uint32_t)dv->owner, ntfn, add_str(b, "%s.online%s", dv->name, ""), CAP_WRITE,
			1ull << i, SPEC_ROLE_FROM);
	}
}

/* The file's bytes as read-only 4 KiB frames in a VMM's space at va; returns the size. */
static uint32_t file_frames(struct builder *b, uint32_t ci, unsigned core, uint64_t va,
			    const char *data, size_t len, uint32_t name)
{
	struct spec *s = b->s;

	for (size_t off = 0; off < len; off += PAGE) {
		uint32_t n = (uint32_t)(len - off < PAGE ? len - off : PAGE);
		frame(b, ci, core, va + off, CAP_READ, name);
		for (uint32_t need = s->h.data_size + n; b->cap_data < need;)
			s->data = grow(s->data, b->cap_data, &b->cap_data, 1);
		memcpy(s->data + s->h.data_size, data + off, n);
		struct spec_map *m = &s->maps[s->h.nmaps - 1];
		m->data_off = s->h.data_size;
		m->data_len = n;
		s->h.data_size += n;
	}
	return (uint32_t)len;
}

/* The VMM's view of its VM: the RAM read-write, the kernel and initramfs read-only. */
static void vmm_maps(struct builder *b, uint32_t ci, unsigned core, uint32_t vi)
{
	const struct vm *v = &b->sys->vms[vi];
	struct spec_vm *sv = &b->s->vms[vi];
	size_t len;
	char *data;

	for (uint32_t i = sv->first_map; i < sv->first_map + sv->nmaps; i++) {
		const struct spec_map *m = &b->s->maps[i];
		if (b->s->objects[m->object].type == OBJ_FRAME_2M && m->vaddr < v->memory)
			add_map(b, ci, m->object, COMPONENT_VM_RAM_VA + m->vaddr, CAP_READ | CAP_WRITE,
				0, 0, 0);
	}
	/* Several vCPUs: private state pages, then the shared ones; only vCPU 0 loads Linux. */
	if (sv->state != SPEC_NONE) {
		for (uint64_t off = 0; off < VM_STATE_SHARED_OFFSET; off += PAGE)
			frame(b, ci, core, COMPONENT_VM_STATE_VA + off, CAP_READ | CAP_WRITE,
			      add_str(b, "%s.vcpu-state%s", v->name, ""));
		for (unsigned i = 0; i < VM_STATE_SHARED_PAGES; i++)
			add_map(b, ci, sv->state + i,
				COMPONENT_VM_STATE_VA + VM_STATE_SHARED_OFFSET + i * PAGE,
				CAP_READ | CAP_WRITE, 0, 0, 0);
	}
	if (b->vm_cpu)
		return;
	if ((data = read_file(b->sys, v->kernel, &len))) {
		sv->kernel_size = file_frames(b, ci, core, COMPONENT_VM_KERNEL_VA, data, len,
					      add_str(b, "%s.kernel%s", v->name, ""));
		free(data);
	} else {
		diag_error(b->d, v->kernel_loc, "image-missing", "cannot read '%s'", v->kernel);
	}
	if (sv->nvfs)
		add_map(b, ci, sv->devinfo, COMPONENT_VM_DEVICES_VA, CAP_READ, 0, 0, 0);
	if (!v->initramfs[0])
		return;
	if ((data = read_file(b->sys, v->initramfs, &len))) {
		sv->initramfs_size = file_frames(b, ci, core, COMPONENT_VM_INITRAMFS_VA, data, len,
						 add_str(b, "%s.initramfs%s", v->name, ""));
		free(data);
	} else {
		diag_error(b->d, v->initramfs_loc, "image-missing", "cannot read '%s'", v->initramfs);
	}
}

/* build/user/vmm.elf, found from the tool itself (build/bin/atoll); "" if that fails. */
static void default_vmm(char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	out[0] = 0;
	if (n <= 0)
		return;
	self[n] = 0;
	char *slash = strrchr(self, '/');
	static const char rel[] = "/../user/vmm.elf";
	if (slash && (size_t)(slash - self) + sizeof(rel) <= size) {
		memcpy(out, self, (size_t)(slash - self));
		memcpy(out + (slash - self), rel, sizeof(rel));
	}
}

/*
 * A vCPU's wake-up: the cross-core notification of its core, bound to its VMM's
 * TCB by the root task, and a cap to signal each other vCPU's core ("cpu<j>").
 */
static void vcpu_kicks(struct builder *b, uint32_t vi, unsigned k, uint32_t ci)
{
	const struct vm *v = &b->sys->vms[vi];
	struct spec_vm *sv = &b->s->vms[vi];
	unsigned core = v->cores[k];

	if (b->xsig_ntfn[core] < 0) {
		char nname[16];
		snprintf(nname, sizeof(nname), "%u", core);
		b->xsig_ntfn[core] = (int)add_object(b, core, OBJ_NOTIFICATION, 0,
						     add_str(b, "core%s.xsignals%s", nname, ""));
		b->s->objects[b->xsig_ntfn[core]].flags |= SPEC_OBJ_BIND_XSIGNALS;
		b->xsig_owner[core] = (int)ci;
	} else if (b->xsig_owner[core] != (int)ci) {
		diag_error(b->d, v->loc, "channel-xcore-receiver",
			   "'%s' and VM '%s' both receive cross-core notifications on core %u, but a core has one such receiver",
			   b->s->strings + b->s->components[b->xsig_owner[core]].name, v->name, core);
		return;
	}
	sv->cpu[k].wake = (uint32_t)b->xsig_ntfn[core];
	add_cap(b, ci, sv->cpu[k].wake, add_str(b, "wake%s%s", "", ""), CAP_READ, 0, SPEC_ROLE_TO);
	for (unsigned j = 0; j < v->ncores; j++) {
		if (j == k)
			continue;
		char cname[16];
		snprintf(cname, sizeof(cname), "%u", j);
		uint32_t x = add_object(b, core, OBJ_XSIGNAL, 0,
					add_str(b, "%s.kick-cpu%s", v->name, cname));
		b->s->objects[x].target = (uint16_t)v->cores[j];
		add_cap(b, ci, x, add_str(b, "cpu%s%s", cname, ""), CAP_WRITE, 0, SPEC_ROLE_FROM);
	}
}

/* The VMM of vCPU k: a trusted component on its core with caps to the VCPU and guest space. */
static void vm_vmm_cpu(struct builder *b, uint32_t vi, unsigned k)
{
	const struct vm *v = &b->sys->vms[vi];
	struct spec_vm *sv = &b->s->vms[vi];
	struct spec *s = b->s;
	static struct component c;
	char sfx[8] = "";
	int dup;

	memset(&c, 0, sizeof(c));
	if (k)
		snprintf(sfx, sizeof(sfx), "%u", k);
	if (strlen(v->name) + 4 + strlen(sfx) > NAME_MAX_LEN) {
		diag_error(b->d, v->loc, "too-long", "VM name '%s' leaves no room for its VMM's name '%s.vmm%s'",
			   v->name, v->name, sfx);
		return;
	}
	snprintf(c.name, sizeof(c.name), "%s.vmm%s", v->name, sfx);
	if (find_component(b->sys, c.name, &dup)) {
		diag_error(b->d, b->sys->components[dup].loc, "duplicate-name",
			   "'%s' is the name of VM '%s''s VMM", c.name, v->name);
		return;
	}
	c.loc = c.memory_loc = v->loc;
	c.core = v->cores[k];
	c.memory = VMM_MEMORY;
	c.stack = 16 << 10;
	c.priority = 100;
	c.trusted = true;
	if (v->vmm[0]) {
		snprintf(c.image, sizeof(c.image), "%s", v->vmm);
		c.image_loc = v->vmm_loc;
	} else {
		default_vmm(c.image, sizeof(c.image));
		c.image_loc = v->loc;
	}
	uint32_t ci = s->h.ncomponents++;
	struct spec_component *sc = &s->components[ci];
	sc->name = add_str(b, "%s%s", c.name, "");
	sc->core = (uint16_t)c.core;
	sc->priority = (uint8_t)c.priority;
	sc->cnode_radix = COMPONENT_CNODE_RADIX;
	sc->trusted = 1;
	sc->memory = c.memory;
	sc->cnode = add_object(b, c.core, OBJ_CNODE, COMPONENT_CNODE_RADIX,
			       add_str(b, "%s.cnode%s", c.name, ""));
	sc->tcb = add_object(b, c.core, OBJ_TCB, 0, add_str(b, "%s.tcb%s", c.name, ""));
	sc->vspace = add_object(b, c.core, OBJ_PML4, 0, add_str(b, "%s.vspace%s", c.name, ""));
	add_cap(b, ci, sv->cpu[k].vcpu, add_str(b, "vcpu%s%s", "", ""), CAP_READ | CAP_WRITE, 0,
		SPEC_ROLE_TO);
	add_cap(b, ci, sv->cpu[k].gspace, add_str(b, "guest-space%s%s", "", ""), CAP_READ | CAP_WRITE,
		0, SPEC_ROLE_TO);
	if (sv->nvfs && !k)
		add_cap(b, ci, sv->devices, add_str(b, "devices%s%s", "", ""), CAP_READ | CAP_WRITE, 0,
			SPEC_ROLE_TO);
	if (v->ncores > 1)
		vcpu_kicks(b, vi, k, ci);
	sv->cpu[k].vmm = ci;
	if (!k)
		sv->vmm = ci;
	uint64_t no_shared = COMPONENT_SHARED_VA;
	b->vm_cpu = k;
	(void)component_image(b, &c, ci, &no_shared, NULL, vi);
}

/* A VM's VMMs, one per vCPU. */
static void vm_vmm(struct builder *b, uint32_t vi)
{
	for (unsigned k = 0; k < b->sys->vms[vi].ncores && k < SPEC_VM_MAX_CPUS; k++)
		vm_vmm_cpu(b, vi, k);
}

/* The core an end of a channel runs on. */
static unsigned end_core(const struct system *sys, const char *name)
{
	int i;

	if (find_component(sys, name, &i))
		return sys->components[i].core;
	if (find_vm(sys, name, &i))
		return sys->vms[i].cores[0];
	return 0;
}

/* Reorders each core's objects largest first and gives each its place in the core's region. */
static void place(struct builder *b)
{
	struct spec *s = b->s;
	uint32_t n = s->h.nobjects;
	uint32_t *order = malloc((n + 1) * sizeof(*order)), *where = malloc((n + 1) * sizeof(*where));
	struct spec_object *sorted = malloc((n + 1) * sizeof(*sorted));
	uint32_t k = 0;

	if (!order || !where || !sorted) {
		fprintf(stderr, "atoll: out of memory\n");
		exit(1);
	}
	/* Stable: by core, then size descending, then declaration order (a counting pass per key). */
	for (unsigned core = 0; core <= MAX_CORES; core++)
		for (int bits = 40; bits >= 0; bits--)
			for (uint32_t i = 0; i < n; i++) {
				const struct spec_object *o = &s->objects[i];
				uint64_t sz = o->flags & SPEC_OBJ_SHARED ? type_bytes(o) : object_bytes(o);
				unsigned oc = o->core == SPEC_CORE_ANY ? MAX_CORES : o->core;
				int ob = sz ? __builtin_ctzll(sz) : 0;
				if (oc == core && ob == bits)
					order[k++] = i;
			}
	uint64_t at[MAX_CORES + 1] = { 0 };
	for (uint32_t j = 0; j < n; j++) {
		sorted[j] = s->objects[order[j]];
		where[order[j]] = j;
		uint64_t sz = object_bytes(&sorted[j]);
		/* The shared pool is one more region, laid out the same way: largest first. */
		if (sorted[j].flags & SPEC_OBJ_SHARED) {
			uint64_t *a = &at[MAX_CORES], psz = type_bytes(&sorted[j]);
			*a = (*a + psz - 1) & ~(psz - 1);
			sorted[j].offset = *a;
			*a += psz;
		} else if (sz && sorted[j].core < MAX_CORES) {
			uint64_t *a = &at[sorted[j].core];
			*a = (*a + sz - 1) & ~(sz - 1);
			sorted[j].offset = *a;
			*a += sz;
		}
	}
	memcpy(s->objects, sorted, n * sizeof(*sorted));
	for (uint32_t i = 0; i < s->h.ncaps; i++)
		s->caps[i].object = where[s->caps[i].object];
	for (uint32_t i = 0; i < s->h.nmaps; i++)
		s->maps[i].object = where[s->maps[i].object];
	for (uint32_t i = 0; i < s->h.ncomponents; i++) {
		struct spec_component *c = &s->components[i];
		c->tcb = where[c->tcb];
		c->cnode = where[c->cnode];
		c->vspace = where[c->vspace];
		c->ipc_buffer = where[c->ipc_buffer];
		c->info = where[c->info];
	}
	for (uint32_t i = 0; i < s->h.nvms; i++) {
		if (s->vms[i].vcpu != SPEC_NONE) {
			s->vms[i].vcpu = where[s->vms[i].vcpu];
			s->vms[i].gspace = where[s->vms[i].gspace];
		}
		for (unsigned vc = 0; vc < SPEC_VM_MAX_CPUS; vc++) {
			struct spec_vm_cpu *cpu = &s->vms[i].cpu[vc];
			if (cpu->vcpu == SPEC_NONE)
				continue;
			cpu->vcpu = where[cpu->vcpu];
			cpu->gspace = where[cpu->gspace];
			if (cpu->wake != SPEC_NONE)
				cpu->wake = where[cpu->wake];
		}
		if (s->vms[i].state != SPEC_NONE)
			s->vms[i].state = where[s->vms[i].state];
		if (s->vms[i].nvfs) {
			s->vms[i].handover = where[s->vms[i].handover];
			s->vms[i].devices = where[s->vms[i].devices];
			s->vms[i].devinfo = where[s->vms[i].devinfo];
		}
	}
	for (uint32_t i = 0; i < s->h.ndevices; i++)
		if (s->devices[i].online != SPEC_NONE)
			s->devices[i].online = where[s->devices[i].online];
	for (unsigned c = 0; c < MAX_CORES; c++)
		s->h.pool_bytes[c] = (uint32_t)at[c];
	s->h.shared_bytes = at[MAX_CORES];
	free(order);
	free(where);
	free(sorted);
}

bool spec_compile(const struct system *sys, struct spec *out, struct diag *d)
{
	struct builder b = { .s = out, .d = d, .sys = sys };
	uint32_t shared_first[MAX_CHANNELS];
	unsigned before = d->n;

	memset(out, 0, sizeof(*out));
	for (unsigned c = 0; c < MAX_CORES; c++)
		b.xsig_ntfn[c] = b.xsig_owner[c] = -1;
	out->h.ncores = sys->cores;
	out->h.ncomponents = sys->ncomponents;
	out->h.nvms = sys->nvms;
	unsigned nvmms = 0;
	for (unsigned i = 0; i < sys->nvms; i++)
		nvmms += sys->vms[i].ncores;
	out->components = calloc(sys->ncomponents + nvmms + 1, sizeof(*out->components));
	out->vms = calloc(sys->nvms + 1, sizeof(*out->vms));
	if (!out->components || !out->vms) {
		fprintf(stderr, "atoll: out of memory\n");
		exit(1);
	}
	(void)add_str(&b, "%s%s", "", "");	/* offset 0: the empty string */
	for (unsigned i = 0; i < sys->ncomponents; i++)
		if (sys->components[i].fixed.set)
			diag_error(d, sys->components[i].fixed.loc, "fixed-unplaced",
				   "'%s' asks for a fixed physical range, which compile cannot place yet: each root task allocates from its own partition",
				   sys->components[i].name);
	for (unsigned i = 0; i < sys->nvms; i++)
		if (sys->vms[i].fixed.set)
			diag_error(d, sys->vms[i].fixed.loc, "fixed-unplaced",
				   "'%s' asks for a fixed physical range, which compile cannot place yet: each root task allocates from its own partition",
				   sys->vms[i].name);
	for (unsigned i = 0; i < sys->ncomponents; i++) {
		const struct component *c = &sys->components[i];
		struct spec_component *sc = &out->components[i];
		sc->name = add_str(&b, "%s%s", c->name, "");
		sc->core = (uint16_t)c->core;
		sc->priority = (uint8_t)c->priority;
		sc->cnode_radix = COMPONENT_CNODE_RADIX;
		sc->trusted = c->trusted;
		sc->memory = c->memory;
		sc->cnode = add_object(&b, c->core, OBJ_CNODE, COMPONENT_CNODE_RADIX,
				       add_str(&b, "%s.cnode%s", c->name, ""));
		sc->tcb = add_object(&b, c->core, OBJ_TCB, 0, add_str(&b, "%s.tcb%s", c->name, ""));
		sc->vspace = add_object(&b, c->core, OBJ_PML4, 0, add_str(&b, "%s.vspace%s", c->name, ""));
	}
	for (unsigned i = 0; i < sys->nvms; i++) {
		const struct vm *v = &sys->vms[i];
		struct spec_vm *sv = &out->vms[i];
		sv->name = add_str(&b, "%s%s", v->name, "");
		sv->ncores = v->ncores;
		for (unsigned k = 0; k < v->ncores; k++)
			sv->cores[k] = (uint8_t)v->cores[k];
		sv->memory = v->memory;
		sv->kernel = add_str(&b, "%s%s", v->kernel, "");
		sv->initramfs = add_str(&b, "%s%s", v->initramfs, "");
		sv->cmdline = add_str(&b, "%s%s", v->cmdline, "");
		sv->flags = strcmp(v->console, "none") ? SPEC_VM_CONSOLE : 0;
		if (!strcmp(v->console, "input"))
			sv->flags |= SPEC_VM_CONSOLE_INPUT;
	}
	/* Channels: caps in declaration order; shared frames made once, mapped by both ends. */
	for (unsigned k = 0; k < sys->nchannels; k++) {
		const struct channel *ch = &sys->channels[k];
		uint32_t name = add_str(&b, "%s%s", ch->name, "");
		if (ch->type != CH_SHARED) {
			channel_caps(&b, ch, name);
			continue;
		}
		unsigned fc = end_core(sys, ch->from.name), tc = end_core(sys, ch->to.name);
		int vi;
		bool pool = fc != tc || find_vm(sys, ch->from.name, &vi) || find_vm(sys, ch->to.name, &vi);
		shared_first[k] = out->h.nobjects;
		for (uint64_t off = 0; off < ch->size; off += 4096) {
			uint32_t oname = add_str(&b, "%s.shared%s", ch->name, "");
			if (pool)
				(void)pool_object(&b, OBJ_FRAME_4K, oname);
			else
				(void)add_object(&b, fc, OBJ_FRAME_4K, 0, oname);
		}
	}
	pf_online_caps(&b);
	uint64_t next_shared[MAX_COMPONENTS];
	for (unsigned i = 0; i < sys->ncomponents; i++) {
		next_shared[i] = COMPONENT_SHARED_VA;
		(void)component_image(&b, &sys->components[i], i, &next_shared[i], shared_first,
				      SPEC_NONE);
	}
	for (unsigned i = 0; i < sys->nvms; i++) {
		vm_memory(&b, i, shared_first);
		vm_vmm(&b, i);
	}
	/* Caps are grouped per component for the root task: sort them (stable) by component. */
	for (uint32_t i = 1; i < out->h.ncaps; i++)
		for (uint32_t j = i; j > 0 && out->caps[j - 1].component > out->caps[j].component; j--) {
			struct spec_cap t = out->caps[j];
			out->caps[j] = out->caps[j - 1];
			out->caps[j - 1] = t;
		}
	for (uint32_t i = 0; i < out->h.ncaps; i++) {
		if (out->caps[i].slot == 1)
			out->components[out->caps[i].component].first_cap = i;
	}
	for (unsigned i = 0; i < sys->ncomponents; i++)
		if (out->components[i].ncaps > COMPONENT_MAX_CAPS)
			diag_error(d, sys->components[i].loc, "too-many",
				   "'%s' gets %u caps, more than %d", sys->components[i].name,
				   out->components[i].ncaps, COMPONENT_MAX_CAPS);
	devices(&b);
	place(&b);
	return d->n == before;
}
