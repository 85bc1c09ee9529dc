/* Unit tests: the VMM's decoder of instructions that touch memory where nothing is (user/vmm/decode.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "../../user/vmm/decode.h"

#define LONG true, false
#define PROT32 false, true
#define REAL16 false, false

static struct insn decode_ok(const uint8_t *code, unsigned n, bool long_mode, bool d32)
{
	struct insn in;

	assert_true(insn_decode(code, n, long_mode, d32, &in));
	return in;
}

static void test_loads(void **state)
{
	(void)state;
	/* mov 0x10(%rip), %eax: RIP-relative disp32 */
	static const uint8_t a[] = { 0x8B, 0x05, 0x10, 0x00, 0x00, 0x00 };
	struct insn in = decode_ok(a, sizeof(a), LONG);
	assert_int_equal(in.kind, INSN_LOAD);
	assert_int_equal(in.len, 6);
	assert_int_equal(in.size, 4);
	assert_int_equal(in.reg, 0);
	/* mov 0xfee00000, %rcx: REX.W, SIB with no base and disp32 */
	static const uint8_t b[] = { 0x48, 0x8B, 0x0C, 0x25, 0x00, 0x00, 0xE0, 0xFE };
	in = decode_ok(b, sizeof(b), LONG);
	assert_int_equal(in.len, 8);
	assert_int_equal(in.size, 8);
	assert_int_equal(in.reg, 1);
	/* mov (%rax), %r9d: REX.R extends the register */
	static const uint8_t c[] = { 0x44, 0x8B, 0x08 };
	in = decode_ok(c, sizeof(c), LONG);
	assert_int_equal(in.reg, 9);
	assert_int_equal(in.len, 3);
	/* movzbl (%rax), %eax and movzwl 4(%rbx), %edx: the register is written 4 bytes wide */
	static const uint8_t d[] = { 0x0F, 0xB6, 0x00 }, e[] = { 0x0F, 0xB7, 0x53, 0x04 };
	in = decode_ok(d, sizeof(d), LONG);
	assert_int_equal(in.size, 1);
	assert_int_equal(in.dest_size, 4);
	in = decode_ok(e, sizeof(e), LONG);
	assert_int_equal(in.size, 2);
	assert_int_equal(in.reg, 2);
	assert_int_equal(in.len, 4);
}

static void test_stores(void **state)
{
	(void)state;
	/* mov %edx, 0x320(%rax) */
	static const uint8_t a[] = { 0x89, 0x90, 0x20, 0x03, 0x00, 0x00 };
	struct insn in = decode_ok(a, sizeof(a), LONG);
	assert_int_equal(in.kind, INSN_STORE);
	assert_int_equal(in.reg, 2);
	assert_int_equal(in.len, 6);
	/* movl $0x12345678, 0x10(%rip) */
	static const uint8_t b[] = { 0xC7, 0x05, 0x10, 0, 0, 0, 0x78, 0x56, 0x34, 0x12 };
	in = decode_ok(b, sizeof(b), LONG);
	assert_int_equal(in.kind, INSN_STORE_IMM);
	assert_int_equal(in.len, 10);
	assert_int_equal(in.imm, 0x12345678);
	/* movq $-1, (%rax): imm32 sign-extended */
	static const uint8_t c[] = { 0x48, 0xC7, 0x00, 0xFF, 0xFF, 0xFF, 0xFF };
	in = decode_ok(c, sizeof(c), LONG);
	assert_int_equal(in.size, 8);
	assert_true(in.imm == ~0ull);
	/* movw $0x1234, %es:(%bx) in 16-bit code: segment prefix, 16-bit addressing, imm16 */
	static const uint8_t d[] = { 0x26, 0xC7, 0x07, 0x34, 0x12 };
	in = decode_ok(d, sizeof(d), REAL16);
	assert_int_equal(in.size, 2);
	assert_int_equal(in.len, 5);
	assert_int_equal(in.imm, 0x1234);
}

static void test_moffs(void **state)
{
	(void)state;
	/* mov 0xf0000000, %eax in 32-bit code; movabs %al, 0xfee00000 in 64-bit code */
	static const uint8_t a[] = { 0xA1, 0x00, 0x00, 0x00, 0xF0 };
	static const uint8_t b[] = { 0xA2, 0x00, 0x00, 0xE0, 0xFE, 0, 0, 0, 0 };
	struct insn in = decode_ok(a, sizeof(a), PROT32);
	assert_int_equal(in.kind, INSN_LOAD);
	assert_int_equal(in.len, 5);
	assert_int_equal(in.size, 4);
	assert_int_equal(in.reg, 0);
	in = decode_ok(b, sizeof(b), LONG);
	assert_int_equal(in.kind, INSN_STORE);
	assert_int_equal(in.len, 9);
	assert_int_equal(in.size, 1);
	/* 67 in 64-bit code: a 4-byte address; cut short it is refused */
	static const uint8_t c[] = { 0x67, 0xA1, 0x00, 0x00, 0x00, 0xF0 };
	assert_int_equal(decode_ok(c, sizeof(c), LONG).len, 6);
	struct insn x;
	assert_false(insn_decode(a, 4, PROT32, &x));
}

