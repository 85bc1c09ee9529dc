/*
 * RDMSR and WRMSR (every MSR exits): the architectural MSRs the VCPU holds go
 * to its registers, IA32_APIC_BASE to the local APIC (lapic.c), a few model-specific ones Linux reads on AMD CPUs read as
 * zero, and every other MSR gives the guest #GP, as for an MSR the CPU lacks.
 */
#include "vmm.h"

#define MSR_TSC 0x10
#define MSR_APIC_BASE 0x1B
#define MSR_PATCH_LEVEL 0x8B
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_PAT 0x277
#define MSR_EFER 0xC0000080u
#define MSR_STAR 0xC0000081u
#define MSR_LSTAR 0xC0000082u
#define MSR_CSTAR 0xC0000083u
#define MSR_SFMASK 0xC0000084u
#define MSR_FS_BASE 0xC0000100u
#define MSR_GS_BASE 0xC0000101u
#define MSR_KERNEL_GS_BASE 0xC0000102u
#define MSR_AMD_SYSCFG 0xC0010010u
#define MSR_AMD_HWCR 0xC0010015u
#define MSR_AMD_NB_CFG 0xC001001Fu
#define MSR_AMD_INT_PENDING 0xC0010055u	/* interrupt pending / C1E control */

/* The VCPU register an MSR is, or VCPU_REG_NONE. */
static unsigned vcpu_reg_of(uint32_t msr)
{
	switch (msr) {
	case MSR_SYSENTER_CS: return VCPU_SYSENTER_CS;
	case MSR_SYSENTER_ESP: return VCPU_SYSENTER_ESP;
	case MSR_SYSENTER_EIP: return VCPU_SYSENTER_EIP;
	case MSR_PAT: return VCPU_PAT;
	case MSR_EFER: return VCPU_EFER;
	case MSR_STAR: return VCPU_STAR;
	case MSR_LSTAR: return VCPU_LSTAR;
	case MSR_CSTAR: return VCPU_CSTAR;
	case MSR_SFMASK: return VCPU_SFMASK;
	case MSR_FS_BASE: return VCPU_FS_BASE;
	case MSR_GS_BASE: return VCPU_GS_BASE;
	case MSR_KERNEL_GS_BASE: return VCPU_KERNEL_GS_BASE;
	}
	return VCPU_REG_NONE;
}

/* Model-specific MSRs that read as zero and ignore writes. */
static bool reads_zero(uint32_t msr)
{
	return msr == MSR_PATCH_LEVEL || msr == MSR_AMD_SYSCFG || msr == MSR_AMD_HWCR ||
	       msr == MSR_AMD_NB_CFG || msr == MSR_AMD_INT_PENDING;
}

bool msr_read(struct vm *vm, uint32_t msr, uint64_t *value)
{
	unsigned reg = vcpu_reg_of(msr);

	if (reg != VCPU_REG_NONE) {
		struct call_result r = atoll_call(vm->vcpu, INV_VCPU_READ_REGS, reg, VCPU_REG_NONE, 0, 0);
		*value = r.arg;
		return r.err == E_OK;
	}
	if (msr == MSR_TSC) {
		*value = tsc_now();
		return true;
	}
	if (msr == MSR_APIC_BASE) {
		*value = vm->lapic.base_msr;
		return true;
	}
	*value = 0;
	return reads_zero(msr);
}

/* EFER: only the bits a 64-bit guest may set (SCE, LME, LMA, NXE); others #GP (APM vol. 2 3.1.7). */
#define EFER_ALLOWED (1ull << 0 | 1ull << 8 | 1ull << 10 | 1ull << 11)

/* An address MSR must hold a canonical address (bits 63-47 equal), else WRMSR faults. */
static bool canonical(uint64_t v)
{
	return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

bool msr_write(struct vm *vm, uint32_t msr, uint64_t value)
{
	unsigned reg = vcpu_reg_of(msr);

	if (msr == MSR_EFER && (value & ~EFER_ALLOWED))
		return false;
	if ((reg == VCPU_FS_BASE || reg == VCPU_GS_BASE || reg == VCPU_KERNEL_GS_BASE ||
	     reg == VCPU_LSTAR || reg == VCPU_CSTAR || reg == VCPU_SYSENTER_ESP ||
	     reg == VCPU_SYSENTER_EIP) && !canonical(value))
		return false;
	if (reg != VCPU_REG_NONE)
		return vcpu_write_reg(vm->vcpu, reg, value) == E_OK;
	if (msr == MSR_APIC_BASE)
		return lapic_write_base(vm, value);
	return msr == MSR_TSC || reads_zero(msr);	/* a TSC write is dropped: it is the host's */
}
