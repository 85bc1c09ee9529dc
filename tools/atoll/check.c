/* Semantic rules over a loaded description: names, cores, memory, devices, channels, images. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "abi/spec.h"
#include "desc.h"
#include "diag.h"

#define PAGE 4096ull

enum owner_kind { OWN_NONE, OWN_COMPONENT, OWN_VM };

/* What a name refers to, for references and duplicates. */
struct named {
	const char *kind;
	const char *name;
	struct loc loc;
	int index;
};

static unsigned collect(struct system *s, struct named *out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < s->ncomponents; i++)
		out[n++] = (struct named){ "component", s->components[i].name, s->components[i].loc, (int)i };
	for (unsigned i = 0; i < s->nvms; i++)
		out[n++] = (struct named){ "VM", s->vms[i].name, s->vms[i].loc, (int)i };
	for (unsigned i = 0; i < s->ndevices; i++)
		out[n++] = (struct named){ "device", s->devices[i].name, s->devices[i].loc, (int)i };
	for (unsigned i = 0; i < s->nchannels; i++)
		out[n++] = (struct named){ "channel", s->channels[i].name, s->channels[i].loc, (int)i };
	return n;
}

static const struct named *find(const struct named *all, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (all[i].name[0] && !strcmp(all[i].name, name))
			return &all[i];
	return NULL;
}

static void check_names(struct diag *d, const struct named *all, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < i; j++)
			if (all[i].name[0] && !strcmp(all[i].name, all[j].name)) {
				diag_error(d, all[i].loc, "duplicate-name",
					   "'%s' is already the name of a %s (line %d)", all[i].name,
					   all[j].kind, all[j].loc.line);
				break;
			}
}

static void check_cores(struct system *s, struct diag *d)
{
	int vm_of_core[MAX_CORES];

	for (unsigned i = 0; i < MAX_CORES; i++)
		vm_of_core[i] = -1;
	for (unsigned i = 0; i < s->nvms; i++) {
		struct vm *v = &s->vms[i];
		for (unsigned k = 0; k < v->ncores; k++) {
			unsigned core = v->cores[k];
			if (core >= s->cores) {
				diag_error(d, v->core_locs[k], "core-range",
					   "VM '%s' uses core %u, but the machine has %u cores", v->name,
					   core, s->cores);
				continue;
			}
			if (vm_of_core[core] == (int)i) {
				diag_error(d, v->core_locs[k], "core-twice",
					   "VM '%s' lists core %u twice; each vCPU needs a core of its own",
					   v->name, core);
				continue;
			}
			if (vm_of_core[core] >= 0) {
				diag_error(d, v->core_locs[k], "core-shared",
					   "core %u is already dedicated to VM '%s'", core,
					   s->vms[vm_of_core[core]].name);
				continue;
			}
			vm_of_core[core] = (int)i;
		}
		if (v->ncores && s->virt == VIRT_NONE)
			diag_error(d, v->loc, "vm-needs-virtualization",
				   "VM '%s' needs machine.virtualization svm or vmx", v->name);
	}
	for (unsigned i = 0; i < s->ncomponents; i++) {
		struct component *c = &s->components[i];
		if (c->core == ~0u)
			continue;
		if (c->core >= s->cores)
			diag_error(d, c->core_loc, "core-range",
				   "component '%s' uses core %u, but the machine has %u cores", c->name,
				   c->core, s->cores);
		else if (vm_of_core[c->core] >= 0)
			diag_error(d, c->core_loc, "core-shared",
				   "component '%s' is on core %u, which is dedicated to VM '%s'", c->name,
				   c->core, s->vms[vm_of_core[c->core]].name);
	}
}

static uint64_t vmm_bytes(const struct system *s, const struct vm *v);