static void test_byte_registers(void **state)
{
	(void)state;
	/* mov %ah, (%rax) without REX is AH; with any REX it is SPL */
	static const uint8_t a[] = { 0x88, 0x20 }, b[] = { 0x40, 0x88, 0x20 };
	struct insn in = decode_ok(a, sizeof(a), LONG);
	assert_true(in.high_byte);
	assert_int_equal(in.reg, 0);
	in = decode_ok(b, sizeof(b), LONG);
	assert_false(in.high_byte);
	assert_int_equal(in.reg, 4);
}

static void test_operand_and_address_size(void **state)
{
	(void)state;
	static const uint8_t a[] = { 0x66, 0x8B, 0x00 }, b[] = { 0x8B, 0x00 };
	assert_int_equal(decode_ok(a, sizeof(a), LONG).size, 2);
	assert_int_equal(decode_ok(a, sizeof(a), PROT32).size, 2);
	assert_int_equal(decode_ok(a, sizeof(a), REAL16).size, 4);
	assert_int_equal(decode_ok(b, sizeof(b), REAL16).size, 2);
	/* 67 in 32-bit code: 16-bit addressing, where rm 6 with mod 1 is (%bp) + disp8 */
	static const uint8_t c[] = { 0x67, 0x8B, 0x46, 0x04 };
	assert_int_equal(decode_ok(c, sizeof(c), PROT32).len, 4);
	/* without 67 the same ModRM is 4(%esi): also 4 bytes, but SIB forms differ */
	static const uint8_t d[] = { 0x8B, 0x44, 0x24, 0x08 };	/* mov 8(%esp), %eax */
	assert_int_equal(decode_ok(d, sizeof(d), PROT32).len, 4);
}

static void test_debug_registers(void **state)
{
	(void)state;
	static const uint8_t a[] = { 0x0F, 0x21, 0xF8 }, b[] = { 0x41, 0x0F, 0x23, 0xC1 };
	struct insn in = decode_ok(a, sizeof(a), LONG);
	assert_int_equal(in.kind, INSN_MOV_FROM_DR);
	assert_int_equal(in.dr, 7);
	assert_int_equal(in.reg, 0);
	assert_int_equal(in.len, 3);
	in = decode_ok(b, sizeof(b), LONG);
	assert_int_equal(in.kind, INSN_MOV_TO_DR);
	assert_int_equal(in.dr, 0);
	assert_int_equal(in.reg, 9);
	assert_int_equal(in.len, 4);
}

static void test_refused(void **state)
{
	struct insn in;

	(void)state;
	static const uint8_t movs[] = { 0xF3, 0xA5 }, regreg[] = { 0x8B, 0xC0 },
			     cut[] = { 0x8B, 0x05, 0x00 }, c7_reg1[] = { 0xC7, 0x08, 0, 0, 0, 0 },
			     cut_imm[] = { 0xC7, 0x00, 0x01 }, dr_mem[] = { 0x0F, 0x21, 0x00 },
			     prefixes[] = { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
					    0x66, 0x66, 0x66, 0x66, 0x66, 0x8B, 0x00 };
	assert_false(insn_decode(movs, sizeof(movs), LONG, &in));	/* string moves */
	assert_false(insn_decode(regreg, sizeof(regreg), LONG, &in));	/* no memory operand */
	assert_false(insn_decode(cut, sizeof(cut), LONG, &in));		/* displacement cut off */
	assert_false(insn_decode(c7_reg1, sizeof(c7_reg1), LONG, &in));	/* C7 /1 is not MOV */
	assert_false(insn_decode(cut_imm, sizeof(cut_imm), LONG, &in));	/* immediate cut off */
	assert_false(insn_decode(dr_mem, sizeof(dr_mem), LONG, &in));	/* DR moves take registers */
	assert_false(insn_decode(prefixes, sizeof(prefixes), LONG, &in));	/* longer than 15 bytes */
	assert_false(insn_decode(movs, 0, LONG, &in));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loads),
		cmocka_unit_test(test_stores),
		cmocka_unit_test(test_moffs),
		cmocka_unit_test(test_byte_registers),
		cmocka_unit_test(test_operand_and_address_size),
		cmocka_unit_test(test_debug_registers),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
