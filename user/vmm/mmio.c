/*
 * Guest accesses to guest-physical addresses outside RAM: the local APIC's and
 * the I/O APIC's pages go to their models (lapic.c, ioapic.c); anywhere else a
 * load reads all ones and a store is dropped, as on an empty bus. To emulate
 * one the VMM reads the instruction through the guest's own page tables and
 * decodes it (decode.c); one it cannot decode stops the VM. MOV to or from a
 * debug register takes the same path.
 */
#include "decode.h"
#include "vmm.h"

#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define EFER_LMA (1ull << 10)
#define PTE_P 1ull
#define PTE_PS (1ull << 7)
#define PTE_ADDR 0x000FFFFFFFFFF000ull
#define MAX_REPORTS 8

/* The x86 register number (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8...) as a VCPU register. */
static const uint8_t gpr[16] = { VCPU_RAX, VCPU_RCX, VCPU_RDX, VCPU_RBX, VCPU_RSP, VCPU_RBP,
				 VCPU_RSI, VCPU_RDI, VCPU_R8, VCPU_R9, VCPU_R10, VCPU_R11,
				 VCPU_R12, VCPU_R13, VCPU_R14, VCPU_R15 };

static bool ram_read(const struct vm *vm, uint64_t gpa, void *out, unsigned n)
{
	if (gpa >= vm->ram_size || n > vm->ram_size - gpa)
		return false;
	memcpy(out, vm->ram + gpa, n);
	return true;
}

/* Guest-linear to guest-physical through the guest's page tables (Intel SDM vol. 3 ch. 4). */
bool guest_translate(const struct vm *vm, const uint64_t cr[4], uint64_t la, uint64_t *gpa)
{
	uint64_t cr0 = cr[0], cr3 = cr[1], cr4 = cr[2], efer = cr[3];

	if (!(cr0 & CR0_PG)) {
		*gpa = la & 0xFFFFFFFFull;
		return true;
	}
	if (!(cr4 & CR4_PAE)) {	/* two levels of 32-bit entries, 4 MiB pages with PSE */
		uint32_t pde, pte;
		if (!ram_read(vm, (cr3 & 0xFFFFF000u) + ((la >> 22) & 0x3FF) * 4, &pde, 4) || !(pde & PTE_P))
			return false;
		if ((pde & PTE_PS) && (cr4 & CR4_PSE)) {
			*gpa = (pde & 0xFFC00000u) | (la & 0x3FFFFF);
			return true;
		}
		if (!ram_read(vm, (pde & 0xFFFFF000u) + ((la >> 12) & 0x3FF) * 4, &pte, 4) || !(pte & PTE_P))
			return false;
		*gpa = (pte & 0xFFFFF000u) | (la & 0xFFF);
		return true;
	}
	/* PAE or 4-level: 9 bits a level below the top (PDPT of 4 entries, or the PML4). */
	unsigned levels = efer & EFER_LMA ? 4 : 3;
	uint64_t table = levels == 4 ? cr3 & PTE_ADDR : cr3 & 0xFFFFFFE0u, e = 0;
	for (unsigned l = levels; l >= 1; l--) {
		unsigned shift = 12 + 9 * (l - 1);
		uint64_t idx = (la >> shift) & (l == 3 && levels == 3 ? 3 : 0x1FF);
		if (!ram_read(vm, table + idx * 8, &e, 8) || !(e & PTE_P))
			return false;
		if (l <= 3 && l >= 2 && (e & PTE_PS) && !(levels == 3 && l == 3)) {
			uint64_t mask = (1ull << shift) - 1;
			*gpa = (e & PTE_ADDR & ~mask) | (la & mask);
			return true;
		}
		table = e & PTE_ADDR;
	}
	*gpa = table | (la & 0xFFF);
	return true;
}

/* Up to 15 bytes at the guest's rip; how many could be read. */
unsigned guest_fetch(struct vm *vm, uint64_t rip, uint8_t *code, bool *long_mode, bool *d32)
{
	uint64_t cr[4], cs_base = 0, cs = 0;

	if (vcpu_read_regs2(vm, VCPU_CR0, VCPU_CR3, &cr[0], &cr[1]) ||
	    vcpu_read_regs2(vm, VCPU_CR4, VCPU_EFER, &cr[2], &cr[3]) ||
	    vcpu_read_regs2(vm, VCPU_CS, VCPU_CS_BASE, &cs, &cs_base))
		return 0;
	unsigned attr = VCPU_SEG_ATTR(cs);
	*long_mode = (cr[3] & EFER_LMA) && (attr & (1u << 9));	/* CS.L */
	*d32 = attr & (1u << 10);				/* CS.D */
	uint64_t la = (*long_mode ? 0 : cs_base) + rip;
	unsigned n = 0;
	for (; n < 15; n++) {
		uint64_t gpa;
		if (!guest_translate(vm, cr, la + n, &gpa) || !ram_read(vm, gpa, &code[n], 1))
			break;
	}
	return n;
}

