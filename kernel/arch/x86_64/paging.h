/* 4-level x86_64 page tables built for each instance (SDM vol. 3 4.5). */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include "abi/error.h"
#include "types.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000ull

#define PAGE_SIZE 4096ull
#define LARGE_PAGE_SIZE 0x200000ull

/* A bump allocator over one physical range; page tables are never freed at boot. */
struct pt_alloc {
	paddr_t next;
	paddr_t end;
};

/* Takes one zeroed page; E_NOMEM when the range is used up. */
MUST_CHECK err_t paging_alloc_page(struct pt_alloc *a, paddr_t *out);

/*
 * Maps [va, va + len) to [pa, pa + len) in the tables rooted at pml4, using
 * 2 MiB pages where both sides are aligned; E_INVAL for unaligned arguments,
 * E_OVERLAP if a page is already mapped, E_NOMEM if tables run out.
 */
MUST_CHECK err_t paging_map(struct pt_alloc *a, paddr_t pml4, uint64_t va, paddr_t pa,
			    uint64_t len, uint64_t flags);

/* Whether PTE_NX may be set (EFER.NXE on); without it NX is a reserved bit. */
void paging_set_nx(bool on);

/* Sets the offset at which page-table memory is reachable (0 = identity). */
void paging_set_phys_offset(uint64_t off);

/* True if every page of [va, va + len) is present and user-accessible under pml4. */
bool paging_user_accessible(paddr_t pml4, uint64_t va, uint64_t len);

/* Removes the low-half mappings (PML4 slot 0) of the running instance and flushes. */
void paging_drop_identity(paddr_t pml4);

#endif
