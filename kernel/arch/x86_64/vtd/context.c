/* VT-d context entries: which device translates through which tables (VT-d 4.1 9.3, 6.5). */
#include "arch/x86_64/iommu.h"
#include "arch/x86_64/vtd/vtd.h"

static struct vtd_entry *context_of(uint16_t bdf)
{
	return &vtd_context_table(bdf >> 8)[bdf & 0xFF];
}

void iommu_attach(uint16_t bdf, paddr_t root, uint16_t domain)
{
	struct vtd_entry *ce = context_of(bdf);

	/* The high half first: the entry becomes present only with its whole content. */
	ce->hi = CE_AW(iommu_levels()) | CE_DID(domain);
	__asm__ volatile("" : : : "memory");
	ce->lo = (root & SL_ADDR) | CE_TT_UNTRANSLATED | CE_P;
	vtd_sync(ce, sizeof(*ce));
	/* A unit in caching mode may have cached "not present" (6.1): invalidate anyway. */
	vtd_flush_context(bdf, domain, false);
	iommu_flush(domain);
}

void iommu_detach(uint16_t bdf, uint16_t domain)
{
	struct vtd_entry *ce = context_of(bdf);

	ce->lo = 0;
	__asm__ volatile("" : : : "memory");
	ce->hi = 0;
	vtd_sync(ce, sizeof(*ce));
	/* 6.5.3.3: the context entry, then the IOTLB entries tagged with its domain. */
	vtd_flush_context(bdf, domain, false);
	iommu_flush(domain);
}
