/* TLB bookkeeping for address-space switches and unmaps (SDM vol. 3 4.10); host-tested. */
#include "arch/x86_64/tlb.h"

void tlb_init(struct tlb *t, bool pcid)
{
	*t = (struct tlb){ .pcid = pcid, .current = 0, .stale = 0 };
}

uint64_t tlb_switch(struct tlb *t, unsigned n, paddr_t pml4)
{
	uint64_t bit = 1ull << n;
	uint64_t cr3 = pml4;

	t->current = n;
	if (!t->pcid)
		return cr3;	/* the load drops every entry */
	cr3 |= n;	/* PCID in bits 11:0 */
	if (!(t->stale & bit))
		cr3 |= CR3_NOFLUSH;
	t->stale &= ~bit;	/* a load without bit 63 drops PCID n's entries */
	return cr3;
}

enum tlb_flush tlb_unmapped(struct tlb *t, unsigned n, bool leaf)
{
	if (n == t->current)
		return leaf ? TLB_PAGE : TLB_CURRENT;
	if (t->pcid)
		t->stale |= 1ull << n;
	return TLB_NONE;
}

void tlb_released(struct tlb *t, unsigned n)
{
	if (t->pcid)
		t->stale |= 1ull << n;
}
