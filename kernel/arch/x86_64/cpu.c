/* CPU feature probing through CPUID (AMD APM vol. 3 appendix E, Intel SDM vol. 2 CPUID). */
#include "arch/x86_64/cpu.h"
#include "kstring.h"

static void put_regs(char *dst, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	memcpy(dst, &a, 4);
	memcpy(dst + 4, &b, 4);
	memcpy(dst + 8, &c, 4);
	memcpy(dst + 12, &d, 4);
}

uint32_t cpu_apic_id(void)
{
	return cpuid(1, 0).b >> 24;
}

void cpu_probe(struct cpu_features *f)
{
	struct cpuid_regs r;

	memset(f, 0, sizeof(*f));
	r = cpuid(0, 0);
	f->max_leaf = r.a;
	memcpy(f->vendor, &r.b, 4);
	memcpy(f->vendor + 4, &r.d, 4);
	memcpy(f->vendor + 8, &r.c, 4);

	r = cpuid(1, 0);
	f->apic = r.d & (1u << 9);
	f->pcid = r.c & (1u << 17);
	f->x2apic = r.c & (1u << 21);
	f->xsave = r.c & (1u << 26);
	f->avx = r.c & (1u << 28);
	f->vmx = r.c & (1u << 5);

	if (f->max_leaf >= 7)
		f->invpcid = cpuid(7, 0).b & (1u << 10);

	f->max_ext_leaf = cpuid(0x80000000u, 0).a;
	if (f->max_ext_leaf >= 0x80000001u) {
		r = cpuid(0x80000001u, 0);
		f->nx = r.d & (1u << 20);
		f->pdpe1gb = r.d & (1u << 26);
		f->svm = r.c & (1u << 2);
	}
	if (f->max_ext_leaf >= 0x80000004u) {
		for (uint32_t i = 0; i < 3; i++) {
			r = cpuid(0x80000002u + i, 0);
			put_regs(f->brand + 16 * i, r.a, r.b, r.c, r.d);
		}
	}
	if (f->max_ext_leaf >= 0x80000007u)
		f->tsc_invariant = cpuid(0x80000007u, 0).d & (1u << 8);
	if (f->max_ext_leaf >= 0x80000008u) {
		r = cpuid(0x80000008u, 0);
		f->phys_bits = r.a & 0xff;
		f->virt_bits = (r.a >> 8) & 0xff;
	} else {
		f->phys_bits = 36;
		f->virt_bits = 48;
	}
	/* AMD APM vol. 2, 15.4: SVM leaf 8000_000A describes nested paging and friends. */
	if (f->svm && f->max_ext_leaf >= 0x8000000Au) {
		r = cpuid(0x8000000Au, 0);
		f->svm_asids = r.b;
		f->npt = r.d & (1u << 0);
		f->nrips = r.d & (1u << 3);
		f->flush_by_asid = r.d & (1u << 6);
		f->decode_assists = r.d & (1u << 7);
		f->avic = r.d & (1u << 13);
		/* APM vol. 2, 15.30.1: VM_CR.SVMDIS set means firmware locked SVM off. */
		f->svm_disabled_by_bios = rdmsr(MSR_VM_CR) & VM_CR_SVMDIS;
	}
}
