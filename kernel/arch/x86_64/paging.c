/* Page-table construction for instance address spaces. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "kstring.h"

static bool nx_on;
static uint64_t phys_offset;

void paging_set_nx(bool on)
{
	nx_on = on;
}

void paging_set_phys_offset(uint64_t off)
{
	phys_offset = off;
}

static uint64_t *table(paddr_t pa)
{
	return (uint64_t *)(uintptr_t)(pa + phys_offset);
}

err_t paging_alloc_page(struct pt_alloc *a, paddr_t *out)
{
	if (a->next + PAGE_SIZE > a->end)
		return E_NOMEM;
	*out = a->next;
	a->next += PAGE_SIZE;
	memset(table(*out), 0, PAGE_SIZE);
	return E_OK;
}

/* Returns the next-level table under entry idx, creating it if absent. */
static err_t walk(struct pt_alloc *a, paddr_t tab, unsigned idx, paddr_t *next)
{
	uint64_t *e = &table(tab)[idx];

	if (*e & PTE_P) {
		if (*e & PTE_PS)
			return E_OVERLAP;
		*next = *e & PTE_ADDR;
		return E_OK;
	}
	err_t err = paging_alloc_page(a, next);
	if (err)
		return err;
	/* Intermediate levels allow everything; leaves decide rights. */
	*e = *next | PTE_P | PTE_W | PTE_U;
	return E_OK;
}

static err_t map_one(struct pt_alloc *a, paddr_t pml4, uint64_t va, paddr_t pa, uint64_t flags,
		     bool large)
{
	paddr_t pdpt, pd, pt;
	err_t err;

	if ((err = walk(a, pml4, (va >> 39) & 511, &pdpt)) ||
	    (err = walk(a, pdpt, (va >> 30) & 511, &pd)))
		return err;
	uint64_t *e;
	if (large) {
		e = &table(pd)[(va >> 21) & 511];
		flags |= PTE_PS;
	} else {
		if ((err = walk(a, pd, (va >> 21) & 511, &pt)))
			return err;
		e = &table(pt)[(va >> 12) & 511];
	}
	if (*e & PTE_P)
		return E_OVERLAP;
	*e = pa | flags | PTE_P;
	return E_OK;
}

err_t paging_map(struct pt_alloc *a, paddr_t pml4, uint64_t va, paddr_t pa, uint64_t len,
		 uint64_t flags)
{
	if ((va | pa | len) & (PAGE_SIZE - 1))
		return E_INVAL;
	if (!nx_on)
		flags &= ~PTE_NX;
	while (len) {
		bool large = !((va | pa) & (LARGE_PAGE_SIZE - 1)) && len >= LARGE_PAGE_SIZE;
		uint64_t step = large ? LARGE_PAGE_SIZE : PAGE_SIZE;
		err_t err = map_one(a, pml4, va, pa, flags, large);
		if (err)
			return err;
		va += step;
		pa += step;
		len -= step;
	}
	return E_OK;
}

void paging_drop_identity(paddr_t pml4)
{
	table(pml4)[0] = 0;
	write_cr3(read_cr3());
}

bool paging_user_accessible(paddr_t pml4, uint64_t va, uint64_t len)
{
	uint64_t end = va + len;

	for (uint64_t p = ALIGN_DOWN(va, PAGE_SIZE); p < end; p += PAGE_SIZE) {
		uint64_t e = table(pml4)[(p >> 39) & 511];
		if ((e & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
			return false;
		e = table(e & PTE_ADDR)[(p >> 30) & 511];
		if ((e & (PTE_P | PTE_U)) != (PTE_P | PTE_U) || (e & PTE_PS))
			return false;
		e = table(e & PTE_ADDR)[(p >> 21) & 511];
		if ((e & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
			return false;
		if (e & PTE_PS)
			continue;
		e = table(e & PTE_ADDR)[(p >> 12) & 511];
		if ((e & (PTE_P | PTE_U)) != (PTE_P | PTE_U))
			return false;
	}
	return true;
}