static void check_memory(struct system *s, struct diag *d)
{
	uint64_t per_core[MAX_CORES] = { 0 };
	uint64_t total = 0;

	if (!s->cores || !s->memory)
		return;
	/*
	 * The RAM and state of VMs of several cores is in the shared pool, which the
	 * kernel takes (a power of two, at most 1 GiB) before it splits the rest.
	 */
	uint64_t pool = 0, pool_pow2 = 0;
	for (unsigned i = 0; i < s->nvms; i++) {
		const struct vm *v = &s->vms[i];
		if (v->ncores < 2)
			continue;
		pool += v->memory + VM_STATE_SHARED_PAGES * PAGE;
		for (pool_pow2 = PAGE; pool_pow2 < pool; pool_pow2 <<= 1)
			;
		if (pool_pow2 > (1ull << 30)) {
			diag_error(d, v->memory_loc, "shared-pool",
				   "VM '%s' makes the shared pool for VMs of several cores %llu MiB (RAM and state, up to a power of two), more than 1024 MiB",
				   v->name, (unsigned long long)(pool_pow2 >> 20));
			return;
		}
	}
	uint64_t share = (s->memory > pool_pow2 ? s->memory - pool_pow2 : 0) / s->cores;
	for (unsigned i = 0; i < s->cores; i++)
		per_core[i] = s->kernel_per_core;
	for (unsigned i = 0; i < s->ncomponents; i++) {
		struct component *c = &s->components[i];
		if (c->stack % PAGE)
			diag_error(d, c->stack_loc, "stack-size",
				   "component '%s' stack %llu is not a multiple of 4K", c->name,
				   (unsigned long long)c->stack);
		if (c->memory % PAGE)
			diag_error(d, c->memory_loc, "memory-align",
				   "component '%s' memory %llu is not a multiple of 4K", c->name,
				   (unsigned long long)c->memory);
		if (c->core < s->cores)
			per_core[c->core] += c->memory + c->stack;
		total += c->memory + c->stack;
	}
	for (unsigned i = 0; i < s->nvms; i++) {
		struct vm *v = &s->vms[i];
		for (unsigned k = 0; k < i && !strcmp(v->console, "input"); k++)
			if (!strcmp(s->vms[k].console, "input")) {
				diag_error(d, v->console_loc, "console-input-twice",
					   "VM '%s' takes the console input, which VM '%s' has already (line %d)",
					   v->name, s->vms[k].name, s->vms[k].console_loc.line);
				break;
			}
		if (!strcmp(v->console, "input") && v->ncores != 1)
			diag_error(d, v->console_loc, "console-input-smp",
				   "VM '%s' takes the console input, but a VM of %u cores has no VMM yet",
				   v->name, v->ncores);
		if (v->memory && v->memory < (16ull << 20))
			diag_error(d, v->memory_loc, "vm-memory",
				   "VM '%s' has %llu bytes; a Linux guest needs at least 16M", v->name,
				   (unsigned long long)v->memory);
		if (v->memory % (2ull << 20))
			diag_error(d, v->memory_loc, "memory-align",
				   "VM '%s' memory is not a multiple of 2M (guest RAM uses 2M pages)",
				   v->name);
		/* A VM of several cores has its RAM in the shared pool and a VMM on each core. */
		for (unsigned k = 0; k < v->ncores && v->ncores > 1; k++)
			if (v->cores[k] < s->cores)
				per_core[v->cores[k]] += k ? VMM_MEMORY + VM_STATE_SHARED_OFFSET
							   : vmm_bytes(s, v) + VM_STATE_SHARED_OFFSET;
		if (v->ncores > 1)
			total += (v->ncores - 1) * VMM_MEMORY + v->ncores * VM_STATE_SHARED_OFFSET +
				 vmm_bytes(s, v) + VM_STATE_SHARED_PAGES * PAGE;
		if (v->ncores == 1 && v->cores[0] < s->cores)
			per_core[v->cores[0]] += v->memory;
		total += v->memory;
		/* A VM of one core also has its VMM there, with the kernel and initramfs it loads. */
		if (v->ncores == 1 && v->cores[0] < s->cores) {
			per_core[v->cores[0]] += vmm_bytes(s, v);
			total += vmm_bytes(s, v);
		}
	}
	total += s->kernel_per_core * s->cores;
	if (total > s->memory)
		diag_error(d, s->memory_loc, "memory-overcommit",
			   "the description needs %llu MiB, the machine has %llu MiB",
			   (unsigned long long)(total >> 20), (unsigned long long)(s->memory >> 20));
	for (unsigned i = 0; i < s->cores; i++)
		if (per_core[i] > share)
			diag_error(d, s->memory_loc, "memory-overcommit-core",
				   "core %u needs %llu MiB (kernel, components, VM share) but gets %llu MiB",
				   i, (unsigned long long)((per_core[i] + (1ull << 20) - 1) >> 20),
				   (unsigned long long)(share >> 20));
}

