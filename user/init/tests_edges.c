/* In-kernel test suite, further edges: bulk retype, long chains, servers, fault-driven paging. */
#include "cap.h"
#include "kstring.h"
#include "test.h"
#include "tests.h"

#define ROOT CAP_INIT_CNODE
#define VS CAP_INIT_VSPACE
#define VA_D 0x028000000000ull	/* PML4 slot 5: this file's mappings */

static volatile uint64_t flag, result, value;

static void reset(void)
{
	flag = result = value = 0;
}

static void retype_many_at_once(struct test_env *env)
{
	CHECK_ERR(untyped_retype(test_big_untyped(env->bi), OBJ_NOTIFICATION, 0, ROOT, S(0), 16), E_OK);
	for (unsigned i = 0; i < 16; i++)
		CHECK_ERR(ipc_send(S(i), 0, 0, 0), E_OK);	/* each is a live notification */
	for (unsigned i = 0; i < 16; i++)
		CHECK(ipc_nbrecv(S(i)).badge == 1);
	CHECK_ERR(ipc_send(S(16), 0, 0, 0), E_EMPTY);	/* exactly sixteen */
}

static void revoke_long_chain_from_user(struct test_env *env)
{
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	for (unsigned i = 1; i < 60; i++)
		CHECK_ERR(cnode_copy(ROOT, S(i), S(i - 1), CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(cnode_revoke(ROOT, ep), E_OK);
	for (unsigned i = 1; i < 60; i++)
		CHECK_ERR(cnode_copy(ROOT, S(63), S(i), CAP_ALL_RIGHTS), E_EMPTY);
	CHECK(ipc_nbrecv(ep).err == E_AGAIN);	/* the original is untouched */
}

static void yield_alone_returns(struct test_env *env)
{
	(void)env;
	for (unsigned i = 0; i < 10; i++)
		CHECK_ERR(sys_yield(0, 0), E_OK);
}

static void ntfn_waiter(uint64_t n)
{
	struct msg m = ipc_recv(n);

	result = (uint64_t)m.err;
	value = m.badge;
	flag = 1;
	thread_exit();
}

static void waiting_on_notification_directly(struct test_env *env)
{
	reset();
	uint64_t n = test_make(env, OBJ_NOTIFICATION, 0, 0);
	uint64_t t = test_thread(env, 1, ntfn_waiter, n, 0, ROOT_TASK_PRIORITY + 10);
	CHECK_ERR(tcb_resume(t), E_OK);
	CHECK(flag == 0);
	CHECK_ERR(ipc_send(n, 0, 0, 0), E_OK);	/* unbadged cap: bit 0 */
	CHECK(flag == 1 && result == E_OK && value == 1);
}

static void ep_waiter(uint64_t ep)
{
	struct msg m = ipc_recv(ep);

	value = m.mr[0];
	flag = 1;
	thread_exit();
}

static void nonblocking_send_reaches_waiter(struct test_env *env)
{
	reset();
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	uint64_t t = test_thread(env, 1, ep_waiter, ep, 0, ROOT_TASK_PRIORITY + 10);
	CHECK_ERR(tcb_resume(t), E_OK);
	CHECK_ERR(ipc_nbsend(ep, 0, 1, 77), E_OK);
	CHECK(flag == 1 && value == 77);
}

static void client(uint64_t ep)
{
	struct msg r = ipc_call(ep, 1, 1, 20, 0);

	value = r.err == E_OK ? r.mr[0] : 0;
	flag = 1;
	thread_exit();
}

static void root_serves_a_call(struct test_env *env)
{
	reset();
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	uint64_t t = test_thread(env, 1, client, ep, 0, ROOT_TASK_PRIORITY + 10);
	CHECK_ERR(tcb_resume(t), E_OK);	/* it calls and waits for us */
	struct msg m = ipc_recv(ep);
	CHECK(m.err == E_OK && m.mr[0] == 20);
	CHECK(flag == 0);
	CHECK(atoll_ipc(SYS_REPLY, 0, MSGINFO(0, 1), m.mr[0] * 2, 0, 0, 0).err == E_OK);
	CHECK(flag == 1 && value == 40);	/* higher priority: it ran at once */
	CHECK(atoll_ipc(SYS_REPLY, 0, MSGINFO(0, 1), 1, 0, 0, 0).err == E_OK);	/* nobody left */
}

static void touch_page(uint64_t addr)
{
	*(volatile uint64_t *)(uintptr_t)addr = 0x5EED;
	value = *(volatile uint64_t *)(uintptr_t)addr;
	flag = 1;
	thread_exit();
}

static void fault_handler_maps_the_page(struct test_env *env)
{
	reset();
	CHECK_ERR(page_table_map(test_make(env, OBJ_PDPT, 0, 0), VS, VA_D), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PD, 0, 1), VS, VA_D), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 2), VS, VA_D), E_OK);
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 3);
	uint64_t t = test_thread(env, 4, touch_page, VA_D + 0x5000, 0, ROOT_TASK_PRIORITY + 10);
	CHECK_ERR(tcb_set_fault_ep(t, ep), E_OK);
	CHECK_ERR(tcb_resume(t), E_OK);
	struct msg m = ipc_nbrecv(ep);
	CHECK(m.err == E_OK && MSGINFO_LABEL(m.info) == FAULT_LABEL + 14 && m.mr[1] == VA_D + 0x5000);
	/* Demand paging: map a frame where it faulted, then let it retry the same instruction. */
	CHECK_ERR(frame_map(test_make(env, OBJ_FRAME_4K, 0, 5), VS, VA_D + 0x5000, CAP_WRITE), E_OK);
	CHECK(atoll_ipc(SYS_REPLY, 0, 0, 0, 0, 0, 0).err == E_OK);
	CHECK(flag == 1 && value == 0x5EED);
	for (unsigned k = 0; k < 6; k++)
		(void)cnode_delete(ROOT, S(k));
}

