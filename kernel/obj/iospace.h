/* IOSpaces: one device's DMA domain, its I/O page tables, and the faults it takes. */
#ifndef OBJ_IOSPACE_H
#define OBJ_IOSPACE_H

#include "core/cap.h"

#define IOSPACE_MAX 32		/* IOSpaces in use per instance (domain id = number + 1) */
#define IOSPACE_FAULT_LIMIT 8	/* faults after which the device is cut off (docs/iommu.md) */

/* What IOSPACE_GET_FAULT returns in r8 besides the address (rdx). */
#define IOSPACE_FAULT_INFO(reason, write, disabled, bdf, count)                                  \
	((uint64_t)(reason) | (uint64_t)(write) << 8 | (uint64_t)(disabled) << 9 |                \
	 (uint64_t)(bdf) << 16 | (uint64_t)(count) << 32)

/*
 * PAGE_TABLE_MAP or FRAME_MAP of cap (a PD, PT or frame; a PDPT with 4-level
 * tables) into the IOSpace at root at I/O address iova; rights CAP_WRITE lets the
 * device write the frame (it may always read it). E_UNSUPP (no IOMMU), E_FULL
 * (no IOSpace number), E_RIGHTS (more than the cap allows), then the errors of
 * iommu_pt_check(). Changes nothing on failure.
 */
MUST_CHECK err_t iospace_decode_map(const struct cap *cap, paddr_t root, uint64_t iova, uint64_t rights);
void iospace_invoke_map(struct cap *cap, paddr_t root, uint64_t iova, uint64_t rights);

/* True if cap is a table or frame cap mapped into an IOSpace. */
bool iospace_owns_mapping(const struct cap *cap);
/* Such a cap is being deleted or unmapped: remove its entry and flush the IOTLB before returning. */
void iospace_cap_deleted(const struct cap *cap);

/*
 * IOSPACE_ASSIGN: device bdf (covered by the PCI cap pci) translates through
 * this IOSpace from now on. E_UNSUPP (no IOMMU), E_WRONGTYPE (pci is no PCI
 * cap), E_RANGE (bdf not covered), E_NOENT (no function), E_FULL (no number),
 * E_BUSY (this IOSpace has a device, or the device has an IOSpace).
 */
MUST_CHECK err_t iospace_decode_assign(paddr_t root, const struct cte *pci, uint64_t bdf);
void iospace_invoke_assign(paddr_t root, uint16_t bdf);
/* True if device bdf is assigned to an IOSpace (cut off or not). */
bool iospace_has_device(uint16_t bdf);

/* IOSPACE_BIND_FAULTS: the device's DMA faults signal this notification (W) from now on. */
MUST_CHECK err_t iospace_decode_bind(paddr_t root, const struct cte *ntfn);
void iospace_invoke_bind(paddr_t root, struct cte *ntfn);

/* IOSPACE_GET_FAULT: the last fault and the count since the last call; E_AGAIN if none. */
MUST_CHECK err_t iospace_get_fault(paddr_t root, uint64_t *address, uint64_t *info);

/* The IOSpace object is destroyed: its device is blocked again, its number freed. */
void iospace_release(paddr_t root);

struct iommu_fault;
/* The IOMMU recorded a fault (called by the back end, instance 0 only). */
void iospace_fault(const struct iommu_fault *f);

#endif
