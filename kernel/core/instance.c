/* One kernel instance per core: comes online, proves it works, then idles. */
#include "core/arch.h"
#include "core/console.h"
#include "core/sched.h"
#include "core/xsignal.h"
#include "abi/bootinfo.h"
#include "kstring.h"

#define WAIT_MS 20000

static int self = -1;
static uint32_t all_mask;			/* every instance of the machine */
static volatile uint32_t got[XSIG_KINDS];	/* per kind: bit per source */
static const struct instance_info *me;
static volatile unsigned got_go_count;

int instance_self(void)
{
	return self;
}

static void __attribute__((noreturn)) finish(bool ok, const char *what);
static void format_mask(char *buf, size_t size, uint32_t mask);

static void check_all_exited(void)
{
	uint32_t exited = got[XSIG_EXIT_PASS] | got[XSIG_EXIT_FAIL];

	if ((exited & all_mask) != all_mask)
		return;
	if (got[XSIG_EXIT_FAIL] & all_mask) {
		char buf[64];
		format_mask(buf, sizeof(buf), got[XSIG_EXIT_FAIL] & all_mask);
		kprintf("atoll: root task(s) on instance(s) %s failed\n", buf);
		finish(false, "root tasks finished, not all passed");
	}
	finish(true, "all root tasks passed");
}

static bool root_ended;

void instance_signal(enum xsig kind, unsigned source)
{
	uint32_t before = __atomic_fetch_or(&got[kind], 1u << source, __ATOMIC_RELAXED);
	/*
	 * Each instance's first notification IPI belongs to the boot round; every later
	 * one is a user's signal, kept as pending bits until the root task binds a
	 * notification (xsignal.c), even if it arrives before our scheduler runs.
	 * After the root task has ended (the scheduler stopped) nobody is listening.
	 */
	if (kind == XSIG_NOTIFY && (before & (1u << source)) && !root_ended)
		xsignal_deliver(source);
	if (kind == XSIG_GO)
		got_go_count++;
	if (self == 0 && (kind == XSIG_EXIT_PASS || kind == XSIG_EXIT_FAIL))
		check_all_exited();
}

void instance_root_exit(uint64_t status, bool faulted)
{
	bool pass = !faulted && status == 0;

	root_ended = true;
	sched_stop();
	if (!faulted)
		kprintf("instance %d: root task exited with status %llu\n", self,
			(unsigned long long)status);
	if (self == 0)
		instance_signal(pass ? XSIG_EXIT_PASS : XSIG_EXIT_FAIL, 0);
	else
		arch_signal(0, pass ? XSIG_EXIT_PASS : XSIG_EXIT_FAIL);
	arch_idle();
}

static void start_root_task(void)
{
	/* In benchmark mode instance 0 measures; instance 1 is its cross-core partner. */
	uint64_t test = machine.user_fault_inst == self ? USER_TEST_WRITE_KERNEL
			: machine.bench		 ? USER_TEST_BENCH
							 : USER_TEST_NONE;

	arch_user_start(me, (unsigned)self, test);
	instance_root_exit(1, true);	/* only reached if loading failed */
}

static uint32_t others(void)
{
	return all_mask & ~(1u << self);
}

static bool all_ready(void)
{
	return (got[XSIG_READY] & others()) == others();
}

static bool go_seen(void)
{
	return got_go_count >= 1;
}

/* The second GO (after the notification round) starts the root tasks. */
static bool go_again(void)
{
	return got_go_count >= 2;
}

static bool all_notified(void)
{
	return (got[XSIG_NOTIFY] & others()) == others();
}

static bool all_done(void)
{
	return (got[XSIG_DONE] & others()) == others();
}

static bool fault_reported(void)
{
	return got[XSIG_HALTED] & (1u << machine.fault_inst);
}

static void format_mask(char *buf, size_t size, uint32_t mask)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < machine.ninst && n < size; i++)
		if (mask & (1u << i))
			n += (size_t)snprintf(buf + n, size - n, "%s%u", n ? "," : "", i);
	if (!n)
		snprintf(buf, size, "none");
}

static void __attribute__((noreturn)) finish(bool ok, const char *what)
{
	kprintf("atoll: %s: %s\n", ok ? "checks passed" : "CHECK FAILED", what);
	if (machine.qemu_exit)
		arch_qemu_exit(ok ? QEMU_EXIT_PASS : QEMU_EXIT_FAIL);
	arch_idle();
}

