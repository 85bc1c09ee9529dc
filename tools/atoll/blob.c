/* The spec blob on disk: written after compiling, read back (and checked) for dump and reach. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

bool spec_write(const struct spec *s, uint8_t **blob, size_t *size)
{
	struct spec_header h = s->h;
	size_t at = align8(sizeof(h));
	const struct {
		uint32_t *off;
		const void *src;
		size_t bytes;
	} t[] = {
		{ &h.components_off, s->components, h.ncomponents * sizeof(*s->components) },
		{ &h.vms_off, s->vms, h.nvms * sizeof(*s->vms) },
		{ &h.objects_off, s->objects, h.nobjects * sizeof(*s->objects) },
		{ &h.caps_off, s->caps, h.ncaps * sizeof(*s->caps) },
		{ &h.maps_off, s->maps, h.nmaps * sizeof(*s->maps) },
		{ &h.devices_off, s->devices, h.ndevices * sizeof(*s->devices) },
		{ &h.data_off, s->data, h.data_size },
		{ &h.strings_off, s->strings, h.strings_size },
	};
	const unsigned nt = sizeof(t) / sizeof(t[0]);

	for (unsigned i = 0; i < nt; i++) {
		*t[i].off = (uint32_t)at;
		at = align8(at + t[i].bytes);
	}
	if (at > UINT32_MAX)
		return false;
	uint8_t *b = calloc(1, at);
	if (!b)
		return false;
	h.magic = SPEC_MAGIC;
	h.version = SPEC_VERSION;
	h.size = at;
	h.checksum = 0;
	for (unsigned i = 0; i < nt; i++)
		if (t[i].bytes)
			memcpy(b + *t[i].off, t[i].src, t[i].bytes);
	memcpy(b, &h, sizeof(h));
	h.checksum = spec_checksum(b, at);
	memcpy(b, &h, sizeof(h));
	*blob = b;
	*size = at;
	return true;
}

#define FAIL(...)                                       \
	do {                                            \
		snprintf(err, errlen, __VA_ARGS__);     \
		spec_free(out);                         \
		return false;                           \
	} while (0)

/* A table [off, off + n * elem) inside the blob, copied out. */
static void *table(const uint8_t *blob, size_t size, uint32_t off, uint32_t n, size_t elem,
		   bool *ok)
{
	size_t bytes = (size_t)n * elem;

	if (off > size || bytes > size - off || off % 8) {
		*ok = false;
		return NULL;
	}
	void *p = malloc(bytes + 1);
	if (!p) {
		*ok = false;
		return NULL;
	}
	memcpy(p, blob + off, bytes);
	return p;
}

bool spec_read(const uint8_t *blob, size_t size, struct spec *out, char *err, size_t errlen)
{
	bool ok = true;

	memset(out, 0, sizeof(*out));
	if (size < sizeof(out->h))
		FAIL("%zu bytes: too short for a spec header", size);
	memcpy(&out->h, blob, sizeof(out->h));
	const struct spec_header *h = &out->h;
	if (h->magic != SPEC_MAGIC)
		FAIL("not a spec blob (bad magic)");
	if (h->version != SPEC_VERSION)
		FAIL("spec version %u, this tool reads %u", h->version, SPEC_VERSION);
	if (h->size != size)
		FAIL("header says %llu bytes, the file has %zu", (unsigned long long)h->size, size);
	if (spec_checksum(blob, size) != h->checksum)
		FAIL("checksum mismatch: the blob is damaged");
	out->components = table(blob, size, h->components_off, h->ncomponents,
				sizeof(*out->components), &ok);
	out->vms = table(blob, size, h->vms_off, h->nvms, sizeof(*out->vms), &ok);
	out->objects = table(blob, size, h->objects_off, h->nobjects, sizeof(*out->objects), &ok);
	out->caps = table(blob, size, h->caps_off, h->ncaps, sizeof(*out->caps), &ok);
	out->maps = table(blob, size, h->maps_off, h->nmaps, sizeof(*out->maps), &ok);
	out->devices = table(blob, size, h->devices_off, h->ndevices, sizeof(*out->devices), &ok);
	out->data = table(blob, size, h->data_off, h->data_size, 1, &ok);
	out->strings = table(blob, size, h->strings_off, h->strings_size, 1, &ok);
	if (!ok)
		FAIL("a table lies outside the blob");
	if (!h->strings_size || out->strings[h->strings_size - 1])
		FAIL("the string table is not terminated");
	for (uint32_t i = 0; i < h->ncaps; i++)
		if (out->caps[i].object >= h->nobjects || out->caps[i].component >= h->ncomponents)
			FAIL("cap %u names a missing object or component", i);
	for (uint32_t i = 0; i < h->nmaps; i++) {
		const struct spec_map *m = &out->maps[i];
		if (m->object >= h->nobjects || (uint64_t)m->data_off + m->data_len > h->data_size ||
		    (uint64_t)m->page_off + m->data_len > 4096)
			FAIL("mapping %u is out of range", i);
	}
	for (uint32_t i = 0; i < h->ncomponents; i++) {
		const struct spec_component *c = &out->components[i];
		if ((uint64_t)c->first_cap + c->ncaps > h->ncaps ||
		    (uint64_t)c->first_map + c->nmaps > h->nmaps || c->tcb >= h->nobjects ||
		    c->cnode >= h->nobjects || c->vspace >= h->nobjects ||
		    c->ipc_buffer >= h->nobjects || c->info >= h->nobjects)
			FAIL("component %u is out of range", i);
	}
	for (uint32_t i = 0; i < h->ndevices; i++) {
		const struct spec_device *dv = &out->devices[i];
		uint32_t o = dv->owner & ~SPEC_VM_OWNER;
		if (dv->owner != SPEC_NO_OWNER &&
		    (dv->owner & SPEC_VM_OWNER ? o >= h->nvms : o >= h->ncomponents))
			FAIL("device %u has an owner out of range", i);
		if (dv->kind == SPEC_DEV_VF && dv->pf >= h->ndevices)
			FAIL("device %u names a PF out of range", i);
		if ((dv->online != SPEC_NONE && dv->online >= h->nobjects) ||
		    dv->nvectors > SPEC_VF_MAX_VECTORS || dv->vm_slot >= SPEC_VM_MAX_VFS)
			FAIL("device %u is out of range", i);
	}
	for (uint32_t i = 0; i < h->nvms; i++) {
		const struct spec_vm *v = &out->vms[i];
		bool vmm = v->vmm != SPEC_NONE;
		if ((uint64_t)v->first_map + v->nmaps > h->nmaps ||
		    (vmm && (v->vmm >= h->ncomponents || v->vcpu >= h->nobjects || v->gspace >= h->nobjects)) ||
		    v->nvfs > SPEC_VM_MAX_VFS ||
		    (v->nvfs && (v->handover >= h->nobjects || v->devices >= h->nobjects ||
				 v->devinfo >= h->nobjects)))
			FAIL("VM %u is out of range", i);
	}
	return true;
}

void spec_free(struct spec *s)
{
	free(s->components);
	free(s->vms);
	free(s->objects);
	free(s->caps);
	free(s->maps);
	free(s->devices);
	free(s->data);
	free(s->strings);
	memset(s, 0, sizeof(*s));
}
