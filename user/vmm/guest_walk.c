/* Guest-physical reads of RAM and guest page walks, for the VMM's instruction emulation. */
#include "vmm.h"

#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define EFER_LMA (1ull << 10)
#define PTE_P 1ull
#define PTE_PS (1ull << 7)
#define PTE_ADDR 0x000FFFFFFFFFF000ull

bool guest_ram_read(const struct vm *vm, uint64_t gpa, void *out, unsigned n)
{
	if (gpa >= vm->ram_size || n > vm->ram_size - gpa)
		return false;
	memcpy(out, vm->ram + gpa, n);
	return true;
}

/*
 * A page-table entry of 4 or 8 bytes at gpa, in one load: the library's memcpy
 * goes byte by byte, and a walk reads up to four entries at every emulated access.
 */
static bool ram_entry(const struct vm *vm, uint64_t gpa, unsigned size, uint64_t *out)
{
	uint32_t e32;

	if (gpa >= vm->ram_size || size > vm->ram_size - gpa)
		return false;
	if (size == 8) {
		__builtin_memcpy(out, vm->ram + gpa, 8);
	} else {
		__builtin_memcpy(&e32, vm->ram + gpa, 4);
		*out = e32;
	}
	return true;
}

/* Copies n bytes a word at a time where it can. */
static void copy_bytes(uint8_t *d, const uint8_t *s, unsigned n)
{
	for (; n >= 8; n -= 8, d += 8, s += 8)
		__builtin_memcpy(d, s, 8);
	for (; n; n--)
		*d++ = *s++;
}

static bool walk_fail(struct walk_fail *why, unsigned level, uint64_t at, uint64_t entry)
{
	if (why)
		*why = (struct walk_fail){ level, at, entry };
	return false;
}

/* Guest-linear to guest-physical through the guest's page tables (Intel SDM vol. 3 ch. 4). */
bool guest_translate(const struct vm *vm, const uint64_t cr[4], uint64_t la, uint64_t *gpa,
		     struct walk_fail *why)
{
	uint64_t cr0 = cr[0], cr3 = cr[1], cr4 = cr[2], efer = cr[3];

	if (!(cr0 & CR0_PG)) {
		*gpa = la & 0xFFFFFFFFull;
		return true;
	}
	if (!(cr4 & CR4_PAE)) {	/* two levels of 32-bit entries, 4 MiB pages with PSE */
		uint64_t pde = 0, pte = 0;
		uint64_t at = (cr3 & 0xFFFFF000u) + ((la >> 22) & 0x3FF) * 4;
		if (!ram_entry(vm, at, 4, &pde) || !(pde & PTE_P))
			return walk_fail(why, 2, at, pde);
		if ((pde & PTE_PS) && (cr4 & CR4_PSE)) {
			*gpa = (pde & 0xFFC00000u) | (la & 0x3FFFFF);
			return true;
		}
		at = (pde & 0xFFFFF000u) + ((la >> 12) & 0x3FF) * 4;
		if (!ram_entry(vm, at, 4, &pte) || !(pte & PTE_P))
			return walk_fail(why, 1, at, pte);
		*gpa = (pte & 0xFFFFF000u) | (la & 0xFFF);
		return true;
	}
	/* PAE or 4-level: 9 bits a level below the top (PDPT of 4 entries, or the PML4). */
	unsigned levels = efer & EFER_LMA ? 4 : 3;
	uint64_t table = levels == 4 ? cr3 & PTE_ADDR : cr3 & 0xFFFFFFE0u, e = 0;
	for (unsigned l = levels; l >= 1; l--) {
		unsigned shift = 12 + 9 * (l - 1);
		uint64_t idx = (la >> shift) & (l == 3 && levels == 3 ? 3 : 0x1FF);
		e = 0;
		if (!ram_entry(vm, table + idx * 8, 8, &e) || !(e & PTE_P))
			return walk_fail(why, l, table + idx * 8, e);
		if (l <= 3 && l >= 2 && (e & PTE_PS) && !(levels == 3 && l == 3)) {
			uint64_t mask = (1ull << shift) - 1;
			*gpa = (e & PTE_ADDR & ~mask) | (la & mask);
			return true;
		}
		table = e & PTE_ADDR;
	}
	*gpa = table | (la & 0xFFF);
	return true;
}


unsigned guest_read_linear(const struct vm *vm, const uint64_t cr[4], uint64_t la, uint8_t *out,
			   unsigned n, struct linear_stop *stop)
{
	unsigned k = 0;

	*stop = (struct linear_stop){ 0 };
	while (k < n) {
		uint64_t gpa, page_left = 0x1000 - ((la + k) & 0xFFF);
		if (!guest_translate(vm, cr, la + k, &gpa, &stop->walk)) {
			stop->unmapped = true;
			return k;
		}
		unsigned chunk = n - k < page_left ? n - k : (unsigned)page_left;
		uint64_t in_ram = gpa < vm->ram_size ? vm->ram_size - gpa : 0;
		unsigned got = chunk < in_ram ? chunk : (unsigned)in_ram;
		copy_bytes(out + k, vm->ram + gpa, got);
		k += got;
		if (got < chunk) {
			stop->gpa = gpa + got;
			return k;
		}
	}
	return k;
}
