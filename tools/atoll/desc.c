/* Loading a system description from YAML: shape, fields and types (the semantic rules are in check.c). */
#include <stdio.h>
#include <string.h>

#include "desc.h"
#include "diag.h"
#include "yamlutil.h"

#define NSPEC(s) (sizeof(s) / sizeof((s)[0]))

static void load_range(struct yctx *c, yaml_node_t *n, const char *what, struct range *r)
{
	static const struct key_spec spec[] = { { "base", true }, { "size", true } };
	yaml_node_t *v[2];

	r->loc = y_loc(n);
	if (!y_map(c, n, what, spec, NSPEC(spec), v) || !v[0] || !v[1])
		return;
	if (y_uint(c, v[0], "base", UINT64_MAX, &r->base) & y_size(c, v[1], "size", &r->size))
		r->set = true;
}

static void load_refs(struct yctx *c, yaml_node_t *n, const char *what, struct name_ref *refs,
		      unsigned *count)
{
	if (!y_seq(c, n, what))
		return;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = y_node(c, *it);
		if (*count == MAX_REFS) {
			diag_error(c->d, y_loc(n), "too-many", "%s lists more than %u names", what,
				   MAX_REFS);
			return;
		}
		if (y_name(c, e, "a name", refs[*count].name))
			refs[(*count)++].loc = y_loc(e);
	}
}

static void load_machine(struct yctx *c, yaml_node_t *n, struct system *s)
{
	static const struct key_spec spec[] = {
		{ "cores", true }, { "memory", true }, { "virtualization", true },
		{ "kernel_memory", false },
	};
	yaml_node_t *v[NSPEC(spec)];
	uint64_t u;
	char virt[8];

	if (!y_map(c, n, "machine", spec, NSPEC(spec), v))
		return;
	if (v[0] && y_uint(c, v[0], "machine.cores", MAX_CORES, &u)) {
		s->cores = (unsigned)u;
		s->cores_loc = y_loc(v[0]);
		if (!u)
			diag_error(c->d, y_loc(v[0]), "out-of-range", "machine.cores must be at least 1");
	}
	if (v[1] && y_size(c, v[1], "machine.memory", &s->memory))
		s->memory_loc = y_loc(v[1]);
	if (v[2] && y_str(c, v[2], "machine.virtualization", virt, sizeof(virt))) {
		s->virt_loc = y_loc(v[2]);
		if (!strcmp(virt, "svm"))
			s->virt = VIRT_SVM;
		else if (!strcmp(virt, "vmx"))
			s->virt = VIRT_VMX;
		else if (!strcmp(virt, "none"))
			s->virt = VIRT_NONE;
		else
			diag_error(c->d, y_loc(v[2]), "bad-value",
				   "machine.virtualization is '%s'; use svm, vmx or none", virt);
	}
	s->kernel_per_core = 4 << 20;
	if (v[3])
		(void)y_size(c, v[3], "machine.kernel_memory", &s->kernel_per_core);
}

static void load_component(struct yctx *c, yaml_node_t *n, struct system *s)
{
	static const struct key_spec spec[] = {
		{ "name", true }, { "core", true }, { "image", true }, { "memory", true },
		{ "priority", false }, { "stack", false }, { "fixed", false }, { "trusted", false },
		{ "devices", false },
	};
	yaml_node_t *v[NSPEC(spec)];
	uint64_t u;

	if (s->ncomponents == MAX_COMPONENTS) {
		diag_error(c->d, y_loc(n), "too-many", "more than %u components", MAX_COMPONENTS);
		return;
	}
	struct component *m = &s->components[s->ncomponents++];
	m->loc = y_loc(n);
	m->priority = 100;
	m->stack = 16 << 10;
	m->stack_loc = m->loc;
	if (!y_map(c, n, "a component", spec, NSPEC(spec), v))
		return;
	if (v[0] && y_name(c, v[0], "component name", m->name))
		m->loc = y_loc(v[0]);
	if (v[1] && y_uint(c, v[1], "component core", 1023, &u)) {
		m->core = (unsigned)u;
		m->core_loc = y_loc(v[1]);
	} else {
		m->core = ~0u;
	}
	if (v[2] && y_str(c, v[2], "component image", m->image, sizeof(m->image)))
		m->image_loc = y_loc(v[2]);
	if (v[3] && y_size(c, v[3], "component memory", &m->memory))
		m->memory_loc = y_loc(v[3]);
	if (v[4] && y_uint(c, v[4], "component priority", 255, &u))
		m->priority = (unsigned)u;
	if (v[5] && y_size(c, v[5], "component stack", &m->stack))
		m->stack_loc = y_loc(v[5]);
	if (v[6])
		load_range(c, v[6], "component fixed range", &m->fixed);
	if (v[7])
		(void)y_bool(c, v[7], "component trusted", &m->trusted);
	if (v[8])
		load_refs(c, v[8], "component devices", m->devices, &m->ndevices);
}

