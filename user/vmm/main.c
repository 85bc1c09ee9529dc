/* The VMM's main loop: set the VM up from the info page, run the VCPU, sort its exits. */
#include <stdarg.h>

#include "vmm.h"

static struct vm the_vm;
_Static_assert(__builtin_offsetof(struct vm, lock) == VM_STATE_SHARED_OFFSET,
	       "a vCPU's own state ends where the shared pages begin");
_Static_assert(sizeof(struct vm) <= VM_STATE_SHARED_OFFSET + VM_STATE_SHARED_PAGES * 4096,
	       "the VM's shared state fits in its pages");
static uint64_t *const exit_words = (uint64_t *)(uintptr_t)COMPONENT_IPC_BUFFER_VA;

/* This vCPU's last exits (a ring), printed when the guest stops on a failure. */
#define RECENT_EXITS 12
static struct recent_exit {
	struct vcpu_exit x;
	uint64_t vendor_code, event;
} recent[RECENT_EXITS];

static void print_recent_exits(const struct vm *vm)
{
	unsigned n = vm->exits < RECENT_EXITS ? (unsigned)vm->exits : RECENT_EXITS;

	printf("[%s] vmm: the last %u exits, oldest first (reason, code, info1, info2, rip, event):\n",
	       vm->info->name, n);
	for (uint64_t i = vm->exits - n; i < vm->exits; i++) {
		const struct recent_exit *r = &recent[i % RECENT_EXITS];
		printf("[%s] vmm:   %llu 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx\n", vm->info->name,
		       (unsigned long long)r->x.reason, (unsigned long long)r->vendor_code,
		       (unsigned long long)r->x.info1, (unsigned long long)r->x.info2,
		       (unsigned long long)r->x.rip, (unsigned long long)r->event);
	}
}

