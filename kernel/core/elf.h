/* ELF64 executable images: checked before anything is loaded. */
#ifndef CORE_ELF_H
#define CORE_ELF_H

#include "abi/error.h"
#include "types.h"

#define ELF_MAX_SEGS 8
#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_PF_R 4

struct elf_seg {
	uint64_t vaddr;
	uint64_t memsz;
	uint64_t offset;
	uint64_t filesz;
	uint32_t flags;
};

struct elf_image {
	uint64_t entry;
	unsigned nseg;
	struct elf_seg seg[ELF_MAX_SEGS];
};

/*
 * Parses an x86_64 ELF executable of size bytes whose loadable segments must lie
 * in [lo, hi), must not share a page, and must be backed by the file; the entry
 * must be in an executable segment. Returns E_BADSIG (not ELF64 x86_64 EXEC),
 * E_TRUNC (headers or data past the end), E_RANGE (outside [lo, hi)), E_OVERLAP,
 * E_FULL (too many segments) or E_INVAL.
 */
MUST_CHECK err_t elf_parse(const void *data, size_t size, uint64_t lo, uint64_t hi,
			   struct elf_image *out);

#endif