static void set_gpr(struct vm *vm, const struct insn *in, unsigned size, uint64_t value)
{
	unsigned id = gpr[in->reg & 15];
	uint64_t old = size >= 4 ? 0 : vcpu_read_reg(vm->vcpu, id), v;

	if (size >= 4)
		v = size == 4 ? (uint32_t)value : value;	/* 32-bit writes clear the top half */
	else if (in->high_byte)
		v = (old & ~0xFF00ull) | (value & 0xFF) << 8;
	else
		v = (old & ~((1ull << (size * 8)) - 1)) | (value & ((1ull << (size * 8)) - 1));
	if (vcpu_write_reg(vm->vcpu, id, v))
		vm_stop(vm, "cannot write a register");
}

static bool decode_at(struct vm *vm, uint64_t rip, struct insn *in)
{
	uint8_t code[15];
	bool long_mode = false, d32 = false;
	unsigned n = guest_fetch(vm, rip, code, &long_mode, &d32);

	if (insn_decode(code, n, long_mode, d32, in))
		return true;
	char hex[48] = "";
	for (unsigned k = 0, at = 0; k < n && k < 8; k++, at += 3)
		snprintf(hex + at, sizeof(hex) - at, " %02x", code[k]);
	vm_stop_for(vm, VMSTOP_BAD_INSN, "cannot emulate the instruction at rip 0x%llx:%s%s",
		    (unsigned long long)rip, hex, n ? "" : " (not readable)");
	return false;
}

/* The value a store writes: its immediate or its register (AH..BH for a high byte). */
static uint64_t store_value(struct vm *vm, const struct insn *in)
{
	if (in->kind == INSN_STORE_IMM)
		return in->imm;
	uint64_t r = vcpu_read_reg(vm->vcpu, gpr[in->reg & 15]);
	return in->high_byte ? r >> 8 : r;
}

/*
 * The APICs' registers are 32 bits wide and aligned; a narrower access reads
 * or writes part of one (a narrower write stores the register's other bytes
 * back as they were). Returns false when no device is at gpa.
 */
static bool device_access(struct vm *vm, uint64_t gpa, const struct insn *in, uint64_t *value)
{
	void (*dev)(struct vm *, uint32_t, bool, uint32_t *);

	if (gpa >> 12 == LAPIC_BASE >> 12)
		dev = lapic_mmio;
	else if (gpa >> 12 == IOAPIC_BASE >> 12)
		dev = ioapic_mmio;
	else
		return false;
	uint32_t off = (uint32_t)gpa & 0xFFF, reg = off & ~3u, shift = (off & 3) * 8, cur = 0;
	unsigned size = in->size > 4 ? 4 : in->size;
	if (in->kind == INSN_LOAD || size < 4)
		dev(vm, reg, false, &cur);
	if (in->kind == INSN_LOAD) {
		*value = cur >> shift;
		return true;
	}
	uint32_t mask = size == 4 ? 0xFFFFFFFFu : ((1u << (size * 8)) - 1) << shift;
	uint32_t w = (cur & ~mask) | ((uint32_t)(*value << shift) & mask);
	dev(vm, reg, true, &w);
	return true;
}

void mmio_fault(struct vm *vm, uint64_t gpa, uint64_t rip)
{
	static unsigned reports;
	struct insn in;

	if (gpa < vm->ram_size) {
		vm_stop_for(vm, VMSTOP_RAM_FAULT, "fault on guest RAM at 0x%llx", (unsigned long long)gpa);
		return;
	}
	if (!decode_at(vm, rip, &in))
		return;
	if (in.kind != INSN_LOAD && in.kind != INSN_STORE && in.kind != INSN_STORE_IMM) {
		vm_stop_for(vm, VMSTOP_BAD_INSN, "cannot emulate the instruction at rip 0x%llx",
			    (unsigned long long)rip);
		return;
	}
	uint64_t value = in.kind == INSN_LOAD ? 0 : store_value(vm, &in);
	if (device_access(vm, gpa, &in, &value) || vf_mmio(vm, gpa, in.size, in.kind != INSN_LOAD, &value)) {
		if (in.kind == INSN_LOAD)
			set_gpr(vm, &in, in.dest_size, in.size >= 4 ? value : value & ((1u << (in.size * 8)) - 1));
		vm_set_rip(vm, rip + in.len);
		return;
	}
	if (reports++ < MAX_REPORTS)
		printf("[%s] vmm: %s of %u bytes at 0x%llx: nothing there%s\n", vm->info->name,
		       in.kind == INSN_LOAD ? "read" : "write", in.size, (unsigned long long)gpa,
		       in.kind == INSN_LOAD ? ", all ones" : ", dropped");
	if (in.kind == INSN_LOAD)
		set_gpr(vm, &in, in.dest_size, in.size == 8 ? ~0ull : (1ull << (in.size * 8)) - 1);
	vm_set_rip(vm, rip + in.len);
}

void debug_register_access(struct vm *vm, bool write, uint64_t rip)
{
	struct insn in;

	if (!decode_at(vm, rip, &in))
		return;
	if (in.kind != (write ? INSN_MOV_TO_DR : INSN_MOV_FROM_DR)) {
		vm_stop_for(vm, VMSTOP_BAD_INSN, "debug register exit at rip 0x%llx on another instruction",
			(unsigned long long)rip);
		return;
	}
	/* The guest has no debug registers of its own: reads give the reset values (SDM 17.2). */
	if (!write)
		set_gpr(vm, &in, in.size, in.dr == 6 ? 0xFFFF0FF0u : in.dr == 7 ? 0x400 : 0);
	vm_set_rip(vm, rip + in.len);
}