uint64_t tsc_now(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

long vcpu_read_regs2(struct vm *vm, unsigned id, unsigned id2, uint64_t *v, uint64_t *v2)
{
	struct msg m = atoll_ipc(SYS_CALL, vm->vcpu, INV_VCPU_READ_REGS, id, id2, 0, 0);

	*v = m.mr[0];
	*v2 = m.mr[2];
	return m.err;
}

void vm_stop_for(struct vm *vm, enum vmstop why, const char *fmt, ...)
{
	char msg[224];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	uart_flush(vm);
	printf("[%s] vm stopped: %s\n", vm->info->name, msg);
	if (!vm->stopped)
		vm->why = why;
	vm->stopped = true;
	for (unsigned j = 0; j < vm->ncpus; j++)
		if (j != vm->cpu)
			vm->kick(vm, j);	/* the other vCPUs end too */
}

/* The writes queued for the next VCPU_RUN: (id, value) pairs in the IPC buffer, where it reads them. */
static uint64_t *const run_writes = (uint64_t *)(uintptr_t)COMPONENT_IPC_BUFFER_VA + VCPU_RUN_WRITE_WORD;

void vm_write_at_run(struct vm *vm, unsigned id, uint64_t value)
{
	/* Full: made now, which is safe as no queued write is of this register. */
	if (!runq_add(run_writes, &vm->nwrites, VCPU_RUN_WRITES_MAX, id, value) &&
	    vcpu_write_reg(vm->vcpu, id, value))
		vm_stop(vm, "cannot write guest register %u", id);
}

void vm_set_rip(struct vm *vm, uint64_t rip)
{
	vm->moved = true;
	vm_write_at_run(vm, VCPU_RIP, rip);
}

void vm_set_rip_and_reg(struct vm *vm, uint64_t rip, unsigned id, uint64_t value)
{
	vm->moved = true;
	vm_write_at_run(vm, id, value);
	vm_write_at_run(vm, VCPU_RIP, rip);
}

static void inject(struct vm *vm, uint64_t event)
{
	vm_write_at_run(vm, VCPU_EVENT, event);
}

static void exit_cpuid(struct vm *vm, uint64_t rip)
{
	uint32_t r[4];

	cpuid_filter((uint32_t)exit_words[VCPU_EXIT_RAX], (uint32_t)exit_words[VCPU_EXIT_RCX], r);
	if (exit_words[VCPU_EXIT_RAX] == 1)
		r[1] |= vm->cpu << 24;	/* the initial APIC id */
	vm_write_at_run(vm, VCPU_RAX, r[0]);
	vm_write_at_run(vm, VCPU_RBX, r[1]);
	vm_write_at_run(vm, VCPU_RCX, r[2]);
	vm_write_at_run(vm, VCPU_RDX, r[3]);
	vm_set_rip(vm, rip + 2);
}

/* SVM IOIO exit information (AMD APM vol. 2 15.10.2): port, IN, size, string/rep. */
static void exit_io(struct vm *vm, uint64_t info1, uint64_t rip, uint64_t next_rip)
{
	struct io io = { .port = (uint16_t)(info1 >> 16), .write = !(info1 & 1) };
	uint64_t rax = exit_words[VCPU_EXIT_RAX];

	io.size = info1 & (1u << 4) ? 1 : info1 & (1u << 5) ? 2 : 4;
	if (info1 & (1u << 2)) {
		strio_exit(vm, info1, rip, next_rip);
		return;
	}
	uint32_t mask = io.size == 4 ? 0xFFFFFFFFu : (1u << (io.size * 8)) - 1;
	io.value = io.write ? (uint32_t)rax & mask : mask;
	ports_access(vm, &io);
	if (!io.write) {
		/* IN writes al/ax/eax; a 32-bit result clears rax's top half as any 32-bit op does. */
		uint64_t v = io.size == 4 ? (uint64_t)io.value : (rax & ~(uint64_t)mask) | (io.value & mask);
		vm_write_at_run(vm, VCPU_RAX, v);
	}
	vm_set_rip(vm, next_rip);
}

static void exit_msr(struct vm *vm, bool write, uint64_t rip)
{
	uint32_t msr = (uint32_t)exit_words[VCPU_EXIT_RCX];
	uint64_t value = (exit_words[VCPU_EXIT_RDX] << 32) | (uint32_t)exit_words[VCPU_EXIT_RAX];

	if (write ? !msr_write(vm, msr, value) : !msr_read(vm, msr, &value)) {
		inject(vm, GUEST_EVENT_GP);
		return;
	}
	if (!write) {
		vm_write_at_run(vm, VCPU_RAX, (uint32_t)value);
		vm_write_at_run(vm, VCPU_RDX, value >> 32);
	}
	vm_set_rip(vm, rip + 2);
}

/*
 * Right after an exit: if the guest took the vector offered, the controller's
 * acknowledge (irq.c), before the exit is handled (an EOI ends what it took).
 * words: the exit's words say it (false for a notify exit, which has none).
 */
static void ack_taken(struct vm *vm, bool words)
{
	uint64_t r = words ? exit_words[VCPU_EXIT_VIRQ] : vcpu_read_reg(vm->vcpu, VCPU_VIRQ);

	if (!(r & VCPU_VIRQ_PENDING)) {
		irq_ack(vm, vm->virq_vector);
		vm->virq_set = false;
	}
}

/* Before a run: offer what comes next (irq.c) and set the timer deadline, at the run. */
static void sync_interrupts(struct vm *vm)
{
	irq_update(vm, tsc_now());
	console_in_poll(vm, tsc_now());
	int v = irq_pending(vm);
	if (vm->virq_set && v != vm->virq_vector) {
		vm_write_at_run(vm, VCPU_VIRQ, 0);	/* masked or outranked meanwhile */
		vm->virq_set = false;
	}
	if (!vm->virq_set && v >= 0) {
		vm_write_at_run(vm, VCPU_VIRQ, (uint64_t)(v & 0xFF) | VCPU_VIRQ_PENDING);
		vm->virq_set = true;
		vm->virq_vector = v;
	}
	uint64_t d = console_in_deadline(vm, irq_next_deadline(vm));
	if (d != vm->deadline) {
		vm_write_at_run(vm, VCPU_DEADLINE, d);
		vm->deadline = d;
	}
}

/* Instructions that exit as VMEXIT_OTHER: the SVM code says which (APM vol. 2 appendix C). */
static void exit_other(struct vm *vm, uint64_t code, const struct vcpu_exit *x)
{
	uint64_t rip = x->rip;

	if (code >= 0x20 && code < 0x40) {
		debug_register_access(vm, code >= 0x30, x);
		return;
	}
	switch (code) {
	case 0x76:	/* INVD: nothing cached to drop here */
		vm_set_rip(vm, rip + 2);
		return;
	case 0x80: case 0x82: case 0x83: case 0x84: case 0x85: case 0x86: case 0x87:
	case 0x8A: case 0x8B: case 0x8C: case 0x8D:
		/* VMRUN, VMLOAD, VMSAVE, STGI, CLGI, SKINIT, RDTSCP, MONITOR, MWAIT, XSETBV: not offered */
		inject(vm, 6u | 3u << 8 | 1u << 31);	/* #UD */
		return;
	}
	vm_stop_for(vm, VMSTOP_UNEXPECTED, "unexpected exit 0x%llx at rip 0x%llx",
		    (unsigned long long)code, (unsigned long long)rip);
}

static void handle(struct vm *vm, const struct vcpu_exit *x)
{
	switch (x->reason) {
	case VMEXIT_CPUID:
		exit_cpuid(vm, x->rip);
		return;
	case VMEXIT_IO:
		exit_io(vm, x->info1, x->rip, x->info2);
		return;
	case VMEXIT_MSR:
		exit_msr(vm, x->info1 == 1, x->rip);
		return;
	case VMEXIT_TIMER:
		return;	/* sync_interrupts() raises what is due */
	case VMEXIT_NOTIFY:
		vf_notify(vm, x->info1);	/* the VFs' MSIs, other vCPUs' VF requests */
		return;	/* several vCPUs: kicks too; smp_receive() takes what came */
	case VMEXIT_HLT:
		vm_set_rip(vm, x->rip + 1);
		return;
	case VMEXIT_GPA_FAULT:
		mmio_fault(vm, x);
		return;
	case VMEXIT_HYPERCALL:
		inject(vm, 6u | 3u << 8 | 1u << 31);	/* no hypercalls: #UD, as on a bare CPU */
		return;
	case VMEXIT_SHUTDOWN:
		vm_stop_for(vm, VMSTOP_TRIPLE_FAULT, "triple fault (shutdown) at rip 0x%llx",
			    (unsigned long long)x->rip);
		return;
	case VMEXIT_BAD_STATE:
		vm_stop_for(vm, VMSTOP_BAD_STATE, "the CPU refused the guest state at rip 0x%llx",
			    (unsigned long long)x->rip);
		return;
	case VMEXIT_OTHER:
		exit_other(vm, exit_words[VCPU_EXIT_VENDOR_CODE], x);
		return;
	}
	vm_stop_for(vm, VMSTOP_UNEXPECTED, "unexpected exit reason %llu at rip 0x%llx",
		    (unsigned long long)x->reason, (unsigned long long)x->rip);
}

/*
 * "[VM] exits by reason: NAME COUNT, ..." ("[VM] vCPU k: exits..." with several) for the
 * reasons seen, in one console write so that other cores' lines cannot land inside it.
 */
static void print_exit_reasons(const struct vm *vm)
{
	char line[DEBUG_PUTS_MAX - 1];	/* room for the newline in one write */
	size_t n;

	if (vm->ncpus > 1)
		n = (size_t)snprintf(line, sizeof(line), "[%s] vCPU %u: exits by reason:", vm->info->name, vm->cpu);
	else
		n = (size_t)snprintf(line, sizeof(line), "[%s] exits by reason:", vm->info->name);
	const char *sep = "";
	for (unsigned r = 0; r < VMEXIT_REASONS && n < sizeof(line); r++) {
		if (!vm->exits_by_reason[r])
			continue;
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s %s %llu", sep,
				      r < VMEXIT_REASONS - 1 ? exit_loop_reason_name(r) : "unknown",
				      (unsigned long long)vm->exits_by_reason[r]);
		sep = ",";
	}
	printf("%s\n", line);
}

