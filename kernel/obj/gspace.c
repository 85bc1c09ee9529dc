/* Guest-physical address spaces: numbering, and mapping tables and frames by capability. */
#include "arch/x86_64/virt.h"
#include "arch/x86_64/vspace.h"
#include "core/cspace.h"
#include "core/numbering.h"
#include "obj/gspace.h"

/*
 * A mapped cap records where its entry is: cap.data = gpa, guard_bits =
 * GSPACE_TAG | number, size_bits = the number's generation. The tag keeps the
 * host address-space code away from it (its numbers are below VSPACE_MAX) and
 * the generation keeps a stale cap from touching a space that reuses the number.
 */
#define GSPACE_TAG 0x80u
_Static_assert(VSPACE_MAX <= GSPACE_TAG && GSPACE_MAX <= GSPACE_TAG, "tags do not collide");

static paddr_t roots[GSPACE_MAX];
static uint8_t generation[GSPACE_MAX];
static uint32_t epoch[GSPACE_MAX];

int gspace_number(paddr_t root, bool assign)
{
	bool fresh;
	int i = numbering_lookup(roots, sizeof(roots[0]), GSPACE_MAX, root, assign, &fresh);

	if (fresh)
		roots[i] = root;
	return i;
}

uint32_t gspace_epoch(int number)
{
	return epoch[number];
}

void gspace_release(paddr_t root)
{
	for (int i = 0; i < GSPACE_MAX; i++) {
		if (roots[i] == root) {
			roots[i] = 0;
			generation[i]++;
			epoch[i]++;
		}
	}
}

static bool is_frame(const struct cap *cap)
{
	return cap->type == OBJ_FRAME_4K || cap->type == OBJ_FRAME_2M;
}

/* The level of the entry cap's object goes in (virt.h). */
static unsigned entry_level(const struct cap *cap)
{
	switch (cap->type) {
	case OBJ_PDPT:
		return VS_PDPT;
	case OBJ_PD:
		return VS_PD;
	case OBJ_PT:
		return VS_PT;
	case OBJ_FRAME_2M:
		return 1;
	default:
		return 0;
	}
}

err_t gspace_decode_map(const struct cap *cap, paddr_t root, uint64_t gpa, uint64_t rights)
{
	if (cap->flags & CAP_FLAG_MAPPED)
		return E_BUSY;	/* one mapping per cap: copy it to map again */
	if (gspace_number(root, false) < 0)
		return E_FULL;
	if (is_frame(cap) && (((rights & CAP_WRITE) && !(cap->rights & CAP_WRITE)) ||
			      ((rights & CAP_EXEC) && !(cap->rights & CAP_EXEC))))
		return E_RIGHTS;
	return virt_npt_check(root, gpa, entry_level(cap), is_frame(cap));
}

void gspace_invoke_map(struct cap *cap, paddr_t root, uint64_t gpa, uint64_t rights)
{
	int number = gspace_number(root, true);

	if (is_frame(cap))
		virt_npt_map_frame(root, gpa, cap->obj, cap->type == OBJ_FRAME_2M, rights & CAP_WRITE,
				   rights & CAP_EXEC, cap->flags & CAP_FLAG_MMIO);
	else
		virt_npt_map_table(root, gpa, entry_level(cap), cap->obj);
	cap->flags |= CAP_FLAG_MAPPED;
	cap->data = gpa;
	cap->guard_bits = (uint8_t)(GSPACE_TAG | (unsigned)number);
	cap->size_bits = generation[number];
}

bool gspace_owns_mapping(const struct cap *cap)
{
	return (cap->flags & CAP_FLAG_MAPPED) && (cap->guard_bits & GSPACE_TAG);
}

void gspace_cap_deleted(const struct cap *cap)
{
	unsigned n = cap->guard_bits & ~GSPACE_TAG;

	if (!gspace_owns_mapping(cap) || n >= GSPACE_MAX || !roots[n] || generation[n] != cap->size_bits)
		return;	/* never mapped, or its space is gone (perhaps reused) */
	virt_npt_unmap(roots[n], cap->data, entry_level(cap), cap->obj);
	epoch[n]++;	/* a VCPU in this space must not use a cached translation */
}
