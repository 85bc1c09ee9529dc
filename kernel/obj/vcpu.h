/* Virtual CPUs: a guest's registers and vendor state in a VCPU object (docs/vcpu.md). */
#ifndef OBJ_VCPU_H
#define OBJ_VCPU_H

#include "abi/vcpu.h"
#include "arch/x86_64/virt.h"
#include "core/cap.h"

/*
 * The object's first page; the vendor keeps its hardware pages (SVM: VMCB,
 * I/O and MSR permission maps) after it, in the same object.
 */
struct vcpu {
	uint64_t gpr[16];		/* guest rax..r15 by enum vcpu_reg; the vendor may keep some itself */
	struct cte space;		/* its guest-physical address space (a copy of the cap); empty: none */
	paddr_t pa;			/* where the object is */
	paddr_t last_root;		/* the nested tables and their epoch when it last ran */
	uint32_t last_epoch;
	uint32_t asid;			/* vendor: address-space id and its generation */
	uint32_t asid_gen;
	uint64_t host_interrupts;	/* exits for host interrupts, each resumed transparently */
	uint64_t deadline;		/* VCPU_DEADLINE: a TSC value, 0 for none */
	bool state_lost;		/* the vendor lost the guest's state: it never runs again */
	uint8_t fpu[512] __attribute__((aligned(16)));	/* guest x87/SSE state (FXSAVE image) */
};

_Static_assert(sizeof(struct vcpu) <= 4096, "the generic part of a VCPU is one page");

/* The VCPU object at pa was just made (zeroed): set it up. */
void vcpu_init(paddr_t pa);

/* VCPU_SET_SPACE: E_WRONGTYPE unless gs is a guest-physical space; E_FULL if it gets no number. */
MUST_CHECK err_t vcpu_decode_set_space(const struct cte *gs);
void vcpu_invoke_set_space(struct vcpu *v, struct cte *gs);

/* VCPU_READ_REGS / VCPU_WRITE_REGS: E_RANGE for an unknown id, E_INVAL to write a read-only one. */
MUST_CHECK err_t vcpu_decode_reg(uint64_t id, bool write);
uint64_t vcpu_invoke_read(const struct vcpu *v, unsigned id);
void vcpu_invoke_write(struct vcpu *v, unsigned id, uint64_t value);

/* One of the register writes VCPU_RUN makes before it enters the guest. */
struct vcpu_write {
	unsigned id;
	uint64_t value;
};

/*
 * VCPU_RUN's n writes, copied from words (the caller's IPC buffer, NULL if it
 * has none) into out and all checked: E_RANGE for more than VCPU_RUN_WRITES_MAX,
 * E_NOENT for writes without a buffer, else vcpu_decode_reg()'s error.
 */
MUST_CHECK err_t vcpu_decode_run_writes(const volatile uint64_t *words, uint64_t n, struct vcpu_write *out);
/* Makes the n writes vcpu_decode_run_writes() checked, in order. */
void vcpu_invoke_run_writes(struct vcpu *v, const struct vcpu_write *w, unsigned n);

/* VCPU_RUN: E_UNSUPP where guests cannot run, E_NOENT without a guest space. */
MUST_CHECK err_t vcpu_decode_run(const struct vcpu *v);
/* Runs the guest: true with *x at an exit for the VMM, false when a host interrupt waits. */
bool vcpu_invoke_run(struct vcpu *v, struct virt_exit *x);

/* The last cap to the VCPU went: it lets go of its guest space. */
void vcpu_finalise(struct vcpu *v);

#endif
