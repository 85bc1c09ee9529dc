/* PCI functions for user-level drivers: configuration pages and BARs by capability. */
#include "core/cspace.h"
#include "core/machine.h"
#include "core/pci.h"

#define ECAM_FN_SHIFT 12	/* PCIe 5.0 7.2.2: bus << 20 | dev << 15 | fn << 12 */

paddr_t pci_ecam_pa(uint16_t bdf)
{
	const struct acpi_info *a = &machine.acpi;
	unsigned bus = bdf >> 8;

	for (unsigned i = 0; machine.have_acpi && i < a->nmcfg; i++)
		if (a->mcfg[i].segment == 0 && bus >= a->mcfg[i].bus_start &&
		    bus <= a->mcfg[i].bus_end)
			return a->mcfg[i].base + ((paddr_t)bdf << ECAM_FN_SHIFT);
	return 0;
}

volatile uint8_t *pci_cfg(uint16_t bdf)
{
	paddr_t pa = pci_ecam_pa(bdf);

	return pa ? kobj_ptr(pa) : NULL;
}

static uint32_t rd32(volatile uint8_t *cfg, unsigned off)
{
	return *(volatile uint32_t *)(cfg + off);
}

static void wr32(volatile uint8_t *cfg, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(cfg + off) = v;
}

/*
 * A function answers there. Not the vendor id alone: a VF's vendor and device ids
 * read 0xFFFF (SR-IOV: "VF Vendor ID ... FFFFh"), but its class code does not,
 * while an absent function reads all ones everywhere.
 */
static bool present(volatile uint8_t *cfg)
{
	return (*(volatile uint32_t *)(cfg + PCI_VENDOR) & 0xFFFF) != 0xFFFF ||
	       *(volatile uint32_t *)(cfg + PCI_CLASS_REV) != 0xFFFFFFFFu;
}

bool pci_covers(const struct cap *pci, uint64_t bdf)
{
	return bdf >= pci->obj && bdf - pci->obj < pci->data;	/* data is at most 0x10000 */
}

err_t pci_decode_function(const struct cte *pci, uint64_t bdf)
{
	if (pci->cap.type != OBJ_PCI)
		return E_WRONGTYPE;
	if (!(pci->cap.rights & CAP_WRITE))
		return E_RIGHTS;
	if (!pci_covers(&pci->cap, bdf))
		return E_RANGE;
	volatile uint8_t *cfg = pci_cfg((uint16_t)bdf);
	if (!cfg || !present(cfg))
		return E_NOENT;
	return E_OK;
}

/* Common checks: bdf ours, ECAM there, a function present, dest empty. */
static err_t decode_function(const struct cte *pci, uint64_t bdf, const struct cte *dest)
{
	if (!pci_covers(&pci->cap, bdf))
		return E_RANGE;
	volatile uint8_t *cfg = pci_cfg((uint16_t)bdf);
	if (!cfg)
		return E_UNSUPP;
	if (!present(cfg))
		return E_NOENT;
	return dest->cap.type == OBJ_NULL ? E_OK : E_NOTEMPTY;
}

err_t pci_decode_get_config(const struct cte *pci, uint64_t bdf, const struct cte *dest)
{
	return decode_function(pci, bdf, dest);
}

void pci_invoke_get_config(struct cte *pci, uint16_t bdf, struct cte *dest)
{
	dest->cap = (struct cap){ .type = OBJ_FRAME_4K, .rights = CAP_READ | CAP_WRITE,
				  .flags = CAP_FLAG_DEVICE | CAP_FLAG_MMIO, .obj = pci_ecam_pa(bdf) };
	cspace_insert_child(pci, dest);
}

/* Reads what a BAR decodes: writes all ones with decoding off, reads back, restores (PCI 3.0 6.2.5.1). */
static uint32_t bar_size_mask(volatile uint8_t *cfg, unsigned off)
{
	uint32_t old = rd32(cfg, off);

	wr32(cfg, off, 0xFFFFFFFFu);
	uint32_t mask = rd32(cfg, off);
	wr32(cfg, off, old);
	return mask;
}

static bool overlaps(paddr_t a, paddr_t a_end, paddr_t b, paddr_t b_end)
{
	return a < b_end && b < a_end;
}

/* True if [base, end) touches anything in the memory map or a device the kernel drives. */
static bool claimed(paddr_t base, paddr_t end)
{
	const struct memmap *mm = &machine.mm;

	for (unsigned i = 0; i < mm->n; i++)
		if (overlaps(base, end, mm->r[i].base, mm->r[i].end))
			return true;
	if (overlaps(base, end, machine.lapic_pa, machine.lapic_pa + 4096) ||
	    (machine.ioapic_pa && overlaps(base, end, machine.ioapic_pa, machine.ioapic_pa + 4096)))
		return true;
	for (unsigned i = 0; machine.have_acpi && i < machine.acpi.ndmar; i++) {
		paddr_t r = machine.acpi.dmar[i].reg_base;
		if (overlaps(base, end, r, r + 4096))
			return true;
	}
	for (unsigned i = 0; machine.have_acpi && i < machine.acpi.nmcfg; i++) {
		const struct acpi_mcfg *m = &machine.acpi.mcfg[i];
		if (overlaps(base, end, m->base + ((paddr_t)m->bus_start << 20),
			     m->base + ((paddr_t)(m->bus_end + 1) << 20)))
			return true;
	}
	return false;
}

err_t pci_decode_get_bar(const struct cte *pci, uint64_t bdf, uint64_t bar, const struct cte *dest,
			 struct pci_bar_grant *out)
{
	err_t e = decode_function(pci, bdf, dest);

