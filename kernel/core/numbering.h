/* Numbering objects by their root address: one search for address spaces, guest spaces and IOSpaces. */
#ifndef CORE_NUMBERING_H
#define CORE_NUMBERING_H

#include <stdbool.h>
#include <stddef.h>

#include "types.h"

/*
 * Looks key up among the n root addresses that start at base, stride bytes
 * apart (0 marks a free number). Returns its number if it has one; else, with
 * assign, the first free number and sets *fresh (the caller fills that entry);
 * else n if a number is free. -1 if key has none and none is free.
 */
static inline int numbering_lookup(const void *base, size_t stride, int n, paddr_t key,
				   bool assign, bool *fresh)
{
	int free = -1;

	*fresh = false;
	for (int i = 0; i < n; i++) {
		paddr_t k = *(const paddr_t *)((const char *)base + (size_t)i * stride);
		if (k == key)
			return i;
		if (!k && free < 0)
			free = i;
	}
	if (free < 0 || !assign)
		return free < 0 ? -1 : n;
	*fresh = true;
	return free;
}

#endif
