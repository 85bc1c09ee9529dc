/* SR-IOV: the extended capability of a physical function (PCIe Base spec, "SR-IOV Extended Capability"). */
#ifndef PCIMGR_SRIOV_H
#define PCIMGR_SRIOV_H

#include <stdint.h>

#include "abi/error.h"

#define PCI_EXT_CAP_SRIOV 0x0010
#define SRIOV_CTRL 0x08		/* u16 */
#define SRIOV_CTRL_VFE (1u << 0)	/* VF Enable */
#define SRIOV_CTRL_MSE (1u << 3)	/* VF Memory Space Enable */
#define SRIOV_TOTAL_VFS 0x0E	/* u16 */
#define SRIOV_NUM_VFS 0x10	/* u16 */
#define SRIOV_VF_OFFSET 0x14	/* u16 */
#define SRIOV_VF_STRIDE 0x16	/* u16 */
#define SRIOV_VF_DEVICE 0x1A	/* u16 */
#define SRIOV_VF_BAR0 0x24	/* six u32 */

/* What the manager needs of a PF's SR-IOV capability. */
struct sriov_info {
	uint16_t total_vfs;
	uint16_t vf_offset, vf_stride;
	uint16_t vf_device;
};

/* Reads the capability at cap in a function's 4 KiB config space; E_INVAL if it makes no sense. */
err_t sriov_parse(const uint8_t *cfg, unsigned cap, struct sriov_info *out);

/*
 * The routing id (bus << 8 | dev << 3 | fn) of VF n (1-based) of the PF at pf_rid,
 * with NumVFs set as the spec requires before offset and stride are read;
 * E_RANGE if n is not 1..num_vfs or the id leaves the 16-bit space.
 */
err_t sriov_vf_rid(const struct sriov_info *s, uint16_t pf_rid, unsigned n, unsigned num_vfs,
		   uint16_t *rid);

#endif