static void print_online(void)
{
	char ranges[160];
	size_t n = 0;

	for (unsigned i = 0; i < me->part.n; i++)
		n += (size_t)snprintf(ranges + n, sizeof(ranges) - n, "%s[0x%llx-0x%llx)",
				      i ? " " : "", (unsigned long long)me->part.r[i].base,
				      (unsigned long long)me->part.r[i].end);
	kprintf("instance %d online: apic %u, memory %s %llu MiB, kernel data at 0x%llx\n",
		self, me->apic_id, ranges, (unsigned long long)(me->part.bytes >> 20),
		(unsigned long long)me->data_pa);
}

/* The isolation probe: read the first byte of another instance's partition. */
static void probe_foreign_memory(void)
{
	unsigned victim = (unsigned)(self + 1) % machine.ninst;
	paddr_t pa = machine.inst[victim].part.r[0].base;

	kprintf("instance %d: probing instance %u memory at 0x%llx (must fault)\n", self, victim,
		(unsigned long long)pa);
	(void)arch_probe_read(pa);
	kprintf("instance %d: ISOLATION BROKEN: read instance %u memory\n", self, victim);
	arch_signal(0, XSIG_DONE);
	arch_halt();
}

/* Instance 0 waits for every other instance to be up, then runs the all-pairs round. */
static void coordinate(void)
{
	char buf[128];

	if (machine.fault_inst >= 0) {
		if (machine.fault_inst == 0 || machine.fault_inst >= (int)machine.ninst)
			finish(false, "atoll.fault must name an instance other than 0");
		if (!arch_wait(fault_reported, WAIT_MS))
			finish(false, "the faulting instance never reported its halt");
		kprintf("instance 0: instance %d halted after a fatal exception; instance 0 runs on\n",
			machine.fault_inst);
		finish(!(got[XSIG_DONE] & (1u << machine.fault_inst)), "fault contained to one core");
	}
	if (!arch_wait(all_ready, WAIT_MS)) {
		format_mask(buf, sizeof(buf), others() & ~got[XSIG_READY]);
		kprintf("instance 0: no ready signal from instance(s) %s\n", buf);
		finish(false, "instances missing");
	}
	for (unsigned i = 1; i < machine.ninst; i++)
		if (all_mask & (1u << i))
			arch_signal(i, XSIG_GO);
}

static void notify_round(void)
{
	char buf[128];

	for (unsigned i = 0; i < machine.ninst; i++)
		if (others() & (1u << i))
			arch_signal(i, XSIG_NOTIFY);
	bool ok = arch_wait(all_notified, WAIT_MS);
	format_mask(buf, sizeof(buf), got[XSIG_NOTIFY]);
	kprintf("instance %d: notified by %s%s\n", self, buf, ok ? "" : " (TIMEOUT)");
}

void instance_main(void)
{
	uint32_t apic = cpu_apic_id();

	for (unsigned i = 0; i < machine.ninst; i++) {
		if (machine.inst[i].apic_id == apic) {
			self = (int)i;
			me = &machine.inst[i];
		}
		/* Every listed instance takes part; a missing one fails the check below. */
		all_mask |= 1u << i;
	}
	if (!me)
		arch_halt();	/* cannot happen: the boot phase started only listed CPUs */
	console_set_owner_id((unsigned)self);
	arch_instance_init(me);
	print_online();

	if (machine.fault_inst == self)
		probe_foreign_memory();
	if (self == 0) {
		for (unsigned i = 0; i < machine.ninst; i++)
			if (!machine.inst[i].started)
				finish(false, "an instance did not start");
		coordinate();
	} else {
		arch_signal(0, XSIG_READY);
		if (!arch_wait(go_seen, WAIT_MS * 2)) {
			kprintf("instance %d: no go signal from instance 0\n", self);
			arch_halt();
		}
	}
	notify_round();
	if (self != 0) {
		if (!all_notified())
			arch_idle();
		arch_signal(0, XSIG_DONE);
		/* Wait for instance 0's verdict so that root-task output follows it. */
		if (!arch_wait(go_again, WAIT_MS * 2))
			arch_idle();
		start_root_task();
	}
	if (!all_notified() || !arch_wait(all_done, WAIT_MS))
		finish(false, "cross-instance notifications incomplete");
	kprintf("ipi: %u instances, %u cross-instance notifications delivered\n", machine.ninst,
		machine.ninst * (machine.ninst - 1));
	kprintf("atoll: boot checks passed: all instances online and signalling\n");
	for (unsigned i = 1; i < machine.ninst; i++)
		arch_signal(i, XSIG_GO);
	start_root_task();
}
