/* Application processor start-up. */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

#include "abi/error.h"
#include "types.h"

/*
 * Starts the CPU apic_id through the trampoline at page (below 1 MiB) on the
 * page tables cr3 (below 4 GiB); it enters ap_entry64. E_NOENT if it never
 * acknowledged within 2 s, E_INVAL for unusable page or cr3.
 */
MUST_CHECK err_t smp_start_ap(paddr_t page, uint32_t apic_id, paddr_t cr3, uint64_t efer);

#endif
