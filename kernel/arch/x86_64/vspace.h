/* User address spaces: installing page tables and frames on user request (SDM vol. 3 4.5). */
#ifndef ARCH_VSPACE_H
#define ARCH_VSPACE_H

#include "abi/error.h"
#include "types.h"

/* The levels a page-table object is installed at: its entry lives in the level above. */
enum vspace_level { VS_PDPT = 3, VS_PD = 2, VS_PT = 1 };

/*
 * Installs the (zeroed) table at pa for vaddr in the tables rooted at pml4.
 * E_RANGE: vaddr not in the user half; E_NOENT: the level above is missing;
 * E_BUSY: a table or page is already there. Changes nothing on failure.
 */
MUST_CHECK err_t vspace_map_table(paddr_t pml4, uint64_t vaddr, enum vspace_level level,
				  paddr_t pa);

/*
 * Maps a 4 KiB frame (or a 2 MiB one if large) at vaddr, readable, writable if
 * write, executable if exec, uncached if uncached (device registers), else
 * write-back. E_ALIGN for a misaligned vaddr, otherwise as above.
 */
MUST_CHECK err_t vspace_map_frame(paddr_t pml4, uint64_t vaddr, paddr_t pa, bool large, bool write,
				  bool exec, bool uncached);

/* The leaf entry bits for a frame mapping's memory type: none (write-back) or uncached. */
uint64_t vspace_memtype_bits(bool uncached);

/*
 * The PAT entry the leaf for vaddr selects (4 PAT + 2 PCD + PWT, SDM vol. 3
 * 11.12.3): 0 write-back, 3 uncached with the power-on PAT the kernel keeps.
 * 0 if nothing is mapped there.
 */
unsigned vspace_pat_index(paddr_t pml4, uint64_t vaddr, bool large);

#define VSPACE_MAX 64	/* address spaces per instance */

/*
 * Records the instance's own PML4 (CAP_INIT_VSPACE), loaded now, and turns on
 * PCIDs if the CPU has them: then address space number n runs as PCID n, and
 * a switch keeps the TLB entries of the others.
 */
void vspace_init(paddr_t root);
/* The instance's own address space. */
paddr_t vspace_root(void);
/*
 * The number of the address space at pml4; with assign, a PML4 object gets a
 * free number and the kernel half. -1 if none is free; without assign,
 * VSPACE_MAX means "would get one".
 */
int vspace_number(paddr_t pml4, bool assign);
/* The PML4 object is destroyed: its number is free again, in a new generation. */
void vspace_release(paddr_t pml4);
/* The current generation of an address-space number (mappings record it). */
uint8_t vspace_generation(int number);
/* Makes pml4 (0: the instance's own, else a numbered one) the running address space. */
void vspace_load(paddr_t pml4);

struct cap;
/* A frame or page-table cap is being deleted: remove the mapping it made, in its address space. */
void vspace_cap_deleted(const struct cap *cap);

#endif