static void load_vm(struct yctx *c, yaml_node_t *n, struct system *s)
{
	static const struct key_spec spec[] = {
		{ "name", true }, { "cores", true }, { "memory", true }, { "kernel", true },
		{ "initramfs", false }, { "cmdline", false }, { "console", false },
		{ "fixed", false }, { "devices", false }, { "vmm", false },
	};
	yaml_node_t *v[NSPEC(spec)];
	uint64_t u;

	if (s->nvms == MAX_VMS) {
		diag_error(c->d, y_loc(n), "too-many", "more than %u VMs", MAX_VMS);
		return;
	}
	struct vm *m = &s->vms[s->nvms++];
	m->loc = y_loc(n);
	strcpy(m->console, "serial");
	if (!y_map(c, n, "a VM", spec, NSPEC(spec), v))
		return;
	if (v[0] && y_name(c, v[0], "VM name", m->name))
		m->loc = y_loc(v[0]);
	if (v[1] && y_seq(c, v[1], "VM cores")) {
		yaml_node_t *l = v[1];
		for (yaml_node_item_t *it = l->data.sequence.items.start; it < l->data.sequence.items.top; it++) {
			yaml_node_t *e = y_node(c, *it);
			if (m->ncores == MAX_REFS) {
				diag_error(c->d, y_loc(l), "too-many", "a VM has at most %u cores", MAX_REFS);
				break;
			}
			if (y_uint(c, e, "VM core", 1023, &u)) {
				m->core_locs[m->ncores] = y_loc(e);
				m->cores[m->ncores++] = (unsigned)u;
			}
		}
		if (!m->ncores && l->data.sequence.items.start == l->data.sequence.items.top)
			diag_error(c->d, y_loc(l), "vm-no-cores", "VM '%s' lists no cores", m->name);
	}
	if (v[2] && y_size(c, v[2], "VM memory", &m->memory))
		m->memory_loc = y_loc(v[2]);
	if (v[3] && y_str(c, v[3], "VM kernel", m->kernel, sizeof(m->kernel)))
		m->kernel_loc = y_loc(v[3]);
	if (v[4] && y_str(c, v[4], "VM initramfs", m->initramfs, sizeof(m->initramfs)))
		m->initramfs_loc = y_loc(v[4]);
	if (v[5])
		(void)y_str(c, v[5], "VM cmdline", m->cmdline, sizeof(m->cmdline));
	if (v[6] && y_str(c, v[6], "VM console", m->console, sizeof(m->console)) &&
	    strcmp(m->console, "serial") && strcmp(m->console, "none") && strcmp(m->console, "input"))
		diag_error(c->d, y_loc(v[6]), "bad-value",
			   "VM console is '%s'; use serial, none or input", m->console);
	if (v[6])
		m->console_loc = y_loc(v[6]);
	if (v[7])
		load_range(c, v[7], "VM fixed range", &m->fixed);
	if (v[8])
		load_refs(c, v[8], "VM devices", m->devices, &m->ndevices);
	if (v[9] && y_str(c, v[9], "VM vmm", m->vmm, sizeof(m->vmm)))
		m->vmm_loc = y_loc(v[9]);
}

/* "bb:dd.f" (hex) or "vvvv:dddd" (hex). */
static void load_pci(struct yctx *c, yaml_node_t *n, struct device *dv)
{
	char s[16], extra;

	if (!y_str(c, n, "device pci", s, sizeof(s)))
		return;
	if (sscanf(s, "%2x:%2x.%1x%c", &dv->bus, &dv->dev, &dv->fn, &extra) == 3 && strlen(s) == 7 &&
	    dv->dev < 32 && dv->fn < 8) {
		dv->by_bdf = true;
		return;
	}
	if (sscanf(s, "%4x:%4x%c", &dv->vendor, &dv->device, &extra) == 2 && strlen(s) == 9)
		return;
	diag_error(c->d, y_loc(n), "pci-address",
		   "'%s' is neither bus:device.function (like 01:00.0) nor vendor:device (like 1b36:0010)",
		   s);
}

