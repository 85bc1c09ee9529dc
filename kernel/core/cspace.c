/* Capability addressing and the capability derivation tree. */
#include "core/cspace.h"
#include "kstring.h"

/*
 * Tree invariant (what finality relies on). A cap to object X is either a copy
 * of another cap to X, and then that cap's child, or a child of X's creator (the
 * untyped it was retyped from; nothing for a cap the kernel made at boot). Call
 * the latter the tops of X. Every operation keeps the tops of X adjacent in
 * their sibling list: retype adds one new object's cap at the head of the list,
 * copies go below their source, a move keeps the exact place, and a deleted cap's
 * children take its place as one block. Caps without a parent form sibling lists
 * too, so deleting a boot cap does not make its copies look final.
 *
 * Zombies: a CNode whose last cap was deleted keeps that cap in its slot, marked
 * CAP_FLAG_ZOMBIE and out of the tree, until every slot of the CNode is empty.
 * Out of the tree its links are free, so they hold the work list: parent = the
 * next older zombie, next_sibling = the next slot of its CNode to look at. A
 * CNode found inside is pushed on the list instead of being emptied by a
 * recursive call, so the kernel stack stays small however deep CNodes nest.
 */
static struct cte *zombies;
static bool reaping;
/* Slots emptied so far: revoke compares it to see whether hooks emptied other slots. */
static uint64_t nemptied;

struct cte *cspace_slots(const struct cap *cnode)
{
	return kobj_ptr(cnode->obj);
}

/* The low `bits` bits of v (all of it for 64). */
static uint64_t low_bits(uint64_t v, unsigned bits)
{
	return bits >= 64 ? v : v & ((1ull << bits) - 1);
}