struct fixed {
	const char *who;
	const struct range *r;
	uint64_t want;
};

static void check_fixed(struct system *s, struct diag *d)
{
	struct fixed f[MAX_COMPONENTS + MAX_VMS];
	unsigned n = 0;

	for (unsigned i = 0; i < s->ncomponents; i++)
		if (s->components[i].fixed.set)
			f[n++] = (struct fixed){ s->components[i].name, &s->components[i].fixed,
						 s->components[i].memory };
	for (unsigned i = 0; i < s->nvms; i++)
		if (s->vms[i].fixed.set)
			f[n++] = (struct fixed){ s->vms[i].name, &s->vms[i].fixed, s->vms[i].memory };
	for (unsigned i = 0; i < n; i++) {
		const struct range *r = f[i].r;
		if ((r->base | r->size) % PAGE)
			diag_error(d, r->loc, "fixed-align", "fixed range of '%s' is not 4K-aligned",
				   f[i].who);
		if (r->base + r->size < r->base)
			diag_error(d, r->loc, "fixed-range", "fixed range of '%s' wraps around",
				   f[i].who);
		if (f[i].want && r->size != f[i].want)
			diag_error(d, r->loc, "fixed-size",
				   "fixed range of '%s' is %llu bytes but its memory is %llu", f[i].who,
				   (unsigned long long)r->size, (unsigned long long)f[i].want);
		for (unsigned j = 0; j < i; j++) {
			const struct range *o = f[j].r;
			if (r->base < o->base + o->size && o->base < r->base + r->size)
				diag_error(d, r->loc, "fixed-overlap",
					   "fixed range of '%s' overlaps that of '%s' (line %d)", f[i].who,
					   f[j].who, o->loc.line);
		}
	}
}

static void give_device(struct system *s, struct diag *d, const struct named *all, unsigned n,
			const struct name_ref *ref, int kind, int owner, const char *owner_name)
{
	const struct named *t = find(all, n, ref->name);

	if (!t) {
		diag_error(d, ref->loc, "unknown-reference", "no device is named '%s'", ref->name);
		return;
	}
	if (strcmp(t->kind, "device")) {
		diag_error(d, ref->loc, "wrong-reference", "'%s' is a %s, not a device", ref->name,
			   t->kind);
		return;
	}
	struct device *dv = &s->devices[t->index];
	if (dv->owner_kind) {
		const char *prev = dv->owner_kind == OWN_COMPONENT ? s->components[dv->owner].name
								  : s->vms[dv->owner].name;
		diag_error(d, ref->loc, "device-two-owners",
			   "device '%s' is given to '%s' and already to '%s' (line %d)", ref->name,
			   owner_name, prev, dv->owner_loc.line);
		return;
	}
	if (kind == OWN_VM && dv->kind == DEV_PCI && dv->sriov_vfs)
		diag_error(d, ref->loc, "vm-gets-pf",
			   "VM '%s' is given SR-IOV physical function '%s'; give it a VF", owner_name,
			   ref->name);
	/* Only instance 0 holds the PCI capability; other instances would need the IPI protocol of docs/iommu.md. */
	if (kind == OWN_COMPONENT && dv->kind != DEV_PLATFORM && s->components[owner].core != 0)
		diag_error(d, ref->loc, "device-core",
			   "component '%s' owns PCI device '%s' but runs on core %u; a component that "
			   "drives PCI devices must run on core 0 (only instance 0 holds the PCI capability, issue #6)",
			   owner_name, ref->name, s->components[owner].core);
	dv->owner_kind = kind;
	dv->owner = owner;
	dv->owner_loc = ref->loc;
}

