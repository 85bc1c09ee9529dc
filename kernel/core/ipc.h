/* Endpoints and notifications: message passing and signals between threads of an instance. */
#ifndef CORE_IPC_H
#define CORE_IPC_H

#include "core/cap.h"
#include "obj/tcb.h"

struct endpoint {
	uint8_t state;		/* EP_IDLE, EP_SENDING, EP_RECEIVING: what the queue holds */
	struct tcb *head, *tail;
};

struct notification {
	uint64_t word;
	struct tcb *head, *tail;
	struct tcb *bound;	/* a thread that also hears it while receiving on an endpoint */
};

/* TCB_BIND_NTFN: E_WRONGTYPE, E_RIGHTS (needs R), E_BUSY if bound to another thread. */
MUST_CHECK err_t ipc_decode_bind(const struct tcb *t, const struct cte *ntfn);
void ipc_invoke_bind(struct tcb *t, struct cte *ntfn);
/* The word pending on t's bound notification, now cleared; 0 if none (VCPU_RUN's VMEXIT_NOTIFY). */
uint64_t ipc_take_bound_word(struct tcb *t);
/* The thread goes: its bound notification forgets it. */
void ipc_unbind(struct tcb *t);

/*
 * Each returns the error for the calling thread's rax (results for a
 * completed receive are written into its registers), or IPC_BLOCKED when the
 * caller now waits: its result is written when it is woken.
 */
#define IPC_BLOCKED (-1)

long ipc_send(struct tcb *me, const struct cap *cap, bool block, bool call);
long ipc_recv(struct tcb *me, const struct cap *cap, bool block);
long ipc_reply(struct tcb *me);

/*
 * Sends a fault message for t to its fault endpoint as a call (t then waits for
 * the reply); false if t has no fault endpoint.
 */
bool ipc_send_fault(struct tcb *t, const struct ipc_msg *fault);

/*
 * The fastpath for SYS_CALL and SYS_REPLY_RECV on endpoints in the simplest,
 * commonest case (one-level lookup, the other side waiting and allowed to run
 * now). Takes f, the caller's registers in its TCB; returns the registers of the
 * thread to run, or NULL to take the general path. Same observable result.
 */
struct trap_frame *ipc_fastpath(struct trap_frame *f);
void ipc_set_fastpath(bool on);

/* Removes a waiting thread from the endpoint or notification it waits on. */
void ipc_cancel_wait(struct tcb *t);
/* The last cap to an endpoint or notification went: wake every waiter with E_DELETED. */
void ipc_finalise(const struct cap *cap);

#endif
