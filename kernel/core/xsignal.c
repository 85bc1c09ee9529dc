/*
 * Cross-instance notifications. No memory is shared: the IPI vector says which
 * instance signalled, and the receiving kernel ORs that instance's bit into the
 * notification its root task bound. The kernel keeps its own copy of the bound
 * cap in the derivation tree, so the notification lives as long as the binding.
 */
#include "core/arch.h"
#include "core/cspace.h"
#include "core/ipc.h"
#include "core/xsignal.h"

static struct cte bound;
static uint32_t pending;

err_t xsignal_decode_bind(const struct cte *src)
{
	if (src->cap.type != OBJ_NOTIFICATION)
		return E_WRONGTYPE;
	return src->cap.rights & CAP_READ ? E_OK : E_RIGHTS;
}

static void signal_bits(uint32_t bits)
{
	struct cap c = bound.cap;

	c.data = bits;	/* the badge: one bit per signalling instance */
	c.rights |= CAP_WRITE;
	(void)ipc_send(NULL, &c, false, false);
}

void xsignal_invoke_bind(struct cte *src)
{
	cspace_delete(&bound);
	bound.cap = src->cap;
	cspace_insert_child(src, &bound);
	if (pending) {
		signal_bits(pending);
		pending = 0;
	}
}

void xsignal_deliver(unsigned source)
{
	/* A revoke may have emptied the kernel's copy: then the binding is gone. */
	if (bound.cap.type == OBJ_NOTIFICATION)
		signal_bits(1u << source);
	else
		pending |= 1u << source;
}

long xsignal_send(const struct cap *cap)
{
	if (!(cap->rights & CAP_WRITE))
		return E_RIGHTS;
	arch_signal((unsigned)cap->obj, XSIG_NOTIFY);
	return E_OK;
}
