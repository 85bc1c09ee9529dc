/* Physical memory map: typed, half-open physical ranges. */
#ifndef MEM_MEMMAP_H
#define MEM_MEMMAP_H

#include "abi/error.h"
#include "types.h"

/*
 * Types 1..5 are the E820 / multiboot2 firmware types; 6..8 are reservations
 * the kernel adds itself. When ranges overlap, a higher value wins (so usable,
 * the lowest, always loses), see memmap_normalize().
 */
enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI = 3,
	MEM_NVS = 4,
	MEM_BAD = 5,
	MEM_KERNEL = 6,
	MEM_MODULE = 7,
	MEM_BOOT = 8,
	MEM_SHARED = 9,		/* the pool every instance may map (shared channels) */
};

#define MEM_TYPE_MAX MEM_SHARED
#define MEMMAP_MAX 128

/* [base, end): end is exclusive, so a range never reaches the last byte of the address space. */
struct mem_range {
	paddr_t base;
	paddr_t end;
	uint32_t type;
};

struct memmap {
	unsigned n;
	struct mem_range r[MEMMAP_MAX];
};

/*
 * Appends the raw entry [base, base + len) of the given type (1..MEM_TYPE_MAX)
 * without merging; E_INVAL for len 0, a range that wraps or a bad type, E_FULL
 * when the table is full.
 */
MUST_CHECK err_t memmap_add(struct memmap *mm, paddr_t base, uint64_t len, uint32_t type);

/*
 * Rewrites mm as sorted, non-overlapping ranges where neighbours that touch and
 * share a type are merged, and overlaps go to the higher type; E_INVAL if an
 * entry is empty or has a bad type, E_FULL if the result would not fit. On
 * failure mm is unchanged.
 */
MUST_CHECK err_t memmap_normalize(struct memmap *mm);

/*
 * Marks [base, end) as type (which must not be MEM_USABLE) over whatever was
 * there, holes included, and leaves mm normalized; E_INVAL for an empty range
 * or a bad type, E_FULL if the result does not fit. On failure mm is unchanged.
 */
MUST_CHECK err_t memmap_reserve(struct memmap *mm, paddr_t base, paddr_t end, uint32_t type);

/* Returns the number of MEM_USABLE bytes; exact only for a normalized map. */
uint64_t memmap_usable_bytes(const struct memmap *mm);

/* Returns a short lower-case name for type, "unknown" for values outside the enum. */
const char *memmap_type_name(uint32_t type);

/*
 * Drops every range at or above limit and truncates the ones crossing it;
 * returns the number of MEM_USABLE bytes removed (exact only for a normalized map).
 */
uint64_t memmap_clip(struct memmap *mm, paddr_t limit);

#endif
