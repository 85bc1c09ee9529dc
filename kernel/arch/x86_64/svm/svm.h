/* What the SVM files share among themselves (the rest of the kernel sees only virt.h). */
#ifndef ARCH_SVM_SVM_H
#define ARCH_SVM_SVM_H

#include "arch/x86_64/virt.h"

/* This instance's VMSAVE area for the host's FS/GS/TR/LDTR/syscall MSRs during a run. */
extern paddr_t svm_host_state_pa;

/* The VMCB of a VCPU, at its kernel address. */
uint8_t *svm_vmcb(const struct vcpu *v);

/*
 * svm/enter.S: loads the guest registers gpr (rbx..r15; rax and rsp are in the
 * VMCB) and runs the guest until #VMEXIT, saving them back. Saves the host's
 * VMSAVE state at host_pa around the run and loads the guest's from the VMCB.
 * Entered and left with interrupts off and GIF set.
 */
void svm_enter(paddr_t vmcb_pa, uint64_t *gpr, paddr_t host_pa);

#endif
