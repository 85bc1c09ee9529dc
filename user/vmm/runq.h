/* The register writes a VMM queues for its next VCPU_RUN (pure logic; docs/vcpu.md). */
#ifndef VMM_RUNQ_H
#define VMM_RUNQ_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Queues guest register id = value as an (id, value) pair in pairs, which holds *n
 * of at most max: a queued write of id gets the new value, else a pair is added.
 * False when the queue is full and id is not in it (the caller writes it itself).
 */
bool runq_add(uint64_t *pairs, unsigned *n, unsigned max, unsigned id, uint64_t value);

#endif
