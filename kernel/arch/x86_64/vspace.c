/* User page tables built from page-table and frame objects (the kernel allocates none). */
#include "abi/bootinfo.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/ptwalk.h"
#include "arch/x86_64/tlb.h"
#include "arch/x86_64/vspace.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/cspace.h"
#include "core/machine.h"
#include "core/numbering.h"

err_t vspace_map_table(paddr_t pml4, uint64_t vaddr, enum vspace_level level, paddr_t pa)
{
	if (vaddr >= USER_TOP)
		return E_RANGE;
	uint64_t *e = pt_entry_at(pml4, vaddr, (unsigned)level);
	if (!e)
		return E_NOENT;
	if (*e & PTE_P)
		return E_BUSY;
	/* Rights are decided at the leaves; tables above them allow everything to the user. */
	*e = pa | PTE_P | PTE_W | PTE_U;
	return E_OK;
}

uint64_t vspace_memtype_bits(bool uncached)
{
	/*
	 * PCD and PWT select PAT entry 3, which is UC in the power-on PAT (SDM vol. 3
	 * 11.12.4); the kernel never writes IA32_PAT. The PAT bit stays 0.
	 */
	return uncached ? PTE_PCD | PTE_PWT : 0;
}

unsigned vspace_pat_index(paddr_t pml4, uint64_t vaddr, bool large)
{
	uint64_t *e = pt_entry_at(pml4, vaddr, large ? 1 : 0);

	if (!e || !(*e & PTE_P))
		return 0;
	/* The PAT bit is bit 7 in a 4 KiB leaf, bit 12 in a 2 MiB one (SDM vol. 3 11.12.3). */
	unsigned pat = (unsigned)(*e >> (large ? 12 : 7)) & 1;
	return pat << 2 | (unsigned)(*e >> 4 & 1) << 1 | (unsigned)(*e >> 3 & 1);
}

err_t vspace_map_frame(paddr_t pml4, uint64_t vaddr, paddr_t pa, bool large, bool write,
		       bool exec, bool uncached)
{
	uint64_t size = large ? LARGE_PAGE_SIZE : PAGE_SIZE;

	if (vaddr >= USER_TOP || USER_TOP - vaddr < size)
		return E_RANGE;
	if (vaddr & (size - 1))
		return E_ALIGN;
	uint64_t *e = pt_entry_at(pml4, vaddr, large ? 1 : 0);
	if (!e)
		return E_NOENT;
	if (*e & PTE_P)
		return E_BUSY;
	uint64_t flags = PTE_P | PTE_U | (write ? PTE_W : 0) | (large ? PTE_PS : 0) |
			 vspace_memtype_bits(uncached);
	if (!exec && machine.cpu.nx)
		flags |= PTE_NX;
	*e = pa | flags;
	return E_OK;
}

/*
 * Address spaces of this instance by number: 0 is the instance's own PML4
 * (the root task's), the others are PML4 objects given a number when first
 * used. A mapping remembers the number (in its cap's guard_bits) and the
 * number's generation (in size_bits) so that deleting the cap finds the tables
 * it went into, and never those of a later space that reuses the number.
 */
static paddr_t spaces[VSPACE_MAX];
static uint8_t generation[VSPACE_MAX];
static paddr_t loaded;
static struct tlb tlb;

/*
 * Removes the entry at vaddr in address space number if it still points at pa.
 * Instances share no address space, so only this core's TLB can hold the entry.
 */
static void unmap(unsigned number, uint64_t vaddr, unsigned level, bool large, paddr_t pa)
{
	uint64_t *e = pt_entry_at(spaces[number], vaddr, large ? 1 : level);

	if (!e || !(*e & PTE_P) || (*e & PTE_ADDR) != pa)
		return;	/* already gone, or replaced: nothing of ours to remove */
	*e = 0;
	switch (tlb_unmapped(&tlb, number, level == 0)) {
	case TLB_PAGE:
		__asm__ volatile("invlpg (%0)" : : "r"(vaddr) : "memory");
		break;
	case TLB_CURRENT:
		write_cr3(read_cr3());	/* bit 63 reads as 0: drops the current PCID's entries */
		break;
	case TLB_NONE:
		break;
	}
}

void vspace_init(paddr_t root)
{
	spaces[0] = root;
	loaded = root;
	/* CR4.PCIDE may be set only while CR3[11:0] is 0; PCID 0 is then current (SDM vol. 3 4.10.1). */
	bool pcid = machine.cpu.pcid && !(read_cr3() & 0xFFF);
	tlb_init(&tlb, pcid);
	if (pcid)
		write_cr4(read_cr4() | CR4_PCIDE);
}

paddr_t vspace_root(void)
{
	return spaces[0];
}

int vspace_number(paddr_t pml4, bool assign)
{
	bool fresh;
	int i = numbering_lookup(spaces, sizeof(spaces[0]), VSPACE_MAX, pml4, assign, &fresh);

	if (!fresh)
		return i;
	/* The kernel half (slots 256-511) is the same tables in every address space. */
	for (unsigned k = 256; k < 512; k++)
		pt_table(pml4)[k] = pt_table(spaces[0])[k];
	spaces[i] = pml4;
	return i;
}

void vspace_release(paddr_t pml4)
{
	for (int i = 1; i < VSPACE_MAX; i++) {
		if (spaces[i] == pml4) {
			spaces[i] = 0;
			generation[i]++;	/* mappings made in it are now stale */
			tlb_released(&tlb, (unsigned)i);
		}
	}
}

uint8_t vspace_generation(int number)
{
	return generation[number];
}

/* Loads another address space; kept out of line so that staying in one costs a compare. */
static void __attribute__((noinline)) switch_to(paddr_t pml4)
{
	int n = 0;
	while (n < VSPACE_MAX && spaces[n] != pml4)
		n++;
	if (n == VSPACE_MAX) {
		/* TCB_SET_VSPACE numbered it, and the thread's cap keeps it alive. */
		kprintf("atoll: FATAL instance %d: address space %llx has no number\n",
			instance_self(), (unsigned long long)pml4);
		cpu_halt_forever();
	}
	write_cr3(tlb_switch(&tlb, (unsigned)n, pml4));
	loaded = pml4;
}

void vspace_load(paddr_t pml4)
{
	if (!pml4)
		pml4 = spaces[0];
	if (pml4 != loaded)
		switch_to(pml4);
}

void vspace_cap_deleted(const struct cap *cap)
{
	if (!(cap->flags & CAP_FLAG_MAPPED) || cap->guard_bits >= VSPACE_MAX ||
	    !spaces[cap->guard_bits] || generation[cap->guard_bits] != cap->size_bits)
		return;	/* never mapped, or its address space is gone (perhaps reused) */
	unsigned n = cap->guard_bits;
	switch ((enum obj_type)cap->type) {
	case OBJ_FRAME_4K:
		unmap(n, cap->data, 0, false, cap->obj);
		return;
	case OBJ_FRAME_2M:
		unmap(n, cap->data, 1, true, cap->obj);
		return;
	case OBJ_PDPT:
		unmap(n, cap->data, VS_PDPT, false, cap->obj);
		return;
	case OBJ_PD:
		unmap(n, cap->data, VS_PD, false, cap->obj);
		return;
	case OBJ_PT:
		unmap(n, cap->data, VS_PT, false, cap->obj);
		return;
	default:
		return;	/* no other object is mapped by a cap */
	}
}