static void load_device(struct yctx *c, yaml_node_t *n, struct system *s)
{
	static const struct key_spec spec[] = {
		{ "name", true }, { "pci", false }, { "sriov", false }, { "vf", false },
		{ "mmio", false }, { "irqs", false }, { "io_ports", false },
	};
	static const struct key_spec sriov_spec[] = { { "vfs", true } };
	static const struct key_spec vf_spec[] = { { "pf", true }, { "index", true } };
	static const struct key_spec io_spec[] = { { "base", true }, { "count", true } };
	yaml_node_t *v[NSPEC(spec)], *w[2];
	uint64_t u;

	if (s->ndevices == MAX_DEVICES) {
		diag_error(c->d, y_loc(n), "too-many", "more than %u devices", MAX_DEVICES);
		return;
	}
	struct device *dv = &s->devices[s->ndevices++];
	dv->loc = y_loc(n);
	if (!y_map(c, n, "a device", spec, NSPEC(spec), v))
		return;
	if (v[0] && y_name(c, v[0], "device name", dv->name))
		dv->loc = y_loc(v[0]);
	if (v[1] && v[3])
		diag_error(c->d, y_loc(v[3]), "device-kind",
			   "device '%s' has both pci and vf: a VF is found through its PF", dv->name);
	dv->kind = v[3] ? DEV_VF : v[1] ? DEV_PCI : DEV_PLATFORM;
	if (v[1])
		load_pci(c, v[1], dv);
	if (v[2]) {
		if (!v[1])
			diag_error(c->d, y_loc(v[2]), "sriov-not-pci",
				   "device '%s' has sriov but no pci address", dv->name);
		if (y_map(c, v[2], "device sriov", sriov_spec, 1, w) && w[0] &&
		    y_uint(c, w[0], "sriov vfs", 256, &u)) {
			if (!u)
				diag_error(c->d, y_loc(w[0]), "out-of-range", "sriov vfs must be 1 to 256");
			dv->sriov_vfs = (unsigned)u;
		}
	}
	if (v[3] && y_map(c, v[3], "device vf", vf_spec, 2, w)) {
		if (w[0] && y_name(c, w[0], "vf pf", dv->pf.name))
			dv->pf.loc = y_loc(w[0]);
		if (w[1] && y_uint(c, w[1], "vf index", 255, &u)) {
			dv->vf_index = (unsigned)u;
			dv->vf_loc = y_loc(w[1]);
		}
	}
	if (v[4])
		load_range(c, v[4], "device mmio", &dv->mmio);
	if (v[5] && y_seq(c, v[5], "device irqs")) {
		yaml_node_t *l = v[5];
		for (yaml_node_item_t *it = l->data.sequence.items.start; it < l->data.sequence.items.top; it++)
			if (dv->nirqs < MAX_REFS && y_uint(c, y_node(c, *it), "an IRQ", 255, &u))
				dv->irqs[dv->nirqs++] = (unsigned)u;
	}
	if (v[6] && y_map(c, v[6], "device io_ports", io_spec, 2, w) && w[0] && w[1]) {
		uint64_t b, cnt;
		if (y_uint(c, w[0], "io_ports base", 0xFFFF, &b) &
		    y_uint(c, w[1], "io_ports count", 0x10000, &cnt)) {
			if (!cnt || b + cnt > 0x10000)
				diag_error(c->d, y_loc(w[1]), "out-of-range",
					   "io_ports 0x%llx+%llu run past port 0xffff or are empty",
					   (unsigned long long)b, (unsigned long long)cnt);
			dv->io_base = (unsigned)b;
			dv->io_count = (unsigned)cnt;
		}
	}
	if (dv->kind == DEV_PLATFORM && !v[4] && !v[5] && !v[6])
		diag_error(c->d, dv->loc, "device-kind",
			   "device '%s' needs pci, vf, or platform resources (mmio, irqs, io_ports)",
			   dv->name);
}

static bool parse_rights(const char *r)
{
	if (!*r)
		return false;
	for (const char *p = r; *p; p++)
		if ((*p != 'r' && *p != 'w') || strchr(p + 1, *p))
			return false;
	return true;
}

