/* Exit loops: the same exit over and over with the guest's rip never moved (pure logic). */
#ifndef VMM_LOOP_H
#define VMM_LOOP_H

#include <stdbool.h>
#include <stdint.h>

/*
 * How many identical exits in a row, none of them moving the guest on, stop the VM.
 * A guest that retries a faulting instruction after fixing what made it fault needs
 * a handful; 100000 is far beyond that, yet costs only a fraction of a second of its
 * own core on hardware (an exit round trip is a few microseconds) before the VM stops.
 */
#define EXIT_LOOP_LIMIT 100000u

/* The run of identical exits so far; all zero is a fresh one. */
struct exit_loop {
	uint64_t reason, rip, info1;
	uint32_t count;		/* how many of them in a row; 0: none yet */
};

/*
 * Notes one handled exit (moved: the VMM moved the guest on: advanced its rip or did part
 * of a string instruction); true when it is the EXIT_LOOP_LIMIT-th identical unmoved one.
 */
bool exit_loop_note(struct exit_loop *l, uint64_t reason, uint64_t rip, uint64_t info1, bool moved);

/* The exit reason's name (VMEXIT_MSR...), or "an unknown exit" for one abi/vmexits.def has not. */
const char *exit_loop_reason_name(uint64_t reason);

#endif
