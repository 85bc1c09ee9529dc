/* Unit tests: the VMM's string I/O logic (user/vmm/strio.c) against a fake memory and port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "../../user/vmm/strio.h"

#define STR (1u << 2)
#define REP (1u << 3)
#define SZ8 (1u << 4)
#define SZ16 (1u << 5)
#define SZ32 (1u << 6)
#define A16 (1u << 7)
#define A32 (1u << 8)
#define A64 (1u << 9)
#define IN 1u
#define PORT(p) ((uint64_t)(p) << 16)

static uint8_t ram[0x20000];	/* linear 0 .. size: present; above: not */
static uint8_t out[0x10000];	/* what the port was given, byte by byte */
static unsigned nout, port_calls;
static uint32_t in_value;	/* what the port gives; increments after each read */
static bool stop_port;

static bool fake_mem(void *ctx, uint64_t la, void *buf, unsigned n, bool write)
{
	(void)ctx;
	if (la >= sizeof(ram) || n > sizeof(ram) - la)
		return false;
	if (buf && write)
		memcpy(ram + la, buf, n);
	else if (buf)
		memcpy(buf, ram + la, n);
	return true;
}

static bool fake_port(void *ctx, uint16_t port, unsigned size, bool write, uint32_t *value)
{
	(void)ctx;
	(void)port;
	port_calls++;
	if (stop_port)
		return false;
	if (write) {
		memcpy(out + nout, value, size);
		nout += size;
	} else {
		*value = size == 4 ? in_value : in_value & ((1u << (size * 8)) - 1);
		in_value++;
	}
	return true;
}

static const struct strio_ops ops = { fake_mem, fake_port, NULL };

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	nout = port_calls = in_value = 0;
	stop_port = false;
	return 0;
}

static struct strio parse_ok(uint64_t info1)
{
	struct strio s;

	assert_true(strio_parse(info1, &s));
	return s;
}

static enum strio_result run(const struct strio *s, struct strio_regs *r, uint64_t base, bool lm,
			     unsigned max)
{
	uint64_t la = 0;

	return strio_run(s, r, base, lm, max, &ops, &la);
}

static void test_parse(void **state)
{
	(void)state;
	struct strio s = parse_ok(PORT(0x3F8) | STR | REP | SZ8 | A32);
	assert_int_equal(s.port, 0x3F8);
	assert_false(s.in);
	assert_true(s.rep);
	assert_int_equal(s.size, 1);
	assert_int_equal(s.addr_size, 4);
	s = parse_ok(PORT(0x1F0) | IN | STR | SZ16 | A16);
	assert_true(s.in);
	assert_false(s.rep);
	assert_int_equal(s.size, 2);
	assert_int_equal(s.addr_size, 2);
	s = parse_ok(PORT(0xCFC) | IN | STR | REP | SZ32 | A64);
	assert_int_equal(s.size, 4);
	assert_int_equal(s.addr_size, 8);
	assert_false(strio_parse(PORT(0x3F8) | SZ8 | A32, &s));		/* not a string */
	assert_false(strio_parse(PORT(0x3F8) | STR | SZ8 | SZ16 | A32, &s));	/* two sizes */
	assert_false(strio_parse(PORT(0x3F8) | STR | SZ8 | A16 | A64, &s));	/* two address sizes */
	s = parse_ok(PORT(0x3F8) | STR | REP | SZ8);	/* no address size (QEMU): decoded later */
	assert_int_equal(s.addr_size, 0);
	assert_false(strio_parse(PORT(0x3F8) | STR | A32, &s));		/* no size */
}

/* The segment and address size from the bytes; -1 / 0 when they are refused. */
static void decode(const uint8_t *code, unsigned n, bool long_mode, bool d32, bool in, int want_seg,
		   unsigned want_as)
{
	int seg = -1;
	unsigned as = 0;

	if (want_seg < 0) {
		assert_false(strio_decode(code, n, long_mode, d32, in, &seg, &as));
		return;
	}
	assert_true(strio_decode(code, n, long_mode, d32, in, &seg, &as));
	assert_int_equal(seg, want_seg);
	assert_int_equal(as, want_as);
}

