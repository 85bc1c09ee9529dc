/* Cross-instance notifications: an IPI from instance s sets bit s in a bound notification. */
#ifndef CORE_XSIGNAL_H
#define CORE_XSIGNAL_H

#include "core/cap.h"

/* Binds the notification in slot src (Read right needed): E_WRONGTYPE, E_RIGHTS. */
MUST_CHECK err_t xsignal_decode_bind(const struct cte *src);
/* Binds it, replacing any earlier binding; signals that arrived unbound are delivered now. */
void xsignal_invoke_bind(struct cte *src);

/* An IPI notification from instance source arrived (scheduler running). */
void xsignal_deliver(unsigned source);

/* SYS_SEND on an XSIGNAL cap: raise the notification IPI on its instance. E_RIGHTS without W. */
long xsignal_send(const struct cap *cap);

#endif