static void executable_frame_runs_code(struct test_env *env)
{
	/* mov $42, %eax; ret */
	static const uint8_t code[] = { 0xB8, 0x2A, 0x00, 0x00, 0x00, 0xC3 };

	CHECK_ERR(page_table_map(test_make(env, OBJ_PDPT, 0, 0), VS, VA_D), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PD, 0, 1), VS, VA_D), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 2), VS, VA_D), E_OK);
	uint64_t f = test_make(env, OBJ_FRAME_4K, 0, 3);
	CHECK_ERR(frame_map(f, VS, VA_D, CAP_WRITE), E_OK);	/* write the code... */
	memcpy((void *)(uintptr_t)VA_D, code, sizeof(code));
	CHECK_ERR(cnode_copy(ROOT, S(4), f, CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(frame_map(S(4), VS, VA_D + 0x1000, CAP_EXEC), E_OK);	/* ...run it elsewhere */
	int (*fn)(void) = (int (*)(void))(uintptr_t)(VA_D + 0x1000);
	CHECK(fn() == 42);
	for (unsigned k = 0; k < 5; k++)
		(void)cnode_delete(ROOT, S(k));
}

static void tables_need_the_level_above(struct test_env *env)
{
	struct call_result r = atoll_call(test_make(env, OBJ_PD, 0, 0), INV_PAGE_TABLE_MAP, VS, VA_D, 0, 0);
	CHECK(r.err == E_NOENT && r.arg == ARG_MR(1));
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 1), VS, VA_D), E_NOENT);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PDPT, 0, 2), VS, VA_D), E_OK);
	CHECK_ERR(page_table_map(S(0), VS, VA_D), E_OK);	/* now the PD fits */
	CHECK_ERR(page_table_map(S(0), VS, VA_D), E_BUSY);	/* one mapping per cap */
	for (unsigned k = 0; k < 3; k++)
		(void)cnode_delete(ROOT, S(k));
}

static void jump_to(uint64_t addr)
{
	((void (*)(void))(uintptr_t)addr)();
	flag = 1;	/* never: the page is not executable */
	thread_exit();
}

static void nx_frame_refuses_execution(struct test_env *env)
{
	reset();
	CHECK_ERR(page_table_map(test_make(env, OBJ_PDPT, 0, 0), VS, VA_D), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PD, 0, 1), VS, VA_D), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 2), VS, VA_D), E_OK);
	CHECK_ERR(frame_map(test_make(env, OBJ_FRAME_4K, 0, 3), VS, VA_D, CAP_WRITE), E_OK);
	*(volatile uint8_t *)(uintptr_t)VA_D = 0xC3;	/* ret: harmless if it did run */
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 4);
	uint64_t t = test_thread(env, 5, jump_to, VA_D, 0, ROOT_TASK_PRIORITY + 10);
	CHECK_ERR(tcb_set_fault_ep(t, ep), E_OK);
	CHECK_ERR(tcb_resume(t), E_OK);
	struct msg m = ipc_nbrecv(ep);
	CHECK(m.err == E_OK && MSGINFO_LABEL(m.info) == FAULT_LABEL + 14);
	CHECK(m.mr[0] == VA_D && m.mr[1] == VA_D);
	CHECK((m.mr[2] & 0x11) == 0x11);	/* present, instruction fetch: NX stopped it */
	CHECK(flag == 0);
	for (unsigned k = 0; k < 6; k++)
		(void)cnode_delete(ROOT, S(k));
}

