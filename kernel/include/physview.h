/* A read-only view of physical memory, so parsers of firmware data can run on the host. */
#ifndef PHYSVIEW_H
#define PHYSVIEW_H

#include "types.h"

/*
 * map() returns a pointer through which [pa, pa + len) can be read, or NULL when
 * any byte of that range is not readable (not mapped, above the mapped limit,
 * or the arithmetic wraps). note() receives one diagnostic line without newline.
 */
struct physview {
	const void *(*map)(void *ctx, paddr_t pa, size_t len);
	void (*note)(void *ctx, const char *msg);
	void *ctx;
};

static inline const void *physview_map(const struct physview *v, paddr_t pa, size_t len)
{
	if (pa + len < pa)
		return NULL;
	return v->map(v->ctx, pa, len);
}

#endif