/*
 * A VM's VFs (docs/pcimgr.md, "VFs for VMs"): its RAM and shared regions end
 * below the PCI hole where their BARs go, vCPU 0's core has a block of
 * interrupt-remapping entries, and each VF's PF has a driver to enable it. (No
 * vCPU of it can be on core 0: its PF's driver is there, rule core-shared.)
 */
static void check_vm_vfs(struct system *s, struct diag *d, const struct named *all, unsigned n,
			 unsigned vi)
{
	const struct vm *v = &s->vms[vi];
	unsigned nvfs = 0;
	struct loc at = v->loc;

	for (unsigned k = 0; k < v->ndevices; k++) {
		const struct named *t = find(all, n, v->devices[k].name);
		if (!t || strcmp(t->kind, "device") || s->devices[t->index].kind != DEV_VF)
			continue;
		const struct device *vf = &s->devices[t->index];
		if (!nvfs++)
			at = v->devices[k].loc;
		const struct named *pf = find(all, n, vf->pf.name);
		if (pf && !strcmp(pf->kind, "device") && s->devices[pf->index].owner_kind != OWN_COMPONENT)
			diag_error(d, v->devices[k].loc, "vf-pf-owner",
				   "VM '%s' is given VF '%s', but no component owns its PF '%s' to enable it",
				   v->name, vf->name, vf->pf.name);
	}
	if (!nvfs)
		return;
	if (nvfs > SPEC_VM_MAX_VFS)
		diag_error(d, at, "too-many", "VM '%s' is given %u VFs, more than %d", v->name, nvfs,
			   SPEC_VM_MAX_VFS);
	/*
	 * Instance k's vectors use remapping entries 32 + 32 * k .. + 31 of a 256-entry
	 * table; the VF's MSIs go to vCPU 0's core, whose VMM passes each on to the vCPU
	 * the guest names (docs/vmm.md, "Passed-through VFs").
	 */
	if (v->cores[0] == 0 || v->cores[0] > 6)
		diag_error(d, at, "vf-core",
			   "VM '%s' on core %u is given a VF; a VF's VM runs on one of cores 1-6", v->name,
			   v->cores[0]);
	uint64_t end = v->memory;
	for (unsigned k = 0; k < s->nchannels; k++) {
		const struct channel *ch = &s->channels[k];
		if (ch->type == CH_SHARED && !strcmp(ch->from.name, v->name))
			end += ch->size + PAGE;
		if (ch->type == CH_SHARED && !strcmp(ch->to.name, v->name))
			end += ch->size + PAGE;
	}
	if (end > SPEC_VM_PCI_HOLE)
		diag_error(d, v->memory_loc, "vf-vm-memory",
			   "VM '%s' is given a VF, so its memory and shared regions must end below 0x%llx (they end at 0x%llx)",
			   v->name, (unsigned long long)SPEC_VM_PCI_HOLE, (unsigned long long)end);
}

