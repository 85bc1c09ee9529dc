/* In-kernel test suite, more edges: addressing, IPC ordering, scheduling, mappings. */
#include "cap.h"
#include "kstring.h"
#include "test.h"
#include "tests.h"

#define ROOT CAP_INIT_CNODE
#define VS CAP_INIT_VSPACE
#define VA_C 0x020000000000ull	/* PML4 slot 4: this file's own mappings */

static volatile uint64_t order[8], norder, flag, result;

static void reset(void)
{
	norder = flag = result = 0;
}

/* --- addressing --- */

static void two_level_addressing(struct test_env *env)
{
	/* A radix-4 CNode minted with a 44-bit guard: root (12 bits) + guard 44 + 4 = 60 bits... */
	uint64_t sub = test_make(env, OBJ_CNODE, 4, 0);
	/* The root consumes all 64 bits (its guard is 52), so a CNode below it is only reached
	 * by invoking it directly: copy within it, between its own slots. */
	CHECK_ERR(untyped_retype(test_big_untyped(env->bi), OBJ_ENDPOINT, 0, sub, 2, 1), E_OK);
	/* Inside sub, addresses are 4 bits: depth 4 (a whole cptr needs the guard). */
	struct call_result r = atoll_call(sub, INV_CNODE_COPY, 5, 2, CNODE_ARGS(CAP_ALL_RIGHTS, 0, 4, 4), 0);
	CHECK(r.err == E_OK);
	r = atoll_call(sub, INV_CNODE_COPY, 6, 2, CNODE_ARGS(CAP_ALL_RIGHTS, 0, 4, 3), 0);
	CHECK(r.err == E_DEPTH && r.arg == ARG_MR(1));	/* 3 bits do not reach a slot */
	r = atoll_call(sub, INV_CNODE_COPY, 6, 2, CNODE_ARGS(CAP_ALL_RIGHTS, 0, 64, 4), 0);
	CHECK(r.err == E_DEPTH && r.arg == ARG_MR(0));	/* 64 bits run past a leaf */
}

static void guard_mint_on_cnode(struct test_env *env)
{
	uint64_t sub = test_make(env, OBJ_CNODE, 4, 0);
	/* A copy with a 60-bit guard: 60 + 4 = 64 bits, so its slots take whole cptrs. */
	CHECK_ERR(atoll_call(ROOT, INV_CNODE_MINT, S(2), sub, CNODE_ARGS(CAP_ALL_RIGHTS, 61, 0, 0),
			     0).err, E_RANGE);	/* 61 + 4 > 64 */
	CHECK_ERR(atoll_call(ROOT, INV_CNODE_MINT, S(2), sub, CNODE_ARGS(CAP_ALL_RIGHTS, 60, 0, 0),
			     1ull << 60).err, E_RANGE);	/* guard value wider than 60 bits */
	struct call_result r = atoll_call(ROOT, INV_CNODE_MINT, S(1), sub,
					  CNODE_ARGS(CAP_ALL_RIGHTS, 60, 0, 0), 0);
	CHECK(r.err == E_OK);
	CHECK_ERR(untyped_retype(test_big_untyped(env->bi), OBJ_NOTIFICATION, 0, S(1), 9, 1), E_OK);
	/* Through the guarded copy, slot 9 is cptr 9 at depth 64. */
	r = atoll_call(S(1), INV_CNODE_COPY, 10, 9, CNODE_ARGS(CAP_ALL_RIGHTS, 0, 0, 0), 0);
	CHECK(r.err == E_OK);
	r = atoll_call(S(1), INV_CNODE_COPY, 11, 1ull << 40 | 9, CNODE_ARGS(CAP_ALL_RIGHTS, 0, 0, 0), 0);
	CHECK(r.err == E_LOOKUP && r.arg == ARG_MR(1));	/* guard mismatch */
}

/* --- IPC ordering and edges --- */

static void sender(uint64_t ep_and_id)
{
	uint64_t ep = ep_and_id & 0xFFFF, id = ep_and_id >> 16;

	(void)ipc_send(ep, 0, 1, id);
	thread_exit();
}

