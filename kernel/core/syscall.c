/* System call dispatch: one case per entry of abi/syscalls.def. */
#include "abi/invocations.h"
#include "abi/syscalls.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/invoke.h"
#include "core/ipc.h"
#include "core/irq.h"
#include "core/sched.h"
#include "core/xsignal.h"
#include "kstring.h"

static err_t sys_debug_puts(uint64_t va, uint64_t len)
{
	char buf[DEBUG_PUTS_MAX + 1];

	if (len > DEBUG_PUTS_MAX)
		return E_RANGE;
	if (!arch_user_readable(va, len))
		return E_INVAL;
	memcpy(buf, (const void *)(uintptr_t)va, len);
	buf[len] = '\0';
	kprintf("%s", buf);
	return E_OK;
}

static long dispatch(struct tcb *me, uint64_t nr)
{
	struct trap_frame *c = &me->ctx;
	struct cte *slot;
	err_t e;

	if (nr >= SYS_COUNT)
		return E_NOSYS;
	switch ((enum syscall_nr)nr) {
	case SYS_DEBUG_PUTS:
		return sys_debug_puts(c->rdi, c->rsi);
	case SYS_DEBUG_EXIT:
		if (me->is_root)
			instance_root_exit(c->rdi, false);
		/* Its supervisor hears of it; the thread waits for a reply that need not come. */
		struct ipc_msg m = { MSGINFO(EXIT_LABEL, 1), { c->rdi } };
		if (!ipc_send_fault(me, &m))
			tcb_stop(me);
		return IPC_BLOCKED;
	case SYS_YIELD:
		sched_yield();
		return E_OK;
	case SYS_REPLY:
		return ipc_reply(me);
	case SYS_DEBUG_FASTPATH:
		ipc_set_fastpath(c->rdi != 0);
		return E_OK;
	case SYS_CALL:
	case SYS_SEND:
	case SYS_NBSEND:
	case SYS_RECV:
	case SYS_NBRECV:
	case SYS_REPLY_RECV:
	case SYS_DEBUG_IRQ_RAISE:
	case SYS_COUNT:
		break;
	}
	unsigned bits_left = 0;
	if ((e = invoke_lookup(c->rdi, &slot, &bits_left))) {
		c->rdx = 0;	/* ARG_CAP: the capability named in rdi is the bad argument */
		c->r8 = bits_left;
		return e;
	}
	switch ((enum syscall_nr)nr) {
	case SYS_CALL:
		if (slot->cap.type == OBJ_ENDPOINT)
			return ipc_send(me, &slot->cap, true, true);
		return invoke_call(slot, c);
	case SYS_SEND:
		if (slot->cap.type == OBJ_XSIGNAL)
			return xsignal_send(&slot->cap);
		return ipc_send(me, &slot->cap, true, false);
	case SYS_NBSEND:
		return ipc_send(me, &slot->cap, false, false);
	case SYS_RECV:
		return ipc_recv(me, &slot->cap, true);
	case SYS_NBRECV:
		return ipc_recv(me, &slot->cap, false);
	case SYS_DEBUG_IRQ_RAISE:
		return irq_debug_raise(&slot->cap);
	case SYS_REPLY_RECV:
		(void)ipc_reply(me);
		return ipc_recv(me, &slot->cap, true);
	case SYS_DEBUG_PUTS:
	case SYS_DEBUG_EXIT:
	case SYS_YIELD:
	case SYS_REPLY:
	case SYS_DEBUG_FASTPATH:
	case SYS_COUNT:
		break;
	}
	return E_NOSYS;
}

struct trap_frame *syscall_trap(struct trap_frame *f);

/* f is the calling thread's own register area in its TCB (the entry saved straight into it). */
struct trap_frame *syscall_trap(struct trap_frame *f)
{
	struct trap_frame *next;

	if ((f->rax == SYS_CALL || f->rax == SYS_REPLY_RECV) && (next = ipc_fastpath(f)))
		return next;
	struct tcb *me = sched_current;
	long ret = dispatch(me, me->ctx.rax);
	if (ret != IPC_BLOCKED)
		me->ctx.rax = (uint64_t)ret;
	return sched_leave(f);
}
