/* Why a VM stopped: its VMM's exit status (abi/vmstops.def), for the VMM and the root task. */
#ifndef ABI_VMSTOP_H
#define ABI_VMSTOP_H

#include <stdbool.h>

enum vmstop {
	VMSTOP_NONE = 0,
#define VMSTOP(name, status, guest, text) name = status,
#include "abi/vmstops.def"
#undef VMSTOP
};

/* The reason's text, or NULL for a status that is not a reason. */
static inline const char *vmstop_str(unsigned long long status)
{
	switch (status) {
#define VMSTOP(name, status, guest, text) case name: return text;
#include "abi/vmstops.def"
#undef VMSTOP
	}
	return 0;
}

/* True if the guest itself ended its VM (not a failure of the hypervisor). */
static inline bool vmstop_by_guest(unsigned long long status)
{
	switch (status) {
#define VMSTOP(name, status, guest, text) case name: return guest;
#include "abi/vmstops.def"
#undef VMSTOP
	}
	return false;
}

#endif