err_t cspace_lookup(const struct cap *root, uint64_t cptr, unsigned depth, struct cte **out,
		    unsigned *bits_left)
{
	const struct cap *node = root;
	unsigned left = depth;
	err_t e;

	if (depth == 0 || depth > 64) {
		e = E_DEPTH;
		goto fail;
	}
	if (root->type != OBJ_CNODE) {
		e = E_LOOKUP;
		goto fail;
	}
	for (;;) {
		unsigned radix = node->size_bits, gbits = node->guard_bits;
		/* Radix 0 is never made; refusing it means each level uses bits: the loop ends. */
		if (radix == 0) {
			e = E_LOOKUP;
			goto fail;
		}
		if (radix + gbits > left) {
			e = E_DEPTH;
			goto fail;
		}
		uint64_t bits = low_bits(cptr, left);
		if (gbits && bits >> (left - gbits) != low_bits(node->data, gbits)) {
			e = E_LOOKUP;
			goto fail;
		}
		left -= gbits + radix;
		struct cte *slot = &cspace_slots(node)[low_bits(bits >> left, radix)];
		if (left == 0) {
			*out = slot;
			if (bits_left)
				*bits_left = 0;
			return E_OK;
		}
		if (slot->cap.type != OBJ_CNODE) {
			e = E_DEPTH;
			goto fail;
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
	if (a->type != b->type || a->type == OBJ_NULL || a->obj != b->obj)
		return false;
	/* Untyped regions nest: one address can start several live untyped objects. */
	if (a->type == OBJ_UNTYPED)
		return a->size_bits == b->size_bits &&
		       (a->flags & CAP_NEST_MASK) == (b->flags & CAP_NEST_MASK);
	return true;
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

void cspace_unlink(struct cte *c)
{
	struct cte *p = c->parent, *first = c->first_child, *last = c;

	/* The children replace c as one block: this keeps the tops of each object adjacent. */
	if (first) {
		for (struct cte *k = first; k; k = k->next_sibling) {
			k->parent = p;
			last = k;
		}
		first->prev_sibling = c->prev_sibling;
		last->next_sibling = c->next_sibling;
	} else {
		first = c->next_sibling;
	}
	if (c->prev_sibling)
		c->prev_sibling->next_sibling = first;
	else if (p)
		p->first_child = first;
	if (c->next_sibling)
		c->next_sibling->prev_sibling = last == c ? c->prev_sibling : last;
	c->parent = c->first_child = c->prev_sibling = c->next_sibling = NULL;
}

bool cspace_has_children(const struct cte *c)
{
	return c->first_child != NULL;
}

bool cspace_has_objects(const struct cte *c)
{
	for (const struct cte *k = c->first_child; k; k = k->next_sibling)
		if (!cspace_same_object(&k->cap, &c->cap))
			return true;
	return false;
}

struct cte *cspace_next_descendant(struct cte *root, struct cte *at)
{
	if (at->first_child)
		return at->first_child;
	for (; at && at != root; at = at->parent)
		if (at->next_sibling)
			return at->next_sibling;
	return NULL;
}

bool cspace_is_final(const struct cte *c)
{
	const struct cap *cap = &c->cap;

	if (cap->type == OBJ_NULL)
		return false;
	if (c->parent && cspace_same_object(&c->parent->cap, cap))
		return false;	/* c is a copy of another cap to the object */
	/* A copy of c is its child; other children are caps to what c made (untyped, IRQ control). */
	for (const struct cte *k = c->first_child; k; k = k->next_sibling)
		if (cspace_same_object(&k->cap, cap))
			return false;
	/* c is a top: any other cap to the object is below another top, adjacent to c. */
	if (c->prev_sibling && cspace_same_object(&c->prev_sibling->cap, cap))
		return false;
	if (c->next_sibling && cspace_same_object(&c->next_sibling->cap, cap))
		return false;
	return true;
}

/* Empties slot c, already out of the tree. */
static void empty_slot(struct cte *c)
{
	memset(c, 0, sizeof(*c));
	nemptied++;
}

/* Deletes the cap in c (not a zombie): out of the tree, slot emptied, then the hooks. */
static void delete_cap(struct cte *c, bool final)
{
	struct cap cap = c->cap;

	cspace_unlink(c);
	empty_slot(c);
	kobj_cap_deleted(&cap);
	if (final)
		kobj_finalise(&cap);
}

/* Turns the final cap to a CNode into a zombie on the work list; its slots are emptied by reap(). */
static void push_zombie(struct cte *c)
{
	cspace_unlink(c);
	c->cap.flags |= CAP_FLAG_ZOMBIE;
	c->parent = zombies;
	c->next_sibling = cspace_slots(&c->cap);
	zombies = c;
}

/*
 * Empties the CNodes on the work list, newest first, then destroys each. A
 * CNode holding (only) a cap to itself finds that cap as its own zombie and
 * skips it, so it is emptied once like any other; a cycle of CNodes ends the
 * same way, since every CNode on the list is named by nothing but its zombie
 * (its cap was final). Each step empties a slot or turns one into a zombie, so
 * the work is bounded by the number of slots. Memory of a destroyed CNode that
 * still holds an older zombie stays untouched until its untyped is retyped
 * again, which cannot happen before this returns.
 */
static void reap(void)
{
	reaping = true;
	while (zombies) {
		struct cte *z = zombies;
		struct cte *end = cspace_slots(&z->cap) + (1ull << z->cap.size_bits);
		struct cte *s = z->next_sibling;

		while (s < end && (s->cap.type == OBJ_NULL || (s->cap.flags & CAP_FLAG_ZOMBIE)))
			s++;
		z->next_sibling = s;
		if (s == end) {
			struct cap cap = z->cap;
			cap.flags &= ~CAP_FLAG_ZOMBIE;
			zombies = z->parent;
			empty_slot(z);
			kobj_cap_deleted(&cap);
			kobj_finalise(&cap);
			continue;
		}
		bool final = cspace_is_final(s);
		if (s->cap.type == OBJ_CNODE && final)
			push_zombie(s);
		else
			delete_cap(s, final);	/* hooks may push zombies: taken first */
	}
	reaping = false;
}

void cspace_delete(struct cte *c)
{
	/* A zombie is already being destroyed by the reap() running below us. */
	if (c->cap.type == OBJ_NULL || (c->cap.flags & CAP_FLAG_ZOMBIE))
		return;
	bool final = cspace_is_final(c);
	if (c->cap.type == OBJ_CNODE && final) {
		push_zombie(c);
		/* Called from a hook inside reap(): the running loop will get to it. */
		if (!reaping)
			reap();
		return;
	}
	delete_cap(c, final);
}

/*
 * Deletes leaves, deepest first, walking the tree links: no recursion, and
 * linear in the number of descendants. After a leaf is deleted the walk goes
 * on from its parent, unless the hooks emptied other slots too (a CNode's
 * contents, a TCB's own slots): then that parent may be gone and the walk
 * starts again from c. If c itself was emptied that way, the loop ends.
 */
void cspace_revoke(struct cte *c)
{
	struct cte *at = c;

	while (c->first_child) {
		while (at->first_child)
			at = at->first_child;
		struct cte *up = at->parent;
		uint64_t before = nemptied;
		cspace_delete(at);
		at = nemptied - before == 1 ? up : c;
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
	memset(src, 0, sizeof(*src));
}
