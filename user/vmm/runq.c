/* The register writes a VMM queues for its next VCPU_RUN: one pair per register, the last value. */
#include "runq.h"

bool runq_add(uint64_t *pairs, unsigned *n, unsigned max, unsigned id, uint64_t value)
{
	for (unsigned i = 0; i < *n; i++)
		if (pairs[2 * i] == id) {
			pairs[2 * i + 1] = value;
			return true;
		}
	if (*n >= max)
		return false;
	pairs[2 * *n] = id;
	pairs[2 * *n + 1] = value;
	(*n)++;
	return true;
}
