/* What happens when the last capability to a kernel object goes. */
#include "core/cspace.h"
#include "core/ipc.h"
#include "core/irq.h"
#include "obj/gspace.h"
#include "obj/iospace.h"
#include "obj/tcb.h"
#include "obj/vcpu.h"
#include "arch/x86_64/vspace.h"

void kobj_finalise(const struct cap *cap)
{
	switch ((enum obj_type)cap->type) {
	case OBJ_NULL:
	case OBJ_UNTYPED:
	case OBJ_CNODE:		/* its slots were emptied by cspace_delete() */
	case OBJ_FRAME_4K:
	case OBJ_FRAME_2M:
	case OBJ_PDPT:
	case OBJ_PD:
	case OBJ_PT:
	case OBJ_IRQ_CONTROL:
	case OBJ_IO_PORT:
	case OBJ_XSIGNAL:
	case OBJ_PCI:
	case OBJ_CONSOLE:
	case OBJ_TYPE_COUNT:
		return;
	case OBJ_TCB:
		tcb_finalise(kobj_ptr(cap->obj));
		return;
	case OBJ_VCPU:
		vcpu_finalise(kobj_ptr(cap->obj));
		return;
	case OBJ_IOSPACE:
		iospace_release(cap->obj);	/* its device is blocked again first */
		return;
	case OBJ_GUEST_SPACE:
		gspace_release(cap->obj);	/* VCPUs in it hold caps: none can run in it now */
		return;
	case OBJ_PML4:
		vspace_release(cap->obj);	/* threads in it hold caps: none runs in it now */
		return;
	case OBJ_IRQ_HANDLER:
		irq_finalise(cap);
		return;
	case OBJ_ENDPOINT:
	case OBJ_NOTIFICATION:
		/* Threads waiting on it wake with E_DELETED. */
		ipc_finalise(cap);
		return;
	case OBJ_REPLY:
		return;	/* reply objects are not used yet: replies go to the caller directly */
	}
}

void kobj_cap_deleted(const struct cap *cap)
{
	if (iospace_owns_mapping(cap))
		iospace_cap_deleted(cap);
	else if (gspace_owns_mapping(cap))
		gspace_cap_deleted(cap);
	else
		vspace_cap_deleted(cap);
}
