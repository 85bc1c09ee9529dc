/* In-kernel test suite, threads: scheduling, notifications, endpoint IPC, faults. */
#include "cap.h"
#include "test.h"
#include "tests.h"

#define ROOT CAP_INIT_CNODE

/* Shared with the threads of the current case. */
static volatile uint64_t flag, counter[2], stop, seen_badge, seen_label, seen_mr, ipc_arg;

static void reset(void)
{
	flag = stop = seen_badge = seen_label = seen_mr = ipc_arg = 0;
	counter[0] = counter[1] = 0;
}

static void signal_and_exit(uint64_t ntfn)
{
	flag = 1;
	(void)ipc_send(ntfn, 0, 0, 0);
	thread_exit();
}

static void thread_signals_notification(struct test_env *env)
{
	reset();
	uint64_t n = test_make(env, OBJ_NOTIFICATION, 0, 0);
	CHECK_ERR(cnode_mint(ROOT, S(1), n, CAP_ALL_RIGHTS, 4), E_OK);
	uint64_t t = test_thread(env, 2, signal_and_exit, S(1), 0, ROOT_TASK_PRIORITY);
	CHECK_ERR(tcb_resume(t), E_OK);
	struct msg m = ipc_recv(n);
	CHECK(m.err == E_OK);
	CHECK(m.badge == 4);	/* the notification word: the badge of the cap it signalled */
	CHECK(flag == 1);
}

static void set_flag_and_exit(uint64_t value)
{
	flag = value;
	thread_exit();
}

static void higher_priority_runs_first(struct test_env *env)
{
	reset();
	uint64_t t = test_thread(env, 0, set_flag_and_exit, 7, 0, ROOT_TASK_PRIORITY + 50);
	CHECK(flag == 0);
	CHECK_ERR(tcb_resume(t), E_OK);
	CHECK(flag == 7);	/* it ran before the resume call returned to us */
}

static void lower_priority_waits(struct test_env *env)
{
	reset();
	uint64_t n = test_make(env, OBJ_NOTIFICATION, 0, 0);
	uint64_t t = test_thread(env, 1, signal_and_exit, n, 0, ROOT_TASK_PRIORITY - 50);
	CHECK_ERR(tcb_resume(t), E_OK);
	CHECK(flag == 0);	/* it cannot run while we can */
	CHECK(ipc_recv(n).err == E_OK);
	CHECK(flag == 1);
}

static void spin(uint64_t i)
{
	while (!stop)
		counter[i]++;
	thread_exit();
}

static void equal_priority_round_robin(struct test_env *env)
{
	reset();
	uint64_t a = test_thread(env, 0, spin, 0, 0, ROOT_TASK_PRIORITY);
	uint64_t b = test_thread(env, 1, spin, 1, 1, ROOT_TASK_PRIORITY);
	CHECK_ERR(tcb_resume(a), E_OK);
	CHECK_ERR(tcb_resume(b), E_OK);
	/* Neither spinner yields: only the timeslice lets the other one, and us, run. */
	for (unsigned i = 0; i < 100 && !(counter[0] && counter[1]); i++)
		CHECK_ERR(sys_yield(0, 0), E_OK);
	CHECK(counter[0] > 0 && counter[1] > 0);
	stop = 1;
	CHECK_ERR(cnode_delete(ROOT, a), E_OK);
	CHECK_ERR(cnode_delete(ROOT, b), E_OK);
}

static void server(uint64_t ep)
{
	struct msg m = ipc_recv(ep);

	for (;;) {
		seen_badge = m.badge;
		seen_label = MSGINFO_LABEL(m.info);
		seen_mr = m.mr[0];
		m = ipc_reply_recv(ep, 9, 1, m.mr[0] + 1);
	}
}

static void endpoint_call_reply(struct test_env *env)
{
	reset();
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	CHECK_ERR(cnode_mint(ROOT, S(1), ep, CAP_ALL_RIGHTS, 7), E_OK);
	uint64_t s = test_thread(env, 2, server, ep, 0, ROOT_TASK_PRIORITY);
	CHECK_ERR(tcb_resume(s), E_OK);
	struct msg r = ipc_call(S(1), 3, 1, 41, 0);
	CHECK(r.err == E_OK);
	CHECK(r.mr[0] == 42);
	CHECK(MSGINFO_LABEL(r.info) == 9 && MSGINFO_LENGTH(r.info) == 1);
	CHECK(seen_badge == 7 && seen_label == 3 && seen_mr == 41);
	r = ipc_call(S(1), 4, 1, 99, 0);	/* the server is waiting again */
	CHECK(r.err == E_OK && r.mr[0] == 100);
	CHECK_ERR(cnode_delete(ROOT, s), E_OK);
}

