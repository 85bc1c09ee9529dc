/* What generic kernel code asks of the architecture. */
#ifndef CORE_ARCH_H
#define CORE_ARCH_H

#include "core/machine.h"
#include "types.h"

/* Kinds of cross-instance signal; each is delivered as its own IPI vector per source. */
enum xsig {
	XSIG_NOTIFY,	/* the notification primitive */
	XSIG_READY,	/* to instance 0: this instance is up */
	XSIG_GO,	/* from instance 0: start the notification round */
	XSIG_DONE,	/* to instance 0: round complete */
	XSIG_HALTED,	/* to instance 0: this instance stopped on a fatal fault */
	XSIG_EXIT_PASS,	/* to instance 0: this instance's root task exited with status 0 */
	XSIG_EXIT_FAIL,	/* to instance 0: ... exited with an error or faulted */
	XSIG_KINDS
};

/* Per-instance CPU set-up: GDT/TSS, IDT, LAPIC and its timer, drop boot mappings. */
void arch_instance_init(const struct instance_info *self);
/* Raises signal kind on instance target; the target sees instance_signal(kind, self). */
void arch_signal(unsigned target, enum xsig kind);
/* Waits until cond() holds or timeout_ms pass; false on timeout. Interrupts enabled. */
bool arch_wait(bool (*cond)(void), unsigned timeout_ms);
/* Loads the root task into this instance and enters it; returns only on failure. */
void arch_user_start(const struct instance_info *self, unsigned id, uint64_t user_test);
/* True if [va, va + len) is mapped user-accessible in the running address space. */
bool arch_user_readable(uint64_t va, uint64_t len);
/* Reads an address; used by the isolation test to probe another partition. */
uint64_t arch_probe_read(paddr_t pa);
/* Ends a QEMU run through isa-debug-exit; returns if the device is absent. */
void arch_qemu_exit(uint8_t code);
/* Stops this core for good, interrupts off. */
void __attribute__((noreturn)) arch_halt(void);
/* Idles this core with interrupts on, forever. */
void __attribute__((noreturn)) arch_idle(void);

/* Called by the architecture's interrupt code. */
void instance_signal(enum xsig kind, unsigned source);
/* The running instance's id, or -1 during the boot phase. */
int instance_self(void);
/* The root task ended (status 0 = pass, or it faulted): report and idle this core. */
void __attribute__((noreturn)) instance_root_exit(uint64_t status, bool faulted);

#define QEMU_EXIT_PASS 0x10	/* QEMU exits with status 33 */
#define QEMU_EXIT_FAIL 0x11	/* QEMU exits with status 35 */

#endif
