/* Nested page tables for SVM: the long-mode page-table format (AMD APM vol. 2 15.25). */
#include "arch/x86_64/layout.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/ptwalk.h"
#include "arch/x86_64/virt.h"
#include "arch/x86_64/vspace.h"
#include "core/machine.h"

err_t virt_npt_check(paddr_t root, uint64_t gpa, unsigned level, bool frame)
{
	uint64_t size = 1ull << (12 + 9 * level);

	if (gpa >= VIRT_GPA_LIMIT)
		return E_RANGE;
	if (frame && (gpa & (size - 1)))
		return E_ALIGN;
	uint64_t *e = pt_entry_at(root, gpa, level);
	if (!e)
		return E_NOENT;
	return *e & PTE_P ? E_BUSY : E_OK;
}

void virt_npt_map_table(paddr_t root, uint64_t gpa, unsigned level, paddr_t table)
{
	/* Nested walks are user accesses, so every level needs U (APM 15.25.5). */
	*pt_entry_at(root, gpa, level) = table | PTE_P | PTE_W | PTE_U;
}

void virt_npt_map_frame(paddr_t root, uint64_t gpa, paddr_t frame, bool large, bool write, bool exec,
			bool uncached)
{
	/* UC in the nested entry makes the access UC whatever the guest's own type (APM 15.25.8). */
	uint64_t flags = PTE_P | PTE_U | (write ? PTE_W : 0) | (large ? PTE_PS : 0) |
			 vspace_memtype_bits(uncached);

	/* The nested walk follows the host's EFER.NXE, which is on wherever NX exists. */
	if (!exec && machine.cpu.nx)
		flags |= PTE_NX;
	*pt_entry_at(root, gpa, large ? 1 : 0) = frame | flags;
}

void virt_npt_unmap(paddr_t root, uint64_t gpa, unsigned level, paddr_t pa)
{
	uint64_t *e = pt_entry_at(root, gpa, level);

	if (e && (*e & PTE_P) && (*e & PTE_ADDR) == pa)
		*e = 0;	/* the VCPUs of the space take new ASIDs before they run again */
}
