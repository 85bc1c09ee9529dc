/* CNode invocations: copy, mint, move, mutate, delete, revoke (each decode, then perform). */
#ifndef OBJ_CNODE_H
#define OBJ_CNODE_H

#include "core/cspace.h"

/*
 * The decode functions check everything and change nothing; they return E_EMPTY
 * (source slot empty), E_NOTEMPTY (destination full), E_INVAL (a badge or guard
 * that cannot be set), E_RANGE (guard wider than the address), or E_REVOKE
 * (copying an untyped cap that already has children). The invoke functions
 * cannot fail.
 */
MUST_CHECK err_t cnode_decode_copy(const struct cte *src, const struct cte *dst);
void cnode_invoke_copy(struct cte *src, struct cte *dst, uint8_t rights);

/* badge: for endpoint/notification caps. For CNode caps: guard value and guard_bits. */
MUST_CHECK err_t cnode_decode_mint(const struct cte *src, const struct cte *dst, uint64_t badge,
				   unsigned guard_bits);
void cnode_invoke_mint(struct cte *src, struct cte *dst, uint8_t rights, uint64_t badge,
		       unsigned guard_bits);

MUST_CHECK err_t cnode_decode_move(const struct cte *src, const struct cte *dst);
void cnode_invoke_move(struct cte *src, struct cte *dst);

MUST_CHECK err_t cnode_decode_mutate(const struct cte *src, const struct cte *dst, uint64_t badge,
				     unsigned guard_bits);
void cnode_invoke_mutate(struct cte *src, struct cte *dst, uint64_t badge, unsigned guard_bits);

void cnode_invoke_delete(struct cte *slot);
void cnode_invoke_revoke(struct cte *slot);

#endif