static void send_then_flag(uint64_t ep)
{
	ipc_arg = (uint64_t)ipc_send(ep, 2, 1, 5);
	flag = 1;
	thread_exit();
}

static void send_blocks_until_received(struct test_env *env)
{
	reset();
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	uint64_t t = test_thread(env, 1, send_then_flag, ep, 0, ROOT_TASK_PRIORITY + 50);
	CHECK_ERR(tcb_resume(t), E_OK);
	CHECK(flag == 0);	/* it ran, and now waits in its send */
	struct msg m = ipc_recv(ep);
	CHECK(m.err == E_OK && m.mr[0] == 5 && MSGINFO_LABEL(m.info) == 2);
	CHECK(m.badge == 0);
	CHECK(flag == 1);	/* woken by our receive, it ran first: higher priority */
}

static void non_blocking_calls(struct test_env *env)
{
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	uint64_t n = test_make(env, OBJ_NOTIFICATION, 0, 1);
	CHECK(ipc_nbrecv(ep).err == E_AGAIN);
	CHECK_ERR(ipc_nbsend(ep, 0, 1, 3), E_OK);	/* nobody waits: dropped */
	CHECK(ipc_nbrecv(ep).err == E_AGAIN);
	CHECK(ipc_nbrecv(n).err == E_AGAIN);
}

static void notification_accumulates(struct test_env *env)
{
	uint64_t n = test_make(env, OBJ_NOTIFICATION, 0, 0);
	CHECK_ERR(cnode_mint(ROOT, S(1), n, CAP_ALL_RIGHTS, 1), E_OK);
	CHECK_ERR(cnode_mint(ROOT, S(2), n, CAP_ALL_RIGHTS, 2), E_OK);
	CHECK_ERR(ipc_send(S(1), 0, 0, 0), E_OK);
	CHECK_ERR(ipc_send(S(2), 0, 0, 0), E_OK);
	CHECK_ERR(ipc_send(S(2), 0, 0, 0), E_OK);
	struct msg m = ipc_nbrecv(n);
	CHECK(m.err == E_OK && m.badge == 3);
	CHECK(ipc_nbrecv(n).err == E_AGAIN);	/* receiving cleared the word */
}

static void wait_and_record(uint64_t ep)
{
	ipc_arg = (uint64_t)ipc_recv(ep).err;
	flag = 1;
	thread_exit();
}

static void delete_endpoint_wakes_waiter(struct test_env *env)
{
	reset();
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	uint64_t t = test_thread(env, 1, wait_and_record, ep, 0, ROOT_TASK_PRIORITY + 50);
	CHECK_ERR(tcb_resume(t), E_OK);
	CHECK(flag == 0);
	CHECK_ERR(cnode_delete(ROOT, ep), E_OK);	/* the last cap: the endpoint is destroyed */
	CHECK(flag == 1);
	CHECK(ipc_arg == E_DELETED);
}

static void suspend_and_resume(struct test_env *env)
{
	reset();
	uint64_t t = test_thread(env, 0, spin, 0, 0, ROOT_TASK_PRIORITY);
	CHECK_ERR(tcb_resume(t), E_OK);
	for (unsigned i = 0; i < 100 && !counter[0]; i++)
		(void)sys_yield(0, 0);
	CHECK(counter[0] > 0);
	CHECK_ERR(tcb_suspend(t), E_OK);
	uint64_t frozen = counter[0];
	for (unsigned i = 0; i < 3; i++)
		(void)sys_yield(0, 0);
	CHECK(counter[0] == frozen);
	CHECK_ERR(tcb_resume(t), E_OK);
	for (unsigned i = 0; i < 100 && counter[0] == frozen; i++)
		(void)sys_yield(0, 0);
	CHECK(counter[0] > frozen);
	stop = 1;
	CHECK_ERR(cnode_delete(ROOT, t), E_OK);
}

static void ipc_rights_enforced(struct test_env *env)
{
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	CHECK_ERR(cnode_copy(ROOT, S(1), ep, CAP_READ), E_OK);
	CHECK_ERR(cnode_copy(ROOT, S(2), ep, CAP_WRITE), E_OK);
	CHECK_ERR(ipc_send(S(1), 0, 0, 0), E_RIGHTS);
	CHECK(ipc_recv(S(2)).err == E_RIGHTS);
	CHECK(ipc_call(S(1), 0, 0, 0, 0).err == E_RIGHTS);
	uint64_t n = test_make(env, OBJ_NOTIFICATION, 0, 3);
	CHECK(ipc_call(n, 0, 0, 0, 0).err == E_WRONGTYPE);
	CHECK(ipc_recv(ROOT).err == E_WRONGTYPE);
}

