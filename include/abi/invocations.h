/* Invocation labels and argument packing (docs/syscalls.md). */
#ifndef ABI_INVOCATIONS_H
#define ABI_INVOCATIONS_H

enum inv_label {
	INV_NONE = 0,
#define INV(name, value) name = value,
#include "abi/invocations.def"
#undef INV
	INV_COUNT
};

/* msginfo (rsi): label in bits 0-15, message length (0-4 registers) in bits 16-19. */
#define MSGINFO_LABEL(info) ((unsigned)((info) & 0xFFFF))
#define MSGINFO_LENGTH(info) ((unsigned)(((info) >> 16) & 0xF))
#define MSGINFO(label, length) ((uint64_t)(label) | (uint64_t)(length) << 16)
/*
 * Bit 20: the message carries one capability: the sender's cap at the cptr in
 * bits 32-63 (needs the Grant right on the endpoint cap used). On delivery the
 * bit says whether the cap arrived in the receiver's receive slot.
 */
#define MSGINFO_CAP (1ull << 20)
#define MSGINFO_CAP_CPTR(info) ((info) >> 32)
/* Bit 21 on delivery: not a message but the receiver's bound notification; rdi holds its word. */
#define MSGINFO_NTFN (1ull << 21)
#define MSGINFO_WITH_CAP(label, length, cptr) (MSGINFO(label, length) | MSGINFO_CAP | (uint64_t)(cptr) << 32)
#define MSG_MAX_REGS 4
/*
 * Longer messages, up to MSG_MAX_WORDS, continue in the IPC buffer: a 4 KiB
 * frame given with TCB_SET_IPC_BUFFER, where word i (4 <= i < 15) is the
 * i-th 64-bit word. If either side has no buffer only the registers travel,
 * and the delivered length says so.
 */
#define MSG_MAX_WORDS 15

/*
 * A fault message, sent for a faulting thread to its fault endpoint as a call:
 * label FAULT_LABEL + x86 vector, mr0 = rip, mr1 = fault address (#PF), mr2 =
 * error code, mr3 = rsp. A reply resumes the thread with its registers as they
 * are (rewrite them first with TCB_WRITE_REGISTERS to resume elsewhere).
 */
#define FAULT_LABEL 0xF000
#define FAULT_VECTOR(label) ((label) & 0xFF)
/* A thread (not a root task) that calls SYS_DEBUG_EXIT: label EXIT_LABEL, mr0 = status. */
#define EXIT_LABEL 0xF100

/*
 * CNode invocations: mr0 = destination index, mr1 = source index,
 * mr2 = rights | guard_bits << 8 | dest depth << 16 | src depth << 24, mr3 = badge or guard.
 * A depth of 0 means 64.
 */
#define CNODE_ARGS(rights, guard_bits, ddepth, sdepth)                                  \
	((uint64_t)(rights) | (uint64_t)(guard_bits) << 8 | (uint64_t)(ddepth) << 16 |  \
	 (uint64_t)(sdepth) << 24)

/* Untyped retype: mr0 = type | size_bits << 8, mr1 = destination CNode (cptr, depth 64),
 * mr2 = first slot in it, mr3 = number of objects. */
#define RETYPE_ARGS(type, size_bits) ((uint64_t)(type) | (uint64_t)(size_bits) << 8)
#define RETYPE_MAX_OBJECTS 256

/* Which argument an error is about (rdx on return): the invoked cap, or an MR. */
#define ARG_CAP 0
#define ARG_MR(i) (1 + (i))

#endif
