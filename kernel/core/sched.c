/* Scheduling: 256 priority queues per instance, highest first, round robin within one. */
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
	active = true;
}

void sched_stop(void)
{
	active = false;
	sched_current = NULL;
}

void sched_enter(struct trap_frame *f)
{
	if (active && sched_current && ctx_from_user(f))
		sched_current->ctx = *f;
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

void sched_leave(struct trap_frame *f)
{
	struct tcb *cur = sched_current;
	int best = best_prio();

	if (!active)
		return;
	bool cur_runs = cur && cur->state == TS_RUNNING;
	/* Keep the current thread unless its slice ended or a higher priority is ready. */
	if (!(cur_runs && !slice_over && best <= (int)cur->prio)) {
		if (cur_runs) {
			cur->timeslice = TIMESLICE_TICKS;
			sched_make_ready(cur);
		}
		best = best_prio();
		if (best >= 0) {
			struct tcb *next = head[best];
			sched_remove(next);
			next->state = TS_RUNNING;
			if (!next->timeslice)
				next->timeslice = TIMESLICE_TICKS;
			sched_current = next;
		} else if (!cur_runs) {
			sched_current = NULL;
		}
	}
	slice_over = false;
	*f = sched_current ? sched_current->ctx : idle_ctx;
}
