/*
 * String I/O exits: the guest's INS and OUTS go through the port models one
 * element at a time, their memory operand read or written through the guest's
 * page tables (strio.c has the logic). The segment of OUTS comes from the
 * instruction's own prefixes, not from decode assists, which we do not rely on.
 */
#include "strio.h"
#include "vmm.h"

#define STRIO_MAX_BYTES 4096	/* per exit: then the guest re-executes the REP */
#define RFLAGS_DF (1ull << 10)
#define PF_WRITE (1u << 1)
#define PF_USER (1u << 2)
#define GUEST_EVENT_PF (14u | 3u << 8 | 1u << 11 | 1u << 31)

static const uint64_t *const exit_words = (const uint64_t *)(uintptr_t)COMPONENT_IPC_BUFFER_VA;

struct strio_ctx {
	struct vm *vm;
	uint64_t cr[4];		/* CR0, CR3, CR4, EFER */
};

/* Page by page: RAM is copied; where nothing is, reads give all ones and writes vanish. */
static bool mem(void *p, uint64_t la, void *buf, unsigned n, bool write)
{
	struct strio_ctx *c = p;
	uint8_t *b = buf;

	while (n) {
		uint64_t gpa;
		unsigned chunk = 4096 - (unsigned)(la & 0xFFF);
		if (chunk > n)
			chunk = n;
		if (!guest_translate(c->vm, c->cr, la, &gpa, NULL))
			return false;
		bool ram = gpa < c->vm->ram_size && chunk <= c->vm->ram_size - gpa;
		if (b && write && ram)
			memcpy(c->vm->ram + gpa, b, chunk);
		else if (b && !write)
			ram ? memcpy(b, c->vm->ram + gpa, chunk) : memset(b, 0xFF, chunk);
		la += chunk;
		n -= chunk;
		if (b)
			b += chunk;
	}
	return true;
}

static bool port(void *p, uint16_t port, unsigned size, bool write, uint32_t *value)
{
	struct strio_ctx *c = p;
	uint32_t mask = size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
	struct io io = { .port = port, .size = (uint8_t)size, .write = write,
			 .value = write ? *value & mask : mask };

	ports_access(c->vm, &io);
	*value = io.value & mask;
	return !c->vm->stopped;
}

void strio_exit(struct vm *vm, uint64_t info1, uint64_t rip, uint64_t next_rip)
{
	struct strio_regs r = { .rsi = exit_words[VCPU_EXIT_RSI], .rdi = exit_words[VCPU_EXIT_RDI],
				.rcx = exit_words[VCPU_EXIT_RCX],
				.df = exit_words[VCPU_EXIT_RFLAGS] & RFLAGS_DF };
	struct strio_ctx c = { .vm = vm };
	struct strio_ops ops = { mem, port, &c };
	struct strio s;
	uint64_t cs, base = 0, fault_la = 0;
	uint8_t code[15];
	struct fetch f;

	if (!strio_parse(info1, &s)) {
		vm_stop(vm, "malformed string I/O exit 0x%llx", (unsigned long long)info1);
		return;
	}
	unsigned n = guest_fetch(vm, rip, code, &f);
	bool long_mode = f.long_mode;
	if (next_rip > rip && next_rip - rip < n)
		n = (unsigned)(next_rip - rip);
	int seg;
	unsigned addr_size;
	if (!strio_decode(code, n, long_mode, f.d32, s.in, &seg, &addr_size)) {
		vm_stop_for(vm, VMSTOP_BAD_INSN, "string I/O exit at rip 0x%llx on another instruction",
			    (unsigned long long)rip);
		return;
	}
	if (vcpu_read_regs2(vm, VCPU_CR0, VCPU_CR3, &c.cr[0], &c.cr[1]) ||
	    vcpu_read_regs2(vm, VCPU_CR4, VCPU_EFER, &c.cr[2], &c.cr[3]) ||
	    vcpu_read_regs2(vm, VCPU_CS, VCPU_ES_BASE + (unsigned)seg, &cs, &base)) {
		vm_stop(vm, "cannot read the registers for string I/O");
		return;
	}
	if (!s.addr_size)
		s.addr_size = addr_size;
	if (long_mode && seg != SEG_FS && seg != SEG_GS)
		base = 0;	/* 64-bit mode: only FS and GS have a base */
	enum strio_result res = strio_run(&s, &r, base, long_mode, STRIO_MAX_BYTES / s.size, &ops,
					  &fault_la);
	if (res == STRIO_STOPPED)
		return;
	if (r.rcx != exit_words[VCPU_EXIT_RCX])
		vm->moved = true;	/* a chunk of a rep: the guest runs it again, further on */
	vm_write_at_run(vm, VCPU_RSI, r.rsi);
	vm_write_at_run(vm, VCPU_RDI, r.rdi);
	vm_write_at_run(vm, VCPU_RCX, r.rcx);
	if (res == STRIO_FAULT) {
		/* Not present: the error code says write for INS and user for CPL 3 (SDM 4.7). */
		uint64_t err = (s.in ? PF_WRITE : 0) | ((VCPU_SEG_ATTR(cs) >> 5 & 3) == 3 ? PF_USER : 0);
		vm_write_at_run(vm, VCPU_CR2, fault_la);
		vm_write_at_run(vm, VCPU_EVENT, GUEST_EVENT_PF | err << 32);
		return;
	}
	if (res == STRIO_DONE)
		vm_set_rip(vm, next_rip);
}