static void tcb_argument_errors(struct test_env *env)
{
	uint64_t t = test_make(env, OBJ_TCB, 0, 0);
	struct call_result r = atoll_call(t, INV_TCB_SET_PRIORITY, 256, 0, 0, 0);
	CHECK(r.err == E_RANGE && r.arg == ARG_MR(0));
	CHECK_ERR(tcb_resume(t), E_INVAL);	/* no registers written: nowhere to run */
	CHECK_ERR(tcb_write_registers(t, 0xFFFF800000000000ull, 0x1000, 0), E_INVAL);
	CHECK_ERR(tcb_write_registers(t, 0x400000, 0xFFFFFFFF80000000ull, 0), E_INVAL);
	CHECK_ERR(tcb_suspend(t), E_OK);	/* suspending an inactive thread is harmless */
}

static void crash(uint64_t arg)
{
	(void)arg;
	__asm__ volatile("ud2");
	flag = 1;	/* never reached */
	thread_exit();
}

static void thread_fault_is_contained(struct test_env *env)
{
	reset();
	uint64_t t = test_thread(env, 0, crash, 0, 0, ROOT_TASK_PRIORITY + 50);
	CHECK_ERR(tcb_resume(t), E_OK);
	CHECK(flag == 0);	/* it faulted and was stopped; we run on */
	CHECK_ERR(cnode_delete(ROOT, t), E_OK);
}

/* Faults at a known instruction: ud2 at fault_ud_here, then a read of page 0x1000. */
extern const char fault_ud_here[], fault_pf_here[];

static void faulter(uint64_t arg)
{
	(void)arg;
	__asm__ volatile(".globl fault_ud_here\nfault_ud_here: ud2");
	flag = 1;	/* resumed here only if the handler moved pc */
	thread_exit();
}

static void recovered(uint64_t value)
{
	flag = value;
	__asm__ volatile(".globl fault_pf_here\nfault_pf_here: movq 0x1000, %%rax" ::: "rax");
	flag = 99;	/* never: the page fault has no recovery */
	thread_exit();
}

static void fault_delivered_to_endpoint(struct test_env *env)
{
	reset();
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	CHECK_ERR(cnode_mint(ROOT, S(1), ep, CAP_ALL_RIGHTS, 5), E_OK);
	uint64_t t = test_thread(env, 2, faulter, 0, 0, ROOT_TASK_PRIORITY + 50);
	CHECK_ERR(tcb_set_fault_ep(t, S(1)), E_OK);
	CHECK_ERR(tcb_set_fault_ep(t, ROOT), E_WRONGTYPE);
	CHECK_ERR(tcb_resume(t), E_OK);
	struct msg m = ipc_recv(ep);	/* the fault was sent as a call: it is waiting */
	CHECK(m.err == E_OK && m.badge == 5);
	CHECK(MSGINFO_LABEL(m.info) == FAULT_LABEL + 6);	/* #UD */
	CHECK(m.mr[0] == (uint64_t)(uintptr_t)fault_ud_here);
	CHECK(flag == 0);
	/* Resume it elsewhere: new registers, then the reply. */
	CHECK_ERR(tcb_write_registers(t, (uint64_t)(uintptr_t)recovered,
				      test_stack_top(0), 3), E_OK);
	m = atoll_ipc(SYS_REPLY_RECV, ep, 0, 0, 0, 0, 0);	/* reply, then take the next fault */
	CHECK(m.err == E_OK);
	CHECK(flag == 3);
	CHECK(MSGINFO_LABEL(m.info) == FAULT_LABEL + 14);	/* #PF */
	CHECK(m.mr[0] == (uint64_t)(uintptr_t)fault_pf_here);
	CHECK(m.mr[1] == 0x1000);
	CHECK((m.mr[2] & 1) == 0);	/* not present */
	CHECK_ERR(cnode_delete(ROOT, t), E_OK);	/* never resumed: delete it */
	CHECK(flag == 3);
}

const struct test_case thread_tests[] = {
	{ "thread_signals_notification", thread_signals_notification },
	{ "higher_priority_runs_first", higher_priority_runs_first },
	{ "lower_priority_waits", lower_priority_waits },
	{ "equal_priority_round_robin", equal_priority_round_robin },
	{ "endpoint_call_reply", endpoint_call_reply },
	{ "send_blocks_until_received", send_blocks_until_received },
	{ "non_blocking_calls", non_blocking_calls },
	{ "notification_accumulates", notification_accumulates },
	{ "delete_endpoint_wakes_waiter", delete_endpoint_wakes_waiter },
	{ "suspend_and_resume", suspend_and_resume },
	{ "ipc_rights_enforced", ipc_rights_enforced },
	{ "tcb_argument_errors", tcb_argument_errors },
	{ "thread_fault_is_contained", thread_fault_is_contained },
	{ "fault_delivered_to_endpoint", fault_delivered_to_endpoint },
};
const unsigned thread_ntests = sizeof(thread_tests) / sizeof(thread_tests[0]);
