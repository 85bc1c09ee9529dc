/* SVM on this instance: turning it on, and a VCPU's VMCB and intercepts (AMD APM vol. 2 ch. 15). */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/svm/svm.h"
#include "arch/x86_64/svm/vmcb.h"
#include "core/arch.h"
#include "core/cspace.h"
#include "kstring.h"
#include "obj/vcpu.h"

extern char __data_start[];

/* The host save area VMRUN writes (APM 15.30.4), and the host state VMSAVE keeps across a run. */
static uint8_t hsave[4096] __attribute__((aligned(4096)));
static uint8_t host_state[4096] __attribute__((aligned(4096)));
static bool ready;
paddr_t svm_host_state_pa;

/* Physical address of this instance's private .data/.bss at va (docs/multikernel.md). */
static paddr_t private_pa(const void *va)
{
	return machine.inst[instance_self()].data_pa + (paddr_t)((const char *)va - __data_start);
}

void virt_instance_init(void)
{
	const struct cpu_features *f = &machine.cpu;

	/* boot.c said at boot why not, once for the whole machine. ASID 0 is the host's. */
	if (!f->svm || !f->npt || f->svm_disabled_by_bios || f->svm_asids < 2 || instance_self() < 0)
		return;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, private_pa(hsave));
	svm_host_state_pa = private_pa(host_state);
	ready = true;
}

bool virt_ready(void)
{
	return ready;
}

/* Segment attributes (VMCB form: type, S, DPL, P, AVL, L, D/B, G). */
#define ATTR_CODE32 0xC9B	/* execute/read, accessed, present, 32-bit, 4 KiB granular */
#define ATTR_DATA32 0xC93	/* read/write, accessed, present, 32-bit, 4 KiB granular */
#define ATTR_TSS32_BUSY 0x08B
#define ATTR_LDT 0x082

static void set_seg(uint8_t *vmcb, unsigned off, uint16_t sel, uint16_t attr, uint32_t limit)
{
	VMCB16(vmcb, off + SEG_SEL) = sel;
	VMCB16(vmcb, off + SEG_ATTR) = attr;
	VMCB32(vmcb, off + SEG_LIMIT) = limit;
	VMCB64(vmcb, off + SEG_BASE) = 0;
}

void virt_vcpu_setup(struct vcpu *v)
{
	uint8_t *obj = kobj_ptr(v->pa), *vmcb = obj + SVM_VMCB_OFF;

	/* Every I/O port and MSR exits to the VMM until it is told otherwise (APM 15.10, 15.11). */
	memset(obj + SVM_MSRPM_OFF, 0xFF, SVM_MSRPM_SIZE);
	memset(obj + SVM_IOPM_OFF, 0xFF, SVM_IOPM_SIZE);
	VMCB64(vmcb, VMCB_MSRPM_BASE) = v->pa + SVM_MSRPM_OFF;
	VMCB64(vmcb, VMCB_IOPM_BASE) = v->pa + SVM_IOPM_OFF;
	/*
	 * What the guest must not do to the host: take its interrupts (INTR,
	 * NMI), reach devices and MSRs, drop cache contents (INVD), use SVM
	 * itself, wait on host memory (MONITOR/MWAIT), change XCR0 (the host
	 * does not switch it) or touch debug registers (not switched either).
	 */
	VMCB32(vmcb, VMCB_INTERCEPT_DR) = 0xFFFFFFFFu;
	VMCB32(vmcb, VMCB_INTERCEPT_1) = INT1_INTR | INT1_NMI | INT1_CPUID | INT1_INVD | INT1_HLT |
					 INT1_INVLPGA | INT1_IOIO | INT1_MSR | INT1_SHUTDOWN;
	VMCB32(vmcb, VMCB_INTERCEPT_2) = INT2_VMRUN | INT2_VMMCALL | INT2_VMLOAD | INT2_VMSAVE |
					 INT2_STGI | INT2_CLGI | INT2_SKINIT | INT2_RDTSCP |
					 INT2_MONITOR | INT2_MWAIT | INT2_MWAIT_ARMED | INT2_XSETBV;
	VMCB64(vmcb, VMCB_VINTR) = VINTR_MASKING;
	VMCB64(vmcb, VMCB_NP_CONTROL) = NP_ENABLE;

	/* The guest starts in flat 32-bit protected mode, paging off, at rip 0 (docs/vcpu.md). */
	set_seg(vmcb, VMCB_CS, 0x08, ATTR_CODE32, 0xFFFFFFFFu);
	set_seg(vmcb, VMCB_DS, 0x10, ATTR_DATA32, 0xFFFFFFFFu);
	set_seg(vmcb, VMCB_ES, 0x10, ATTR_DATA32, 0xFFFFFFFFu);
	set_seg(vmcb, VMCB_SS, 0x10, ATTR_DATA32, 0xFFFFFFFFu);
	set_seg(vmcb, VMCB_FS, 0x10, ATTR_DATA32, 0xFFFFFFFFu);
	set_seg(vmcb, VMCB_GS, 0x10, ATTR_DATA32, 0xFFFFFFFFu);
	set_seg(vmcb, VMCB_TR, 0, ATTR_TSS32_BUSY, 0x67);
	set_seg(vmcb, VMCB_LDTR, 0, ATTR_LDT, 0);
	set_seg(vmcb, VMCB_GDTR, 0, 0, 0);
	set_seg(vmcb, VMCB_IDTR, 0, 0, 0);	/* no IDT: any exception ends in a shutdown */
	VMCB64(vmcb, VMCB_CR0) = 0x11;		/* PE, ET */
	VMCB64(vmcb, VMCB_EFER) = EFER_SVME;	/* VMRUN requires it (APM 15.5.1) */
	VMCB64(vmcb, VMCB_RFLAGS) = 0x2;
	VMCB64(vmcb, VMCB_DR6) = 0xFFFF0FF0u;
	VMCB64(vmcb, VMCB_DR7) = 0x400;
	VMCB64(vmcb, VMCB_G_PAT) = 0x0007040600070406ull;	/* the power-on PAT */

	/* x87/SSE as after FNINIT, with all SIMD exceptions masked (APM vol. 2 11.4.4). */
	memset(v->fpu, 0, sizeof(v->fpu));
	*(uint16_t *)&v->fpu[0] = 0x37F;	/* FCW */
	*(uint32_t *)&v->fpu[24] = 0x1F80;	/* MXCSR */
}

uint8_t *svm_vmcb(const struct vcpu *v)
{
	return (uint8_t *)kobj_ptr(v->pa) + SVM_VMCB_OFF;
}
