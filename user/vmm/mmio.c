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

#define EFER_LMA (1ull << 10)
#define MAX_REPORTS 8
#define GPA_FAULT_WALK (1ull << 33)	/* docs/vcpu.md: during the guest's own page walk */

/* The x86 register number (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8...) as a VCPU register. */
static const uint8_t gpr[16] = { VCPU_RAX, VCPU_RCX, VCPU_RDX, VCPU_RBX, VCPU_RSP, VCPU_RBP,
				 VCPU_RSI, VCPU_RDI, VCPU_R8, VCPU_R9, VCPU_R10, VCPU_R11,
				 VCPU_R12, VCPU_R13, VCPU_R14, VCPU_R15 };

/* What VCPU_RUN left in the IPC buffer about the exit being handled (docs/vcpu.md). */
static const uint64_t *const exit_words = (const uint64_t *)(uintptr_t)COMPONENT_IPC_BUFFER_VA;

/* The guest's x86 register number n (0-15) as it was at the exit. */
static uint64_t exit_gpr(unsigned n)
{
	n &= 15;
	return n >= 8 ? exit_words[VCPU_EXIT_R8 + n - 8] : exit_words[VCPU_EXIT_RAX + gpr[n]];
}

/* Up to 15 bytes at the guest's rip, with the paging registers and CS of the exit. */
unsigned guest_fetch(struct vm *vm, uint64_t rip, uint8_t *code, struct fetch *f)
{
	struct linear_stop stop;

	*f = (struct fetch){ .cr = { exit_words[VCPU_EXIT_CR0], exit_words[VCPU_EXIT_CR3],
				     exit_words[VCPU_EXIT_CR4], exit_words[VCPU_EXIT_EFER] },
			     .cs = exit_words[VCPU_EXIT_CS], .cs_base = exit_words[VCPU_EXIT_CS_BASE] };
	unsigned attr = VCPU_SEG_ATTR(f->cs);
	f->long_mode = (f->cr[3] & EFER_LMA) && (attr & (1u << 9));	/* CS.L */
	f->d32 = attr & (1u << 10);					/* CS.D */
	f->la = (f->long_mode ? 0 : f->cs_base) + rip;
	unsigned n = guest_read_linear(vm, f->cr, f->la, code, 15, &stop);
	f->unmapped = stop.unmapped;
	f->gpa = stop.gpa;
	f->walk = stop.walk;
	return n;
}

/* Why the first instruction byte could not be read, for a VM stop's message. */
static void fetch_failure(const struct fetch *f, char *out, size_t size)
{
	if (f->unmapped)
		snprintf(out, size, "linear 0x%llx not mapped: level-%u entry at 0x%llx is 0x%llx",
			 (unsigned long long)f->la, f->walk.level, (unsigned long long)f->walk.at,
			 (unsigned long long)f->walk.entry);
	else
		snprintf(out, size, "linear 0x%llx is at 0x%llx, outside RAM", (unsigned long long)f->la,
			 (unsigned long long)f->gpa);
}

/*
 * Writes the instruction's register (old: its value at the exit) as a load of size
 * bytes would, and moves rip to next_rip, in one call.
 */
static void set_gpr(struct vm *vm, const struct insn *in, unsigned size, uint64_t value, uint64_t old,
		    uint64_t next_rip)
{
	unsigned id = gpr[in->reg & 15];
	uint64_t v;

	if (size >= 4)
		v = size == 4 ? (uint32_t)value : value;	/* 32-bit writes clear the top half */
	else if (in->high_byte)
		v = (old & ~0xFF00ull) | (value & 0xFF) << 8;
	else
		v = (old & ~((1ull << (size * 8)) - 1)) | (value & ((1ull << (size * 8)) - 1));
	vm_set_rip_and_reg(vm, next_rip, id, v);
}

/*
 * The instruction at rip, for the exit x (a GPA fault, or a debug register exit
 * with x->info2 = 0). One that cannot be read or decoded stops the VM, with what
 * the VMM saw: the exit, the paging registers, CS, and where the fetch failed.
 */