static void kick(struct vm *vm, unsigned cpu)
{
	(void)ipc_send(vm->info->kick[cpu], 0, 0, 0);
}

/* Real mode at vector << 12, as a STARTUP IPI leaves an AP (SDM vol. 3 9.1.1, 11.6.1). */
static long vcpu_startup(struct vm *vm, uint8_t vector)
{
	uint64_t v = vm->vcpu, data = VCPU_SEG(0, 0x93, 0xFFFF);
	long e;

	if ((e = vcpu_write_regs(v, VCPU_CS, VCPU_SEG((unsigned)vector << 8, 0x9B, 0xFFFF),
				 VCPU_CS_BASE, (uint64_t)vector << 12)) ||
	    (e = vcpu_write_regs(v, VCPU_DS, data, VCPU_ES, data)) ||
	    (e = vcpu_write_regs(v, VCPU_SS, data, VCPU_FS, data)) ||
	    (e = vcpu_write_regs(v, VCPU_GS, data, VCPU_DS_BASE, 0)) ||
	    (e = vcpu_write_regs(v, VCPU_ES_BASE, 0, VCPU_SS_BASE, 0)) ||
	    (e = vcpu_write_regs(v, VCPU_FS_BASE, 0, VCPU_GS_BASE, 0)) ||
	    (e = vcpu_write_regs(v, VCPU_GDTR_BASE, 0, VCPU_GDTR_LIMIT, 0xFFFF)) ||
	    (e = vcpu_write_regs(v, VCPU_IDTR_BASE, 0, VCPU_IDTR_LIMIT, 0xFFFF)) ||
	    (e = vcpu_write_regs(v, VCPU_CR0, 0x60000010, VCPU_CR4, 0)) ||
	    (e = vcpu_write_regs(v, VCPU_CR3, 0, VCPU_EFER, 0)) ||
	    (e = vcpu_write_regs(v, VCPU_RIP, 0, VCPU_RFLAGS, 2)) ||
	    (e = vcpu_write_regs(v, VCPU_RSP, 0, VCPU_DR7, 0x400)))
		return e;
	return E_OK;
}

