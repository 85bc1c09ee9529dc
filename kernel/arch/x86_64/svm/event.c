/* Which event cut off by an exit is delivered again on the next entry (AMD APM vol. 2 15.7.2, 15.20). */
#include "arch/x86_64/svm/event.h"

/* Bits that may be set in a well-formed event: vector, type, EV, V and the error code (63:32). */
#define EVENT_BITS (0xFFFFFFFF00000000ull | SVM_EVENT_VALID | 0xFFFull)

uint64_t svm_event_redeliver(uint64_t e, bool shutdown)
{
	unsigned vector = SVM_EVENT_VECTOR(e);

	if (!(e & SVM_EVENT_VALID) || shutdown || (e & ~EVENT_BITS))
		return 0;
	switch (SVM_EVENT_TYPE(e)) {
	case SVM_EVENT_INTR:
		return e;
	case SVM_EVENT_NMI:
		return vector == 2 ? e : 0;
	case SVM_EVENT_EXCEPTION:
		/* #BP and #OF come only from INT3 and INTO: those run again. */
		return vector < 32 && vector != 2 && vector != 3 && vector != 4 ? e : 0;
	case SVM_EVENT_SOFT:
		return 0;
	}
	return 0;	/* types 1 and 5-7 are reserved */
}
