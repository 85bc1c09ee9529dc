/* Message passing: up to four registers, a label and a badge, delivered directly. */
#include "abi/invocations.h"
#include "abi/syscalls.h"
#include "core/cspace.h"
#include "core/ipc.h"
#include "core/invoke.h"
#include "obj/cnode.h"
#include "core/sched.h"

enum { EP_IDLE, EP_SENDING, EP_RECEIVING };

static void enqueue(struct tcb **head, struct tcb **tail, struct tcb *t)
{
	t->next = NULL;
	t->prev = *tail;
	if (*tail)
		(*tail)->next = t;
	else
		*head = t;
	*tail = t;
}

static void dequeue(struct tcb **head, struct tcb **tail, struct tcb *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		*head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		*tail = t->prev;
	t->next = t->prev = NULL;
}

/* The message a thread sends: from its registers, or built by the kernel for a fault. */
static struct ipc_msg msg_of(struct tcb *t)
{
	struct ipc_msg m = { *ctx_reg(&t->ctx, 1), { 0 } };

	if (t->in_fault)
		return t->fault_msg;
	for (unsigned i = 0; i < MSG_MAX_REGS; i++)
		m.mr[i] = *ctx_reg(&t->ctx, 2 + i);
	return m;
}

/*
 * Copies the cap the message names into the receiver's receive slot; false if
 * the sender may not grant, names no cap, or the receiver has no empty slot.
 * The message itself is delivered either way.
 */
static bool transfer_cap(uint64_t info, bool grant, const struct tcb *from, const struct tcb *to)
{
	struct cte *src, *dst;

	if (!(info & MSGINFO_CAP) || !grant || !to->recv_slot)
		return false;
	/* The sender names the cap in its CSpace, the receiver its slot in its own. */
	if (cspace_lookup(invoke_cspace_of(from), MSGINFO_CAP_CPTR(info), 64, &src, NULL) ||
	    cspace_lookup(invoke_cspace_of(to), to->recv_slot - 1, 64, &dst, NULL) ||
	    cnode_decode_copy(src, dst))
		return false;
	cnode_invoke_copy(src, dst, CAP_ALL_RIGHTS);
	return true;
}

/* Delivers label, length, registers and perhaps a cap into a receiver, with the badge. */
static void transfer(struct tcb *from, struct tcb *to, uint64_t badge, bool grant)
{
	struct ipc_msg m = msg_of(from);
	unsigned len = MSGINFO_LENGTH(m.info);

	if (len > MSG_MAX_WORDS)
		len = MSG_MAX_WORDS;
	/* Words past the registers travel buffer to buffer; without both, they do not. */
	if (len > MSG_MAX_REGS) {
		if (from->in_fault || from->ipc_buf.cap.type != OBJ_FRAME_4K ||
		    to->ipc_buf.cap.type != OBJ_FRAME_4K) {
			len = MSG_MAX_REGS;
		} else {
			const uint64_t *src = kobj_ptr(from->ipc_buf.cap.obj);
			uint64_t *dst = kobj_ptr(to->ipc_buf.cap.obj);
			for (unsigned i = MSG_MAX_REGS; i < len; i++)
				dst[i] = src[i];
		}
	}
	for (unsigned i = 0; i < MSG_MAX_REGS; i++)
		*ctx_reg(&to->ctx, 2 + i) = i < len ? m.mr[i] : 0;
	*ctx_reg(&to->ctx, 1) = MSGINFO(MSGINFO_LABEL(m.info), len) |
				(transfer_cap(m.info, grant, from, to) ? MSGINFO_CAP : 0);
	*ctx_reg(&to->ctx, 0) = badge;
	to->ctx.rax = E_OK;
}

/* A bound notification's word, delivered where an endpoint receive returns its message. */
static void put_word(struct tcb *t, uint64_t word)
{
	*ctx_reg(&t->ctx, 0) = word;
	*ctx_reg(&t->ctx, 1) = MSGINFO_NTFN;
	for (unsigned i = 0; i < MSG_MAX_REGS; i++)
		*ctx_reg(&t->ctx, 2 + i) = 0;
}

