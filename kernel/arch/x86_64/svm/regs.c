/* Guest registers of an SVM VCPU: where each enum vcpu_reg lives (VMCB or the VCPU's own page). */
#include "abi/vcpu.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/svm/svm.h"
#include "arch/x86_64/svm/vmcb.h"
#include "core/machine.h"
#include "obj/vcpu.h"

/* A plain 64-bit VMCB field per register id; 0 where the register is elsewhere. */
static const uint16_t field[VCPU_REG_COUNT] = {
	[VCPU_RAX] = VMCB_RAX,
	[VCPU_RSP] = VMCB_RSP,
	[VCPU_RIP] = VMCB_RIP,
	[VCPU_RFLAGS] = VMCB_RFLAGS,
	[VCPU_CR0] = VMCB_CR0,
	[VCPU_CR2] = VMCB_CR2,
	[VCPU_CR3] = VMCB_CR3,
	[VCPU_CR4] = VMCB_CR4,
	[VCPU_EFER] = VMCB_EFER,
	[VCPU_ES_BASE] = VMCB_ES + SEG_BASE,
	[VCPU_CS_BASE] = VMCB_CS + SEG_BASE,
	[VCPU_SS_BASE] = VMCB_SS + SEG_BASE,
	[VCPU_DS_BASE] = VMCB_DS + SEG_BASE,
	[VCPU_FS_BASE] = VMCB_FS + SEG_BASE,
	[VCPU_GS_BASE] = VMCB_GS + SEG_BASE,
	[VCPU_LDTR_BASE] = VMCB_LDTR + SEG_BASE,
	[VCPU_TR_BASE] = VMCB_TR + SEG_BASE,
	[VCPU_GDTR_BASE] = VMCB_GDTR + SEG_BASE,
	[VCPU_IDTR_BASE] = VMCB_IDTR + SEG_BASE,
	[VCPU_STAR] = VMCB_STAR,
	[VCPU_LSTAR] = VMCB_LSTAR,
	[VCPU_CSTAR] = VMCB_CSTAR,
	[VCPU_SFMASK] = VMCB_SFMASK,
	[VCPU_KERNEL_GS_BASE] = VMCB_KERNEL_GS_BASE,
	[VCPU_SYSENTER_CS] = VMCB_SYSENTER_CS,
	[VCPU_SYSENTER_ESP] = VMCB_SYSENTER_ESP,
	[VCPU_SYSENTER_EIP] = VMCB_SYSENTER_EIP,
	[VCPU_PAT] = VMCB_G_PAT,
	[VCPU_DR6] = VMCB_DR6,
	[VCPU_DR7] = VMCB_DR7,
	[VCPU_EVENT] = VMCB_EVENTINJ,
};

/* The VMCB segment of a packed segment register id, in enum vcpu_reg order ES..TR. */
static const uint16_t segment[] = { VMCB_ES, VMCB_CS, VMCB_SS, VMCB_DS,
				    VMCB_FS, VMCB_GS, VMCB_LDTR, VMCB_TR };

static bool is_segment(unsigned id)
{
	return id >= VCPU_ES && id <= VCPU_TR;
}

err_t virt_reg_check(unsigned id, bool write)
{
	if (id >= VCPU_REG_COUNT)
		return E_RANGE;
	return write && (id == VCPU_HOST_INTERRUPTS || id == VCPU_TSC_KHZ) ? E_INVAL : E_OK;
}

/* A segment register in VCPU_SEG() form, from the VMCB segment at s. */
static uint64_t segment_read(const uint8_t *vmcb, unsigned s)
{
	return VCPU_SEG(VMCB16(vmcb, s + SEG_SEL), VMCB16(vmcb, s + SEG_ATTR), VMCB32(vmcb, s + SEG_LIMIT));
}

static uint64_t virq_read(const uint8_t *vmcb)
{
	uint64_t c = VMCB64(vmcb, VMCB_VINTR);

	return (c >> VINTR_VECTOR_SHIFT & 0xFF) | (c & VINTR_IRQ ? VCPU_VIRQ_PENDING : 0);
}

