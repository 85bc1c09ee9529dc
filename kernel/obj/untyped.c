/* Untyped retype: carving objects out of untyped memory, never reusing live memory. */
#include "kstring.h"
#include "obj/untyped.h"

static const uint8_t fixed_bits[OBJ_TYPE_COUNT] = {
#define OBJ(name, value, bits) [value] = bits,
#include "abi/objects.def"
#undef OBJ
};

err_t untyped_object_bits(unsigned type, unsigned size_bits, unsigned *bits)
{
	switch (type) {
	case OBJ_UNTYPED:
		if (size_bits < UNTYPED_MIN_BITS || size_bits > 47)
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
		*bits = fixed_bits[type];
		return E_OK;
	case OBJ_NULL:
	case OBJ_IRQ_CONTROL:
	case OBJ_IRQ_HANDLER:
	case OBJ_IO_PORT:
	case OBJ_XSIGNAL:
		return E_INVAL;	/* made by the kernel at boot, never from memory */
	}
	return E_INVAL;
}

err_t untyped_fit(uint64_t watermark, unsigned ut_bits, unsigned obj_bits, uint64_t n,
		  uint64_t *first)
{
	if (ut_bits > 63 || obj_bits > ut_bits || !n)
		return E_NOMEM;
	uint64_t size = 1ull << ut_bits, obj = 1ull << obj_bits;
	uint64_t start = ALIGN_UP(watermark, obj);
	if (start < watermark || start > size)
		return E_NOMEM;
	if (n > (size - start) >> obj_bits)
		return E_NOMEM;
	*first = start;
	return E_OK;
}

err_t untyped_decode_retype(const struct cte *ut, unsigned type, unsigned size_bits,
			    struct cte *const *dest, unsigned n, struct retype *r)
{
	err_t e;

	if (ut->cap.type != OBJ_UNTYPED)
		return E_WRONGTYPE;
	if (type >= OBJ_TYPE_COUNT)
		return E_INVAL;
	if ((ut->cap.flags & CAP_FLAG_DEVICE) && type != OBJ_FRAME_4K && type != OBJ_FRAME_2M &&
	    type != OBJ_UNTYPED)
		return E_INVAL;
	r->type = type;
	r->size_bits = size_bits;
	if ((e = untyped_object_bits(type, size_bits, &r->obj_bits)))
		return e;
	if (type == OBJ_UNTYPED && size_bits > ut->cap.size_bits)
		return E_RANGE;
	for (unsigned i = 0; i < n; i++) {
		if (dest[i]->cap.type != OBJ_NULL)
			return E_NOTEMPTY;
		for (unsigned j = 0; j < i; j++)
			if (dest[j] == dest[i])
				return E_NOTEMPTY;
	}
	/* With no live children the whole region is free again. */
	uint64_t watermark = ut->first_child ? ut->cap.data : 0;
	return untyped_fit(watermark, ut->cap.size_bits, r->obj_bits, n, &r->first);
}

void untyped_invoke_retype(struct cte *ut, const struct retype *r, struct cte *const *dest,
			   unsigned n)
{
	uint64_t obj = 1ull << r->obj_bits;
	bool device = ut->cap.flags & CAP_FLAG_DEVICE;

	for (unsigned i = 0; i < n; i++) {
		paddr_t pa = ut->cap.obj + r->first + i * obj;
		/* No information may pass from one user of memory to the next. */
		if (!device)
			memset(kobj_ptr(pa), 0, obj);
		struct cap c = {
			.type = (uint8_t)r->type,
			.rights = CAP_ALL_RIGHTS,
			.obj = pa,
		};
		if (r->type == OBJ_CNODE || r->type == OBJ_UNTYPED)
			c.size_bits = (uint8_t)r->size_bits;
		if (r->type == OBJ_UNTYPED && device)
			c.flags = CAP_FLAG_DEVICE;
		dest[i]->cap = c;
		cspace_insert_child(ut, dest[i]);
	}
	ut->cap.data = r->first + n * obj;
}
