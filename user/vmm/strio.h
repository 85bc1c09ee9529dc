/* String I/O (INS, OUTS, with or without REP): the pure logic, with memory and ports as callbacks. */
#ifndef VMM_STRIO_H
#define VMM_STRIO_H

#include <stdbool.h>
#include <stdint.h>

/* Segment registers in the x86 encoding order of the sreg field. */
enum strio_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

/* One INS or OUTS as the SVM IOIO exit describes it (AMD APM vol. 2 15.10.2). */
struct strio {
	uint16_t port;
	bool in;		/* INS: port to ES:[rDI]; else OUTS: seg:[rSI] to port */
	bool rep;
	unsigned size;		/* bytes a element: 1, 2 or 4 */
	unsigned addr_size;	/* 2, 4 or 8: which part of rSI, rDI and rCX counts; 0: not said */
};

/* The registers a string instruction uses and changes. */
struct strio_regs {
	uint64_t rsi, rdi, rcx;
	bool df;		/* RFLAGS.DF: addresses go down */
};

struct strio_ops {
	/*
	 * Copies n bytes between buf and guest-linear la (write: into the guest); with
	 * buf NULL only checks that la can be reached. False: a page fault at la.
	 */
	bool (*mem)(void *ctx, uint64_t la, void *buf, unsigned n, bool write);
	/* One IN (write false: fills *value) or OUT of size bytes; false ends the instruction. */
	bool (*port)(void *ctx, uint16_t port, unsigned size, bool write, uint32_t *value);
	void *ctx;
};

enum strio_result {
	STRIO_DONE,	/* finished: rip goes past the instruction */
	STRIO_AGAIN,	/* a REP with elements left: rip stays, the guest re-executes it */
	STRIO_FAULT,	/* a page fault at *fault_la (elements before it are done) */
	STRIO_STOPPED,	/* a port callback ended it (the VM is stopping) */
};

/*
 * Fills *s from the IOIO exit's EXITINFO1; false if it is not a string I/O or is
 * malformed. The address-size bits may be missing (QEMU TCG leaves them 0): then
 * addr_size is 0 and strio_decode() gives it.
 */
bool strio_parse(uint64_t info1, struct strio *s);

/*
 * From the instruction's bytes code[0..n) in a code segment that is 64-bit
 * (long_mode) or 32-bit (d32) or 16-bit: *seg, the segment of the memory
 * operand (for OUTS DS or the last segment-override prefix, for INS always ES),
 * and *addr_size (the mode's, or the other with an 0x67 prefix). False if the
 * bytes are not prefixes and then the INS (in) or OUTS the exit says.
 */
bool strio_decode(const uint8_t *code, unsigned n, bool long_mode, bool d32, bool in, int *seg,
		  unsigned *addr_size);

/*
 * Runs up to max_elems elements of s from the registers r, reading memory at
 * seg_base + rSI (OUTS) or writing at es_base + rDI (INS), truncated to 32 bits
 * unless long_mode; updates r as the CPU would. *fault_la is set on STRIO_FAULT.
 */
enum strio_result strio_run(const struct strio *s, struct strio_regs *r, uint64_t base,
			    bool long_mode, unsigned max_elems, const struct strio_ops *ops,
			    uint64_t *fault_la);

#endif