static void check_devices(struct system *s, struct diag *d, const struct named *all, unsigned n)
{
	for (unsigned i = 0; i < s->ndevices; i++) {
		struct device *dv = &s->devices[i];
		if (dv->mmio.set && (dv->mmio.base | dv->mmio.size) % PAGE)
			diag_error(d, dv->mmio.loc, "mmio-align", "mmio of '%s' is not 4K-aligned",
				   dv->name);
		if (dv->kind != DEV_VF)
			continue;
		const struct named *pf = find(all, n, dv->pf.name);
		if (!pf) {
			diag_error(d, dv->pf.loc, "unknown-reference", "no device is named '%s'",
				   dv->pf.name);
			continue;
		}
		if (strcmp(pf->kind, "device") || s->devices[pf->index].kind != DEV_PCI ||
		    !s->devices[pf->index].sriov_vfs) {
			diag_error(d, dv->pf.loc, "vf-without-sriov",
				   "'%s' is not a PCI device with sriov, so it has no VFs", dv->pf.name);
			continue;
		}
		if (dv->vf_index < 1 || dv->vf_index > s->devices[pf->index].sriov_vfs)
			diag_error(d, dv->vf_loc, "vf-index", "VF index %u of '%s' is not in 1..%u",
				   dv->vf_index, dv->pf.name, s->devices[pf->index].sriov_vfs);
		for (unsigned j = 0; j < i; j++)
			if (s->devices[j].kind == DEV_VF && !strcmp(s->devices[j].pf.name, dv->pf.name) &&
			    s->devices[j].vf_index == dv->vf_index)
				diag_error(d, dv->vf_loc, "vf-twice",
					   "VF %u of '%s' is already described as '%s'", dv->vf_index,
					   dv->pf.name, s->devices[j].name);
	}
	for (unsigned i = 0; i < s->ncomponents; i++)
		for (unsigned k = 0; k < s->components[i].ndevices; k++)
			give_device(s, d, all, n, &s->components[i].devices[k], OWN_COMPONENT, (int)i,
				    s->components[i].name);
	for (unsigned i = 0; i < s->nvms; i++)
		for (unsigned k = 0; k < s->vms[i].ndevices; k++)
			give_device(s, d, all, n, &s->vms[i].devices[k], OWN_VM, (int)i, s->vms[i].name);
	for (unsigned i = 0; i < s->nvms; i++)
		check_vm_vfs(s, d, all, n, i);
}

/* The core an end of a channel runs on; a VM may be an end of a shared region only. */
static bool channel_end(struct system *s, struct diag *d, const struct named *all, unsigned n,
			const struct channel *ch, const struct name_ref *ref, unsigned *core)
{
	const struct named *t = find(all, n, ref->name);

	if (!ref->name[0])
		return false;
	if (!t) {
		diag_error(d, ref->loc, "unknown-reference", "no component is named '%s'", ref->name);
		return false;
	}
	if (!strcmp(t->kind, "VM") && ch->type == CH_SHARED) {
		*core = s->vms[t->index].ncores ? s->vms[t->index].cores[0] : 0;
		return true;
	}
	if (strcmp(t->kind, "component")) {
		diag_error(d, ref->loc, "wrong-reference",
			   "'%s' is a %s; channels join components (and VMs, for shared memory)",
			   ref->name, t->kind);
		return false;
	}
	*core = s->components[t->index].core;
	return true;
}

static void check_channels(struct system *s, struct diag *d, const struct named *all, unsigned n)
{
	for (unsigned i = 0; i < s->nchannels; i++) {
		struct channel *ch = &s->channels[i];
		unsigned ca = 0, cb = 0;
		bool a = channel_end(s, d, all, n, ch, &ch->from, &ca);
		bool b = channel_end(s, d, all, n, ch, &ch->to, &cb);
		if (a && b && !strcmp(ch->from.name, ch->to.name))
			diag_error(d, ch->to.loc, "channel-self", "channel '%s' joins '%s' to itself",
				   ch->name, ch->from.name);
		/* Each core runs its own kernel instance; an endpoint lives inside one. */
		if (a && b && ca != cb && ch->type == CH_ENDPOINT)
			diag_error(d, ch->loc, "channel-endpoint-cross-core",
				   "endpoint '%s' joins core %u to core %u, but an endpoint lives in one kernel instance: use a notification (and shared memory)",
				   ch->name, ca, cb);
		else if (a && b && ca != cb && !ch->cross_core)
			diag_error(d, ch->loc, "channel-cross-core",
				   "channel '%s' joins core %u to core %u: declare cross_core: true",
				   ch->name, ca, cb);
		if (ch->type == CH_SHARED && !ch->size)
			diag_error(d, ch->loc, "channel-size", "shared channel '%s' needs a size",
				   ch->name);
		if (ch->type == CH_SHARED && ch->size % PAGE)
			diag_error(d, ch->size_loc, "channel-size",
				   "shared channel '%s' size is not a multiple of 4K", ch->name);
		if (ch->type != CH_SHARED && ch->size)
			diag_error(d, ch->size_loc, "channel-size",
				   "only shared channels have a size ('%s' is not shared)", ch->name);
	}
}