static void senders_are_served_in_order(struct test_env *env)
{
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	uint64_t a = test_thread(env, 1, sender, ep | 1 << 16, 0, ROOT_TASK_PRIORITY + 10);
	uint64_t b = test_thread(env, 2, sender, ep | 2 << 16, 1, ROOT_TASK_PRIORITY + 10);
	uint64_t c = test_thread(env, 3, sender, ep | 3 << 16, 2, ROOT_TASK_PRIORITY + 10);
	CHECK_ERR(tcb_resume(b), E_OK);
	CHECK_ERR(tcb_resume(c), E_OK);
	CHECK_ERR(tcb_resume(a), E_OK);
	CHECK(ipc_recv(ep).mr[0] == 2);	/* FIFO: in the order they blocked */
	CHECK(ipc_recv(ep).mr[0] == 3);
	CHECK(ipc_recv(ep).mr[0] == 1);
	CHECK(ipc_nbrecv(ep).err == E_AGAIN);
}

static void length_limits_the_message(struct test_env *env)
{
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	/* A non-blocking send only reaches a waiting receiver: let a thread wait first. */
	(void)ep;
	struct msg m = atoll_ipc(SYS_NBSEND, ep, MSGINFO(7, 2), 11, 22, 33, 44);
	CHECK(m.err == E_OK);	/* nobody waits: dropped, no error */
	CHECK(ipc_nbrecv(ep).err == E_AGAIN);
	CHECK(MSGINFO(7, 2) == (7u | 2u << 16));
}

static void echo_len(uint64_t ep)
{
	struct msg m = ipc_recv(ep);

	for (;;)
		m = atoll_ipc(SYS_REPLY_RECV, ep, MSGINFO(MSGINFO_LENGTH(m.info), 4), m.mr[0], m.mr[1],
			      m.mr[2], m.mr[3]);
}

static void only_length_registers_arrive(struct test_env *env)
{
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	uint64_t s = test_thread(env, 1, echo_len, ep, 0, ROOT_TASK_PRIORITY);
	CHECK_ERR(tcb_resume(s), E_OK);
	struct msg r = atoll_ipc(SYS_CALL, ep, MSGINFO(1, 2), 11, 22, 33, 44);
	CHECK(r.err == E_OK);
	CHECK(MSGINFO_LABEL(r.info) == 2);	/* the server saw length 2 */
	CHECK(r.mr[0] == 11 && r.mr[1] == 22 && r.mr[2] == 0 && r.mr[3] == 0);
	r = atoll_ipc(SYS_CALL, ep, MSGINFO(1, 9), 1, 2, 3, 4);	/* longer than 4: clamped */
	CHECK(MSGINFO_LABEL(r.info) == 4 && r.mr[3] == 4);
	CHECK_ERR(cnode_delete(ROOT, s), E_OK);
}

static void reply_without_caller_is_harmless(struct test_env *env)
{
	(void)env;
	CHECK(atoll_ipc(SYS_REPLY, 0, 0, 0, 0, 0, 0).err == E_OK);
}

static void server_gone(uint64_t ep)
{
	(void)ipc_recv(ep);	/* takes the call, then is deleted before replying */
	flag = 1;
	for (;;)
		(void)sys_yield(0, 0);
}

static void caller_of_deleted_server_stays_blocked(struct test_env *env)
{
	reset();
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	uint64_t s = test_thread(env, 1, server_gone, ep, 0, ROOT_TASK_PRIORITY + 10);
	CHECK_ERR(tcb_resume(s), E_OK);
	/* A helper calls; the server takes it; deleting the server must not crash anything. */
	uint64_t c = test_thread(env, 2, sender, ep | 0 << 16, 1, ROOT_TASK_PRIORITY + 5);
	(void)c;
	CHECK_ERR(cnode_delete(ROOT, s), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(2)), E_OK);
	CHECK(ipc_nbrecv(ep).err == E_AGAIN);
}

static void waiter(uint64_t cap)
{
	result = (uint64_t)ipc_recv(cap).err;
	flag = 1;
	thread_exit();
}

static void suspend_removes_waiter(struct test_env *env)
{
	reset();
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	uint64_t t = test_thread(env, 1, waiter, ep, 0, ROOT_TASK_PRIORITY + 10);
	CHECK_ERR(tcb_resume(t), E_OK);
	CHECK_ERR(tcb_suspend(t), E_OK);
	/* The suspended thread no longer waits: a send finds nobody. */
	CHECK_ERR(ipc_nbsend(ep, 0, 0, 0), E_OK);
	CHECK(flag == 0);
	CHECK_ERR(cnode_delete(ROOT, t), E_OK);
}

