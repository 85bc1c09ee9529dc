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

/* At every kernel entry: keeps the interrupted thread's registers from f. */
void sched_enter(struct trap_frame *f);
/* At every kernel exit: chooses who runs next and loads its registers into f. */
void sched_leave(struct trap_frame *f);

void sched_make_ready(struct tcb *t);
void sched_remove(struct tcb *t);
/* One timer tick: ends the current timeslice when it runs out. */
void sched_tick(void);
/* The current thread gives up the rest of its timeslice. */
void sched_yield(void);

#endif
