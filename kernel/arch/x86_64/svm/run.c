/* Running an SVM guest: ASIDs, the entry, and sorting exits into the host's and the VMM's. */
#include "abi/vcpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/svm/event.h"
#include "arch/x86_64/svm/svm.h"
#include "arch/x86_64/svm/vmcb.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/machine.h"
#include "obj/vcpu.h"

/*
 * ASIDs of this core, handed out in generations: a VCPU takes the next one
 * when its translations may be stale, and when they run out the whole TLB is
 * flushed once and a new generation starts. So no ASID is ever shared by two
 * VCPUs' live translations, and FlushByASID is not needed.
 */
static uint32_t asid_next = 1, asid_gen = 1;

/* The x87/SSE state a host thread finds after a guest ran: as after FNINIT. */
static const uint8_t fpu_clean[512] __attribute__((aligned(16))) = {
	[0] = 0x7F, [1] = 0x03,		/* FCW 0x37F */
	[24] = 0x80, [25] = 0x1F,	/* MXCSR 0x1F80 */
};

static void take_asid(struct vcpu *v, uint8_t *vmcb)
{
	if (asid_next >= machine.cpu.svm_asids) {
		asid_gen++;
		asid_next = 1;
		VMCB8(vmcb, VMCB_TLB_CONTROL) = TLB_FLUSH_ALL;
	}
	v->asid = asid_next++;
	v->asid_gen = asid_gen;
}

static uint64_t reason_of(uint64_t code)
{
	switch (code) {
	case SVM_EXIT_CPUID:
		return VMEXIT_CPUID;
	case SVM_EXIT_IOIO:
		return VMEXIT_IO;
	case SVM_EXIT_HLT:
		return VMEXIT_HLT;
	case SVM_EXIT_NPF:
		return VMEXIT_GPA_FAULT;
	case SVM_EXIT_VMMCALL:
		return VMEXIT_HYPERCALL;
	case SVM_EXIT_SHUTDOWN:
		return VMEXIT_SHUTDOWN;
	case SVM_EXIT_MSR:
		return VMEXIT_MSR;
	case SVM_EXIT_INVALID:
		return VMEXIT_BAD_STATE;
	}
	if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32)
		return VMEXIT_EXCEPTION;
	return VMEXIT_OTHER;
}

/*
 * The guest state the exit saved is the host's own: its CR3, IDT and GDT. QEMU
 * 7.2's multi-threaded TCG does this to a VM on core 0 when another core's FPU
 * reload rewrites core 0's SVM flags (docs/vcpu.md); resuming would run host
 * code as the guest, so the VCPU is stopped for good.
 */
static bool holds_host_state(const uint8_t *vmcb)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idt, gdt;

	__asm__ volatile("sidt %0\n\tsgdt %1" : "=m"(idt), "=m"(gdt));
	return VMCB64(vmcb, VMCB_CR3) == read_cr3() && VMCB64(vmcb, VMCB_IDTR + SEG_BASE) == idt.base &&
	       VMCB64(vmcb, VMCB_GDTR + SEG_BASE) == gdt.base;
}

bool virt_vcpu_run(struct vcpu *v, paddr_t nested_root, bool tlb_stale, struct virt_exit *x)
{
	uint8_t *vmcb = svm_vmcb(v);

	/* Every entry, also the one after a host interrupt, passes here: the deadline is exact to that. */
	if (v->deadline && rdtsc() >= v->deadline) {
		*x = (struct virt_exit){ .reason = VMEXIT_TIMER };
		return true;
	}
	if (v->state_lost) {
		*x = (struct virt_exit){ .reason = VMEXIT_BAD_STATE, .vendor_code = SVM_EXIT_INVALID };
		return true;
	}
	if (tlb_stale || v->asid_gen != asid_gen)
		take_asid(v, vmcb);
	VMCB32(vmcb, VMCB_ASID) = v->asid;
	VMCB64(vmcb, VMCB_N_CR3) = nested_root;
	VMCB32(vmcb, VMCB_CLEAN) = 0;	/* the kernel edits the VMCB between runs: reload it all */

	uint64_t cr4 = read_cr4();
	write_cr4(cr4 | CR4_OSFXSR);
	fpu_load(v->fpu);
	svm_enter(v->pa + SVM_VMCB_OFF, v->gpr, svm_host_state_pa);
	fpu_save(v->fpu);
	fpu_load(fpu_clean);
	write_cr4(cr4);
	VMCB8(vmcb, VMCB_TLB_CONTROL) = 0;
	/* The host's syscall MSRs are back, or nothing the host runs from here on can be trusted. */
	if (rdmsr(MSR_LSTAR) != (uint64_t)(uintptr_t)syscall_entry) {
		kprintf("atoll: FATAL instance %d: the host's LSTAR is %#llx after a guest ran\n",
			instance_self(), (unsigned long long)rdmsr(MSR_LSTAR));
		arch_halt();
	}
	if (holds_host_state(vmcb)) {
		kprintf("svm: instance %d: a guest's state was lost in the world switch (its VMCB holds the "
			"host's); that VCPU is stopped\n", instance_self());
		v->state_lost = true;
		*x = (struct virt_exit){ .reason = VMEXIT_BAD_STATE, .vendor_code = SVM_EXIT_INVALID };
		return true;
	}

	/*
	 * An event the guest was taking when the exit came (APM 15.7.2) is
	 * delivered again on the next entry, so that no exit, the host's or the
	 * VMM's, loses it (the VMM sees it in VCPU_EVENT); event.h says which.
	 */
	uint64_t event = VMCB64(vmcb, VMCB_EXITINTINFO);
	uint64_t code = VMCB64(vmcb, VMCB_EXITCODE);
	VMCB64(vmcb, VMCB_EVENTINJ) = svm_event_redeliver(event, code == SVM_EXIT_SHUTDOWN);
	if (code == SVM_EXIT_INTR || code == SVM_EXIT_NMI)
		return false;	/* the host's: it is pending and taken once we leave to user mode */
	x->reason = reason_of(code);
	x->info1 = VMCB64(vmcb, VMCB_EXITINFO1);
	x->info2 = VMCB64(vmcb, VMCB_EXITINFO2);
	x->vendor_code = code;
	x->event = event;
	return true;
}