static void retype_destination_needs_write(struct test_env *env)
{
	CHECK_ERR(cnode_copy(ROOT, S(0), ROOT, CAP_READ), E_OK);
	struct call_result r = atoll_call(test_big_untyped(env->bi), INV_UNTYPED_RETYPE,
					  RETYPE_ARGS(OBJ_ENDPOINT, 0), S(0), S(1), 1);
	CHECK(r.err == E_RIGHTS && r.arg == ARG_MR(1));
	CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);
}

static void badged_client(uint64_t cap)
{
	(void)ipc_call(cap, 0, 0, 0, 0);
	thread_exit();
}

static void badges_tell_clients_apart(struct test_env *env)
{
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 0);
	CHECK_ERR(cnode_mint(ROOT, S(1), ep, CAP_ALL_RIGHTS, 0xA), E_OK);
	CHECK_ERR(cnode_mint(ROOT, S(2), ep, CAP_ALL_RIGHTS, 0xB), E_OK);
	uint64_t a = test_thread(env, 3, badged_client, S(1), 0, ROOT_TASK_PRIORITY + 10);
	uint64_t b = test_thread(env, 4, badged_client, S(2), 1, ROOT_TASK_PRIORITY + 10);
	CHECK_ERR(tcb_resume(a), E_OK);
	CHECK_ERR(tcb_resume(b), E_OK);
	uint64_t seen = 0;
	for (unsigned i = 0; i < 2; i++) {
		struct msg m = ipc_recv(ep);
		CHECK(m.err == E_OK);
		seen |= 1u << (m.badge - 0xA);
		CHECK(atoll_ipc(SYS_REPLY, 0, 0, 0, 0, 0, 0).err == E_OK);
	}
	CHECK(seen == 3);	/* one call from each, told apart by the badge alone */
}

static volatile uint64_t self_cap;

static void suspend_self(uint64_t unused)
{
	(void)unused;
	flag = 1;
	(void)tcb_suspend(self_cap);
	flag = 2;	/* never: suspending itself stops it at once */
	thread_exit();
}

static void thread_suspends_itself(struct test_env *env)
{
	reset();
	self_cap = test_thread(env, 0, suspend_self, 0, 0, ROOT_TASK_PRIORITY + 10);
	CHECK_ERR(tcb_resume(self_cap), E_OK);
	CHECK(flag == 1);
	CHECK_ERR(tcb_resume(self_cap), E_OK);	/* resumed, it goes on after its suspend */
	CHECK(flag == 2);
}

#define VA_E 0x030000000000ull	/* PML4 slot 6: IPC buffers */

static volatile uint64_t *const root_buf = (volatile uint64_t *)(uintptr_t)VA_E;
static volatile uint64_t *const srv_buf = (volatile uint64_t *)(uintptr_t)(VA_E + 0x1000);

/* Answers each call with every message word plus one, the same length back. */
static void long_echo(uint64_t ep)
{
	struct msg m = ipc_recv(ep);

	for (;;) {
		unsigned len = MSGINFO_LENGTH(m.info);
		for (unsigned i = MSG_MAX_REGS; i < len; i++)
			srv_buf[i] += 1;
		m = atoll_ipc(SYS_REPLY_RECV, ep, MSGINFO(len, len), m.mr[0] + 1, m.mr[1] + 1,
			      m.mr[2] + 1, m.mr[3] + 1);
	}
}

/* Maps frames for the root's buffer (S(4)) and the server's (S(5)) at VA_E. */
static void buffers(struct test_env *env)
{
	CHECK_ERR(page_table_map(test_make(env, OBJ_PDPT, 0, 0), VS, VA_E), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PD, 0, 1), VS, VA_E), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, 2), VS, VA_E), E_OK);
	CHECK_ERR(frame_map(test_make(env, OBJ_FRAME_4K, 0, 4), VS, VA_E, CAP_WRITE), E_OK);
	CHECK_ERR(frame_map(test_make(env, OBJ_FRAME_4K, 0, 5), VS, VA_E + 0x1000, CAP_WRITE), E_OK);
}

