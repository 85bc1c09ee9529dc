/* Exit loops: counts identical exits in a row that left the guest's rip where it was. */
#include "loop.h"

#include "abi/vcpu.h"

bool exit_loop_note(struct exit_loop *l, uint64_t reason, uint64_t rip, uint64_t info1, bool moved)
{
	/* The host's doing (a deadline, a notification): the guest did neither well nor badly. */
	if (reason == VMEXIT_TIMER || reason == VMEXIT_NOTIFY)
		return false;
	/* The guest waits for an interrupt or the VMM moved it on: not a loop. */
	if (moved || reason == VMEXIT_HLT) {
		l->count = 0;
		return false;
	}
	if (l->count && l->reason == reason && l->rip == rip && l->info1 == info1) {
		l->count++;
	} else {
		l->reason = reason;
		l->rip = rip;
		l->info1 = info1;
		l->count = 1;
	}
	return l->count >= EXIT_LOOP_LIMIT;
}

const char *exit_loop_reason_name(uint64_t reason)
{
	switch (reason) {
#define VMEXIT(name, value) case name: return #name;
#include "abi/vmexits.def"
#undef VMEXIT
	}
	return "an unknown exit";
}
