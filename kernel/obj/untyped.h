/* Untyped memory: the only source of kernel objects. */
#ifndef OBJ_UNTYPED_H
#define OBJ_UNTYPED_H

#include "core/cspace.h"

#define UNTYPED_MIN_BITS 4
#define CNODE_MAX_RADIX 20

/* log2 of the size of an object of this type; E_INVAL/E_RANGE for a bad type or size_bits. */
MUST_CHECK err_t untyped_object_bits(unsigned type, unsigned size_bits, unsigned *bits);

/*
 * Where n objects of 2^obj_bits bytes go in an untyped of 2^ut_bits bytes whose
 * first watermark bytes are used: the first offset, aligned to the object size.
 * E_NOMEM if they do not fit (overflow-safe).
 */
MUST_CHECK err_t untyped_fit(uint64_t watermark, unsigned ut_bits, unsigned obj_bits, uint64_t n,
			     uint64_t *first);

struct retype {
	unsigned type;
	unsigned size_bits;	/* as given: CNode radix, untyped size */
	unsigned obj_bits;
	uint64_t first;		/* offset of the first object */
};

/*
 * Checks a retype of n objects of type into the slots dest[0..n): returns
 * E_WRONGTYPE (not an untyped cap), E_INVAL (type cannot be made, or non-frame
 * from device memory), E_RANGE (size_bits), E_NOTEMPTY (a full slot, or the same
 * slot twice), E_NOMEM (does not fit). Fills *r for the perform step.
 */
MUST_CHECK err_t untyped_decode_retype(const struct cte *ut, unsigned type, unsigned size_bits,
				       struct cte *const *dest, unsigned n, struct retype *r);

/* Zeroes the objects (not device memory), writes their caps as children of ut, moves the watermark. */
void untyped_invoke_retype(struct cte *ut, const struct retype *r, struct cte *const *dest,
			   unsigned n);

#endif
