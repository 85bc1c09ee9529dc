/* Guest-physical address spaces: nested page tables built from page-table and frame objects. */
#ifndef OBJ_GSPACE_H
#define OBJ_GSPACE_H

#include "core/cap.h"

#define GSPACE_MAX 64	/* guest-physical address spaces in use per instance */

/*
 * The number of the guest space whose root table is at root; with assign, a
 * new space gets a free number. -1 if none is free; without assign,
 * GSPACE_MAX means "would get one".
 */
int gspace_number(paddr_t root, bool assign);
/* Bumped whenever a translation leaves the space: cached ones must be dropped. */
uint32_t gspace_epoch(int number);
/* The space is destroyed: its number is free again, in a new generation. */
void gspace_release(paddr_t root);

/*
 * PAGE_TABLE_MAP or FRAME_MAP of cap (a PDPT, PD, PT or frame) into the guest
 * space at root, at guest-physical address gpa; rights (frames) CAP_WRITE
 * and/or CAP_EXEC, read is implied. E_BUSY (the cap maps something already),
 * E_FULL (no space number), E_RIGHTS (more than the cap allows), then the
 * errors of virt_npt_check(). Changes nothing on failure.
 */
MUST_CHECK err_t gspace_decode_map(const struct cap *cap, paddr_t root, uint64_t gpa, uint64_t rights);
void gspace_invoke_map(struct cap *cap, paddr_t root, uint64_t gpa, uint64_t rights);

/* True if cap is a table or frame cap mapped into a guest space (not a host one). */
bool gspace_owns_mapping(const struct cap *cap);
/* Such a cap is being deleted or unmapped: remove its entry, if its space still exists. */
void gspace_cap_deleted(const struct cap *cap);

#endif