static void delete_notification_wakes_waiter(struct test_env *env)
{
	reset();
	uint64_t n = test_make(env, OBJ_NOTIFICATION, 0, 0);
	uint64_t t = test_thread(env, 1, waiter, n, 0, ROOT_TASK_PRIORITY + 10);
	CHECK_ERR(tcb_resume(t), E_OK);
	CHECK(flag == 0);
	CHECK_ERR(cnode_delete(ROOT, n), E_OK);
	CHECK(flag == 1 && result == E_DELETED);
}

static void revoke_untyped_destroys_waiting_thread(struct test_env *env)
{
	reset();
	CHECK_ERR(untyped_retype(test_big_untyped(env->bi), OBJ_UNTYPED, 16, ROOT, S(0), 1), E_OK);
	CHECK_ERR(untyped_retype(S(0), OBJ_ENDPOINT, 0, ROOT, S(1), 1), E_OK);
	CHECK_ERR(untyped_retype(S(0), OBJ_TCB, 0, ROOT, S(2), 1), E_OK);
	CHECK_ERR(tcb_write_registers(S(2), (uint64_t)(uintptr_t)waiter,
				      test_stack_top(0), S(1)), E_OK);
	CHECK_ERR(tcb_set_priority(S(2), ROOT_TASK_PRIORITY + 10), E_OK);
	CHECK_ERR(tcb_resume(S(2)), E_OK);
	CHECK_ERR(cnode_revoke(ROOT, S(0)), E_OK);	/* thread and endpoint go together */
	CHECK(flag == 0);
	CHECK_ERR(untyped_retype(S(0), OBJ_TCB, 0, ROOT, S(2), 1), E_OK);	/* memory reusable */
}

/* --- scheduling --- */

static void record(uint64_t id)
{
	order[norder++] = id;
	thread_exit();
}

static void priorities_order_runs(struct test_env *env)
{
	reset();
	uint64_t n = test_make(env, OBJ_NOTIFICATION, 0, 0);
	uint64_t lo = test_thread(env, 1, record, 1, 0, 20);
	uint64_t mid = test_thread(env, 2, record, 2, 1, 40);
	uint64_t hi = test_thread(env, 3, record, 3, 2, 60);
	CHECK_ERR(tcb_resume(lo), E_OK);
	CHECK_ERR(tcb_resume(hi), E_OK);
	CHECK_ERR(tcb_resume(mid), E_OK);
	/* All are below us; when we block they run highest first. */
	CHECK(norder == 0);
	(void)ipc_nbrecv(n);
	CHECK_ERR(tcb_set_priority(CAP_INIT_TCB, 10), E_OK);	/* drop below them */
	CHECK_ERR(tcb_set_priority(CAP_INIT_TCB, ROOT_TASK_PRIORITY), E_OK);
	CHECK(norder == 3);
	CHECK(order[0] == 3 && order[1] == 2 && order[2] == 1);
}

static void raising_priority_preempts(struct test_env *env)
{
	reset();
	uint64_t t = test_thread(env, 0, record, 9, 0, ROOT_TASK_PRIORITY - 1);
	CHECK_ERR(tcb_resume(t), E_OK);
	CHECK(norder == 0);
	CHECK_ERR(tcb_set_priority(t, ROOT_TASK_PRIORITY + 1), E_OK);
	CHECK(norder == 1 && order[0] == 9);	/* it ran as soon as it outranked us */
}

static void exit_stops_only_that_thread(struct test_env *env)
{
	reset();
	uint64_t t = test_thread(env, 0, record, 4, 0, ROOT_TASK_PRIORITY + 1);
	CHECK_ERR(tcb_resume(t), E_OK);
	CHECK(norder == 1);
	/* Resumed, it goes on after its exit call: still inside thread_exit(), it exits again. */
	CHECK_ERR(tcb_resume(t), E_OK);
	CHECK(norder == 1);
	/* With fresh registers it starts over. */
	CHECK_ERR(tcb_write_registers(t, (uint64_t)(uintptr_t)record,
				      test_stack_top(0), 5), E_OK);
	CHECK_ERR(tcb_resume(t), E_OK);
	CHECK(norder == 2 && order[1] == 5);
}

/* --- mappings --- */