static bool decode_at(struct vm *vm, const struct vcpu_exit *x, struct insn *in)
{
	uint8_t code[15];
	struct fetch f;
	unsigned n = guest_fetch(vm, x->rip, code, &f);

	if (insn_decode(code, n, f.long_mode, f.d32, in))
		return true;
	char hex[48] = "", why[120] = "";
	for (unsigned k = 0, at = 0; k < n && k < 8; k++, at += 3)
		snprintf(hex + at, sizeof(hex) - at, " %02x", code[k]);
	if (!n)
		fetch_failure(&f, why, sizeof(why));
	printf("[%s] vmm: exit %llu info1 0x%llx gpa 0x%llx rip 0x%llx; cr0 0x%llx cr3 0x%llx cr4 0x%llx "
	       "efer 0x%llx cs 0x%llx cs.base 0x%llx%s%s\n", vm->info->name,
	       (unsigned long long)x->reason, (unsigned long long)x->info1,
	       (unsigned long long)x->info2, (unsigned long long)x->rip,
	       (unsigned long long)f.cr[0], (unsigned long long)f.cr[1], (unsigned long long)f.cr[2],
	       (unsigned long long)f.cr[3], (unsigned long long)f.cs, (unsigned long long)f.cs_base,
	       n ? "" : "; ", why);
	vm_stop_for(vm, VMSTOP_BAD_INSN, "cannot emulate the instruction at rip 0x%llx:%s%s%s%s",
		    (unsigned long long)x->rip, hex, n ? "" : " (not readable: ", why, n ? "" : ")");
	return false;
}

/* The value a store writes: its immediate or its register (AH..BH for a high byte). */
static uint64_t store_value(const struct insn *in)
{
	if (in->kind == INSN_STORE_IMM)
		return in->imm;
	uint64_t r = exit_gpr(in->reg);
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

void mmio_fault(struct vm *vm, const struct vcpu_exit *x)
{
	static unsigned reports;
	uint64_t gpa = x->info2, rip = x->rip;
	struct insn in;

	if (gpa < vm->ram_size) {
		vm_stop_for(vm, VMSTOP_RAM_FAULT, "fault on guest RAM at 0x%llx", (unsigned long long)gpa);
		return;
	}
	/* Not the instruction's own access: emulating that would skip it and read the wrong thing. */
	if (x->info1 & GPA_FAULT_WALK) {
		vm_stop_for(vm, VMSTOP_BAD_INSN, "the guest's page walk at rip 0x%llx read 0x%llx, outside RAM "
			    "(info1 0x%llx)", (unsigned long long)rip, (unsigned long long)gpa,
			    (unsigned long long)x->info1);
		return;
	}
	if (!decode_at(vm, x, &in))
		return;
	if (in.kind != INSN_LOAD && in.kind != INSN_STORE && in.kind != INSN_STORE_IMM) {
		vm_stop_for(vm, VMSTOP_BAD_INSN, "cannot emulate the instruction at rip 0x%llx",
			    (unsigned long long)rip);
		return;
	}
	/* Read before the device runs: what it does may reuse the IPC buffer's message words. */
	uint64_t value = in.kind == INSN_LOAD ? 0 : store_value(&in), old = exit_gpr(in.reg);
	if (device_access(vm, gpa, &in, &value) || vf_mmio(vm, gpa, in.size, in.kind != INSN_LOAD, &value)) {
		if (in.kind == INSN_LOAD)
			set_gpr(vm, &in, in.dest_size, in.size >= 4 ? value : value & ((1u << (in.size * 8)) - 1),
				old, rip + in.len);
		else
			vm_set_rip(vm, rip + in.len);
		return;
	}
	if (reports++ < MAX_REPORTS)
		printf("[%s] vmm: %s of %u bytes at 0x%llx: nothing there%s\n", vm->info->name,
		       in.kind == INSN_LOAD ? "read" : "write", in.size, (unsigned long long)gpa,
		       in.kind == INSN_LOAD ? ", all ones" : ", dropped");
	if (in.kind == INSN_LOAD)
		set_gpr(vm, &in, in.dest_size, in.size == 8 ? ~0ull : (1ull << (in.size * 8)) - 1, old,
			rip + in.len);
	else
		vm_set_rip(vm, rip + in.len);
}

void debug_register_access(struct vm *vm, bool write, const struct vcpu_exit *x)
{
	uint64_t rip = x->rip;
	struct insn in;

	if (!decode_at(vm, x, &in))
		return;
	if (in.kind != (write ? INSN_MOV_TO_DR : INSN_MOV_FROM_DR)) {
		vm_stop_for(vm, VMSTOP_BAD_INSN, "debug register exit at rip 0x%llx on another instruction",
			(unsigned long long)rip);
		return;
	}
	/* The guest has no debug registers of its own: reads give the reset values (SDM 17.2). */
	if (!write)
		set_gpr(vm, &in, in.size, in.dr == 6 ? 0xFFFF0FF0u : in.dr == 7 ? 0x400 : 0,
			exit_gpr(in.reg), rip + in.len);
	else
		vm_set_rip(vm, rip + in.len);
}
