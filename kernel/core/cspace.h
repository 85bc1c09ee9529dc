/* Capability spaces: addressing through CNodes, and the capability derivation tree. */
#ifndef CORE_CSPACE_H
#define CORE_CSPACE_H

#include "core/cap.h"

/* cap.flags bits */
#define CAP_FLAG_DEVICE (1u << 0)	/* untyped or frame: device memory, never zeroed */
#define CAP_FLAG_ZOMBIE (1u << 1)	/* internal: a CNode being emptied by cspace_delete() */
#define CAP_FLAG_MAPPED (1u << 2)	/* frame or page table: mapped at the address in cap.data */
#define CAP_FLAG_COPY (1u << 3)		/* untyped: a copy; only the original cap may retype */
#define CAP_FLAG_MSI (1u << 4)		/* IRQ handler: for the MSI vector in obj, not a line */
/*
 * Untyped or frame, with CAP_FLAG_DEVICE: device registers (a PCI BAR or
 * configuration page), mapped uncached. Device untyped without it (the shared
 * pool) is RAM that is only never zeroed, and is mapped write-back.
 */
#define CAP_FLAG_MMIO (1u << 5)
/*
 * Untyped: how many untyped objects of the same size and address enclose this
 * one (an untyped retyped into one child of its own size). Part of the object's
 * identity, so that nested regions that look alike are told apart.
 */
#define CAP_NEST_SHIFT 8
#define CAP_NEST_MAX 255u
#define CAP_NEST_MASK (CAP_NEST_MAX << CAP_NEST_SHIFT)

/*
 * Hooks the kernel provides (a unit test provides its own).
 *
 * kobj_ptr: where the kernel reaches the object memory at physical address pa.
 * kobj_cap_deleted: called for every deleted capability, to undo what the cap
 *   itself holds (a mapping).
 * kobj_finalise: called once, after kobj_cap_deleted(), when the last
 *   capability to an object goes; for a CNode, after everything in it was deleted.
 * Both deletion hooks run with the slot already empty and out of the tree. They
 * may delete other capabilities with cspace_delete() (a TCB deleting the slots it
 * holds) but must not insert or move any. A finalised object's memory must stay
 * as it is until its untyped is retyped: emptying a cycle of CNodes may still
 * clear a slot of one already finalised.
 */
void *kobj_ptr(paddr_t pa);
void kobj_cap_deleted(const struct cap *cap);
void kobj_finalise(const struct cap *cap);

/*
 * Resolves depth bits of cptr, most significant first, from the CNode cap root
 * (seL4 semantics: per level, guard bits then radix bits) and stores the slot in
 * *out. Returns E_DEPTH for depth 0 or > 64, or when the bits do not end exactly
 * at a slot (a level needs more bits than are left, or bits are left at a slot
 * that holds no CNode); E_LOOKUP for a root that is not a CNode or a guard
 * mismatch. On failure *out is unchanged and *bits_left (if not NULL) says how
 * many bits were still unresolved; on success it is 0.
 */
MUST_CHECK err_t cspace_lookup(const struct cap *root, uint64_t cptr, unsigned depth,
			       struct cte **out, unsigned *bits_left);

/* Returns the slot array of a CNode cap. */
struct cte *cspace_slots(const struct cap *cnode);

/* True if the two caps name the same object (type, address and, for untyped, size and nesting). */
bool cspace_same_object(const struct cap *a, const struct cap *b);

/*
 * Links the filled slot child, not yet in the tree, as the first child of
 * parent: the cap it was copied from, or the cap that made its object. With
 * parent NULL (a cap the kernel makes at boot) it must be its object's only cap.
 */
void cspace_insert_child(struct cte *parent, struct cte *child);

/*
 * Takes c out of the tree, its children taking its place among its parent's
 * children, so revoking any ancestor still reaches them. The cap stays in c:
 * the caller empties the slot or inserts it again.
 */
void cspace_unlink(struct cte *c);

/* True if c has a child in the derivation tree. */
bool cspace_has_children(const struct cte *c);

/*
 * True if c has a child that is not a copy of it: for an untyped cap, a cap to
 * an object made from it. Cost: c's children up to the first such child.
 */
bool cspace_has_objects(const struct cte *c);

/*
 * Returns the descendant of root that follows at in pre-order (at is root or
 * one of its descendants), NULL after the last one.
 */
struct cte *cspace_next_descendant(struct cte *root, struct cte *at);

/*
 * True iff no other slot holds a capability to c's object (false for an empty
 * slot). Exact by the tree invariant (cspace.c): every cap to an object X is a
 * copy of another cap to X, hence its child, or a child of X's creator, and the
 * latter are adjacent siblings. Cost: the parent, c's children until one is a
 * copy of c (a non-untyped cap's children all are: O(1)), and two siblings.
 */
bool cspace_is_final(const struct cte *c);

/*
 * Empties slot c (an empty slot is left as is): unlinks it, its children going
 * to its parent, and destroys the object if c held its last cap. Deleting the
 * last cap to a CNode first deletes every cap in it, without recursion; called
 * from a hook while CNodes are being emptied, it queues the CNode, which is
 * then emptied and destroyed before the outermost delete returns.
 */
void cspace_delete(struct cte *c);

/*
 * Deletes every descendant of c, leaving c itself, without recursion: O(1)
 * per leaf deleted, plus a walk down from c again whenever the hooks deleted
 * more (a CNode's contents). If that deletes c too (c lies in a CNode being
 * destroyed), the revoke stops there.
 */
void cspace_revoke(struct cte *c);

/* Moves the capability in src to the empty slot dst, keeping its place in the tree; src ends empty. */
void cspace_move(struct cte *src, struct cte *dst);

#endif
