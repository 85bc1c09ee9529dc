/* Untyped retype: carving objects out of untyped memory, never handing memory out twice. */
#include "kstring.h"
#include "obj/untyped.h"

/*
 * Why memory is never handed out twice. Only the original cap to an untyped
 * retypes (copies carry CAP_FLAG_COPY and are refused), so while the original
 * lives every object made from it is in its subtree: objects are its children,
 * and deleting a cap hands its children to its parent. So "the original has
 * no child but its own copies" means nothing made from it is alive, and only
 * then does the watermark go back to 0. Once the original is gone nothing can
 * retype that region: surviving objects and copies become children of the
 * untyped it was carved from, whose watermark stays beyond them until they are
 * all gone (a boot untyped has no parent, and its region is never retyped
 * again). Copies could not do this safely: one copy's objects are not in the
 * other copy's subtree, so each would see a free region.
 */

static const uint8_t fixed_bits[OBJ_TYPE_COUNT] = {
#define OBJ(name, value, bits) [value] = bits,
#include "abi/objects.def"
#undef OBJ
};

err_t untyped_object_bits(unsigned type, unsigned size_bits, unsigned *bits)
{
	switch ((enum obj_type)type) {
	case OBJ_UNTYPED:
		if (size_bits < UNTYPED_MIN_BITS || size_bits > UNTYPED_MAX_BITS)
			return E_RANGE;
		*bits = size_bits;
		return E_OK;
	case OBJ_CNODE:
		if (size_bits < 1 || size_bits > CNODE_MAX_RADIX)
			return E_RANGE;
		*bits = size_bits + CTE_SIZE_BITS;
		return E_OK;
	case OBJ_TCB:
	case OBJ_ENDPOINT:
	case OBJ_NOTIFICATION:
	case OBJ_REPLY:
	case OBJ_FRAME_4K:
	case OBJ_FRAME_2M:
	case OBJ_PML4:
	case OBJ_PDPT:
	case OBJ_PD:
	case OBJ_PT:
	case OBJ_VCPU:
	case OBJ_GUEST_SPACE:
	case OBJ_IOSPACE:
		*bits = fixed_bits[type];
		return E_OK;
	case OBJ_NULL:
	case OBJ_IRQ_CONTROL:
	case OBJ_IRQ_HANDLER:
	case OBJ_IO_PORT:
	case OBJ_XSIGNAL:
	case OBJ_PCI:
	case OBJ_CONSOLE:
	case OBJ_TYPE_COUNT:
		return E_INVAL;	/* no memory behind them: the kernel makes their caps at boot */
	}
	return E_INVAL;		/* not a type at all */
}

err_t untyped_fit(uint64_t watermark, unsigned ut_bits, unsigned obj_bits, uint64_t n,
		  uint64_t *first)
{
	if (n == 0 || ut_bits > 63)
		return E_RANGE;
	uint64_t size = 1ull << ut_bits;
	/* With watermark <= size <= 2^63, rounding up cannot wrap. */
	if (obj_bits > ut_bits || watermark > size)
		return E_NOMEM;
	uint64_t start = ALIGN_UP(watermark, 1ull << obj_bits);
	/* Compare counts, not n << obj_bits, which can overflow. */
	if (start > size || n > (size - start) >> obj_bits)
		return E_NOMEM;
	*first = start;
	return E_OK;
}

static bool is_frame(unsigned type)
{
	return type == OBJ_FRAME_4K || type == OBJ_FRAME_2M;
}

err_t untyped_decode_retype(const struct cte *ut, unsigned type, unsigned size_bits,
			    struct cte *const *dest, unsigned n, struct retype *r)
{
	const struct cap *u = &ut->cap;
	bool device = u->flags & CAP_FLAG_DEVICE;
	/* Frames and untyped made from device registers are registers too (mapped uncached). */
	uint32_t flags = device ? CAP_FLAG_DEVICE | (u->flags & CAP_FLAG_MMIO) : 0;
	unsigned obj_bits;
	err_t e;

	if (u->type != OBJ_UNTYPED)
		return E_WRONGTYPE;
	if (u->flags & CAP_FLAG_COPY)
		return E_RIGHTS;
	if ((e = untyped_object_bits(type, size_bits, &obj_bits)))
		return e;
	/* Kernel objects in device memory could be changed behind the kernel's back. */
	if (device && !is_frame(type) && type != OBJ_UNTYPED)
		return E_INVAL;
	if (type == OBJ_UNTYPED) {
		if (size_bits > u->size_bits)
			return E_RANGE;
		/* A child of the same size and address is told apart from its parent by its depth. */
		if (size_bits == u->size_bits) {
			unsigned nest = ((u->flags & CAP_NEST_MASK) >> CAP_NEST_SHIFT) + 1;
			if (nest > CAP_NEST_MAX)
				return E_RANGE;
			flags |= nest << CAP_NEST_SHIFT;
		}
	}
	if (n == 0)
		return E_RANGE;
	for (unsigned i = 0; i < n; i++) {
		if (dest[i]->cap.type != OBJ_NULL)
			return E_NOTEMPTY;
		for (unsigned j = 0; j < i; j++)
			if (dest[j] == dest[i])
				return E_NOTEMPTY;
	}
	uint64_t first;
	uint64_t watermark = cspace_has_objects(ut) ? u->data : 0;
	if ((e = untyped_fit(watermark, u->size_bits, obj_bits, n, &first)))
		return e;
	*r = (struct retype){ .type = type, .size_bits = size_bits, .obj_bits = obj_bits,
			      .flags = flags, .first = first };
	return E_OK;
}

void untyped_invoke_retype(struct cte *ut, const struct retype *r, struct cte *const *dest,
			   unsigned n)
{
	uint64_t size = 1ull << r->obj_bits;
	bool sized = r->type == OBJ_CNODE || r->type == OBJ_UNTYPED;
	/*
	 * No information may pass from one user of memory to the next. Device
	 * memory is not ours to write (it may be registers); an untyped child is
	 * not zeroed because every object made from it will be.
	 */
	bool zero = !(ut->cap.flags & CAP_FLAG_DEVICE) && r->type != OBJ_UNTYPED;

	for (unsigned i = 0; i < n; i++) {
		paddr_t pa = ut->cap.obj + r->first + i * size;
		if (zero)
			memset(kobj_ptr(pa), 0, size);
		dest[i]->cap = (struct cap){
			.type = (uint8_t)r->type,
			.rights = CAP_ALL_RIGHTS,
			.size_bits = sized ? (uint8_t)r->size_bits : 0,	/* radix or size */
			.flags = r->flags,
			.obj = pa,
		};
		cspace_insert_child(ut, dest[i]);
	}
	ut->cap.data = r->first + n * size;
}
