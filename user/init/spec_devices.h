/* Handing PCI devices to the components that own them (user/init/spec_devices.c). */
#ifndef USER_INIT_SPEC_DEVICES_H
#define USER_INIT_SPEC_DEVICES_H

#include "abi/bootinfo.h"
#include "abi/spec.h"

/*
 * One object of this type from whichever untyped region still has room (the blob's
 * objects are made), into our slot *next (advanced): its slot in *out, or E_NOMEM.
 */
long spec_make_object(const struct bootinfo *bi, uint32_t *next, unsigned type, uint32_t *out);

/* Prints one line per device of this instance that is not handed out (VM owners: not yet). */
void spec_devices_note(const struct bootinfo *bi, const uint8_t *blob);

/*
 * Gives component `index` of the blob, whose objects are made (our cap to object
 * i in slot[i]) and whose info page is written, what it needs to drive its PCI
 * devices (docs/pcimgr.md): a narrowed PCI cap and an assigned IOSpace holding
 * its heap per device, its own CNode (`space`, the guarded cap) and VSpace, page
 * tables for COMPONENT_DEVICE_VA, and the device part of its info page. *next is
 * our next free slot; two_level our guardless CNode. E_OK for a component with
 * no PCI device; otherwise an error, with a line that says why.
 */
long spec_devices_give(const struct bootinfo *bi, const uint8_t *blob, const uint32_t *slot,
		       uint32_t *next, uint32_t two_level, uint32_t index, uint32_t space);

#endif
