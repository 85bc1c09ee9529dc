/* TCB invocations and thread life cycle. */
#include "core/cspace.h"
#include "core/ipc.h"
#include "core/sched.h"
#include "obj/tcb.h"

err_t tcb_decode_write_registers(const struct tcb *t, uint64_t pc, uint64_t sp)
{
	struct trap_frame probe = t->ctx;

	return ctx_set_pc_sp(&probe, pc, sp) ? E_OK : E_INVAL;
}

void tcb_invoke_write_registers(struct tcb *t, uint64_t pc, uint64_t sp, uint64_t arg)
{
	ctx_init_user(&t->ctx, pc, sp, arg);
}

err_t tcb_decode_set_priority(const struct tcb *invoker, uint64_t prio)
{
	return prio > 255 || prio > invoker->mcp ? E_RANGE : E_OK;
}

void tcb_invoke_set_priority(struct tcb *t, unsigned prio)
{
	bool queued = t->state == TS_READY;

	if (queued)
		sched_remove(t);
	t->prio = (uint8_t)prio;
	if (queued)
		sched_make_ready(t);
}

err_t tcb_decode_set_fault_ep(const struct cte *src)
{
	if (src->cap.type != OBJ_ENDPOINT)
		return E_WRONGTYPE;
	return src->cap.rights & CAP_WRITE ? E_OK : E_RIGHTS;
}

void tcb_invoke_set_fault_ep(struct tcb *t, struct cte *src)
{
	cspace_delete(&t->fault_ep);
	t->fault_ep.cap = src->cap;
	cspace_insert_child(src, &t->fault_ep);
}

void tcb_invoke_resume(struct tcb *t)
{
	if (t->state == TS_INACTIVE)
		sched_make_ready(t);
}

void tcb_stop(struct tcb *t)
{
	switch ((enum thread_state)t->state) {
	case TS_READY:
		sched_remove(t);
		break;
	case TS_BLOCKED_SEND:
	case TS_BLOCKED_RECV:
	case TS_BLOCKED_NTFN:
		ipc_cancel_wait(t);
		break;
	case TS_BLOCKED_REPLY:
		if (t->replier)
			t->replier->caller = NULL;
		t->replier = NULL;
		break;
	case TS_RUNNING:
	case TS_INACTIVE:
		break;
	}
	t->state = TS_INACTIVE;
}

void tcb_invoke_suspend(struct tcb *t)
{
	tcb_stop(t);
}

void tcb_finalise(struct tcb *t)
{
	tcb_stop(t);
	/* An endpoint cap: deleting it can at most destroy that endpoint, nothing deeper. */
	cspace_delete(&t->fault_ep);
	cspace_delete(&t->cspace);
	ipc_unbind(t);
	cspace_delete(&t->ipc_buf);
	cspace_delete(&t->vspace);
	/* A thread that received our call must not reply into freed memory. */
	if (t->caller) {
		t->caller->replier = NULL;
		t->caller = NULL;
	}
	if (sched_current == t)
		sched_current = NULL;
}
