/* VCPU invocations: bind a guest space, read and write guest registers, run the guest. */
#include "core/cspace.h"
#include "obj/gspace.h"
#include "obj/vcpu.h"

void vcpu_init(paddr_t pa)
{
	struct vcpu *v = kobj_ptr(pa);

	v->pa = pa;
	virt_vcpu_setup(v);
}

err_t vcpu_decode_set_space(const struct cte *gs)
{
	if (gs->cap.type != OBJ_GUEST_SPACE)
		return gs->cap.type == OBJ_NULL ? E_EMPTY : E_WRONGTYPE;
	return gspace_number(gs->cap.obj, false) < 0 ? E_FULL : E_OK;
}

void vcpu_invoke_set_space(struct vcpu *v, struct cte *gs)
{
	(void)gspace_number(gs->cap.obj, true);
	cspace_delete(&v->space);
	v->space.cap = gs->cap;
	cspace_insert_child(gs, &v->space);
}

err_t vcpu_decode_reg(uint64_t id, bool write)
{
	return id >= VCPU_REG_COUNT ? E_RANGE : virt_reg_check((unsigned)id, write);
}

uint64_t vcpu_invoke_read(const struct vcpu *v, unsigned id)
{
	return virt_reg_read(v, id);
}

void vcpu_invoke_write(struct vcpu *v, unsigned id, uint64_t value)
{
	virt_reg_write(v, id, value);
}

err_t vcpu_decode_run_writes(const volatile uint64_t *words, uint64_t n, struct vcpu_write *out)
{
	err_t e;

	if (n > VCPU_RUN_WRITES_MAX)
		return E_RANGE;
	if (n && !words)
		return E_NOENT;
	/* Each word read once: what is checked is what is written, whatever the buffer does meanwhile. */
	for (unsigned i = 0; i < n; i++) {
		uint64_t id = words[VCPU_RUN_WRITE_WORD + 2 * i];
		if ((e = vcpu_decode_reg(id, true)))
			return e;
		out[i] = (struct vcpu_write){ (unsigned)id, words[VCPU_RUN_WRITE_WORD + 2 * i + 1] };
	}
	return E_OK;
}

void vcpu_invoke_run_writes(struct vcpu *v, const struct vcpu_write *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		vcpu_invoke_write(v, w[i].id, w[i].value);
}

err_t vcpu_decode_run(const struct vcpu *v)
{
	if (!virt_ready())
		return E_UNSUPP;
	return v->space.cap.type == OBJ_GUEST_SPACE ? E_OK : E_NOENT;
}

bool vcpu_invoke_run(struct vcpu *v, struct virt_exit *x)
{
	paddr_t root = v->space.cap.obj;
	uint32_t epoch = gspace_epoch(gspace_number(root, false));
	bool stale = root != v->last_root || epoch != v->last_epoch;

	v->last_root = root;
	v->last_epoch = epoch;
	if (virt_vcpu_run(v, root, stale, x))
		return true;
	v->host_interrupts++;
	return false;
}

void vcpu_finalise(struct vcpu *v)
{
	cspace_delete(&v->space);
}
