/* The vendor interface for DMA remapping: VT-d now (vtd/), AMD-Vi later, one chosen at link time. */
#ifndef ARCH_IOMMU_H
#define ARCH_IOMMU_H

#include "abi/error.h"
#include "types.h"

/* Fault and interrupt vector of the IOMMU's own event interrupt (below the MSI range). */
#define VEC_IOMMU_FAULT 0xC8

/*
 * Memory the back end needs for its device tables, taken by the boot phase from
 * the owning instance's partition (zeroed, contiguous, page aligned).
 */
#define IOMMU_TABLE_PAGES 257	/* VT-d: the root table and one context table per bus */

/*
 * Instance 0 only (docs/iommu.md): takes over every remapping unit the firmware
 * listed, with every device blocked (default deny), and reports on the console.
 * Without a unit, or with one it cannot drive, the IOMMU stays off and says why.
 */
void iommu_instance_init(void);
/* True once DMA remapping is on in this instance. */
bool iommu_ready(void);

/* The I/O page tables' depth (3 or 4 levels: 39- or 48-bit I/O addresses); 0 while off. */
unsigned iommu_levels(void);

/* One recorded DMA fault. */
struct iommu_fault {
	uint16_t bdf;		/* requester id */
	uint8_t reason;		/* vendor fault reason */
	bool write;
	uint64_t address;	/* the faulting I/O address, page-aligned */
};

/* The IOMMU's fault interrupt: each recorded fault is read, cleared and reported. */
void iommu_fault_interrupt(void);

#endif