static void test_decode(void **state)
{
	(void)state;
	static const uint8_t rep_outsb[] = { 0xF3, 0x6E }, fs_outsb[] = { 0x64, 0xF3, 0x6E },
			     cs_outsw[] = { 0x66, 0x2E, 0x6F }, es_ins[] = { 0x26, 0xF3, 0x6C },
			     gs_then_ss[] = { 0x65, 0x36, 0x6E }, rex_outs[] = { 0xF3, 0x48, 0x6F },
			     a16_fs[] = { 0x67, 0x64, 0xF3, 0x6E }, nop[] = { 0x90 },
			     prefixes_only[] = { 0xF3, 0x64 };
	decode(rep_outsb, 2, false, true, false, SEG_DS, 4);
	decode(rep_outsb, 2, false, false, false, SEG_DS, 2);		/* 16-bit code */
	decode(rep_outsb, 2, true, false, false, SEG_DS, 8);
	decode(fs_outsb, 3, false, true, false, SEG_FS, 4);
	decode(cs_outsw, 3, false, true, false, SEG_CS, 4);
	decode(gs_then_ss, 3, false, true, false, SEG_SS, 4);		/* the last one counts */
	decode(es_ins, 3, false, true, true, SEG_ES, 4);		/* INS: always ES */
	decode(a16_fs, 4, false, true, false, SEG_FS, 2);		/* 0x67 in 32-bit code */
	decode(a16_fs, 4, false, false, false, SEG_FS, 4);		/* 0x67 in 16-bit code */
	decode(a16_fs, 4, true, false, false, SEG_FS, 4);		/* 0x67 in 64-bit code */
	decode(rex_outs, 3, true, false, false, SEG_DS, 8);
	decode(rex_outs, 3, false, true, false, -1, 0);	/* 0x48 is DEC outside 64-bit */
	decode(rep_outsb, 2, false, true, true, -1, 0);	/* the exit says IN, the code OUTS */
	decode(es_ins, 3, false, true, false, -1, 0);
	decode(nop, 1, false, true, false, -1, 0);
	decode(prefixes_only, 2, false, true, false, -1, 0);
	decode(rep_outsb, 0, false, true, false, -1, 0);
}

static void test_rep_outsb_forward_and_back(void **state)
{
	(void)state;
	struct strio s = parse_ok(PORT(0x3F8) | STR | REP | SZ8 | A32);
	memcpy(ram + 0x100, "hello", 5);
	struct strio_regs r = { .rsi = 0x100, .rcx = 5 };
	assert_int_equal(run(&s, &r, 0, false, 4096), STRIO_DONE);
	assert_int_equal(nout, 5);
	assert_memory_equal(out, "hello", 5);
	assert_int_equal(r.rsi, 0x105);
	assert_int_equal(r.rcx, 0);
	/* DF: from the last byte down */
	nout = 0;
	r = (struct strio_regs){ .rsi = 0x104, .rcx = 5, .df = true };
	assert_int_equal(run(&s, &r, 0, false, 4096), STRIO_DONE);
	assert_memory_equal(out, "olleh", 5);
	assert_int_equal(r.rsi, 0xFF);
}

static void test_ins_sizes(void **state)
{
	(void)state;
	struct strio s = parse_ok(PORT(0x1F0) | IN | STR | REP | SZ16 | A32);
	struct strio_regs r = { .rdi = 0x200, .rcx = 2, .rsi = 77 };
	in_value = 0xBEEF;
	assert_int_equal(run(&s, &r, 0, false, 4096), STRIO_DONE);
	static const uint8_t w[] = { 0xEF, 0xBE, 0xF0, 0xBE };
	assert_memory_equal(ram + 0x200, w, 4);
	assert_int_equal(r.rdi, 0x204);
	assert_int_equal(r.rsi, 77);	/* INS leaves rSI alone */
	s = parse_ok(PORT(0xCF8) | IN | STR | SZ32 | A32);	/* one INSD, no REP */
	r = (struct strio_regs){ .rdi = 0x300, .rcx = 9 };
	in_value = 0x80001234;
	assert_int_equal(run(&s, &r, 0x10, false, 4096), STRIO_DONE);	/* ES base 0x10 */
	static const uint8_t d[] = { 0x34, 0x12, 0x00, 0x80 };
	assert_memory_equal(ram + 0x310, d, 4);
	assert_int_equal(r.rdi, 0x304);
	assert_int_equal(r.rcx, 9);	/* without REP rCX is not a count */
}

