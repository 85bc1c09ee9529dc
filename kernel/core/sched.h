/* The per-instance scheduler: fixed priorities, round robin within one, an idle context. */
#ifndef CORE_SCHED_H
#define CORE_SCHED_H

#include "obj/tcb.h"

#define TIMESLICE_TICKS 5	/* 50 ms at the 10 ms LAPIC tick */

/* The running thread, or NULL when the instance idles. */
extern struct tcb *sched_current;

/* Starts scheduling with first as the running thread. */
void sched_start(struct tcb *first);
/* Stops scheduling: the instance idles from now on. */
void sched_stop(void);
bool sched_active(void);

/*
 * At every kernel exit: chooses who runs next and returns the frame to leave
 * through (a thread's registers, the idle context, or f itself). Entries from
 * user mode save the thread's registers straight into its TCB, so nothing is copied.
 */
struct trap_frame *sched_leave(struct trap_frame *f);
/* Makes t the running thread (the fastpath's switch); returns its registers. */
struct trap_frame *sched_switch_to(struct tcb *t);

void sched_make_ready(struct tcb *t);
void sched_remove(struct tcb *t);
/* One timer tick: ends the current timeslice when it runs out. */
void sched_tick(void);
/* The current thread gives up the rest of its timeslice. */
void sched_yield(void);

#endif
