/* Boot loader hand-over: multiboot2 and PVH information reduced to one struct. */
#ifndef BOOT_BOOTINFO_H
#define BOOT_BOOTINFO_H

#include "abi/error.h"
#include "mem/memmap.h"
#include "physview.h"
#include "types.h"

#define BOOT_MODS_MAX 8

#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define PVH_START_MAGIC 0x336ec578u

/* [base, end) of a module image loaded by the boot loader. */
struct boot_module {
	paddr_t base;
	paddr_t end;
	char cmdline[64];
};

struct boot_params {
	const char *loader;          /* "pvh" or "multiboot2" (static strings) */
	char loader_name[48];        /* multiboot2 boot loader name tag if any, else "" */
	struct memmap mm;            /* raw firmware map, NOT yet normalized */
	paddr_t rsdp;                /* 0 if the loader did not give one */
	char cmdline[256];
	unsigned nmods;
	struct boot_module mods[BOOT_MODS_MAX];
	bool efi;                    /* booted through UEFI (multiboot2 EFI tags seen) */
};

/*
 * Parses the multiboot2 information structure at physical address info into
 * out, reading only through pv; E_RANGE if it is not readable, E_INVAL or
 * E_TRUNC if it is malformed, E_NOENT without a memory map, E_FULL if the map
 * has more than MEMMAP_MAX entries. On failure *out must not be used.
 */
MUST_CHECK err_t bootinfo_from_mb2(const struct physview *pv, paddr_t info, struct boot_params *out);

/*
 * Parses the PVH hvm_start_info at physical address start_info into out,
 * reading only through pv; E_BADSIG for a bad magic, E_NOENT for version 0 or
 * no memory map, E_RANGE if anything it points to is unreadable, E_INVAL for
 * malformed contents, E_FULL for too many map entries. On failure *out must not
 * be used.
 */
MUST_CHECK err_t bootinfo_from_pvh(const struct physview *pv, paddr_t start_info,
				   struct boot_params *out);

#endif
