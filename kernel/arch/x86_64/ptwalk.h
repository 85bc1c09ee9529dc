/* Walking a 4-level long-mode page table through the physmap (host, nested and I/O tables). */
#ifndef ARCH_X86_64_PTWALK_H
#define ARCH_X86_64_PTWALK_H

#include "arch/x86_64/layout.h"
#include "arch/x86_64/paging.h"

/* The table at physical address pa, as the kernel sees it. */
static inline uint64_t *pt_table(paddr_t pa)
{
	return (uint64_t *)(uintptr_t)(PHYSMAP_BASE + pa);
}

/* The index of addr's entry in a table of this level (3 = PML4 ... 0 = PT). */
static inline unsigned pt_index(uint64_t addr, unsigned level)
{
	return (unsigned)(addr >> (12 + 9 * level)) & 511;
}

/*
 * The entry for addr at level (3 = PML4 entry, 2 = PDPT entry, 1 = PD entry,
 * 0 = PT entry) in the tables rooted at root; NULL if a table on the way is
 * missing or a large page is in the way.
 */
static inline uint64_t *pt_entry_at(paddr_t root, uint64_t addr, unsigned level)
{
	paddr_t t = root;

	for (unsigned l = 3; l > level; l--) {
		uint64_t e = pt_table(t)[pt_index(addr, l)];
		if (!(e & PTE_P) || (e & PTE_PS))
			return NULL;
		t = e & PTE_ADDR;
	}
	return &pt_table(t)[pt_index(addr, level)];
}

#endif
