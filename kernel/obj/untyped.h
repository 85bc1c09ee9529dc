/* Untyped memory: the only source of kernel objects. */
#ifndef OBJ_UNTYPED_H
#define OBJ_UNTYPED_H

#include "core/cspace.h"

#define UNTYPED_MIN_BITS 4
#define UNTYPED_MAX_BITS 52	/* the x86_64 physical address width */
#define CNODE_MAX_RADIX 20

/*
 * Stores in *bits the log2 size of an object of this type: size_bits itself for
 * an untyped (UNTYPED_MIN_BITS..UNTYPED_MAX_BITS), radix + CTE_SIZE_BITS for a
 * CNode of radix size_bits (1..CNODE_MAX_RADIX), objects.def's size for the
 * fixed-size types (size_bits ignored). Returns E_RANGE for a size_bits out of
 * range, E_INVAL for a type that is never made from memory or unknown.
 */
MUST_CHECK err_t untyped_object_bits(unsigned type, unsigned size_bits, unsigned *bits);

/*
 * Pure placement arithmetic: where n objects of 2^obj_bits bytes go in an
 * untyped of 2^ut_bits bytes whose first `watermark` bytes are used. Stores in
 * *first the offset of the first object (the watermark rounded up to the object
 * size); the others follow back to back. Returns E_RANGE for n == 0 or ut_bits
 * > 63, E_NOMEM if they do not fit (computed without overflow).
 */
MUST_CHECK err_t untyped_fit(uint64_t watermark, unsigned ut_bits, unsigned obj_bits, uint64_t n,
			     uint64_t *first);

/* What untyped_decode_retype() found, for untyped_invoke_retype(). */
struct retype {
	unsigned type;
	unsigned size_bits;	/* as given: CNode radix, untyped size */
	unsigned obj_bits;	/* log2 of one object's size */
	uint32_t flags;		/* cap.flags of every new cap */
	uint64_t first;		/* offset of the first object in the untyped */
};

/*
 * Checks a retype of n objects of type from the untyped cap in ut into the
 * slots dest[0..n) (the caller bounds n: the duplicate check is quadratic).
 * Returns E_WRONGTYPE (ut is not an untyped cap), E_RIGHTS (ut is a copy: only
 * the original cap retypes), E_INVAL (a type never made from memory, or not a
 * frame or untyped from device memory), E_RANGE (size_bits out of range, an
 * untyped child larger than ut or nested too deep, n == 0), E_NOTEMPTY (a full
 * slot, or one slot twice), E_NOMEM (does not fit). Changes nothing; fills *r.
 */
MUST_CHECK err_t untyped_decode_retype(const struct cte *ut, unsigned type, unsigned size_bits,
				       struct cte *const *dest, unsigned n, struct retype *r);

/*
 * Makes the objects decoded into *r: zeroes their memory (not device memory,
 * not untyped children, whose objects are zeroed when made), writes their caps
 * with all rights into dest[0..n) as children of ut, and moves the watermark.
 */
void untyped_invoke_retype(struct cte *ut, const struct retype *r, struct cte *const *dest,
			   unsigned n);

#endif
