/*
 * CPUID as the guest sees it: the host's answers with everything taken out that
 * this VMM does not virtualise (AMD APM vol. 3 appendix E, Intel SDM vol. 2
 * CPUID): an xAPIC (lapic.c) whose timer always runs (ARAT), but no x2APIC and
 * no TSC-deadline timer, no SVM or VMX,
 * no XSAVE/AVX (XCR0 is not switched), no PCID, no MONITOR/MWAIT, no RDTSCP,
 * no MTRRs, no machine checks, no performance counters, one CPU.
 */
#include "vmm.h"

/* Leaf 1 ECX: SSE3, PCLMULQDQ, SSSE3, CX16, SSE4.1, SSE4.2, MOVBE, POPCNT, AES, RDRAND. */
#define L1_ECX_KEEP (1u << 0 | 1u << 1 | 1u << 9 | 1u << 13 | 1u << 19 | 1u << 20 | 1u << 22 | \
		     1u << 23 | 1u << 25 | 1u << 30)
#define L1_ECX_HYPERVISOR (1u << 31)
/* Leaf 1 EDX: FPU, VME, DE, PSE, TSC, MSR, PAE, CX8, APIC, SEP, PGE, CMOV, PAT, PSE36, CLFSH, MMX, FXSR, SSE, SSE2. */
#define L1_EDX_KEEP (1u << 0 | 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 6 | \
		     1u << 8 | 1u << 9 | 1u << 11 | 1u << 13 | 1u << 15 | 1u << 16 | 1u << 17 | 1u << 19 | \
		     1u << 23 | 1u << 24 | 1u << 25 | 1u << 26)
/* Leaf 7.0 EBX: BMI1, BMI2, ERMS, ADX: instructions that need no state of ours. */
#define L7_EBX_KEEP (1u << 3 | 1u << 8 | 1u << 9 | 1u << 19)
/* 8000_0001 ECX: LAHF/SAHF, ABM, SSE4A, 3DNowPrefetch. */
#define X1_ECX_KEEP (1u << 0 | 1u << 5 | 1u << 6 | 1u << 8)
/* 8000_0001 EDX: SYSCALL, NX, MMXEXT, LM (and the leaf-1 bits AMD mirrors, filtered alike). */
#define X1_EDX_KEEP (1u << 11 | 1u << 20 | 1u << 22 | 1u << 29 | \
		     (L1_EDX_KEEP & ~(1u << 11 | 1u << 19 | 1u << 23 | 1u << 24 | 1u << 25 | 1u << 26)))
#define X7_EDX_INVARIANT_TSC (1u << 8)
#define L6_EAX_ARAT (1u << 2)	/* the APIC timer runs in every C-state */

static void host_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

void cpuid_filter(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	uint32_t max[4];

	host_cpuid(leaf & 0x80000000u, 0, max);
	if (leaf > (leaf & 0x80000000u ? (max[0] < 0x80000008u ? max[0] : 0x80000008u)
				      : (max[0] < 7 ? max[0] : 7))) {
		r[0] = r[1] = r[2] = r[3] = 0;
		return;
	}
	host_cpuid(leaf, sub, r);
	switch (leaf) {
	case 0:
		r[0] = max[0] < 7 ? max[0] : 7;
		return;
	case 1:
		r[1] = (r[1] & 0xFF00) | 1u << 16;	/* CLFLUSH size; one logical CPU; APIC id 0 */
		r[2] = (r[2] & L1_ECX_KEEP) | L1_ECX_HYPERVISOR;
		r[3] &= L1_EDX_KEEP;
		return;
	case 6:
		r[0] = L6_EAX_ARAT;
		r[1] = r[2] = r[3] = 0;
		return;
	case 7:
		r[1] = sub == 0 ? r[1] & L7_EBX_KEEP : 0;
		r[0] = r[2] = r[3] = 0;
		return;
	case 0x80000000u:
		r[0] = max[0] < 0x80000008u ? max[0] : 0x80000008u;
		return;
	case 0x80000001u:
		r[2] &= X1_ECX_KEEP;
		r[3] &= X1_EDX_KEEP;
		return;
	case 0x80000002u: case 0x80000003u: case 0x80000004u:	/* the brand string */
	case 0x80000005u: case 0x80000006u:			/* caches and TLBs */
		return;
	case 0x80000007u:
		r[0] = r[1] = r[2] = 0;
		r[3] &= X7_EDX_INVARIANT_TSC;
		return;
	case 0x80000008u:
		r[0] &= 0xFFFF;		/* address sizes */
		r[1] = r[2] = r[3] = 0;	/* no speculation controls, one core */
		return;
	}
	r[0] = r[1] = r[2] = r[3] = 0;	/* cache/topology/power/XSAVE leaves: nothing */
}