static void long_message_through_ipc_buffers(struct test_env *env)
{
	buffers(env);
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 6);
	uint64_t s = test_thread(env, 7, long_echo, ep, 0, ROOT_TASK_PRIORITY);
	CHECK_ERR(tcb_set_ipc_buffer(s, S(5)), E_OK);
	CHECK_ERR(tcb_set_ipc_buffer(CAP_INIT_TCB, S(4)), E_OK);
	CHECK_ERR(tcb_set_ipc_buffer(s, ep), E_WRONGTYPE);
	CHECK_ERR(tcb_resume(s), E_OK);
	for (unsigned i = MSG_MAX_REGS; i < 12; i++)
		root_buf[i] = 100 + i;
	struct msg r = atoll_ipc(SYS_CALL, ep, MSGINFO(0, 12), 1, 2, 3, 4);
	CHECK(r.err == E_OK && MSGINFO_LENGTH(r.info) == 12 && MSGINFO_LABEL(r.info) == 12);
	CHECK(r.mr[0] == 2 && r.mr[3] == 5);
	for (unsigned i = MSG_MAX_REGS; i < 12; i++)
		CHECK(root_buf[i] == 101 + i);	/* there and back, each word plus one */
	CHECK(srv_buf[11] == 112);
	root_buf[MSG_MAX_WORDS - 1] = 7;
	r = atoll_ipc(SYS_CALL, ep, MSGINFO(0, MSG_MAX_WORDS), 0, 0, 0, 0);	/* the longest */
	CHECK(MSGINFO_LENGTH(r.info) == MSG_MAX_WORDS && root_buf[MSG_MAX_WORDS - 1] == 8);
	CHECK_ERR(cnode_delete(ROOT, s), E_OK);
	CHECK_ERR(tcb_set_ipc_buffer(CAP_INIT_TCB, S(4)), E_OK);
	for (unsigned k = 0; k < 8; k++)
		(void)cnode_delete(ROOT, S(k));
}

static void no_buffer_means_registers_only(struct test_env *env)
{
	buffers(env);
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 6);
	uint64_t s = test_thread(env, 7, long_echo, ep, 0, ROOT_TASK_PRIORITY);	/* no buffer */
	CHECK_ERR(tcb_resume(s), E_OK);
	CHECK_ERR(tcb_set_ipc_buffer(CAP_INIT_TCB, S(4)), E_OK);
	struct msg r = atoll_ipc(SYS_CALL, ep, MSGINFO(0, 9), 1, 2, 3, 4);
	CHECK(r.err == E_OK && MSGINFO_LABEL(r.info) == MSG_MAX_REGS);	/* it saw 4 words */
	CHECK(r.mr[0] == 2);
	CHECK_ERR(cnode_delete(ROOT, s), E_OK);
	for (unsigned k = 0; k < 8; k++)
		(void)cnode_delete(ROOT, S(k));	/* deleting S(4) leaves our buffer unset again */
}

#define VA_F 0x038000000000ull	/* PML4 slot 7: code for another address space */

/* Tables for va in the address space vs, in slots S(k..k+2). */
static void tables_in(struct test_env *env, uint64_t vs, uint64_t va, unsigned k)
{
	CHECK_ERR(page_table_map(test_make(env, OBJ_PDPT, 0, k), vs, va), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PD, 0, k + 1), vs, va), E_OK);
	CHECK_ERR(page_table_map(test_make(env, OBJ_PT, 0, k + 2), vs, va), E_OK);
}

