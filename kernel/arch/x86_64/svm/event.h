/* Which event cut off by an exit is delivered again on the next entry (AMD APM vol. 2 15.7.2, 15.20). */
#ifndef ARCH_SVM_EVENT_H
#define ARCH_SVM_EVENT_H

#include "types.h"

/* EXITINTINFO and EVENTINJ share one format: vector 7:0, type 10:8, error code valid 11, valid 31. */
#define SVM_EVENT_VALID (1ull << 31)
#define SVM_EVENT_TYPE(e) ((unsigned)((e) >> 8) & 7)
#define SVM_EVENT_VECTOR(e) ((unsigned)(e) & 0xFF)
#define SVM_EVENT_INTR 0
#define SVM_EVENT_NMI 2
#define SVM_EVENT_EXCEPTION 3
#define SVM_EVENT_SOFT 4

/*
 * The EVENTINJ value for the entry after an exit with this EXITINTINFO, or 0:
 * external interrupts, NMIs and faults are delivered again; an event an
 * instruction raised (INTn, INT3, INTO) is not, since the guest's rip still
 * points at that instruction and running it again raises it again; nothing
 * malformed is passed on (QEMU reports an interrupted external interrupt as
 * an exception with a vector of 32 or more, which VMRUN would refuse).
 */
uint64_t svm_event_redeliver(uint64_t exitintinfo, bool shutdown);

#endif
