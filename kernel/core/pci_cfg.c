/* PCI configuration-space arithmetic shared by the kernel, the root task and host tests. */
#include "core/pci_cfg.h"

#define CAP_WALK_MAX 48		/* (256 - 64) / 4: more entries than fit means a loop */
#define BAR_IO (1u << 0)
#define BAR_TYPE(lo) (((lo) >> 1) & 3u)	/* 0: 32-bit, 2: 64-bit, 1 and 3 reserved */
#define BAR_PREFETCH (1u << 3)
#define BAR_MEM_MASK 0xFFFFFFF0u

unsigned pci_bar_count(uint8_t header_type)
{
	switch (header_type & 0x7F) {	/* bit 7: multi-function */
	case 0:
		return 6;
	case 1:
		return 2;
	default:
		return 0;
	}
}

unsigned pci_cfg_find_cap(const uint8_t cfg[PCI_CFG_SIZE], uint8_t id)
{
	uint16_t status = (uint16_t)(cfg[PCI_STATUS] | cfg[PCI_STATUS + 1] << 8);

	if (!(status & PCI_STATUS_CAP_LIST))
		return 0;
	unsigned at = cfg[PCI_CAP_PTR] & 0xFCu;
	for (unsigned n = 0; n < CAP_WALK_MAX && at >= 0x40; n++) {
		if (cfg[at] == id)
			return at;
		at = cfg[at + 1] & 0xFCu;
	}
	return 0;
}

unsigned pci_cfg_find_ext_cap(const uint8_t cfg[PCI_EXT_CFG_SIZE], uint16_t id)
{
	unsigned at = PCI_EXT_CAP_FIRST;

	for (unsigned n = 0; n < (PCI_EXT_CFG_SIZE - PCI_EXT_CAP_FIRST) / 4; n++) {
		uint32_t h = (uint32_t)(cfg[at] | cfg[at + 1] << 8 | cfg[at + 2] << 16 |
					(uint32_t)cfg[at + 3] << 24);
		if (h == 0 || h == 0xFFFFFFFFu)
			return 0;
		if ((h & 0xFFFF) == id)
			return at;
		at = (h >> 20) & 0xFFCu;
		if (at < PCI_EXT_CAP_FIRST)
			return 0;
	}
	return 0;
}

bool pci_bar_is64(uint32_t lo)
{
	return !(lo & BAR_IO) && BAR_TYPE(lo) == 2;
}

err_t pci_bar_decode(uint32_t lo, uint32_t hi, uint32_t size_lo, uint32_t size_hi,
		     struct pci_bar *out)
{
	if ((lo & BAR_IO) || BAR_TYPE(lo) == 1 || BAR_TYPE(lo) == 3)
		return E_UNSUPP;
	bool is64 = BAR_TYPE(lo) == 2;
	uint64_t mask = size_lo & BAR_MEM_MASK;

	if (is64)
		mask |= (uint64_t)size_hi << 32;
	else
		mask |= 0xFFFFFFFF00000000ull;	/* a 32-bit BAR decodes no upper bits */
	if ((mask & 0xFFFFFFFFu) == 0 && (!is64 || size_hi == 0))
		return E_NOENT;
	/* The writable bits are the high ones: mask is all ones down to the size. */
	uint64_t size = ~mask + 1;
	if (size == 0 || (size & (size - 1)) || (mask | (size - 1)) != UINT64_MAX)
		return E_INVAL;
	*out = (struct pci_bar){
		.base = ((uint64_t)(is64 ? hi : 0) << 32 | (lo & BAR_MEM_MASK)) & mask,
		.size = size,
		.is64 = is64,
		.prefetchable = lo & BAR_PREFETCH,
	};
	return E_OK;
}

err_t pci_vf_rid(uint16_t pf, unsigned offset, unsigned stride, uint64_t n, unsigned num_vfs,
		 uint16_t *rid)
{
	if (n == 0 || n > num_vfs)
		return E_RANGE;
	uint64_t r = (uint64_t)pf + offset + (n - 1) * stride;
	if (r > 0xFFFF)
		return E_RANGE;
	*rid = (uint16_t)r;
	return E_OK;
}

err_t pci_vf_bar_slice(uint64_t base, uint64_t size, uint64_t n, unsigned num_vfs, uint64_t *slice)
{
	if (n == 0 || n > num_vfs)
		return E_RANGE;
	/* size is a power of two below 2^64 and num_vfs below 2^16: the product fits unless it wraps. */
	if (size > UINT64_MAX / num_vfs || base + size * num_vfs < base)
		return E_OVERLAP;
	*slice = base + (n - 1) * size;
	return E_OK;
}

bool pci_range_within(uint64_t outer_first, uint64_t outer_count, uint64_t first, uint64_t count)
{
	/* Each bound separately, so no sum can wrap. */
	return count && first >= outer_first && first - outer_first < outer_count &&
	       count <= outer_count - (first - outer_first);
}