static void wake(struct tcb *t, long result)
{
	t->wait_obj = NULL;
	t->ctx.rax = (uint64_t)result;
	sched_make_ready(t);
}

/* The receiver got a call from sender: the sender now waits for the reply. */
static void link_reply(struct tcb *receiver, struct tcb *sender)
{
	sender->state = TS_BLOCKED_REPLY;
	sender->replier = receiver;
	receiver->caller = sender;
}

static long ep_send(struct tcb *me, const struct cap *cap, bool block, bool call)
{
	struct endpoint *ep = kobj_ptr(cap->obj);

	if (ep->state == EP_RECEIVING) {
		struct tcb *r = ep->head;
		dequeue(&ep->head, &ep->tail, r);
		if (!ep->head)
			ep->state = EP_IDLE;
		transfer(me, r, cap->data, cap->rights & CAP_GRANT);
		wake(r, E_OK);
		if (call) {
			link_reply(r, me);
			return IPC_BLOCKED;
		}
		return E_OK;
	}
	if (!block)
		return E_OK;	/* no receiver: a non-blocking send is dropped */
	me->state = TS_BLOCKED_SEND;
	me->badge = cap->data;
	me->send_grant = cap->rights & CAP_GRANT;
	me->is_call = call;
	me->wait_obj = ep;
	enqueue(&ep->head, &ep->tail, me);
	ep->state = EP_SENDING;
	return IPC_BLOCKED;
}

static long ep_recv(struct tcb *me, const struct cap *cap, bool block)
{
	struct endpoint *ep = kobj_ptr(cap->obj);

	/* A signal already pending on the bound notification comes first. */
	if (me->bound_ntfn.cap.type == OBJ_NOTIFICATION) {
		struct notification *n = kobj_ptr(me->bound_ntfn.cap.obj);
		if (n->word) {
			put_word(me, n->word);
			n->word = 0;
			return E_OK;
		}
	}

	if (ep->state == EP_SENDING) {
		struct tcb *s = ep->head;
		dequeue(&ep->head, &ep->tail, s);
		if (!ep->head)
			ep->state = EP_IDLE;
		transfer(s, me, s->badge, s->send_grant);
		s->wait_obj = NULL;
		if (s->is_call) {
			link_reply(me, s);
		} else {
			s->ctx.rax = E_OK;
			sched_make_ready(s);
		}
		return E_OK;
	}
	if (!block)
		return E_AGAIN;
	me->state = TS_BLOCKED_RECV;
	me->wait_obj = ep;
	enqueue(&ep->head, &ep->tail, me);
	ep->state = EP_RECEIVING;
	return IPC_BLOCKED;
}

/* The thread bound to n, if the binding still holds (a revoke may have cut the TCB's copy). */
static struct tcb *bound_thread(const struct notification *n, paddr_t pa)
{
	struct tcb *t = n->bound;

	if (!t || t->bound_ntfn.cap.type != OBJ_NOTIFICATION || t->bound_ntfn.cap.obj != pa)
		return NULL;
	return t;
}

/* Delivers a notification word to a thread blocked receiving on an endpoint. */
static void wake_with_word(struct tcb *t, uint64_t word)
{
	ipc_cancel_wait(t);
	put_word(t, word);
	wake(t, E_OK);
}

static long ntfn_signal(const struct cap *cap)
{
	struct notification *n = kobj_ptr(cap->obj);
	uint64_t bits = cap->data ? cap->data : 1;
	struct tcb *b = bound_thread(n, cap->obj);

	if (n->head) {
		struct tcb *w = n->head;
		dequeue(&n->head, &n->tail, w);
		*ctx_reg(&w->ctx, 0) = n->word | bits;
		n->word = 0;
		wake(w, E_OK);
	} else if (b && b->state == TS_BLOCKED_RECV) {
		wake_with_word(b, n->word | bits);
		n->word = 0;
	} else {
		n->word |= bits;
	}
	return E_OK;
}

