/* The vendor interface for virtualization: SVM now (svm/), VMX later, one chosen at link time. */
#ifndef ARCH_VIRT_H
#define ARCH_VIRT_H

#include "abi/error.h"
#include "types.h"

struct vcpu;

/*
 * Per instance. virt_instance_init() turns virtualization on for this core
 * (SVM: EFER.SVME and the host save area) if the machine can run guests, and
 * says why not otherwise; virt_ready() tells whether it did.
 */
void virt_instance_init(void);
bool virt_ready(void);

/*
 * The vendor's half of a VCPU object, in the object's own memory. Called
 * once, before the first use of a freshly made (zeroed) VCPU; cannot fail.
 */
void virt_vcpu_setup(struct vcpu *v);

/* A register of enum vcpu_reg: E_RANGE for an unknown id, E_INVAL to write a read-only one. */
MUST_CHECK err_t virt_reg_check(unsigned id, bool write);
uint64_t virt_reg_read(const struct vcpu *v, unsigned id);
void virt_reg_write(struct vcpu *v, unsigned id, uint64_t value);
/*
 * The register words of a VM exit (enum vcpu_exit_word, VCPU_EXIT_RAX to
 * VCPU_EXIT_VIRQ but the event) into w: what virt_reg_read() gives for each, in
 * one pass, since every exit the VMM sees pays for it.
 */
void virt_exit_regs(const struct vcpu *v, uint64_t *w);

/* What a VM exit the VMM must see looks like (the vendor fills it). */
struct virt_exit {
	uint64_t reason;	/* enum vmexit_reason */
	uint64_t info1, info2;
	uint64_t vendor_code;
	uint64_t event;		/* an event being delivered at the exit */
};

/*
 * Runs the guest of v, whose guest-physical address space has its root at
 * nested_root, until an exit the VMM must see (true, *x filled) or until a
 * host interrupt is pending (false): the caller then lets the interrupt in and
 * runs the guest again as if nothing happened. tlb_stale: the nested tables
 * lost entries (or are others) since v last ran, so cached translations must go.
 */
bool virt_vcpu_run(struct vcpu *v, paddr_t nested_root, bool tlb_stale, struct virt_exit *x);

/*
 * Nested page tables in the vendor's format. level is that of the entry: 3 in
 * the root (where a PDPT goes: VS_PDPT), 2 (VS_PD), 1 (VS_PT, or a 2 MiB
 * frame), 0 (a 4 KiB frame). virt_npt_check() changes nothing and returns
 * E_RANGE (beyond the guest-physical range), E_ALIGN (a frame not aligned to
 * its size), E_NOENT (a table above is missing) or E_BUSY (the entry is in
 * use); the map functions must only follow a check that returned E_OK for the
 * same arguments.
 */
#define VIRT_GPA_LIMIT (1ull << 48)
MUST_CHECK err_t virt_npt_check(paddr_t root, uint64_t gpa, unsigned level, bool frame);
void virt_npt_map_table(paddr_t root, uint64_t gpa, unsigned level, paddr_t table);
/* uncached: device registers (a BAR), mapped UC whatever memory type the guest picks. */
void virt_npt_map_frame(paddr_t root, uint64_t gpa, paddr_t frame, bool large, bool write, bool exec,
			bool uncached);
/* Removes the entry for gpa at level if it still holds pa. */
void virt_npt_unmap(paddr_t root, uint64_t gpa, unsigned level, paddr_t pa);

#endif
