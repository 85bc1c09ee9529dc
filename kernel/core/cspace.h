/* Capability spaces: addressing through CNodes, and the derivation tree. */
#ifndef CORE_CSPACE_H
#define CORE_CSPACE_H

#include "core/cap.h"

/* cap.flags bits */
#define CAP_FLAG_DEVICE (1u << 0)	/* untyped: device memory, frames only, never zeroed */
#define CAP_FLAG_ZOMBIE (1u << 1)	/* internal: a CNode being emptied by cspace_delete() */
#define CAP_FLAG_MAPPED (1u << 2)	/* frame or page table: mapped at the address in cap.data */

/* Provided by the kernel (physmap) or by a unit test (a host buffer). */
void *kobj_ptr(paddr_t pa);
/* Called once when the last capability to a kernel object goes away. */
void kobj_finalise(const struct cap *cap);
/* Called for every capability deleted, before kobj_finalise(): undoes what the cap itself holds (a mapping). */
void kobj_cap_deleted(const struct cap *cap);

/*
 * Resolves depth bits of cptr, most significant first, from the CNode cap root
 * (seL4 semantics: per level, guard then radix bits). Returns E_LOOKUP for a
 * guard mismatch or a root that is not a CNode, E_DEPTH when the bits do not
 * end exactly at a slot; *bits_left (if not NULL) says how many were unresolved.
 */
MUST_CHECK err_t cspace_lookup(const struct cap *root, uint64_t cptr, unsigned depth,
			       struct cte **out, unsigned *bits_left);

/* Returns the slot array of a CNode cap. */
struct cte *cspace_slots(const struct cap *cnode);

/* True if the two caps name the same object (same type and address). */
bool cspace_same_object(const struct cap *a, const struct cap *b);

/* Links the (filled) slot child under parent in the derivation tree. */
void cspace_insert_child(struct cte *parent, struct cte *child);

/*
 * True if no other slot holds a capability to c's object. Cost: c's children
 * and parent, and its siblings (every cap to an object lies below the untyped
 * that made it, and one whose parent is not a cap to the same object is a
 * direct child of that untyped).
 */
bool cspace_is_final(const struct cte *c);

/* Empties slot c: unlinks it (its children go to its parent) and destroys the object if c was its last cap. */
void cspace_delete(struct cte *c);

/* Deletes every descendant of c, leaving c itself. */
void cspace_revoke(struct cte *c);

/* Moves the capability in src to the empty slot dst, keeping its place in the tree. */
void cspace_move(struct cte *src, struct cte *dst);

#endif
