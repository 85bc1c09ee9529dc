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
/* VT-d: the root table, one context table per bus, the interrupt remapping table, the
 * invalidation-wait status words and one invalidation queue for each of up to 8 units. */
#define IOMMU_TABLE_PAGES (257 + 2 + 8)

/*
 * Instance 0 only (docs/iommu.md): takes over every remapping unit the firmware
 * listed, with every device blocked (default deny), and reports on the console.
 * Without a unit, or with one it cannot drive, the IOMMU stays off and says why.
 */
void iommu_instance_init(void);
/* True once DMA remapping is on in this instance. */
bool iommu_ready(void);

/* The I/O page tables: levels (3 or 4) and input address width (39 or 48 bits). */
unsigned iommu_levels(void);

/*
 * Whether an entry can go at iova and level (0: a 4 KiB frame; 1: a 2 MiB frame
 * or a PT; 2: a PD; 3: a PDPT — the level of the table entry that points at the
 * object) in the tables rooted at root: E_RANGE (beyond the input width),
 * E_ALIGN (a misaligned frame), E_INVAL (a level the tables do not have, or
 * 2 MiB pages the unit lacks), E_NOENT (a table on the way is missing), E_BUSY.
 */
MUST_CHECK err_t iommu_pt_check(paddr_t root, uint64_t iova, unsigned level, bool frame);
/* Installs it (after iommu_pt_check() said E_OK); write: the device may write the frame. */
void iommu_pt_map_table(paddr_t root, uint64_t iova, unsigned level, paddr_t pa);
void iommu_pt_map_frame(paddr_t root, uint64_t iova, unsigned level, paddr_t pa, bool write);
/* Clears the entry at iova and level if it still points at pa; true if it did. */
bool iommu_pt_unmap(paddr_t root, uint64_t iova, unsigned level, paddr_t pa);

/*
 * Drops every cached translation of domain from every unit and waits until
 * the hardware says so: after it returns, no DMA can use a removed entry.
 */
void iommu_flush(uint16_t domain);

/* Points device bdf at the tables rooted at root as domain; the caches are invalidated. */
void iommu_attach(uint16_t bdf, paddr_t root, uint16_t domain);
/* Blocks device bdf again (its context entry cleared) and drops its cached translations. */
void iommu_detach(uint16_t bdf, uint16_t domain);

/*
 * Interrupt remapping (instance 0, where iommu_intremap() is true). An entry
 * index names one interrupt source: I/O APIC line n is index n, this instance's
 * MSI vector VEC_MSI_BASE + i is IOMMU_IRTE_MSI + i.
 */
#define IOMMU_IRTE_MSI 32
#define IOMMU_IRTE_COUNT 256	/* one page of entries (vtd.h IRT_SIZE_FIELD) */
bool iommu_intremap(void);
/*
 * Entry index delivers vector to the local APIC apic_id (fixed, physical), and
 * only for requests from source (a requester id; -1: not checked); the cached
 * entry is invalidated before it returns.
 */
void iommu_irte_set(unsigned index, uint32_t apic_id, uint8_t vector, bool level, int32_t source);
/* Entry index no longer delivers anything. */
void iommu_irte_clear(unsigned index);
/* What a device writes to raise entry index (remappable format; the data is the vector). */
uint64_t iommu_msi_address(unsigned index);
/* The requester id of the I/O APIC's interrupt messages, -1 if the firmware did not say. */
int32_t iommu_ioapic_source(void);

/* One recorded fault. */
struct iommu_fault {
	uint16_t bdf;		/* requester id */
	uint8_t reason;		/* vendor fault reason */
	bool write;
	bool interrupt;		/* a blocked interrupt: index holds its entry index */
	uint16_t index;
	uint64_t address;	/* the faulting I/O address, page-aligned */
};

/* The IOMMU's fault interrupt: each recorded fault is read, cleared and passed to iospace_fault(). */
void iommu_fault_interrupt(void);

#endif
