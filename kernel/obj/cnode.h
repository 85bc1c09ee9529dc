/* CNode invocations: copy, mint, move, mutate, delete, revoke (each decode, then perform). */
#ifndef OBJ_CNODE_H
#define OBJ_CNODE_H

#include "core/cspace.h"

/*
 * The caller has looked up src and dst. Each decode function checks everything
 * and changes nothing; its invoke function cannot fail and must only follow a
 * decode that returned E_OK for the same arguments.
 *
 * badge and guard_bits (mint, mutate): for an endpoint or notification cap the
 * badge (guard_bits must be 0); for a CNode cap the new guard, badge being its
 * value and guard_bits its width; for any other cap both must be 0.
 */

/*
 * Checks a copy of src into dst. Returns E_EMPTY (src empty), E_NOTEMPTY (dst
 * full), or E_REVOKE (src is an untyped cap that objects were made from: a copy
 * could not see them, so revoke first).
 */
MUST_CHECK err_t cnode_decode_copy(const struct cte *src, const struct cte *dst);
/* Puts in dst a child copy of src with rights src.rights & rights; a copy starts unmapped. */
void cnode_invoke_copy(struct cte *src, struct cte *dst, uint8_t rights);

/*
 * Checks a copy that also sets a badge or guard. Returns the copy errors, then
 * E_INVAL (a badge on a cap already badged differently, or on a type that has
 * none) or E_RANGE (guard wider than its guard_bits, or radix + guard_bits > 64).
 */
MUST_CHECK err_t cnode_decode_mint(const struct cte *src, const struct cte *dst, uint64_t badge,
				   unsigned guard_bits);
/* Copies src to dst with the rights mask, then sets the badge or guard. */
void cnode_invoke_mint(struct cte *src, struct cte *dst, uint8_t rights, uint64_t badge,
		       unsigned guard_bits);

/* Checks a move of src into dst: E_EMPTY (src empty) or E_NOTEMPTY (dst full). */
MUST_CHECK err_t cnode_decode_move(const struct cte *src, const struct cte *dst);
/* Moves the cap, which keeps its parent, children and mapping; src ends empty. */
void cnode_invoke_move(struct cte *src, struct cte *dst);

/* Checks a move that also sets a badge or guard: the move errors, then as for mint. */
MUST_CHECK err_t cnode_decode_mutate(const struct cte *src, const struct cte *dst, uint64_t badge,
				     unsigned guard_bits);
/* Moves src to dst, then sets the badge or guard. */
void cnode_invoke_mutate(struct cte *src, struct cte *dst, uint64_t badge, unsigned guard_bits);

/* Deletes the cap in slot (seL4: deleting an empty slot succeeds); nothing to decode. */
void cnode_invoke_delete(struct cte *slot);
/* Deletes every descendant of the cap in slot, keeping it; nothing to decode. */
void cnode_invoke_revoke(struct cte *slot);

#endif
