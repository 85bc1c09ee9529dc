/* Physical memory partitions: disjoint shares of usable RAM, one per kernel instance. */
#ifndef MEM_PARTITION_H
#define MEM_PARTITION_H

#include "mem/memmap.h"

#define PART_MAX_RANGES 8

/* Ranges are sorted, disjoint and all MEM_USABLE; bytes is their total size. */
struct partition {
	unsigned n;
	struct mem_range r[PART_MAX_RANGES];
	uint64_t bytes;
};

/*
 * Splits the usable RAM of the normalized map mm among ninst instances: each
 * usable range is shrunk inward to granule (a power of two) boundaries, and
 * walking them in address order every instance gets floor(total / ninst)
 * granules, possibly spread over several ranges. The remaining granules (fewer
 * than ninst) at the top stay unassigned. Fills out[0..ninst-1]; E_INVAL for
 * ninst 0, a bad granule or an unsorted map, E_NOMEM if a share is empty or
 * below min_bytes, E_FULL if a share needs more than PART_MAX_RANGES ranges.
 * On failure out is unchanged.
 */
MUST_CHECK err_t partition_even(const struct memmap *mm, unsigned ninst, uint64_t granule,
				uint64_t min_bytes, struct partition out[]);

/*
 * Checks that the ninst partitions are well formed (non-empty ranges, bytes
 * matching), that each range lies inside one MEM_USABLE range of the normalized
 * map mm, and that no two ranges anywhere overlap; returns E_INVAL for a
 * malformed partition, E_RANGE for a range outside usable RAM, E_OVERLAP for an
 * overlap. Alignment is not checked: the partitions do not record a granule.
 */
MUST_CHECK err_t partition_check(const struct partition parts[], unsigned ninst,
				 const struct memmap *mm);

#endif