static void large_frame_and_exec_rights(struct test_env *env)
{
	CHECK_ERR(page_table_map(test_make(env, OBJ_PDPT, 0, 0), VS, VA_C), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PD, 0, 1), VS, VA_C), E_OK);
	uint64_t big = test_make(env, OBJ_FRAME_2M, 0, 2);
	CHECK_ERR(frame_map(big, VS, VA_C + 0x1000, CAP_WRITE), E_ALIGN);
	CHECK_ERR(frame_map(big, VS, VA_C, CAP_WRITE), E_OK);
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)VA_C;
	p[0] = 1;
	p[(2u << 20) / 8 - 1] = 2;	/* the last word of the 2 MiB page */
	CHECK(p[0] == 1 && p[(2u << 20) / 8 - 1] == 2);
	/* A page table cannot go where a large page is. */
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 3), VS, VA_C), E_BUSY);
	CHECK_ERR(cnode_copy(ROOT, S(4), big, CAP_READ | CAP_WRITE), E_OK);
	CHECK_ERR(frame_map(S(4), VS, VA_C + (2u << 20), CAP_EXEC), E_RIGHTS);	/* no X right */
	for (unsigned k = 0; k < 5; k++)
		(void)cnode_delete(ROOT, S(k));
}

static void unmap_twice_is_harmless(struct test_env *env)
{
	uint64_t f = test_make(env, OBJ_FRAME_4K, 0, 0);
	CHECK_ERR(frame_unmap(f), E_OK);	/* never mapped */
	CHECK_ERR(frame_unmap(f), E_OK);
	CHECK_ERR(page_table_unmap(test_make(env, OBJ_PT, 0, 1)), E_OK);
	CHECK_ERR(atoll_call(f, INV_PAGE_TABLE_UNMAP, 0, 0, 0, 0).err, E_INVAL);
}