err_t ipc_decode_bind(const struct tcb *t, const struct cte *ntfn)
{
	if (ntfn->cap.type != OBJ_NOTIFICATION)
		return E_WRONGTYPE;
	if (!(ntfn->cap.rights & CAP_READ))
		return E_RIGHTS;
	struct tcb *b = bound_thread(kobj_ptr(ntfn->cap.obj), ntfn->cap.obj);
	return b && b != t ? E_BUSY : E_OK;
}

void ipc_invoke_bind(struct tcb *t, struct cte *ntfn)
{
	ipc_unbind(t);
	t->bound_ntfn.cap = ntfn->cap;
	cspace_insert_child(ntfn, &t->bound_ntfn);
	((struct notification *)kobj_ptr(ntfn->cap.obj))->bound = t;
}

uint64_t ipc_take_bound_word(struct tcb *t)
{
	if (t->bound_ntfn.cap.type != OBJ_NOTIFICATION)
		return 0;
	struct notification *n = kobj_ptr(t->bound_ntfn.cap.obj);
	uint64_t w = n->word;

	n->word = 0;
	return w;
}

void ipc_unbind(struct tcb *t)
{
	if (t->bound_ntfn.cap.type == OBJ_NOTIFICATION) {
		struct notification *n = kobj_ptr(t->bound_ntfn.cap.obj);
		if (n->bound == t)
			n->bound = NULL;
	}
	cspace_delete(&t->bound_ntfn);
}

static long ntfn_wait(struct tcb *me, const struct cap *cap, bool block)
{
	struct notification *n = kobj_ptr(cap->obj);

	if (n->word) {
		*ctx_reg(&me->ctx, 0) = n->word;
		n->word = 0;
		return E_OK;
	}
	if (!block)
		return E_AGAIN;
	me->state = TS_BLOCKED_NTFN;
	me->wait_obj = n;
	enqueue(&n->head, &n->tail, me);
	return IPC_BLOCKED;
}

long ipc_send(struct tcb *me, const struct cap *cap, bool block, bool call)
{
	if (!(cap->rights & CAP_WRITE))
		return E_RIGHTS;
	if (cap->type == OBJ_ENDPOINT)
		return ep_send(me, cap, block, call);
	if (cap->type == OBJ_NOTIFICATION && !call)
		return ntfn_signal(cap);
	return E_WRONGTYPE;
}

long ipc_recv(struct tcb *me, const struct cap *cap, bool block)
{
	if (!(cap->rights & CAP_READ))
		return E_RIGHTS;
	if (cap->type == OBJ_ENDPOINT)
		return ep_recv(me, cap, block);
	if (cap->type == OBJ_NOTIFICATION)
		return ntfn_wait(me, cap, block);
	return E_WRONGTYPE;
}

long ipc_reply(struct tcb *me)
{
	struct tcb *c = me->caller;

	if (!c)
		return E_OK;	/* nobody to reply to (or the caller is gone): nothing happens */
	me->caller = NULL;
	c->replier = NULL;
	if (c->in_fault) {
		/* A faulted thread resumes with its own registers, untouched. */
		c->in_fault = false;
		c->wait_obj = NULL;
		sched_make_ready(c);
		return E_OK;
	}
	transfer(me, c, 0, false);	/* replies carry no caps */
	wake(c, E_OK);
	return E_OK;
}

bool ipc_send_fault(struct tcb *t, const struct ipc_msg *fault)
{
	if (t->fault_ep.cap.type != OBJ_ENDPOINT)
		return false;
	t->in_fault = true;
	t->fault_msg = *fault;
	(void)ep_send(t, &t->fault_ep.cap, true, true);
	return true;
}

void ipc_cancel_wait(struct tcb *t)
{
	if (t->state == TS_BLOCKED_NTFN) {
		struct notification *n = t->wait_obj;
		dequeue(&n->head, &n->tail, t);
	} else {
		struct endpoint *ep = t->wait_obj;
		dequeue(&ep->head, &ep->tail, t);
		if (!ep->head)
			ep->state = EP_IDLE;
	}
	t->wait_obj = NULL;
}

