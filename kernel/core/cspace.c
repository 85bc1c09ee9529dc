/* Capability addressing and the capability derivation tree. */
#include "core/cspace.h"
#include "kstring.h"

struct cte *cspace_slots(const struct cap *cnode)
{
	return kobj_ptr(cnode->obj);
}

err_t cspace_lookup(const struct cap *root, uint64_t cptr, unsigned depth, struct cte **out,
		    unsigned *bits_left)
{
	const struct cap *node = root;
	unsigned left = depth;
	err_t e = E_OK;

	if (depth < 1 || depth > 64) {
		e = E_DEPTH;
		goto fail;
	}
	for (;;) {
		if (node->type != OBJ_CNODE) {
			e = node == root ? E_LOOKUP : E_DEPTH;
			goto fail;
		}
		unsigned radix = node->size_bits, gbits = node->guard_bits;
		if (radix + gbits > left) {
			e = E_DEPTH;
			goto fail;
		}
		/* Bits [left - 1, left - gbits] are the guard, the next radix bits the index. */
		uint64_t bits = left == 64 ? cptr : cptr & ((1ull << left) - 1);
		if (gbits) {
			uint64_t guard = bits >> (left - gbits);
			if (guard != (node->data & (gbits == 64 ? ~0ull : (1ull << gbits) - 1))) {
				e = E_LOOKUP;
				goto fail;
			}
		}
		left -= gbits;
		uint64_t index = (bits >> (left - radix)) & ((1ull << radix) - 1);
		left -= radix;
		struct cte *slot = &cspace_slots(node)[index];
		if (!left) {
			*out = slot;
			if (bits_left)
				*bits_left = 0;
			return E_OK;
		}
		node = &slot->cap;
	}
fail:
	if (bits_left)
		*bits_left = left;
	return e;
}

bool cspace_same_object(const struct cap *a, const struct cap *b)
{
	return a->type == b->type && a->obj == b->obj && a->type != OBJ_NULL;
}

void cspace_insert_child(struct cte *parent, struct cte *child)
{
	child->parent = parent;
	child->first_child = NULL;
	child->prev_sibling = NULL;
	child->next_sibling = parent ? parent->first_child : NULL;
	if (child->next_sibling)
		child->next_sibling->prev_sibling = child;
	if (parent)
		parent->first_child = child;
}

/* Removes c from the tree; its children become children of c's parent. */
static void unlink(struct cte *c)
{
	struct cte *p = c->parent;

	for (struct cte *k = c->first_child, *next; k; k = next) {
		next = k->next_sibling;
		cspace_insert_child(p, k);
	}
	c->first_child = NULL;
	if (c->prev_sibling)
		c->prev_sibling->next_sibling = c->next_sibling;
	else if (p)
		p->first_child = c->next_sibling;
	if (c->next_sibling)
		c->next_sibling->prev_sibling = c->prev_sibling;
	c->parent = c->prev_sibling = c->next_sibling = NULL;
}

bool cspace_is_final(const struct cte *c)
{
	if (c->cap.type == OBJ_NULL)
		return false;
	if (c->cap.type != OBJ_UNTYPED && c->first_child)
		return false;	/* children of a non-untyped cap are copies of it */
	if (c->parent && cspace_same_object(&c->parent->cap, &c->cap))
		return false;
	const struct cte *first = c->parent ? c->parent->first_child : c;
	for (const struct cte *s = first; s; s = s->next_sibling)
		if (s != c && cspace_same_object(&s->cap, &c->cap))
			return false;
	return true;
}

static void clear(struct cte *c)
{
	memset(c, 0, sizeof(*c));
}

/* Whether cnode obj is already being emptied somewhere on the zombie chain from top. */
static bool being_emptied(const struct cte *top, paddr_t obj)
{
	for (; top; top = top->parent)
		if (top->cap.obj == obj)
			return true;
	return false;
}

/*
 * Destroys CNodes without recursion: a final CNode cap is unlinked, marked a
 * zombie and pushed on a chain threaded through its own (now unused) tree
 * links; cap.data keeps the next slot to empty. A cap inside a CNode that is
 * already being emptied (a CNode holding a cap to itself, or a cycle) is just
 * cleared, so the walk always ends.
 */
static void empty_cnodes(struct cte *first)
{
	struct cte *top = first;

	unlink(top);
	top->cap.flags |= CAP_FLAG_ZOMBIE;
	top->cap.data = 0;
	while (top) {
		struct cte *slots = cspace_slots(&top->cap);
		uint64_t n = 1ull << top->cap.size_bits;
		/* Zombie slots stay until their own CNode is done; they are on the chain. */
		while (top->cap.data < n && (slots[top->cap.data].cap.type == OBJ_NULL ||
					     (slots[top->cap.data].cap.flags & CAP_FLAG_ZOMBIE)))
			top->cap.data++;
		if (top->cap.data == n) {
			struct cte *prev = top->parent;
			struct cap done = top->cap;
			done.flags &= ~CAP_FLAG_ZOMBIE;
			kobj_finalise(&done);
			clear(top);
			top = prev;
			continue;
		}
		struct cte *s = &slots[top->cap.data];
		if (s->cap.type == OBJ_CNODE && being_emptied(top, s->cap.obj)) {
			unlink(s);
			clear(s);
		} else if (s->cap.type == OBJ_CNODE && cspace_is_final(s)) {
			unlink(s);
			s->cap.flags |= CAP_FLAG_ZOMBIE;
			s->cap.data = 0;
			s->parent = top;
			top = s;
		} else {
			bool final = cspace_is_final(s);
			struct cap cap = s->cap;
			unlink(s);
			clear(s);
			kobj_cap_deleted(&cap);
			if (final)
				kobj_finalise(&cap);
		}
	}
}

void cspace_delete(struct cte *c)
{
	if (c->cap.type == OBJ_NULL)
		return;
	if (c->cap.type == OBJ_CNODE && cspace_is_final(c)) {
		empty_cnodes(c);
		return;
	}
	bool final = cspace_is_final(c);
	struct cap cap = c->cap;
	unlink(c);
	clear(c);
	kobj_cap_deleted(&cap);
	if (final)
		kobj_finalise(&cap);
}

void cspace_revoke(struct cte *c)
{
	struct cte *at = c;

	while (c->first_child) {
		while (at->first_child)
			at = at->first_child;
		struct cte *parent = at->parent;
		/* Destroying a CNode or TCB may clear slots anywhere below c: start again from c. */
		bool restart = at->cap.type == OBJ_CNODE || at->cap.type == OBJ_TCB;
		cspace_delete(at);
		at = restart || !parent ? c : parent;
	}
}

void cspace_move(struct cte *src, struct cte *dst)
{
	*dst = *src;
	if (dst->prev_sibling)
		dst->prev_sibling->next_sibling = dst;
	else if (dst->parent)
		dst->parent->first_child = dst;
	if (dst->next_sibling)
		dst->next_sibling->prev_sibling = dst;
	for (struct cte *k = dst->first_child; k; k = k->next_sibling)
		k->parent = dst;
	clear(src);
}