uint64_t virt_reg_read(const struct vcpu *v, unsigned id)
{
	const uint8_t *vmcb = svm_vmcb(v);

	if (id <= VCPU_R15 && !field[id])
		return v->gpr[id];
	if (is_segment(id))
		return segment_read(vmcb, segment[id - VCPU_ES]);
	switch (id) {
	case VCPU_GDTR_LIMIT:
		return VMCB32(vmcb, VMCB_GDTR + SEG_LIMIT);
	case VCPU_IDTR_LIMIT:
		return VMCB32(vmcb, VMCB_IDTR + SEG_LIMIT);
	case VCPU_EFER:
		return VMCB64(vmcb, VMCB_EFER) & ~(uint64_t)EFER_SVME;	/* ours, not the guest's */
	case VCPU_HOST_INTERRUPTS:
		return v->host_interrupts;
	case VCPU_VIRQ:
		return virq_read(vmcb);
	case VCPU_DEADLINE:
		return v->deadline;
	case VCPU_HALT_IN_GUEST:
		return !(VMCB32(vmcb, VMCB_INTERCEPT_1) & INT1_HLT);
	case VCPU_TSC_KHZ:
		return machine.tsc_khz;
	default:
		return VMCB64(vmcb, field[id]);
	}
}

void virt_exit_regs(const struct vcpu *v, uint64_t *w)
{
	const uint8_t *vmcb = svm_vmcb(v);

	for (unsigned r = VCPU_RAX; r <= VCPU_RSP; r++)
		w[VCPU_EXIT_RAX + r] = v->gpr[r];
	w[VCPU_EXIT_RAX] = VMCB64(vmcb, VMCB_RAX);	/* the two the VMCB holds */
	w[VCPU_EXIT_RSP] = VMCB64(vmcb, VMCB_RSP);
	w[VCPU_EXIT_RFLAGS] = VMCB64(vmcb, VMCB_RFLAGS);
	for (unsigned r = VCPU_R8; r <= VCPU_R15; r++)
		w[VCPU_EXIT_R8 + r - VCPU_R8] = v->gpr[r];
	w[VCPU_EXIT_CR0] = VMCB64(vmcb, VMCB_CR0);
	w[VCPU_EXIT_CR3] = VMCB64(vmcb, VMCB_CR3);
	w[VCPU_EXIT_CR4] = VMCB64(vmcb, VMCB_CR4);
	w[VCPU_EXIT_EFER] = VMCB64(vmcb, VMCB_EFER) & ~(uint64_t)EFER_SVME;
	w[VCPU_EXIT_CS] = segment_read(vmcb, VMCB_CS);
	w[VCPU_EXIT_CS_BASE] = VMCB64(vmcb, VMCB_CS + SEG_BASE);
	w[VCPU_EXIT_VIRQ] = virq_read(vmcb);
}

void virt_reg_write(struct vcpu *v, unsigned id, uint64_t value)
{
	uint8_t *vmcb = svm_vmcb(v);

	if (id <= VCPU_R15 && !field[id]) {
		v->gpr[id] = value;
		return;
	}
	if (is_segment(id)) {
		unsigned s = segment[id - VCPU_ES];
		VMCB16(vmcb, s + SEG_SEL) = VCPU_SEG_SEL(value);
		VMCB16(vmcb, s + SEG_ATTR) = VCPU_SEG_ATTR(value);
		VMCB32(vmcb, s + SEG_LIMIT) = VCPU_SEG_LIMIT(value);
		/* The VMCB keeps the CPL apart; it is SS.DPL (APM 15.5.1). */
		if (id == VCPU_SS)
			VMCB8(vmcb, VMCB_CPL) = (uint8_t)((VCPU_SEG_ATTR(value) >> 5) & 3);
		return;
	}
	switch (id) {
	case VCPU_GDTR_LIMIT:
		VMCB32(vmcb, VMCB_GDTR + SEG_LIMIT) = (uint32_t)value & 0xFFFF;
		return;
	case VCPU_IDTR_LIMIT:
		VMCB32(vmcb, VMCB_IDTR + SEG_LIMIT) = (uint32_t)value & 0xFFFF;
		return;
	case VCPU_EFER:
		/* SVME stays on under the guest: VMRUN requires it, and it is not the guest's to see. */
		VMCB64(vmcb, VMCB_EFER) = value | EFER_SVME;
		return;
	case VCPU_VIRQ:
		/* Ignoring the TPR keeps V_INTR_PRIO out of the way (APM 15.21.4). */
		VMCB64(vmcb, VMCB_VINTR) = VINTR_MASKING |
			(value & VCPU_VIRQ_PENDING ? VINTR_IRQ | VINTR_IGN_TPR | 0xFull << VINTR_PRIO_SHIFT |
			 (value & 0xFF) << VINTR_VECTOR_SHIFT : 0);
		return;
	case VCPU_DEADLINE:
		v->deadline = value;
		return;
	case VCPU_HALT_IN_GUEST:
		if (value)
			VMCB32(vmcb, VMCB_INTERCEPT_1) &= ~INT1_HLT;
		else
			VMCB32(vmcb, VMCB_INTERCEPT_1) |= INT1_HLT;
		return;
	default:
		VMCB64(vmcb, field[id]) = value;
		return;
	}
}
