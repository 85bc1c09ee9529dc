/* Capabilities, CNode slots and the capability derivation tree. */
#ifndef CORE_CAP_H
#define CORE_CAP_H

#include "abi/error.h"
#include "abi/objects.h"
#include "types.h"

/*
 * A capability names one object and the rights held on it. For kernel objects
 * `obj` is the object's kernel virtual address; for untyped memory and frames it
 * is the physical address. `data` is per type:
 *   OBJ_UNTYPED:  the watermark, bytes used from the start of the region
 *   OBJ_CNODE:    the guard value (guard_bits wide)
 *   OBJ_ENDPOINT, OBJ_NOTIFICATION: the badge (0 = unbadged)
 */
struct cap {
	uint8_t type;		/* enum obj_type; OBJ_NULL marks an empty slot */
	uint8_t rights;		/* CAP_READ | CAP_WRITE | CAP_EXEC | CAP_GRANT */
	uint8_t size_bits;	/* untyped: log2 size; CNode: radix (log2 slots) */
	uint8_t guard_bits;	/* CNode: guard width */
	uint32_t flags;
	uint64_t obj;
	uint64_t data;
};

/*
 * One CNode slot: a capability and its place in the derivation tree. A cap made
 * by retype is a child of the untyped cap; a copy or mint is a child of its
 * source. Revoke deletes every descendant; delete unlinks one slot and gives its
 * children to its parent, so revoking an ancestor still reaches them.
 */
struct cte {
	struct cap cap;
	struct cte *parent;
	struct cte *first_child;
	struct cte *next_sibling;
	struct cte *prev_sibling;
	uint64_t pad;		/* slots are 2^CTE_SIZE_BITS bytes, so an index is a shift */
};

_Static_assert(sizeof(struct cte) == (1u << CTE_SIZE_BITS), "a CNode slot is 64 bytes");

#endif
