/* SR-IOV capability parsing and VF addressing: pure logic, tested on the host. */
#include "sriov.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

err_t sriov_parse(const uint8_t *cfg, unsigned cap, struct sriov_info *out)
{
	if (cap < 0x100 || cap > 0x1000 - 0x40 || cap % 4)
		return E_RANGE;
	if (rd16(cfg + cap) != PCI_EXT_CAP_SRIOV)
		return E_INVAL;
	out->total_vfs = rd16(cfg + cap + SRIOV_TOTAL_VFS);
	out->vf_offset = rd16(cfg + cap + SRIOV_VF_OFFSET);
	out->vf_stride = rd16(cfg + cap + SRIOV_VF_STRIDE);
	out->vf_device = rd16(cfg + cap + SRIOV_VF_DEVICE);
	/* A PF with VFs has a non-zero offset; with more than one VF, a non-zero stride. */
	if (!out->total_vfs || !out->vf_offset || (out->total_vfs > 1 && !out->vf_stride))
		return E_INVAL;
	return E_OK;
}

err_t sriov_vf_rid(const struct sriov_info *s, uint16_t pf_rid, unsigned n, unsigned num_vfs,
		   uint16_t *rid)
{
	if (n == 0 || n > num_vfs || num_vfs > s->total_vfs)
		return E_RANGE;
	uint32_t r = (uint32_t)pf_rid + s->vf_offset + (uint32_t)(n - 1) * s->vf_stride;
	if (r > 0xFFFF)
		return E_RANGE;
	*rid = (uint16_t)r;
	return E_OK;
}