static void untyped_copy_cannot_retype(struct test_env *env)
{
	/* Were retype allowed through a copy, original and copy would each hand out the same memory. */
	uint64_t ut = test_make(env, OBJ_UNTYPED, 14, 0);
	CHECK_ERR(cnode_copy(ROOT, S(1), ut, CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(untyped_retype(ut, OBJ_FRAME_4K, 0, ROOT, S(2), 1), E_OK);
	struct call_result r = atoll_call(S(1), INV_UNTYPED_RETYPE, RETYPE_ARGS(OBJ_FRAME_4K, 0),
					  ROOT, S(3), 1);
	CHECK(r.err == E_RIGHTS && r.arg == ARG_CAP);
	CHECK_ERR(cnode_delete(ROOT, ut), E_OK);	/* the original goes; the copy stays a copy */
	CHECK_ERR(untyped_retype(S(1), OBJ_FRAME_4K, 0, ROOT, S(3), 1), E_RIGHTS);
}

static void probe_slot3(uint64_t unused)
{
	(void)unused;
	result = (uint64_t)ipc_nbrecv(3).err;	/* slot 3 of whatever CSpace we live in */
	flag = 1;
	thread_exit();
}

static void thread_with_its_own_cspace(struct test_env *env)
{
	reset();
	/* A 16-slot CNode whose guard makes a slot number a whole cptr (60 + 4 bits). */
	uint64_t small = test_make(env, OBJ_CNODE, 4, 0);
	struct call_result r = atoll_call(ROOT, INV_CNODE_MINT, S(1), small,
					  CNODE_ARGS(CAP_ALL_RIGHTS, 60, 0, 0), 0);
	CHECK(r.err == E_OK);
	CHECK_ERR(untyped_retype(test_big_untyped(env->bi), OBJ_NOTIFICATION, 0, S(1), 3, 1), E_OK);
	/* In the root CSpace, slot 3 is the VSpace: a thread there gets E_WRONGTYPE. */
	uint64_t t = test_thread(env, 2, probe_slot3, 0, 0, ROOT_TASK_PRIORITY + 10);
	CHECK_ERR(tcb_resume(t), E_OK);
	CHECK(flag == 1 && result == E_WRONGTYPE);
	/* Given the small CNode, slot 3 is the notification: nothing there yet. */
	reset();
	uint64_t u = test_thread(env, 3, probe_slot3, 0, 0, ROOT_TASK_PRIORITY + 10);
	CHECK_ERR(tcb_set_space(u, S(1)), E_OK);
	CHECK_ERR(tcb_set_space(u, CAP_INIT_TCB), E_WRONGTYPE);
	CHECK_ERR(tcb_resume(u), E_OK);
	CHECK(flag == 1 && result == E_AGAIN);
	/* Its CSpace holds the CNode alive even after our caps to it go. */
	CHECK_ERR(cnode_delete(ROOT, S(1)), E_OK);
	CHECK_ERR(cnode_delete(ROOT, small), E_OK);
	CHECK_ERR(cnode_delete(ROOT, u), E_OK);	/* and deleting the thread lets it go */
}

static volatile uint64_t seen_info[2], seen_word[2];

static void listen_twice(uint64_t ep)
{
	for (unsigned i = 0; i < 2; i++) {
		struct msg m = ipc_recv(ep);
		seen_info[i] = m.info;
		seen_word[i] = m.badge;
	}
	flag = 1;
	thread_exit();
}

static void bound_notification_wakes_receiver(struct test_env *env)
{
	reset();
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	uint64_t n = test_make(env, OBJ_NOTIFICATION, 0, 1);
	CHECK_ERR(cnode_mint(ROOT, S(2), n, CAP_ALL_RIGHTS, 4), E_OK);
	uint64_t t = test_thread(env, 3, listen_twice, ep, 0, ROOT_TASK_PRIORITY + 10);
	CHECK_ERR(tcb_bind_ntfn(t, ep), E_WRONGTYPE);
	CHECK_ERR(cnode_copy(ROOT, S(4), n, CAP_WRITE), E_OK);
	CHECK_ERR(tcb_bind_ntfn(t, S(4)), E_RIGHTS);
	CHECK_ERR(tcb_bind_ntfn(t, n), E_OK);
	uint64_t other = test_thread(env, 5, listen_twice, ep, 1, ROOT_TASK_PRIORITY + 10);
	CHECK_ERR(tcb_bind_ntfn(other, n), E_BUSY);	/* one thread per notification */
	CHECK_ERR(tcb_resume(t), E_OK);	/* now waiting on the endpoint */
	CHECK_ERR(ipc_send(S(2), 0, 0, 0), E_OK);	/* the signal wakes it... */
	CHECK((seen_info[0] & MSGINFO_NTFN) && seen_word[0] == 4);
	CHECK_ERR(ipc_send(ep, 6, 1, 9), E_OK);	/* ...and a message still arrives as one */
	CHECK(flag == 1);
	CHECK(!(seen_info[1] & MSGINFO_NTFN) && MSGINFO_LABEL(seen_info[1]) == 6);
}

static void pending_bound_signal_comes_first(struct test_env *env)
{
	reset();
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	uint64_t n = test_make(env, OBJ_NOTIFICATION, 0, 1);
	uint64_t t = test_thread(env, 2, listen_twice, ep, 0, ROOT_TASK_PRIORITY + 10);
	CHECK_ERR(tcb_bind_ntfn(t, n), E_OK);
	CHECK_ERR(ipc_send(n, 0, 0, 0), E_OK);	/* before it listens: kept in the word */
	CHECK_ERR(tcb_resume(t), E_OK);
	CHECK((seen_info[0] & MSGINFO_NTFN) && seen_word[0] == 1);
	CHECK(flag == 0);	/* it waits for the second one */
	CHECK_ERR(cnode_delete(ROOT, t), E_OK);
	CHECK_ERR(tcb_bind_ntfn(test_make(env, OBJ_TCB, 0, 3), n), E_OK);	/* free again */
}

/* --- capability transfer --- */

static volatile uint64_t got_info, got_slot;

static void cap_receiver(uint64_t ep)
{
	struct msg m = ipc_recv(ep);

	got_info = m.info;
	if (m.info & MSGINFO_CAP)
		(void)ipc_send(got_slot, 0, 0, 0);	/* use the cap that arrived */
	flag = 1;
	thread_exit();
}

/* A receiver thread (TCB in S(k)) with receive slot S(5), or refusing caps. */
static uint64_t receiver(struct test_env *env, unsigned k, uint64_t ep, bool accept)
{
	uint64_t t = test_thread(env, k, cap_receiver, ep, k == 1 ? 0 : 1, ROOT_TASK_PRIORITY + 10);

	got_slot = S(5);
	got_info = 0;
	CHECK_ERR(tcb_set_recv_slot(t, S(5), accept), E_OK);
	CHECK_ERR(tcb_resume(t), E_OK);	/* it runs at once and waits on ep */
	return t;
}

static void cap_transfer_with_grant(struct test_env *env)
{
	reset();
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	uint64_t n = test_make(env, OBJ_NOTIFICATION, 0, 2);
	(void)receiver(env, 1, ep, true);
	CHECK(atoll_ipc(SYS_SEND, ep, MSGINFO_WITH_CAP(1, 0, n), 0, 0, 0, 0).err == E_OK);
	CHECK(flag == 1);
	CHECK(got_info & MSGINFO_CAP);	/* it arrived... */
	struct msg m = ipc_nbrecv(n);
	CHECK(m.err == E_OK);	/* ...and the receiver signalled through it */
	CHECK_ERR(cnode_copy(ROOT, S(6), S(5), CAP_ALL_RIGHTS), E_OK);	/* it is a real cap */
}

static void cap_transfer_needs_grant_and_slot(struct test_env *env)
{
	reset();
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	uint64_t n = test_make(env, OBJ_NOTIFICATION, 0, 2);
	CHECK_ERR(cnode_copy(ROOT, S(3), ep, CAP_READ | CAP_WRITE), E_OK);	/* no Grant */
	(void)receiver(env, 1, ep, true);
	CHECK(atoll_ipc(SYS_SEND, S(3), MSGINFO_WITH_CAP(1, 0, n), 0, 0, 0, 0).err == E_OK);
	CHECK(flag == 1 && !(got_info & MSGINFO_CAP));	/* the message, not the cap */
	CHECK_ERR(cnode_copy(ROOT, S(6), S(5), CAP_ALL_RIGHTS), E_EMPTY);
	reset();
	(void)receiver(env, 7, ep, false);	/* a receiver that refuses caps */
	CHECK(atoll_ipc(SYS_SEND, ep, MSGINFO_WITH_CAP(1, 0, n), 0, 0, 0, 0).err == E_OK);
	CHECK(flag == 1 && !(got_info & MSGINFO_CAP));
	CHECK_ERR(cnode_copy(ROOT, S(6), S(5), CAP_ALL_RIGHTS), E_EMPTY);
}

static void read_registers(struct test_env *env)
{
	uint64_t t = test_make(env, OBJ_TCB, 0, 0);
	CHECK_ERR(tcb_write_registers(t, 0x401234, 0x7000, 0), E_OK);
	struct call_result r = tcb_read_registers(t);
	CHECK(r.err == E_OK && r.arg == 0x401234 && r.bits_left == 0x7000);
}

static void allocator(struct test_env *env)
{
	(void)env;
	uint8_t *a = malloc(100), *b = malloc(5000), *c = malloc(1);
	CHECK(a && b && c);
	CHECK(((uintptr_t)a | (uintptr_t)b | (uintptr_t)c) % 16 == 0);
	CHECK(a + 100 <= b || b + 5000 <= a);
	memset(a, 1, 100);
	memset(b, 2, 5000);
	CHECK(a[99] == 1 && b[0] == 2);
	free(b);
	uint8_t *d = malloc(4000);	/* fits where b was */
	CHECK(d == b);
	free(a);
	free(c);
	free(d);
	CHECK(malloc(600u << 10) == NULL);	/* larger than the heap */
	uint8_t *all = malloc((512u << 10) - 64);	/* everything merged back */
	CHECK(all != NULL);
	free(all);
}

const struct test_case more_tests[] = {
	{ "two_level_addressing", two_level_addressing },
	{ "guard_mint_on_cnode", guard_mint_on_cnode },
	{ "senders_are_served_in_order", senders_are_served_in_order },
	{ "length_limits_the_message", length_limits_the_message },
	{ "only_length_registers_arrive", only_length_registers_arrive },
	{ "reply_without_caller_is_harmless", reply_without_caller_is_harmless },
	{ "caller_of_deleted_server_stays_blocked", caller_of_deleted_server_stays_blocked },
	{ "suspend_removes_waiter", suspend_removes_waiter },
	{ "delete_notification_wakes_waiter", delete_notification_wakes_waiter },
	{ "revoke_untyped_destroys_waiting_thread", revoke_untyped_destroys_waiting_thread },
	{ "priorities_order_runs", priorities_order_runs },
	{ "raising_priority_preempts", raising_priority_preempts },
	{ "exit_stops_only_that_thread", exit_stops_only_that_thread },
	{ "large_frame_and_exec_rights", large_frame_and_exec_rights },
	{ "unmap_twice_is_harmless", unmap_twice_is_harmless },
	{ "untyped_copy_cannot_retype", untyped_copy_cannot_retype },
	{ "thread_with_its_own_cspace", thread_with_its_own_cspace },
	{ "bound_notification_wakes_receiver", bound_notification_wakes_receiver },
	{ "pending_bound_signal_comes_first", pending_bound_signal_comes_first },
	{ "cap_transfer_with_grant", cap_transfer_with_grant },
	{ "cap_transfer_needs_grant_and_slot", cap_transfer_needs_grant_and_slot },
	{ "read_registers", read_registers },
	{ "allocator", allocator },
};
const unsigned more_ntests = sizeof(more_tests) / sizeof(more_tests[0]);