static void load_channel(struct yctx *c, yaml_node_t *n, struct system *s)
{
	static const struct key_spec spec[] = {
		{ "name", true }, { "type", true }, { "from", true }, { "to", true },
		{ "cross_core", false }, { "size", false }, { "rights", false },
	};
	static const struct key_spec rights_spec[] = { { "from", true }, { "to", true } };
	yaml_node_t *v[NSPEC(spec)], *w[2];
	char type[16];

	if (s->nchannels == MAX_CHANNELS) {
		diag_error(c->d, y_loc(n), "too-many", "more than %u channels", MAX_CHANNELS);
		return;
	}
	struct channel *ch = &s->channels[s->nchannels++];
	ch->loc = y_loc(n);
	if (!y_map(c, n, "a channel", spec, NSPEC(spec), v))
		return;
	if (v[0] && y_name(c, v[0], "channel name", ch->name))
		ch->loc = y_loc(v[0]);
	if (v[1] && y_str(c, v[1], "channel type", type, sizeof(type))) {
		if (!strcmp(type, "endpoint"))
			ch->type = CH_ENDPOINT;
		else if (!strcmp(type, "notification"))
			ch->type = CH_NOTIFICATION;
		else if (!strcmp(type, "shared"))
			ch->type = CH_SHARED;
		else
			diag_error(c->d, y_loc(v[1]), "channel-type",
				   "channel type is '%s'; use endpoint, notification or shared", type);
	}
	if (v[2] && y_name(c, v[2], "channel from", ch->from.name))
		ch->from.loc = y_loc(v[2]);
	if (v[3] && y_name(c, v[3], "channel to", ch->to.name))
		ch->to.loc = y_loc(v[3]);
	if (v[4])
		(void)y_bool(c, v[4], "channel cross_core", &ch->cross_core);
	ch->size_loc = ch->loc;
	if (v[5] && y_size(c, v[5], "channel size", &ch->size))
		ch->size_loc = y_loc(v[5]);
	strcpy(ch->from_rights, "rw");
	strcpy(ch->to_rights, "rw");
	ch->rights_loc = ch->loc;
	if (v[6] && y_map(c, v[6], "channel rights", rights_spec, 2, w)) {
		ch->rights_loc = y_loc(v[6]);
		if (w[0] && y_str(c, w[0], "rights from", ch->from_rights, sizeof(ch->from_rights)) &&
		    !parse_rights(ch->from_rights))
			diag_error(c->d, y_loc(w[0]), "channel-rights",
				   "rights '%s' must be r, w or rw", ch->from_rights);
		if (w[1] && y_str(c, w[1], "rights to", ch->to_rights, sizeof(ch->to_rights)) &&
		    !parse_rights(ch->to_rights))
			diag_error(c->d, y_loc(w[1]), "channel-rights",
				   "rights '%s' must be r, w or rw", ch->to_rights);
	}
}

static void load_list(struct yctx *c, yaml_node_t *n, const char *what, struct system *s,
		      void (*one)(struct yctx *, yaml_node_t *, struct system *))
{
	if (!y_seq(c, n, what))
		return;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
		one(c, y_node(c, *it), s);
}

static void load_root(struct yctx *c, yaml_node_t *root, struct system *s)
{
	static const struct key_spec spec[] = {
		{ "atoll", true }, { "machine", true }, { "components", false },
		{ "vms", false }, { "devices", false }, { "channels", false },
	};
	yaml_node_t *v[NSPEC(spec)];
	uint64_t version;

	if (!y_map(c, root, "the description", spec, NSPEC(spec), v))
		return;
	if (v[0] && y_uint(c, v[0], "atoll (the format version)", UINT32_MAX, &version) &&
	    version != DESC_VERSION)
		diag_error(c->d, y_loc(v[0]), "version",
			   "format version %llu is not supported; this tool reads version %u",
			   (unsigned long long)version, DESC_VERSION);
	if (v[1])
		load_machine(c, v[1], s);
	if (v[2])
		load_list(c, v[2], "components", s, load_component);
	if (v[3])
		load_list(c, v[3], "vms", s, load_vm);
	if (v[4])
		load_list(c, v[4], "devices", s, load_device);
	if (v[5])
		load_list(c, v[5], "channels", s, load_channel);
}

static void load_parsed(yaml_parser_t *parser, struct system *s, struct diag *d)
{
	yaml_document_t doc;

	if (!yaml_parser_load(parser, &doc)) {
		struct loc l = { (int)parser->problem_mark.line + 1, (int)parser->problem_mark.column + 1 };
		diag_error(d, l, "yaml-syntax", "%s", parser->problem ? parser->problem : "unreadable YAML");
		return;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	struct yctx c = { &doc, d };
	if (!root)
		diag_error(d, (struct loc){ 1, 1 }, "empty", "the description is empty");
	else
		load_root(&c, root, s);
	s->parsed = root != NULL;
	yaml_document_delete(&doc);
}

bool desc_load(const char *file, struct system *s, struct diag *d)
{
	yaml_parser_t parser;
	FILE *f = fopen(file, "rb");

	memset(s, 0, sizeof(*s));
	s->file = file;
	d->file = file;
	if (!f) {
		fprintf(stderr, "%s: error: cannot open: %m\n", file);
		return false;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	load_parsed(&parser, s, d);
	yaml_parser_delete(&parser);
	fclose(f);
	return true;
}

void desc_load_buffer(const char *name, const void *data, size_t len, struct system *s,
		      struct diag *d)
{
	yaml_parser_t parser;

	memset(s, 0, sizeof(*s));
	s->file = name;
	d->file = name;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, data, len);
	load_parsed(&parser, s, d);
	yaml_parser_delete(&parser);
}
