/* PCI configuration-space arithmetic: capability lists and BARs (PCI Local Bus 3.0, PCIe 5.0 ch. 7). */
#ifndef CORE_PCI_CFG_H
#define CORE_PCI_CFG_H

#include "abi/error.h"
#include "types.h"

/* Type 0/1 header offsets (PCI 3.0 6.1, 6.2.5). */
#define PCI_VENDOR 0x00
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_CLASS_REV 0x08	/* revision id, then the class code */
#define PCI_HEADER_TYPE 0x0E
#define PCI_BAR0 0x10
#define PCI_CAP_PTR 0x34

#define PCI_COMMAND_MEMORY (1u << 1)
#define PCI_COMMAND_MASTER (1u << 2)
#define PCI_STATUS_CAP_LIST (1u << 4)

#define PCI_CAP_MSI 0x05
#define PCI_CAP_MSIX 0x11

#define PCI_CFG_SIZE 256	/* the conventional part, where the capability list lives */

/* A function as bus << 8 | dev << 3 | fn (a PCIe requester id). */
#define PCI_BDF(bus, dev, fn) ((uint16_t)((bus) << 8 | (dev) << 3 | (fn)))

/*
 * True if functions [first, first + count) lie inside [outer_first, outer_first +
 * outer_count) and count is not 0: what a narrowed PCI capability may cover.
 */
bool pci_range_within(uint64_t outer_first, uint64_t outer_count, uint64_t first, uint64_t count);

/* How many BARs a header of this type has: 6 (type 0), 2 (type 1 bridge), 0 otherwise. */
unsigned pci_bar_count(uint8_t header_type);

/*
 * Offset of the first capability with this id in the 256-byte configuration
 * header cfg, or 0 if the list has none. Pointers are masked to dword alignment
 * (PCI 3.0 6.7); one below 0x40 ends the walk, and the walk stops after 48
 * entries, so a looping or corrupt list ends.
 */
unsigned pci_cfg_find_cap(const uint8_t cfg[PCI_CFG_SIZE], uint8_t id);

#define PCI_EXT_CFG_SIZE 4096	/* a PCIe function's whole configuration space */
#define PCI_EXT_CAP_FIRST 0x100

/*
 * Offset of the first PCIe extended capability with this id in the 4 KiB
 * configuration space cfg (PCIe 5.0 7.6.3: id 15:0, version 19:16, next 31:20),
 * or 0. A header of 0 or all ones ends the walk, as does a next pointer below
 * 0x100 (other than 0) or a list longer than fits, so a loop ends.
 */
unsigned pci_cfg_find_ext_cap(const uint8_t cfg[PCI_EXT_CFG_SIZE], uint16_t id);

/* A decoded memory BAR. */
struct pci_bar {
	uint64_t base;
	uint64_t size;
	bool is64;		/* takes this BAR and the next */
	bool prefetchable;
};

/*
 * Decodes a memory BAR from its value (lo, and hi for the upper half of a
 * 64-bit BAR) and what it read back after all ones were written (size_lo,
 * size_hi) (PCI 3.0 6.2.5.1). E_UNSUPP: an I/O BAR or the reserved type 2;
 * E_NOENT: the BAR is not implemented (reads back 0); E_INVAL: the read-back
 * is not a valid size mask.
 */
MUST_CHECK err_t pci_bar_decode(uint32_t lo, uint32_t hi, uint32_t size_lo, uint32_t size_hi,
				struct pci_bar *out);

/* True if the BAR word says 64-bit memory (it then takes the next BAR too). */
bool pci_bar_is64(uint32_t lo);

/* The SR-IOV extended capability (PCIe 5.0 9.3.3): the fields the kernel reads. */
#define PCI_EXT_CAP_SRIOV 0x0010
#define PCI_SRIOV_CTRL 0x08		/* u16: VF Enable bit 0, VF MSE bit 3 */
#define PCI_SRIOV_CTRL_VFE (1u << 0)
#define PCI_SRIOV_CTRL_MSE (1u << 3)
#define PCI_SRIOV_NUM_VFS 0x10		/* u16 */
#define PCI_SRIOV_VF_OFFSET 0x14	/* u16 */
#define PCI_SRIOV_VF_STRIDE 0x16	/* u16 */
#define PCI_SRIOV_VF_BAR0 0x24		/* six u32, as a type 0 header's BARs */

/*
 * The routing id of VF n (1-based) of the PF at pf with NumVFs num_vfs, First
 * VF Offset offset and VF Stride stride (PCIe 5.0 9.3.3.10); E_RANGE if n is not
 * 1..num_vfs or the id leaves the 16-bit space.
 */
MUST_CHECK err_t pci_vf_rid(uint16_t pf, unsigned offset, unsigned stride, uint64_t n,
			    unsigned num_vfs, uint16_t *rid);

/*
 * VF n's part of a VF BAR that the PF's capability places at base with size bytes
 * per VF (VF n starts at base + (n - 1) * size, PCIe 5.0 9.3.3.14); E_RANGE if n
 * is not 1..num_vfs, E_OVERLAP if the VFs' whole range wraps the address space.
 */
MUST_CHECK err_t pci_vf_bar_slice(uint64_t base, uint64_t size, uint64_t n, unsigned num_vfs,
				  uint64_t *slice);

#endif
