/* Interrupts and I/O ports for user-level drivers: IRQ control, handlers, port ranges. */
#ifndef CORE_IRQ_H
#define CORE_IRQ_H

#include "core/cap.h"

struct call;

/* IRQ_CONTROL_GET: makes a handler cap for line gsi in the empty slot dest (child of control). */
MUST_CHECK err_t irq_decode_get(const struct cte *control, uint64_t gsi, const struct cte *dest);
void irq_invoke_get(struct cte *control, unsigned gsi, struct cte *dest);

/* IRQ_HANDLER_SET_NTFN: interrupts on the handler's line signal the notification in ntfn. */
MUST_CHECK err_t irq_decode_set_ntfn(const struct cte *ntfn);
void irq_invoke_set_ntfn(const struct cte *handler, struct cte *ntfn);

/* IRQ_HANDLER_ACK: the driver has serviced the device; the line is unmasked again. */
void irq_invoke_ack(const struct cte *handler);

/* The line's interrupt arrived (already EOI'd): mask it and signal its notification. */
void irq_deliver(unsigned gsi);

/* The last handler cap for a line went: mask it and drop its notification. */
void irq_finalise(const struct cap *handler);

/* IO_PORT_IN / IO_PORT_OUT: width 1, 2 or 4 bytes inside the cap's range (E_RANGE, E_INVAL). */
MUST_CHECK err_t io_port_decode(const struct cap *cap, uint64_t port, uint64_t width);
uint32_t io_port_invoke_in(unsigned port, unsigned width);
void io_port_invoke_out(unsigned port, unsigned width, uint32_t value);

#endif