static void thread_in_its_own_address_space(struct test_env *env)
{
	uint64_t space = test_make(env, OBJ_PML4, 0, 0);
	uint64_t n = test_make(env, OBJ_NOTIFICATION, 0, 10);
	/* mov $n, %edi; xor %esi, %esi; mov $SYS_SEND, %eax; syscall;
	 * mov $SYS_DEBUG_EXIT, %eax; xor %edi, %edi; syscall; jmp . */
	uint8_t code[] = { 0xBF, 0, 0, 0, 0, 0x31, 0xF6, 0xB8, SYS_SEND, 0, 0, 0, 0x0F, 0x05,
			   0xB8, SYS_DEBUG_EXIT, 0, 0, 0, 0x31, 0xFF, 0x0F, 0x05, 0xEB, 0xFE };
	memcpy(&code[1], &n, 4);

	tables_in(env, space, VA_F, 1);	/* the new space: code at VA_F only */
	CHECK_ERR(frame_map(test_make(env, OBJ_FRAME_4K, 0, 4), space, VA_F, CAP_EXEC), E_OK);
	tables_in(env, VS, VA_F, 5);	/* our own view of the same frame, to write the code */
	CHECK_ERR(cnode_copy(ROOT, S(8), S(4), CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(frame_map(S(8), VS, VA_F, CAP_WRITE), E_OK);
	memcpy((void *)(uintptr_t)VA_F, code, sizeof(code));

	uint64_t t = test_make(env, OBJ_TCB, 0, 9);
	CHECK_ERR(tcb_write_registers(t, VA_F, VA_F + 0x1000, 0), E_OK);
	CHECK_ERR(tcb_set_priority(t, ROOT_TASK_PRIORITY + 10), E_OK);
	CHECK_ERR(tcb_set_vspace(t, n), E_WRONGTYPE);
	CHECK_ERR(tcb_set_vspace(t, space), E_OK);
	CHECK_ERR(tcb_resume(t), E_OK);	/* it runs at once, in its own space */
	struct msg m = ipc_nbrecv(n);
	CHECK(m.err == E_OK && m.badge == 1);

	/* Our image is not in that space: a thread there cannot run our code. */
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 11);
	uint64_t u = test_make(env, OBJ_TCB, 0, 12);
	uint64_t our_code = (uint64_t)(uintptr_t)&thread_in_its_own_address_space;
	CHECK_ERR(tcb_write_registers(u, our_code, VA_F + 0x1000, 0), E_OK);
	CHECK_ERR(tcb_set_priority(u, ROOT_TASK_PRIORITY + 10), E_OK);
	CHECK_ERR(tcb_set_vspace(u, space), E_OK);
	CHECK_ERR(tcb_set_fault_ep(u, ep), E_OK);
	CHECK_ERR(tcb_resume(u), E_OK);
	m = ipc_nbrecv(ep);
	CHECK(m.err == E_OK && MSGINFO_LABEL(m.info) == FAULT_LABEL + 14);
	CHECK(m.mr[1] == our_code && !(m.mr[2] & 1));	/* not present there */
	for (unsigned k = 0; k < 13; k++)
		(void)cnode_delete(ROOT, S(k));
}

/*
 * A mapping cap outliving its address space must not touch the space that
 * reuses the number: C1 maps frame F in space A; A is destroyed; B gets the
 * same number and maps F at the same place through C2; deleting C1 must leave
 * C2's mapping alone.
 */
static void stale_mapping_leaves_new_space_alone(struct test_env *env)
{
	uint64_t a = test_make(env, OBJ_PML4, 0, 0);
	tables_in(env, a, VA_F, 1);
	uint64_t f = test_make(env, OBJ_FRAME_4K, 0, 4);
	CHECK_ERR(frame_map(f, a, VA_F, 0), E_OK);	/* C1 = f */
	CHECK_ERR(cnode_delete(ROOT, a), E_OK);	/* A is gone; its number is free */
	uint64_t b = test_make(env, OBJ_PML4, 0, 5);
	tables_in(env, b, VA_F, 6);
	CHECK_ERR(cnode_copy(ROOT, S(9), f, CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(frame_map(S(9), b, VA_F, 0), E_OK);	/* C2 */
	CHECK_ERR(cnode_delete(ROOT, f), E_OK);	/* C1 goes: its mapping was in A */
	/* C2's mapping is still there: the place in B is taken. */
	CHECK_ERR(frame_map(test_make(env, OBJ_FRAME_4K, 0, 10), b, VA_F, 0), E_BUSY);
	CHECK_ERR(cnode_delete(ROOT, S(9)), E_OK);	/* and C2 itself can remove it */
	CHECK_ERR(frame_map(S(10), b, VA_F, 0), E_OK);
	for (unsigned k = 0; k < 12; k++)
		(void)cnode_delete(ROOT, S(k));
}

const struct test_case edge_tests[] = {
	{ "retype_many_at_once", retype_many_at_once },
	{ "revoke_long_chain_from_user", revoke_long_chain_from_user },
	{ "yield_alone_returns", yield_alone_returns },
	{ "waiting_on_notification_directly", waiting_on_notification_directly },
	{ "nonblocking_send_reaches_waiter", nonblocking_send_reaches_waiter },
	{ "root_serves_a_call", root_serves_a_call },
	{ "fault_handler_maps_the_page", fault_handler_maps_the_page },
	{ "executable_frame_runs_code", executable_frame_runs_code },
	{ "tables_need_the_level_above", tables_need_the_level_above },
	{ "nx_frame_refuses_execution", nx_frame_refuses_execution },
	{ "retype_destination_needs_write", retype_destination_needs_write },
	{ "badges_tell_clients_apart", badges_tell_clients_apart },
	{ "thread_suspends_itself", thread_suspends_itself },
	{ "long_message_through_ipc_buffers", long_message_through_ipc_buffers },
	{ "no_buffer_means_registers_only", no_buffer_means_registers_only },
	{ "thread_in_its_own_address_space", thread_in_its_own_address_space },
	{ "stale_mapping_leaves_new_space_alone", stale_mapping_leaves_new_space_alone },
};
const unsigned edge_ntests = sizeof(edge_tests) / sizeof(edge_tests[0]);