/* An AP waits (with the lock, from and to) for its STARTUP IPI; false if the VM stopped. */
static bool wait_for_sipi(struct vm *vm)
{
	struct vcpu_mail *me = &vm->mail[vm->cpu];

	while (!vm->stopped && !(me->sipi & SMP_SIPI)) {
		smp_unlock(vm);
		(void)ipc_recv(vm->info->wake);
		smp_lock(vm);
	}
	if (vm->stopped)
		return false;
	uint8_t vector = (uint8_t)me->sipi;
	me->sipi = 0;
	me->init = false;
	me->running = true;
	long e = vcpu_startup(vm, vector);
	if (e)
		vm_stop(vm, "vCPU %u: cannot start at 0x%x: %s", vm->cpu, vector << 12, err_str(e));
	else
		printf("[%s] vCPU %u started at 0x%x\n", vm->info->name, vm->cpu, vector << 12);
	return !e;
}

int main(const struct component_info *info)
{
	/* Several vCPUs: the VM's state is where the compiler put it, partly shared (vmm.h). */
	struct vm *vm = info->vm.ncpus > 1 ? (struct vm *)(uintptr_t)info->vm.state_va : &the_vm;

	if (info->magic != COMPONENT_INFO_MAGIC || !info->vm.vcpu || !info->vm.gspace) {
		printf("%s: not a VMM: the info page names no VM\n", info->name);
		return 1;
	}
	vm->info = &info->vm;
	vm->cpu = info->vm.cpu;
	vm->ncpus = info->vm.ncpus ? info->vm.ncpus : 1;
	vm->kick = kick;
	vm->vcpu = info->vm.vcpu;
	vm->ram = (uint8_t *)(uintptr_t)info->vm.ram_va;
	vm->ram_size = info->vm.ram_size;
	long e = vcpu_set_space(vm->vcpu, info->vm.gspace);
	vm->tsc_khz = vcpu_read_reg(vm->vcpu, VCPU_TSC_KHZ);
	if (!e && (!vm->tsc_khz || vm->tsc_khz == ~0ull))
		e = E_UNSUPP;
	if (!e)
		e = vcpu_write_reg(vm->vcpu, VCPU_HALT_IN_GUEST, 1);
	if (!e)
		e = vf_wait_ready(vm);
	if (!e && !vm->cpu)
		e = linux_load(vm);
	if (e) {
		printf("[%s] vm not started: %s\n", vm->info->name, err_str(e));
		return VMSTOP_NOT_STARTED;
	}
	smp_lock(vm);
	if (!vm->cpu) {
		irq_init(vm);
		smp_init(vm);
		vf_init(vm);	/* the guest's PCI bus; stops the VM (said why) if a VF cannot be on it */
	} else
		lapic_init(vm);	/* an AP's own; the devices are the BSP's to set up */
	uint64_t t0 = tsc_now();
	if (vm->cpu && !wait_for_sipi(vm)) {
		smp_unlock(vm);
		return (int)vm->why;	/* the VM stopped before this vCPU started */
	}
	while (!vm->stopped) {
		smp_receive(vm);
		sync_interrupts(vm);
		smp_unlock(vm);
		struct vcpu_exit x = vcpu_run_writing(vm->vcpu, vm->nwrites);
		vm->nwrites = 0;	/* made, or the VM stops below */
		smp_lock(vm);
		if (x.err) {
			vm_stop(vm, "VCPU_RUN failed: %s", err_str(x.err));
			break;
		}
		recent[vm->exits % RECENT_EXITS] = (struct recent_exit){ x,
			x.reason == VMEXIT_NOTIFY ? 0 : exit_words[VCPU_EXIT_VENDOR_CODE],
			x.reason == VMEXIT_NOTIFY ? 0 : exit_words[VCPU_EXIT_EVENT] };
		vm->exits++;
		vm->exits_by_reason[x.reason < VMEXIT_REASONS - 1 ? x.reason : VMEXIT_REASONS - 1]++;
		if (vm->virq_set)
			ack_taken(vm, x.reason != VMEXIT_NOTIFY);
		vm->moved = false;
		handle(vm, &x);
		if (!vm->stopped && exit_loop_note(&vm->loop, x.reason, x.rip, x.info1, vm->moved))
			vm_stop_for(vm, VMSTOP_EXIT_LOOP, "exit loop: %u x %s (info1 0x%llx) at rip 0x%llx",
				    vm->loop.count, exit_loop_reason_name(x.reason),
				    (unsigned long long)x.info1, (unsigned long long)x.rip);
	}
	vf_stats(vm);
	smp_unlock(vm);
	if (vm->why != VMSTOP_RESET && vm->why != VMSTOP_POWER_OFF && vm->exits)
		print_recent_exits(vm);
	if (vm->ncpus > 1)
		printf("[%s] vCPU %u: %llu exits in %llu ms\n", vm->info->name, vm->cpu,
		       (unsigned long long)vm->exits, (unsigned long long)((tsc_now() - t0) / vm->tsc_khz));
	else
		printf("[%s] %llu exits in %llu ms\n", vm->info->name, (unsigned long long)vm->exits,
		       (unsigned long long)((tsc_now() - t0) / vm->tsc_khz));
	print_exit_reasons(vm);
	if (vm->info->devices_va)	/* vCPU 0's VMM, which has the VFs */
		printf("[%s] %llu VF interrupts while the guest ran\n", vm->info->name,
		       (unsigned long long)vm->vf_interrupts);
	vf_dma_victim(vm, true);
	return (int)vm->why;
}
