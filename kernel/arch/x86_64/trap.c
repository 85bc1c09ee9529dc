/* Trap dispatch: fatal exceptions stop only their own core; interrupts reach the instance. */
#include "arch/x86_64/context.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "core/arch.h"
#include "abi/invocations.h"
#include "core/console.h"
#include "core/ipc.h"
#include "arch/x86_64/ioapic.h"
#include "core/irq.h"
#include "core/sched.h"
#include "kstring.h"


volatile uint64_t arch_ticks;
static unsigned fatal_depth;

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS", "#NP segment not present",
	"#SS stack fault", "#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD error",
	"#VE virtualization", "#CP control protection", "reserved 22", "reserved 23",
	"reserved 24", "reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

/* " (not present, read, kernel)": the #PF error code's P, W/R, U/S and I/D bits (SDM vol. 3 4.7). */
static size_t describe_pf(char *buf, size_t size, uint64_t error)
{
	int n = snprintf(buf, size, " (%s, %s, %s%s)", error & 1 ? "protection" : "not present",
			 error & 2 ? "write" : "read", error & 4 ? "user" : "kernel",
			 error & 16 ? ", fetch" : "");

	return n < (int)size ? (size_t)n : size - 1;
}

static void __attribute__((noreturn)) trap_fatal(const struct trap_frame *f)
{
	char pf[64] = "";
	int self = instance_self();

	if (fatal_depth++) {
		kprintf("atoll: nested fault (vector %llu) while reporting a fault; core halted\n",
			(unsigned long long)f->vector);
		cpu_halt_forever();
	}
	if (f->vector == 14)
		describe_pf(pf, sizeof(pf), f->error);
	kprintf("atoll: FATAL %s%s on instance %d (apic %u), error 0x%llx\n"
		"  rip %016llx  cs %04llx  rflags %016llx\n"
		"  rsp %016llx  ss %04llx\n"
		"  rax %016llx  rbx %016llx  rcx %016llx  rdx %016llx\n"
		"  rsi %016llx  rdi %016llx  rbp %016llx  r8  %016llx\n"
		"  r9  %016llx  r10 %016llx  r11 %016llx  r12 %016llx\n"
		"  r13 %016llx  r14 %016llx  r15 %016llx\n"
		"  cr0 %016llx  cr2 %016llx  cr3 %016llx  cr4 %016llx\n",
		exc_names[f->vector], pf, self, cpu_apic_id(), (unsigned long long)f->error,
		(unsigned long long)f->rip, (unsigned long long)f->cs,
		(unsigned long long)f->rflags, (unsigned long long)f->rsp,
		(unsigned long long)f->ss, (unsigned long long)f->rax, (unsigned long long)f->rbx,
		(unsigned long long)f->rcx, (unsigned long long)f->rdx, (unsigned long long)f->rsi,
		(unsigned long long)f->rdi, (unsigned long long)f->rbp, (unsigned long long)f->r8,
		(unsigned long long)f->r9, (unsigned long long)f->r10, (unsigned long long)f->r11,
		(unsigned long long)f->r12, (unsigned long long)f->r13, (unsigned long long)f->r14,
		(unsigned long long)f->r15, (unsigned long long)read_cr0(),
		(unsigned long long)read_cr2(), (unsigned long long)read_cr3(),
		(unsigned long long)read_cr4());
	/* Say so before telling instance 0, which may end the whole run as soon as it hears. */
	kprintf("atoll: instance %d: core halted\n", self);
	if (self > 0)
		arch_signal(0, XSIG_HALTED);
	cpu_halt_forever();
}

/* A user-mode exception: report it and stop the thread; the kernel runs on. */
static void trap_user_fault(const struct trap_frame *f)
{
	char pf[64] = "";
	struct tcb *t = sched_current;

	if (f->vector == 14) {
		size_t n = describe_pf(pf, sizeof(pf), f->error);
		snprintf(pf + n, sizeof(pf) - n, ", address 0x%llx", (unsigned long long)read_cr2());
	}
	kprintf("instance %d: %s fault: %s%s at rip 0x%llx, rsp 0x%llx, error 0x%llx\n",
		instance_self(), t && !t->is_root ? "thread" : "root task", exc_names[f->vector],
		pf, (unsigned long long)f->rip, (unsigned long long)f->rsp,
		(unsigned long long)f->error);
	if (!t || t->is_root)
		instance_root_exit(0, true);
	struct ipc_msg m = {
		MSGINFO(FAULT_LABEL + f->vector, 4),
		{ f->rip, f->vector == 14 ? read_cr2() : 0, f->error, f->rsp },
	};
	if (ipc_send_fault(t, &m))
		return;
	kprintf("instance %d: thread stopped: it has no fault endpoint\n", instance_self());
	tcb_stop(t);
}

static void trap_interrupt(unsigned v)
{
	if (v == VEC_TIMER) {
		arch_ticks++;
		sched_tick();
	} else if (v >= VEC_IRQ_BASE && v < VEC_IRQ_BASE + IOAPIC_MAX_GSI) {
		lapic_eoi();
		irq_deliver(v - VEC_IRQ_BASE);
		return;
	} else if (v >= VEC_XSIG_BASE && v < VEC_XSIG_BASE + XSIG_SOURCES * XSIG_KINDS) {
		unsigned idx = v - VEC_XSIG_BASE;
		lapic_eoi();	/* before the handler, which may not return */
		instance_signal((enum xsig)(idx / XSIG_SOURCES), idx % XSIG_SOURCES);
		return;
	} else {
		kprintf("atoll: instance %d: unexpected interrupt vector %u\n", instance_self(), v);
	}
	lapic_eoi();
}

struct trap_frame *trap_dispatch(struct trap_frame *f);

struct trap_frame *trap_dispatch(struct trap_frame *f)
{
	unsigned v = (unsigned)f->vector;

	if (v < 32 && !ctx_from_user(f))
		trap_fatal(f);
	if (v == VEC_SPURIOUS)
		return f;	/* no EOI for spurious interrupts (SDM vol. 3 11.9) */
	if (v < 32)
		trap_user_fault(f);
	else
		trap_interrupt(v);
	return sched_leave(f);
}
