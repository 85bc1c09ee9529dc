/* x86_64 CPU control: CPUID, MSRs, control registers and feature probing. */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include "types.h"

#define MSR_EFER 0xC0000080u
#define MSR_STAR 0xC0000081u
#define MSR_LSTAR 0xC0000082u
#define MSR_SFMASK 0xC0000084u

/* syscall.S: where LSTAR points, the one way into the kernel from SYSCALL. */
void syscall_entry(void);
#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_NXE (1u << 11)
#define EFER_SVME (1u << 12)
#define MSR_APIC_BASE 0x1Bu
#define MSR_VM_CR 0xC0010114u
#define VM_CR_SVMDIS (1u << 4)
#define MSR_FEATURE_CONTROL 0x3Au

struct cpuid_regs {
	uint32_t a, b, c, d;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(sub));
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

#define DEFINE_CR(n)                                                          \
	static inline uint64_t read_cr##n(void)                               \
	{                                                                     \
		uint64_t v;                                                   \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));             \
		return v;                                                     \
	}                                                                     \
	static inline void write_cr##n(uint64_t v)                            \
	{                                                                     \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory");    \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

/* Enables interrupts and halts in one step, so a wake-up cannot slip in between. */
static inline void irq_enable_and_halt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

static inline void __attribute__((noreturn)) cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* What this CPU offers; probed once at boot by cpu_probe(). */
struct cpu_features {
	char vendor[13];
	char brand[49];
	uint32_t max_leaf;
	uint32_t max_ext_leaf;
	uint8_t phys_bits;
	uint8_t virt_bits;
	bool nx, pdpe1gb, pcid, invpcid, x2apic, xsave, avx, apic;
	bool tsc_invariant;
	bool svm, npt, nrips, decode_assists, flush_by_asid, avic;
	uint32_t svm_asids;
	bool svm_disabled_by_bios;
	bool vmx;
};

/* Fills *f from CPUID (and VM_CR for SVM lock-out). */
void cpu_probe(struct cpu_features *f);

/* Returns this CPU's initial local APIC id (CPUID 1, EBX[31:24]). */
uint32_t cpu_apic_id(void);

#endif
