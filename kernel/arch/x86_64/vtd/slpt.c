/* VT-d second-level page tables built from page-table and frame objects (VT-d 4.1 9.8, 3.6). */
#include "arch/x86_64/iommu.h"
#include "arch/x86_64/vtd/vtd.h"
#include "core/cspace.h"

static uint64_t *tab(paddr_t pa)
{
	return kobj_ptr(pa);
}

static unsigned index_at(uint64_t iova, unsigned level)
{
	return (unsigned)(iova >> (12 + 9 * level)) & 511;
}

/* Walks from the root (level iommu_levels() - 1) to the table holding iova's entry at level. */
static uint64_t *entry_at(paddr_t root, uint64_t iova, unsigned level)
{
	paddr_t t = root;

	for (unsigned l = iommu_levels() - 1; l > level; l--) {
		uint64_t e = tab(t)[index_at(iova, l)];
		if (!(e & (SL_R | SL_W)) || (e & SL_PS))
			return NULL;
		t = e & SL_ADDR;
	}
	return &tab(t)[index_at(iova, level)];
}

err_t iommu_pt_check(paddr_t root, uint64_t iova, unsigned level, bool frame)
{
	uint64_t size = 1ull << (12 + 9 * level);

	if (iova >> (12 + 9 * iommu_levels()))
		return E_RANGE;
	/* The root itself is the IOSpace: a table object goes in an entry below it. */
	if (level > iommu_levels() - 1 || (frame && (level > 1 || (level == 1 && !vtd_large_pages()))))
		return E_INVAL;
	if (frame && (iova & (size - 1)))
		return E_ALIGN;
	uint64_t *e = entry_at(root, iova, level);
	if (!e)
		return E_NOENT;
	return *e & (SL_R | SL_W) ? E_BUSY : E_OK;
}

void iommu_pt_map_table(paddr_t root, uint64_t iova, unsigned level, paddr_t pa)
{
	uint64_t *e = entry_at(root, iova, level);

	/* Rights are decided at the leaves; tables above them let everything through. */
	*e = pa | SL_R | SL_W;
	vtd_sync(e, 8);
}

void iommu_pt_map_frame(paddr_t root, uint64_t iova, unsigned level, paddr_t pa, bool write)
{
	uint64_t *e = entry_at(root, iova, level);

	*e = pa | SL_R | (write ? SL_W : 0) | (level ? SL_PS : 0);
	vtd_sync(e, 8);
}

bool iommu_pt_unmap(paddr_t root, uint64_t iova, unsigned level, paddr_t pa)
{
	uint64_t *e = entry_at(root, iova, level);

	if (!e || !(*e & (SL_R | SL_W)) || (*e & SL_ADDR) != pa)
		return false;	/* already gone, or replaced: nothing of ours to remove */
	*e = 0;
	vtd_sync(e, 8);
	return true;
}