/* Resolves a path relative to the description's directory. */
static void resolve(const struct system *s, const char *path, char *out, size_t size)
{
	const char *slash = strrchr(s->file, '/');

	if (path[0] == '/' || !slash)
		snprintf(out, size, "%s", path);
	else
		snprintf(out, size, "%.*s/%s", (int)(slash - s->file), s->file, path);
}

/* A VM's VMM: its memory, and the kernel and initramfs mapped into it (pages, 0 if missing). */
static uint64_t vmm_bytes(const struct system *s, const struct vm *v)
{
	const char *files[2] = { v->kernel, v->initramfs };
	uint64_t n = VMM_MEMORY;
	char full[PATH_LEN * 2];
	struct stat st;

	for (unsigned i = 0; i < 2; i++) {
		if (!files[i][0])
			continue;
		resolve(s, files[i], full, sizeof(full));
		if (!stat(full, &st) && st.st_size > 0)
			n += ((uint64_t)st.st_size + PAGE - 1) / PAGE * PAGE;
	}
	return n;
}

/* Reads up to len bytes at off; returns how many were read, or -1 if the file is missing. */
static long peek(const struct system *s, const char *path, long off, void *buf, size_t len)
{
	char full[PATH_LEN * 2];

	resolve(s, path, full, sizeof(full));
	FILE *f = fopen(full, "rb");
	if (!f)
		return -1;
	long n = 0;
	if (fseek(f, off, SEEK_SET) == 0)
		n = (long)fread(buf, 1, len, f);
	fclose(f);
	return n;
}

static void check_images(struct system *s, struct diag *d)
{
	unsigned char buf[8];

	for (unsigned i = 0; i < s->ncomponents; i++) {
		struct component *c = &s->components[i];
		if (!c->image[0])
			continue;
		long n = peek(s, c->image, 0, buf, 5);
		if (n < 0)
			diag_error(d, c->image_loc, "image-missing", "component image '%s' does not exist",
				   c->image);
		else if (n < 5 || memcmp(buf, "\177ELF\2", 5))
			diag_error(d, c->image_loc, "image-format",
				   "component image '%s' is not a 64-bit ELF file", c->image);
	}
	for (unsigned i = 0; i < s->nvms; i++) {
		struct vm *v = &s->vms[i];
		if (v->kernel[0]) {
			/* Linux boot protocol: "HdrS" at 0x202 marks a bzImage. */
			long n = peek(s, v->kernel, 0x202, buf, 4);
			if (n < 0)
				diag_error(d, v->kernel_loc, "image-missing", "VM kernel '%s' does not exist",
					   v->kernel);
			else if (n < 4 || memcmp(buf, "HdrS", 4))
				diag_error(d, v->kernel_loc, "image-format",
					   "VM kernel '%s' is not a Linux bzImage", v->kernel);
		}
		if (v->vmm[0] && peek(s, v->vmm, 0, buf, 1) < 0)
			diag_error(d, v->vmm_loc, "image-missing", "VMM image '%s' does not exist", v->vmm);
		if (v->initramfs[0] && peek(s, v->initramfs, 0, buf, 1) < 0)
			diag_error(d, v->initramfs_loc, "image-missing",
				   "VM initramfs '%s' does not exist", v->initramfs);
	}
}

void desc_check(struct system *s, struct diag *d)
{
	static struct named all[MAX_COMPONENTS + MAX_VMS + MAX_DEVICES + MAX_CHANNELS];
	unsigned n = collect(s, all);

	check_names(d, all, n);
	check_cores(s, d);
	check_memory(s, d);
	check_fixed(s, d);
	check_devices(s, d, all, n);
	check_channels(s, d, all, n);
	check_images(s, d);
}
