/* Threads: user registers, scheduling state and IPC state, in a TCB object. */
#ifndef OBJ_TCB_H
#define OBJ_TCB_H

#include "arch/x86_64/context.h"
#include "core/cap.h"

/* A message: msginfo (label, length) and up to four registers. */
struct ipc_msg {
	uint64_t info;
	uint64_t mr[4];
};

enum thread_state {
	TS_INACTIVE,		/* never resumed, suspended, or stopped by a fault */
	TS_READY,		/* in the ready queue */
	TS_RUNNING,		/* the current thread */
	TS_BLOCKED_SEND,	/* queued on an endpoint */
	TS_BLOCKED_RECV,	/* queued on an endpoint */
	TS_BLOCKED_NTFN,	/* queued on a notification */
	TS_BLOCKED_REPLY,	/* its call was received; waits for the reply */
};

struct tcb {
	struct trap_frame ctx;
	struct tcb *next, *prev;	/* ready queue or a wait queue */
	void *wait_obj;			/* the endpoint or notification it waits on */
	struct tcb *caller;		/* the thread waiting for this one's reply */
	struct tcb *replier;		/* while TS_BLOCKED_REPLY: who holds our reply */
	uint64_t badge;			/* while TS_BLOCKED_SEND: the badge of the cap used */
	uint8_t state;
	uint8_t prio;
	uint8_t mcp;			/* highest priority it may give a thread */
	bool is_call;			/* while TS_BLOCKED_SEND: expects a reply */
	bool send_grant;		/* while TS_BLOCKED_SEND: the cap used had the Grant right */
	uint64_t recv_slot;		/* where a received cap goes: cptr + 1; 0 refuses caps */
	uint32_t timeslice;
	bool is_root;			/* the instance's root task */
	bool in_fault;			/* blocked in a fault message: a reply just resumes it */
	struct ipc_msg fault_msg;
	struct cte fault_ep;		/* where its faults go; empty: a fault stops it */
	struct cte cspace;		/* its CSpace root; empty: the root task's */
	struct cte bound_ntfn;		/* a notification it hears while receiving on endpoints */
	struct cte ipc_buf;		/* a 4 KiB frame: message words beyond the registers */
	struct cte vspace;		/* its address space (a PML4); empty: the instance's own */
};

_Static_assert(sizeof(struct tcb) <= 2048, "a TCB object is 2 KiB");

/* Sets the user pc and sp of an inactive or any thread; E_INVAL for a kernel address. */
MUST_CHECK err_t tcb_decode_write_registers(const struct tcb *t, uint64_t pc, uint64_t sp);
void tcb_invoke_write_registers(struct tcb *t, uint64_t pc, uint64_t sp, uint64_t arg);

/* E_RANGE if prio is above 255 or above the invoker's mcp. */
MUST_CHECK err_t tcb_decode_set_priority(const struct tcb *invoker, uint64_t prio);
void tcb_invoke_set_priority(struct tcb *t, unsigned prio);

/* Sets t's fault endpoint to a copy of the endpoint cap in src (needs Write). */
MUST_CHECK err_t tcb_decode_set_fault_ep(const struct cte *src);
void tcb_invoke_set_fault_ep(struct tcb *t, struct cte *src);

void tcb_invoke_resume(struct tcb *t);
void tcb_invoke_suspend(struct tcb *t);

/* Takes a thread out of whatever queue or wait it is in; it becomes inactive. */
void tcb_stop(struct tcb *t);

/* Called when the last cap to a TCB goes: the thread stops for good. */
void tcb_finalise(struct tcb *t);

#endif
