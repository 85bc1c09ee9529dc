/* Host stand-ins for the kernel's object memory and finalisation, shared by unit tests. */
#ifndef TESTS_KOBJ_HOST_H
#define TESTS_KOBJ_HOST_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cspace.h"

#define HOST_PHYS_BASE 0x10000000ull
#define HOST_MEM_SIZE (32u << 20)

static uint8_t *host_mem;
static struct cap finalised[64];
static unsigned nfinalised;

void *kobj_ptr(paddr_t pa)
{
	if (pa < HOST_PHYS_BASE || pa - HOST_PHYS_BASE >= HOST_MEM_SIZE)
		abort();
	return host_mem + (pa - HOST_PHYS_BASE);
}

void kobj_finalise(const struct cap *cap)
{
	if (nfinalised < 64)
		finalised[nfinalised] = *cap;
	nfinalised++;
}

static unsigned ncap_deleted;

void kobj_cap_deleted(const struct cap *cap)
{
	(void)cap;
	ncap_deleted++;
}

static inline int host_setup(void **state)
{
	(void)state;
	if (!host_mem && !(host_mem = aligned_alloc(1u << 21, HOST_MEM_SIZE)))
		abort();
	memset(host_mem, 0, HOST_MEM_SIZE);
	nfinalised = 0;
	ncap_deleted = 0;
	return 0;
}

/* A CNode cap of 2^radix slots at physical address pa, with a guard. */
static inline struct cap host_cnode(paddr_t pa, unsigned radix, unsigned guard_bits, uint64_t guard)
{
	return (struct cap){ .type = OBJ_CNODE, .rights = CAP_ALL_RIGHTS,
			     .size_bits = (uint8_t)radix, .guard_bits = (uint8_t)guard_bits,
			     .data = guard, .obj = pa };
}

static inline struct cte *host_slot(const struct cap *cnode, unsigned i)
{
	return &cspace_slots(cnode)[i];
}

static inline unsigned finalised_count(paddr_t obj)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nfinalised && i < 64; i++)
		if (finalised[i].obj == obj)
			n++;
	return n;
}

#endif