void ipc_finalise(const struct cap *cap)
{
	struct tcb **head;

	if (cap->type == OBJ_ENDPOINT) {
		struct endpoint *ep = kobj_ptr(cap->obj);
		head = &ep->head;
		ep->state = EP_IDLE;
	} else {
		head = &((struct notification *)kobj_ptr(cap->obj))->head;
	}
	while (*head) {
		struct tcb *t = *head;
		*head = t->next;
		t->next = t->prev = NULL;
		wake(t, E_DELETED);
	}
}

/* Whether the fastpath is taken; SYS_DEBUG_FASTPATH turns it off to compare both paths. */
static bool fastpath_on = true;

void ipc_set_fastpath(bool on)
{
	fastpath_on = on;
}

/* The endpoint cap at cptr in me's CSpace, if its root resolves all 64 bits in one level. */
static struct cap *fast_lookup(const struct tcb *me, uint64_t cptr, unsigned right)
{
	const struct cap *root = invoke_cspace_of(me);

	if (root->size_bits + root->guard_bits != 64 || root->data || cptr >> root->size_bits)
		return NULL;
	struct cap *c = &cspace_slots(root)[cptr].cap;
	return c->type == OBJ_ENDPOINT && (c->rights & right) ? c : NULL;
}

/* Message registers from the caller's frame into the receiver's saved registers. */
static void fast_transfer(const struct trap_frame *f, struct tcb *to, uint64_t badge)
{
	unsigned len = MSGINFO_LENGTH(f->rsi);

	if (len > MSG_MAX_REGS)
		len = MSG_MAX_REGS;
	to->ctx.rdi = badge;
	to->ctx.rsi = MSGINFO(MSGINFO_LABEL(f->rsi), len);
	to->ctx.rdx = len > 0 ? f->rdx : 0;
	to->ctx.r10 = len > 1 ? f->r10 : 0;
	to->ctx.r8 = len > 2 ? f->r8 : 0;
	to->ctx.r9 = len > 3 ? f->r9 : 0;
	to->ctx.rax = E_OK;
}

struct trap_frame *ipc_fastpath(struct trap_frame *f)
{
	struct tcb *me = sched_current;
	struct cap *cap;

	if (!fastpath_on || !me || (f->rsi & MSGINFO_CAP) || MSGINFO_LENGTH(f->rsi) > MSG_MAX_REGS)
		return NULL;
	if (f->rax == SYS_CALL) {
		/* A receiver waits and may run at once: the message goes straight across. */
		if (!(cap = fast_lookup(me, f->rdi, CAP_WRITE)))
			return NULL;
		struct endpoint *ep = kobj_ptr(cap->obj);
		struct tcb *r = ep->head;
		if (ep->state != EP_RECEIVING || r->prio < me->prio)
			return NULL;
		dequeue(&ep->head, &ep->tail, r);
		if (!ep->head)
			ep->state = EP_IDLE;
		r->wait_obj = NULL;
		fast_transfer(f, r, cap->data);
		me->state = TS_BLOCKED_REPLY;
		me->replier = r;
		r->caller = me;
		return sched_switch_to(r);
	}
	if (f->rax == SYS_REPLY_RECV) {
		/* Our caller waits for this reply, no sender is queued: reply and wait. */
		struct tcb *c = me->caller;
		if (!c || c->in_fault || c->prio < me->prio)
			return NULL;
		if (!(cap = fast_lookup(me, f->rdi, CAP_READ)))
			return NULL;
		struct endpoint *ep = kobj_ptr(cap->obj);
		if (ep->state == EP_SENDING || me->bound_ntfn.cap.type == OBJ_NOTIFICATION)
			return NULL;
		fast_transfer(f, c, 0);
		c->replier = NULL;
		me->caller = NULL;
		me->state = TS_BLOCKED_RECV;
		me->wait_obj = ep;
		enqueue(&ep->head, &ep->tail, me);
		ep->state = EP_RECEIVING;
		return sched_switch_to(c);
	}
	return NULL;
}
