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
};

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

/* Removes a waiting thread from the endpoint or notification it waits on. */
void ipc_cancel_wait(struct tcb *t);
/* The last cap to an endpoint or notification went: wake every waiter with E_DELETED. */
void ipc_finalise(const struct cap *cap);

#endif
