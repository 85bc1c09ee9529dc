/* Capability invocations from user level (SYS_CALL on kernel objects). */
#ifndef CORE_INVOKE_H
#define CORE_INVOKE_H

#include "abi/bootinfo.h"
#include "arch/x86_64/context.h"
#include "core/cap.h"
#include "mem/memmap.h"

/*
 * Decodes and performs the invocation of the (non-empty) slot target, which the
 * caller's rdi named: rsi = msginfo, rdx r10 r8 r9 = mr0..mr3 of f. Returns the
 * error code; on failure f->rdx says which argument was bad (ARG_CAP or
 * ARG_MR(i)) and f->r8 how many address bits were left unresolved; on success
 * rdx, r10, r8 and r9 carry the invocation's results, if any (0 otherwise).
 * Returns IPC_BLOCKED, registers untouched, when the call is to be made again:
 * a host interrupt stopped the guest of a VCPU_RUN.
 */
long invoke_call(struct cte *target, struct trap_frame *f);

struct tcb;
/* The CSpace thread t names caps in: the one TCB_SET_SPACE gave it, or its root task's. */
const struct cap *invoke_cspace_of(const struct tcb *t);

/* Finds the capability at cptr (depth 64) in the current CSpace; E_EMPTY for an empty slot. */
MUST_CHECK err_t invoke_lookup(uint64_t cptr, struct cte **out, unsigned *bits_left);

/*
 * Builds the root task's CSpace: a CNode of 2^radix slots at cnode_pa, a copy
 * of its own cap in CAP_INIT_CNODE, and untyped caps covering the free ranges
 * (split into aligned powers of two), recorded in *bi. E_FULL if they do not
 * all fit in the boot info, E_NOMEM if the CNode does not fit.
 */
MUST_CHECK err_t invoke_init_root(paddr_t cnode_pa, unsigned radix, paddr_t tcb_pa,
				  const struct mem_range *free, unsigned nfree, struct bootinfo *bi);

#endif
