/* Which TLB entries an address-space switch or an unmap must drop, with or without PCIDs. */
#ifndef ARCH_TLB_H
#define ARCH_TLB_H

#include "types.h"

#define CR4_PCIDE (1ull << 17)
/* With CR4.PCIDE, a MOV to CR3 with bit 63 set keeps the new PCID's entries (SDM vol. 3 4.10.4.1). */
#define CR3_NOFLUSH (1ull << 63)

/*
 * One core's TLB as the kernel tracks it. Without PCIDs every CR3 load drops
 * all (non-global) entries, so only the current address space can hold any.
 * With PCIDs, address space number n runs as PCID n and its entries survive
 * while others run, so a change to a space that is not current is remembered
 * and its entries are dropped when it is next loaded.
 */
struct tlb {
	bool pcid;		/* CR4.PCIDE is on */
	unsigned current;	/* number of the loaded address space */
	uint64_t stale;		/* bit n: PCID n may hold entries its tables no longer have */
};

/* What must be invalidated on this core right now. */
enum tlb_flush {
	TLB_NONE,	/* nothing: the entries cannot be cached, or go at the next switch */
	TLB_PAGE,	/* INVLPG of the address, in the current address space */
	TLB_CURRENT,	/* every entry of the current address space: reload CR3 as it is */
};

/* Address space 0 (the instance's own) is loaded, tagged PCID 0 if pcid. */
void tlb_init(struct tlb *t, bool pcid);

/* Switches to address space number n whose PML4 is at pml4: the value to load into CR3. */
uint64_t tlb_switch(struct tlb *t, unsigned n, paddr_t pml4);

/* An entry of space n was removed (leaf: a 4 KiB page's own entry): what to invalidate now. */
enum tlb_flush tlb_unmapped(struct tlb *t, unsigned n, bool leaf);

/* Number n is free again (its PML4 is gone): the next space to take it must start clean. */
void tlb_released(struct tlb *t, unsigned n);

#endif
