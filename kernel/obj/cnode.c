/* CNode invocations (seL4 manual semantics, our own representation). */
#include "obj/cnode.h"

err_t cnode_decode_copy(const struct cte *src, const struct cte *dst)
{
	if (src->cap.type == OBJ_NULL)
		return E_EMPTY;
	if (dst->cap.type != OBJ_NULL)
		return E_NOTEMPTY;
	/*
	 * The ABI's rule: an untyped cap is copied only before anything is made
	 * from it. Memory is never handed out twice for another reason: copies
	 * never retype (untyped.c).
	 */
	if (src->cap.type == OBJ_UNTYPED && cspace_has_objects(src))
		return E_REVOKE;
	return E_OK;
}

void cnode_invoke_copy(struct cte *src, struct cte *dst, uint8_t rights)
{
	struct cap cap = src->cap;

	cap.rights &= rights;
	/* A mapping belongs to the cap that made it. */
	if (cap.flags & CAP_FLAG_MAPPED) {
		cap.flags &= ~CAP_FLAG_MAPPED;
		cap.data = 0;
	}
	if (cap.type == OBJ_UNTYPED)
		cap.flags |= CAP_FLAG_COPY;
	dst->cap = cap;
	cspace_insert_child(src, dst);
}

/* Whether the cap c may be given this badge or guard. */
static err_t check_badge(const struct cap *c, uint64_t badge, unsigned guard_bits)
{
	switch ((enum obj_type)c->type) {
	case OBJ_CNODE:
		/* The guard and the index must fit in one cptr. */
		if (guard_bits > 64 || c->size_bits > 64 - guard_bits)
			return E_RANGE;
		if (guard_bits < 64 && badge >> guard_bits)
			return E_RANGE;
		return E_OK;
	case OBJ_ENDPOINT:
	case OBJ_NOTIFICATION:
		if (guard_bits)
			return E_INVAL;
		/* A badge never changes: minting the same one again is a plain copy. */
		if (c->data && badge != c->data)
			return E_INVAL;
		return E_OK;
	case OBJ_NULL:
	case OBJ_UNTYPED:
	case OBJ_TCB:
	case OBJ_REPLY:
	case OBJ_FRAME_4K:
	case OBJ_FRAME_2M:
	case OBJ_PCI:
	case OBJ_IOSPACE:
	case OBJ_PML4:
	case OBJ_PDPT:
	case OBJ_PD:
	case OBJ_PT:
	case OBJ_IRQ_CONTROL:
	case OBJ_IRQ_HANDLER:
	case OBJ_IO_PORT:
	case OBJ_XSIGNAL:
	case OBJ_VCPU:
	case OBJ_GUEST_SPACE:
	case OBJ_CONSOLE:
	case OBJ_TYPE_COUNT:
		break;
	}
	/* data means something else for these (a watermark, a mapping address): never set it. */
	return badge || guard_bits ? E_INVAL : E_OK;
}

static void set_badge(struct cap *c, uint64_t badge, unsigned guard_bits)
{
	if (c->type == OBJ_CNODE) {
		c->data = badge;
		c->guard_bits = (uint8_t)guard_bits;
	} else if (c->type == OBJ_ENDPOINT || c->type == OBJ_NOTIFICATION) {
		c->data = badge;
	}
}

err_t cnode_decode_mint(const struct cte *src, const struct cte *dst, uint64_t badge,
			unsigned guard_bits)
{
	err_t e = cnode_decode_copy(src, dst);

	return e ? e : check_badge(&src->cap, badge, guard_bits);
}

void cnode_invoke_mint(struct cte *src, struct cte *dst, uint8_t rights, uint64_t badge,
		       unsigned guard_bits)
{
	cnode_invoke_copy(src, dst, rights);
	set_badge(&dst->cap, badge, guard_bits);
}

err_t cnode_decode_move(const struct cte *src, const struct cte *dst)
{
	if (src->cap.type == OBJ_NULL)
		return E_EMPTY;
	if (dst->cap.type != OBJ_NULL)
		return E_NOTEMPTY;
	return E_OK;
}

void cnode_invoke_move(struct cte *src, struct cte *dst)
{
	cspace_move(src, dst);
}

err_t cnode_decode_mutate(const struct cte *src, const struct cte *dst, uint64_t badge,
			  unsigned guard_bits)
{
	err_t e = cnode_decode_move(src, dst);

	return e ? e : check_badge(&src->cap, badge, guard_bits);
}

void cnode_invoke_mutate(struct cte *src, struct cte *dst, uint64_t badge, unsigned guard_bits)
{
	cspace_move(src, dst);
	set_badge(&dst->cap, badge, guard_bits);
}

void cnode_invoke_delete(struct cte *slot)
{
	cspace_delete(slot);
}

void cnode_invoke_revoke(struct cte *slot)
{
	cspace_revoke(slot);
}
