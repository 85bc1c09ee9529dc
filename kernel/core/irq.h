/* Interrupts and I/O ports for user-level drivers: IRQ control, handlers, port ranges. */
#ifndef CORE_IRQ_H
#define CORE_IRQ_H

#include "core/cap.h"

struct call;

/* IRQ_CONTROL_GET: makes a handler cap for line gsi in the empty slot dest (child of control). */
MUST_CHECK err_t irq_decode_get(const struct cte *control, uint64_t gsi, const struct cte *dest);
void irq_invoke_get(struct cte *control, unsigned gsi, struct cte *dest);

/*
 * IRQ_CONTROL_GET_MSI: takes a free MSI vector of this instance and makes its
 * handler cap in the empty slot dest (E_NOTEMPTY), or E_FULL if none is free;
 * gives back the MSI address and data a device must write to raise it here.
 */
MUST_CHECK err_t irq_decode_get_msi(const struct cte *dest, uint64_t want);
void irq_invoke_get_msi(struct cte *control, struct cte *dest, uint64_t want, uint64_t *address,
			uint64_t *data);

/*
 * IRQ_CONTROL_ROUTE_MSI (instance 0, with interrupt remapping): device bdf
 * (covered by the PCI cap pci) may raise vector on instance target, and nothing
 * else may through that entry; gives back the MSI address and data. E_UNSUPP: no
 * remapping, or not instance 0; E_RANGE: target not another instance with an
 * entry block, or vector outside 0xD0-0xEF; E_NOENT: no such function, or it is
 * not assigned to an IOSpace; E_BUSY: that entry was routed already. The route
 * lasts until the device's IOSpace goes (irq_routes_release()).
 */
MUST_CHECK err_t irq_decode_route_msi(const struct cte *pci, uint64_t bdf, uint64_t target,
				      uint64_t vector);
void irq_invoke_route_msi(uint16_t bdf, unsigned target, uint8_t vector, uint64_t *address,
			  uint64_t *data);

/* Device bdf left its IOSpace: every entry routed for it is cleared (not present, cache invalidated). */
void irq_routes_release(uint16_t bdf);

/* IRQ_HANDLER_SET_NTFN: interrupts on the handler's line signal the notification in ntfn. */
MUST_CHECK err_t irq_decode_set_ntfn(const struct cte *ntfn);
void irq_invoke_set_ntfn(const struct cte *handler, struct cte *ntfn);

/*
 * IRQ_HANDLER_SET_SOURCE: the MSI handler's vector may be raised by device bdf
 * (covered by the PCI cap pci) and by nothing else. E_UNSUPP: not an MSI
 * handler, or no interrupt remapping; E_WRONGTYPE / E_RIGHTS: pci is no PCI cap
 * with W; E_RANGE / E_NOENT: bdf not covered / no function there.
 */
MUST_CHECK err_t irq_decode_set_source(const struct cte *handler, const struct cte *pci, uint64_t bdf);
void irq_invoke_set_source(const struct cte *handler, uint16_t bdf);

/* IRQ_HANDLER_ACK: the driver has serviced the device; the line (or MSI) may signal again. */
void irq_invoke_ack(const struct cte *handler);

/* The line's interrupt arrived (already EOI'd): mask it and signal its notification. */
void irq_deliver(unsigned gsi);

/* An MSI vector arrived (already EOI'd): signal it, or hold it until the ack. */
void irq_deliver_msi(unsigned vector);

/* SYS_DEBUG_IRQ_RAISE: raises an MSI handler's vector on this core (E_WRONGTYPE otherwise). */
MUST_CHECK err_t irq_debug_raise(const struct cap *handler);

/* The last handler cap went: mask the line or free the MSI vector; drop its notification. */
void irq_finalise(const struct cap *handler);

/* IO_PORT_IN / IO_PORT_OUT: width 1, 2 or 4 bytes inside the cap's range (E_RANGE, E_INVAL). */
MUST_CHECK err_t io_port_decode(const struct cap *cap, uint64_t port, uint64_t width);
uint32_t io_port_invoke_in(unsigned port, unsigned width);
void io_port_invoke_out(unsigned port, unsigned width, uint32_t value);

#endif