static void test_address_sizes(void **state)
{
	(void)state;
	/* 16-bit: SI and CX only, wrapping at 64 KiB; the upper bits stay. */
	struct strio s = parse_ok(PORT(0x80) | STR | REP | SZ8 | A16);
	ram[0x1FFFE] = 'a';
	ram[0x1FFFF] = 'b';
	ram[0x10000] = 'c';
	struct strio_regs r = { .rsi = 0xDEAD0000FFFEull, .rcx = 0x5A5A0003 };
	assert_int_equal(run(&s, &r, 0x10000, false, 4096), STRIO_DONE);
	assert_memory_equal(out, "abc", 3);
	assert_int_equal(r.rsi, 0xDEAD00000001ull);
	assert_int_equal(r.rcx, 0x5A5A0000);
	/* 32-bit in 64-bit mode (0x67): ESI; writing it clears the top half. */
	s = parse_ok(PORT(0x80) | STR | REP | SZ8 | A32);
	memcpy(ram + 0x40, "xy", 2);
	nout = 0;
	r = (struct strio_regs){ .rsi = 0xFFFFFFFF00000040ull, .rcx = 0x1234500000002ull };
	assert_int_equal(run(&s, &r, 0, true, 4096), STRIO_DONE);
	assert_memory_equal(out, "xy", 2);
	assert_int_equal(r.rsi, 0x42);
	assert_int_equal(r.rcx, 0);
	/* 64-bit: the whole register; an address beyond the fake memory faults. */
	s = parse_ok(PORT(0x80) | STR | REP | SZ8 | A64);
	r = (struct strio_regs){ .rsi = 0x100000000ull, .rcx = 1 };
	uint64_t la = 0;
	assert_int_equal(strio_run(&s, &r, 0, true, 4096, &ops, &la), STRIO_FAULT);
	assert_int_equal(la, 0x100000000ull);
	/* Outside 64-bit mode the linear address wraps at 4 GiB. */
	s = parse_ok(PORT(0x80) | STR | SZ8 | A32);
	ram[0x10] = 'w';
	nout = 0;
	r = (struct strio_regs){ .rsi = 0x20 };
	assert_int_equal(run(&s, &r, 0xFFFFFFF0ull, false, 4096), STRIO_DONE);
	assert_int_equal(out[0], 'w');
}

static void test_bounded_chunks(void **state)
{
	(void)state;
	struct strio s = parse_ok(PORT(0x1234) | IN | STR | REP | SZ8 | A32);
	struct strio_regs r = { .rdi = 0x1000, .rcx = 10000 };
	in_value = 0xFF;
	assert_int_equal(run(&s, &r, 0, false, 4096), STRIO_AGAIN);
	assert_int_equal(r.rcx, 10000 - 4096);
	assert_int_equal(r.rdi, 0x1000 + 4096);
	assert_int_equal(run(&s, &r, 0, false, 4096), STRIO_AGAIN);
	assert_int_equal(run(&s, &r, 0, false, 4096), STRIO_DONE);
	assert_int_equal(r.rcx, 0);
	assert_int_equal(r.rdi, 0x1000 + 10000);
	assert_int_equal(port_calls, 10000);
	/* A REP with rCX 0 does nothing. */
	port_calls = 0;
	r.rcx = 0;
	assert_int_equal(run(&s, &r, 0, false, 4096), STRIO_DONE);
	assert_int_equal(port_calls, 0);
	assert_int_equal(r.rdi, 0x1000 + 10000);
}

static void test_faults_and_stops(void **state)
{
	(void)state;
	/* OUTS: the second element's source is not mapped; the first was done. */
	struct strio s = parse_ok(PORT(0x80) | STR | REP | SZ16 | A32);
	struct strio_regs r = { .rsi = sizeof(ram) - 2, .rcx = 3 };
	uint64_t la = 0;
	assert_int_equal(strio_run(&s, &r, 0, false, 4096, &ops, &la), STRIO_FAULT);
	assert_int_equal(la, sizeof(ram));
	assert_int_equal(nout, 2);
	assert_int_equal(r.rsi, sizeof(ram));
	assert_int_equal(r.rcx, 2);
	/* INS: a destination that faults costs no read from the port. */
	s = parse_ok(PORT(0x3F8) | IN | STR | REP | SZ8 | A32);
	port_calls = 0;
	r = (struct strio_regs){ .rdi = sizeof(ram), .rcx = 4 };
	assert_int_equal(strio_run(&s, &r, 0, false, 4096, &ops, &la), STRIO_FAULT);
	assert_int_equal(port_calls, 0);
	assert_int_equal(r.rcx, 4);
	/* A port that ends the VM ends the instruction. */
	stop_port = true;
	r = (struct strio_regs){ .rdi = 0, .rcx = 4 };
	assert_int_equal(run(&s, &r, 0, false, 4096), STRIO_STOPPED);
	assert_int_equal(port_calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_parse, setup),
		cmocka_unit_test_setup(test_decode, setup),
		cmocka_unit_test_setup(test_rep_outsb_forward_and_back, setup),
		cmocka_unit_test_setup(test_ins_sizes, setup),
		cmocka_unit_test_setup(test_address_sizes, setup),
		cmocka_unit_test_setup(test_bounded_chunks, setup),
		cmocka_unit_test_setup(test_faults_and_stops, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