	if (e)
		return e;
	volatile uint8_t *cfg = pci_cfg((uint16_t)bdf);
	if (bar >= pci_bar_count(cfg[PCI_HEADER_TYPE]))
		return E_RANGE;
	unsigned off = PCI_BAR0 + 4 * (unsigned)bar;
	uint32_t lo = rd32(cfg, off), hi = 0, size_hi = 0;
	bool is64 = pci_bar_is64(lo);
	if (is64 && bar + 1 >= pci_bar_count(cfg[PCI_HEADER_TYPE]))
		return E_INVAL;	/* a 64-bit BAR in the last slot is malformed */
	/* Decoding off while the BAR holds all ones, so it claims no addresses meanwhile. */
	uint16_t cmd = (uint16_t)rd32(cfg, PCI_COMMAND);
	*(volatile uint16_t *)(cfg + PCI_COMMAND) = cmd & (uint16_t)~PCI_COMMAND_MEMORY;
	uint32_t size_lo = bar_size_mask(cfg, off);
	if (is64) {
		hi = rd32(cfg, off + 4);
		size_hi = bar_size_mask(cfg, off + 4);
	}
	*(volatile uint16_t *)(cfg + PCI_COMMAND) = cmd;
	struct pci_bar b;
	if ((e = pci_bar_decode(lo, hi, size_lo, size_hi, &b)))
		return e;
	if (b.base == 0)
		return E_NOENT;	/* not assigned an address */
	if (b.size < 4096)
		return E_ALIGN;	/* a page would reach past it, into another device's registers */
	if (b.base + b.size < b.base || claimed(b.base, b.base + b.size))
		return E_OVERLAP;
	out->base = b.base;
	out->bits = (unsigned)__builtin_ctzll(b.size);
	return E_OK;
}

static uint16_t rd16(volatile uint8_t *cfg, unsigned off)
{
	return *(volatile uint16_t *)(cfg + off);
}

err_t pci_decode_get_vf_bar(const struct cte *pci, uint64_t pf, uint64_t n, uint64_t bar,
			    const struct cte *dest, struct pci_bar_grant *out)
{
	err_t e = decode_function(pci, pf, dest);

	if (e)
		return e;
	volatile uint8_t *cfg = pci_cfg((uint16_t)pf);
	unsigned at = pci_cfg_find_ext_cap((const uint8_t *)cfg, PCI_EXT_CAP_SRIOV);
	if (!at)
		return E_UNSUPP;
	uint16_t ctrl = rd16(cfg, at + PCI_SRIOV_CTRL), num = rd16(cfg, at + PCI_SRIOV_NUM_VFS);
	uint16_t rid;
	if (!(ctrl & PCI_SRIOV_CTRL_VFE))
		return E_NOENT;
	if ((e = pci_vf_rid((uint16_t)pf, rd16(cfg, at + PCI_SRIOV_VF_OFFSET),
			    rd16(cfg, at + PCI_SRIOV_VF_STRIDE), n, num, &rid)))
		return e;
	if (!pci_covers(&pci->cap, rid) || bar >= 6)
		return E_RANGE;
	unsigned off = at + PCI_SRIOV_VF_BAR0 + 4 * (unsigned)bar;
	uint32_t lo = rd32(cfg, off), hi = 0, size_hi = 0;
	bool is64 = pci_bar_is64(lo);
	if (is64 && bar == 5)
		return E_INVAL;
	/* VF MSE off while the BAR holds all ones (the VFs decode nothing for that moment). */
	*(volatile uint16_t *)(cfg + at + PCI_SRIOV_CTRL) = ctrl & (uint16_t)~PCI_SRIOV_CTRL_MSE;
	uint32_t size_lo = bar_size_mask(cfg, off);
	if (is64) {
		hi = rd32(cfg, off + 4);
		size_hi = bar_size_mask(cfg, off + 4);
	}
	*(volatile uint16_t *)(cfg + at + PCI_SRIOV_CTRL) = ctrl;
	struct pci_bar b;
	uint64_t slice;
	if ((e = pci_bar_decode(lo, hi, size_lo, size_hi, &b)))
		return e;
	if (b.base == 0)
		return E_NOENT;
	if (b.size < 4096)
		return E_ALIGN;
	if ((e = pci_vf_bar_slice(b.base, b.size, n, num, &slice)))
		return e;
	if (claimed(slice, slice + b.size))
		return E_OVERLAP;
	out->base = slice;
	out->bits = (unsigned)__builtin_ctzll(b.size);
	return E_OK;
}

void pci_invoke_get_bar(struct cte *pci, const struct pci_bar_grant *g, struct cte *dest)
{
	dest->cap = (struct cap){ .type = OBJ_UNTYPED, .rights = CAP_ALL_RIGHTS,
				  .size_bits = (uint8_t)g->bits, .flags = CAP_FLAG_DEVICE | CAP_FLAG_MMIO,
				  .obj = g->base };
	cspace_insert_child(pci, dest);
}

err_t pci_decode_narrow(const struct cte *pci, uint64_t first, uint64_t count, const struct cte *dest)
{
	if (!pci_range_within(pci->cap.obj, pci->cap.data, first, count))
		return E_RANGE;
	return dest->cap.type == OBJ_NULL ? E_OK : E_NOTEMPTY;
}

void pci_invoke_narrow(struct cte *pci, uint16_t first, uint32_t count, struct cte *dest)
{
	dest->cap = (struct cap){ .type = OBJ_PCI, .rights = pci->cap.rights, .obj = first,
				  .data = count };
	cspace_insert_child(pci, dest);
}
