/*
 * String I/O: INS and OUTS, one element or REP, 8/16/32-bit elements, 16/32/64-bit
 * addresses, either direction. A REP runs a bounded number of elements per exit
 * and then lets the guest execute the instruction again (rip unchanged), as the
 * CPU itself does when an interrupt arrives between iterations (SDM vol. 2 "REP"),
 * so a huge rCX cannot keep the VMM busy and interrupts are not held up.
 */
#include "strio.h"

#define IOIO_IN (1u << 0)
#define IOIO_STR (1u << 2)
#define IOIO_REP (1u << 3)
#define IOIO_SZ8 (1u << 4)
#define IOIO_SZ16 (1u << 5)
#define IOIO_SZ32 (1u << 6)
#define IOIO_A16 (1u << 7)
#define IOIO_A32 (1u << 8)
#define IOIO_A64 (1u << 9)

static unsigned one_of(uint64_t info1, unsigned a, unsigned b, unsigned c)
{
	unsigned n = !!(info1 & a) + !!(info1 & b) + !!(info1 & c);

	return n == 1 ? (info1 & a ? 0 : info1 & b ? 1 : 2) + 1 : 0;
}

bool strio_parse(uint64_t info1, struct strio *s)
{
	unsigned sz = one_of(info1, IOIO_SZ8, IOIO_SZ16, IOIO_SZ32);
	unsigned as = one_of(info1, IOIO_A16, IOIO_A32, IOIO_A64);

	if (!(info1 & IOIO_STR) || !sz || (!as && (info1 & (IOIO_A16 | IOIO_A32 | IOIO_A64))))
		return false;
	s->port = (uint16_t)(info1 >> 16);
	s->in = info1 & IOIO_IN;
	s->rep = info1 & IOIO_REP;
	s->size = 1u << (sz - 1);
	s->addr_size = as ? 2u << (as - 1) : 0;
	return true;
}

bool strio_decode(const uint8_t *code, unsigned n, bool long_mode, bool d32, bool in, int *seg,
		  unsigned *addr_size)
{
	bool a67 = false;

	*seg = SEG_DS;
	for (unsigned i = 0; i < n; i++) {
		uint8_t b = code[i];
		switch (b) {
		case 0x26: case 0x2E: case 0x36: case 0x3E:
			*seg = (b >> 3) & 3;	/* ES, CS, SS, DS */
			continue;
		case 0x64: case 0x65:
			*seg = SEG_FS + (b & 1);
			continue;
		case 0x67:
			a67 = true;
			continue;
		case 0x66: case 0xF0: case 0xF2: case 0xF3:
			continue;
		}
		if (long_mode && b >= 0x40 && b <= 0x4F && i + 1 < n)
			continue;	/* REX changes nothing for INS and OUTS */
		if (b < 0x6C || b > 0x6F || (b <= 0x6D) != in)
			return false;
		if (in)
			*seg = SEG_ES;
		if (long_mode)
			*addr_size = a67 ? 4 : 8;
		else
			*addr_size = d32 != a67 ? 4 : 2;
		return true;
	}
	return false;
}

/* reg with its low addr_size bytes replaced by v (a 32-bit result clears the top half). */
static uint64_t set_low(uint64_t reg, uint64_t v, unsigned addr_size)
{
	if (addr_size == 8)
		return v;
	if (addr_size == 4)
		return (uint32_t)v;
	return (reg & ~0xFFFFull) | (v & 0xFFFF);
}

static uint64_t low(uint64_t reg, unsigned addr_size)
{
	return addr_size == 8 ? reg : addr_size == 4 ? (uint32_t)reg : (uint16_t)reg;
}

enum strio_result strio_run(const struct strio *s, struct strio_regs *r, uint64_t base,
			    bool long_mode, unsigned max_elems, const struct strio_ops *ops,
			    uint64_t *fault_la)
{
	uint64_t step = r->df ? (uint64_t)0 - s->size : s->size;
	uint64_t left = s->rep ? low(r->rcx, s->addr_size) : 1;

	for (unsigned k = 0; left && k < max_elems; k++) {
		uint64_t *idx = s->in ? &r->rdi : &r->rsi;
		uint64_t la = base + low(*idx, s->addr_size);
		uint32_t v = 0;
		if (!long_mode)
			la = (uint32_t)la;
		/* INS checks the destination first: a fault must not swallow a byte from the port. */
		if (s->in && !ops->mem(ops->ctx, la, 0, s->size, true)) {
			*fault_la = la;
			return STRIO_FAULT;
		}
		if (!s->in && !ops->mem(ops->ctx, la, &v, s->size, false)) {
			*fault_la = la;
			return STRIO_FAULT;
		}
		if (!ops->port(ops->ctx, s->port, s->size, !s->in, &v))
			return STRIO_STOPPED;
		if (s->in && !ops->mem(ops->ctx, la, &v, s->size, true)) {
			*fault_la = la;
			return STRIO_FAULT;
		}
		*idx = set_low(*idx, *idx + step, s->addr_size);
		left--;
		if (s->rep)
			r->rcx = set_low(r->rcx, left, s->addr_size);
	}
	return left ? STRIO_AGAIN : STRIO_DONE;
}
