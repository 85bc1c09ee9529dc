/* Virtual CPUs: guest register ids, VM exit reasons and what VCPU_RUN returns (docs/vcpu.md). */
#ifndef ABI_VCPU_H
#define ABI_VCPU_H

enum vcpu_reg {
#define VREG(name, id) name = id,
#include "abi/vcpu_regs.def"
#undef VREG
	VCPU_REG_COUNT
};

enum vmexit_reason {
	VMEXIT_NONE = 0,
#define VMEXIT(name, value) name = value,
#include "abi/vmexits.def"
#undef VMEXIT
	VMEXIT_COUNT
};

/*
 * A segment register value: selector, attributes (type 0-3, S 4, DPL 5-6, P 7,
 * AVL 8, L 9, D/B 10, G 11: the descriptor's attribute bits without the limit
 * nibble) and limit (bytes, already scaled by G).
 */
#define VCPU_SEG(sel, attr, limit) \
	((uint64_t)(sel) | (uint64_t)((attr) & 0xFFF) << 16 | (uint64_t)(limit) << 32)
#define VCPU_SEG_SEL(v) ((uint16_t)(v))
#define VCPU_SEG_ATTR(v) ((uint16_t)(((v) >> 16) & 0xFFF))
#define VCPU_SEG_LIMIT(v) ((uint32_t)((v) >> 32))

/* VCPU_VIRQ: the request is pending (not yet taken by the guest). */
#define VCPU_VIRQ_PENDING 0x100

/* VCPU_READ_REGS / VCPU_WRITE_REGS: a second register id that means "none". */
#define VCPU_REG_NONE 0xFFFF

/*
 * VCPU_RUN returns at a VM exit the VMM must handle: mr0 = reason, mr1 = info1,
 * mr2 = info2, mr3 = guest rip; if the caller has an IPC buffer, words 4-29
 * hold the words below (from 15 on: what the VMM needs to emulate an
 * instruction without reading registers one call at a time).
 */
enum vcpu_exit_word {
	VCPU_EXIT_VENDOR_CODE = 4,	/* the raw exit code (SVM: APM vol. 2 appendix C) */
	VCPU_EXIT_RAX,
	VCPU_EXIT_RBX,
	VCPU_EXIT_RCX,
	VCPU_EXIT_RDX,
	VCPU_EXIT_RSI,
	VCPU_EXIT_RDI,
	VCPU_EXIT_RBP,
	VCPU_EXIT_RSP,
	VCPU_EXIT_RFLAGS,
	VCPU_EXIT_EVENT,		/* an event being delivered when the exit came (SVM EXITINTINFO) */
	VCPU_EXIT_R8,			/* r8 to r15, in order */
	VCPU_EXIT_R15 = VCPU_EXIT_R8 + 7,
	VCPU_EXIT_CR0,
	VCPU_EXIT_CR3,
	VCPU_EXIT_CR4,
	VCPU_EXIT_EFER,
	VCPU_EXIT_CS,			/* VCPU_SEG() form */
	VCPU_EXIT_CS_BASE,
	VCPU_EXIT_VIRQ,			/* VCPU_VIRQ after the run: still pending, or taken */
	VCPU_EXIT_WORDS
};

/*
 * VCPU_RUN's input: mr0 = how many register writes to make before the guest
 * runs (at most VCPU_RUN_WRITES_MAX), as (id, value) pairs in the caller's IPC
 * buffer from word VCPU_RUN_WRITE_WORD on, past the exit words. They are made
 * once: a run that a host interrupt restarts does not make them again.
 */
#define VCPU_RUN_WRITE_WORD 32
#define VCPU_RUN_WRITES_MAX 8
_Static_assert(VCPU_EXIT_WORDS <= VCPU_RUN_WRITE_WORD, "an exit does not overwrite the run's writes");

#endif
