/* Scheduling: 256 priority queues per instance, highest first, round robin within one. */
#include "arch/x86_64/vspace.h"
#include "core/sched.h"
#include "kstring.h"

struct tcb *sched_current;
static bool active;
static bool slice_over;
static struct tcb *head[256], *tail[256];
static uint64_t nonempty[4];	/* bit p: queue p has a thread */
static struct trap_frame idle_ctx;

bool sched_active(void)
{
	return active;
}

void sched_make_ready(struct tcb *t)
{
	unsigned p = t->prio;

	t->state = TS_READY;
	t->next = NULL;
	t->prev = tail[p];
	if (tail[p])
		tail[p]->next = t;
	else
		head[p] = t;
	tail[p] = t;
	nonempty[p / 64] |= 1ull << (p % 64);
}

void sched_remove(struct tcb *t)
{
	unsigned p = t->prio;

	if (t->state != TS_READY)
		return;
	if (t->prev)
		t->prev->next = t->next;
	else
		head[p] = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		tail[p] = t->prev;
	if (!head[p])
		nonempty[p / 64] &= ~(1ull << (p % 64));
	t->next = t->prev = NULL;
	t->state = TS_INACTIVE;
}

static int best_prio(void)
{
	for (int w = 3; w >= 0; w--)
		if (nonempty[w])
			return w * 64 + 63 - __builtin_clzll(nonempty[w]);
	return -1;
}

void sched_start(struct tcb *first)
{
	ctx_init_idle(&idle_ctx);
	first->state = TS_RUNNING;
	first->timeslice = TIMESLICE_TICKS;
	sched_current = first;
	arch_set_entry_ctx(&first->ctx);
	active = true;
}

void sched_stop(void)
{
	active = false;
	sched_current = NULL;
	arch_set_entry_ctx(NULL);
}


void sched_tick(void)
{
	struct tcb *t = sched_current;

	if (active && t && t->timeslice && !--t->timeslice)
		slice_over = true;
}

void sched_yield(void)
{
	slice_over = true;
}

/* The chosen thread runs next: its registers are where entries save, its address space loaded. */
static struct trap_frame *run(struct tcb *t)
{
	arch_set_entry_ctx(&t->ctx);
	vspace_load(t->vspace.cap.type == OBJ_PML4 ? t->vspace.cap.obj : 0);
	return &t->ctx;
}

struct trap_frame *sched_switch_to(struct tcb *t)
{
	t->state = TS_RUNNING;
	if (!t->timeslice)
		t->timeslice = TIMESLICE_TICKS;
	sched_current = t;
	return run(t);
}

struct trap_frame *sched_leave(struct trap_frame *f)
{
	struct tcb *cur = sched_current;

	if (!active)
		return f;
	bool cur_runs = cur && cur->state == TS_RUNNING;
	/* Keep the current thread unless its slice ended or a higher priority is ready. */
	bool keep = cur_runs && !slice_over && best_prio() <= (int)cur->prio;
	slice_over = false;
	if (keep)
		return &cur->ctx;
	if (cur_runs) {
		cur->timeslice = TIMESLICE_TICKS;
		sched_make_ready(cur);
	}
	int best = best_prio();
	if (best >= 0) {
		struct tcb *next = head[best];
		sched_remove(next);
		if (next != cur)
			return sched_switch_to(next);
		cur->state = TS_RUNNING;	/* round robin found no one else */
		return &cur->ctx;
	}
	sched_current = NULL;
	arch_set_entry_ctx(NULL);
	/* Idle: an interrupted idle loop resumes as it was; otherwise enter it afresh. */
	return ctx_from_user(f) ? &idle_ctx : f;
}
