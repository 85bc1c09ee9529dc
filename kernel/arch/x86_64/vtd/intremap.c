/* VT-d interrupt remapping entries: which source may raise which vector where (VT-d 4.1 5.1, 9.10). */
#include "arch/x86_64/iommu.h"
#include "arch/x86_64/vtd/vtd.h"
#include "core/cspace.h"
#include "core/machine.h"

#define MSI_REMAPPABLE (1u << 4)	/* 5.1.5.2: interrupt format bit of the address */
#define DMAR_SCOPE_IOAPIC 3

static struct vtd_entry *entry(unsigned index)
{
	return &((struct vtd_entry *)kobj_ptr(machine.iommu_tables + 4096ull * VTD_PAGE_IRT))[index];
}

bool iommu_intremap(void)
{
	return vtd_intremap();
}

void iommu_irte_set(unsigned index, uint32_t apic_id, uint8_t vector, bool level, int32_t source)
{
	struct vtd_entry *e = entry(index);

	/* Not present while it changes, so the unit never sees half an entry. */
	e->lo = 0;
	__asm__ volatile("" : : : "memory");
	e->hi = source >= 0 ? IRTE_SVT_SID | (uint16_t)source : 0;
	__asm__ volatile("" : : : "memory");
	e->lo = IRTE_P | (level ? IRTE_TM_LEVEL : 0) | IRTE_VECTOR(vector) | IRTE_DEST_XAPIC(apic_id);
	vtd_sync(e, sizeof(*e));
	vtd_flush_iec((int)index);
}

void iommu_irte_clear(unsigned index)
{
	struct vtd_entry *e = entry(index);

	e->lo = 0;
	e->hi = 0;
	vtd_sync(e, sizeof(*e));
	vtd_flush_iec((int)index);
}

uint64_t iommu_msi_address(unsigned index)
{
	/* 5.1.5.2: handle[14:0] in bits 19:5, handle[15] in bit 2, no subhandle. */
	return 0xFEE00000u | (uint64_t)(index & 0x7FFF) << 5 | MSI_REMAPPABLE |
	       (uint64_t)((index >> 15) & 1) << 2;
}

int32_t iommu_ioapic_source(void)
{
	const struct acpi_info *a = &machine.acpi;

	for (unsigned i = 0; machine.have_acpi && i < a->ndmar; i++)
		for (unsigned j = 0; j < a->dmar[i].nscopes; j++)
			if (a->dmar[i].scopes[j].type == DMAR_SCOPE_IOAPIC)
				return a->dmar[i].scopes[j].bus << 8 | a->dmar[i].scopes[j].dev << 3 |
				       a->dmar[i].scopes[j].fn;
	return -1;
}
