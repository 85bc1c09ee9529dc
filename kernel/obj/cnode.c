/* CNode invocations (seL4 manual 3.1 semantics, our own representation). */
#include "obj/cnode.h"

static bool badgeable(const struct cap *c)
{
	return c->type == OBJ_ENDPOINT || c->type == OBJ_NOTIFICATION;
}

err_t cnode_decode_copy(const struct cte *src, const struct cte *dst)
{
	if (src->cap.type == OBJ_NULL)
		return E_EMPTY;
	if (dst->cap.type != OBJ_NULL)
		return E_NOTEMPTY;
	/* Retype through a copy would not see the other copy's children: refuse. */
	if (src->cap.type == OBJ_UNTYPED && src->first_child)
		return E_REVOKE;
	return E_OK;
}

void cnode_invoke_copy(struct cte *src, struct cte *dst, uint8_t rights)
{
	dst->cap = src->cap;
	dst->cap.rights &= rights;
	/* A mapping belongs to the cap that made it: a copy starts unmapped. */
	if (dst->cap.flags & CAP_FLAG_MAPPED) {
		dst->cap.flags &= ~CAP_FLAG_MAPPED;
		dst->cap.data = 0;
	}
	cspace_insert_child(src, dst);
}

/* What a new badge or guard may be, for the cap in src. */
static err_t check_badge(const struct cap *c, uint64_t badge, unsigned guard_bits)
{
	if (c->type == OBJ_CNODE)
		return c->size_bits + guard_bits > 64 ? E_RANGE
		       : guard_bits < 64 && badge >> guard_bits ? E_RANGE
								 : E_OK;
	if (badgeable(c))
		return c->data && badge != c->data ? E_INVAL : E_OK;
	return badge || guard_bits ? E_INVAL : E_OK;
}

static void set_badge(struct cap *c, uint64_t badge, unsigned guard_bits)
{
	if (c->type == OBJ_CNODE) {
		c->data = badge;
		c->guard_bits = (uint8_t)guard_bits;
	} else if (badgeable(c)) {
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
