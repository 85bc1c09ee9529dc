/* Decoding the guest instructions that touch memory where nothing is mapped (pure logic). */
#ifndef VMM_DECODE_H
#define VMM_DECODE_H

#include <stdbool.h>
#include <stdint.h>

enum insn_kind {
	INSN_LOAD,	/* a register gets the value read (zero-extended: MOV, MOVZX) */
	INSN_STORE,	/* a register's value is written */
	INSN_STORE_IMM,	/* an immediate is written */
	INSN_MOV_FROM_DR,	/* MOV reg, DRn */
	INSN_MOV_TO_DR,		/* MOV DRn, reg */
};

struct insn {
	enum insn_kind kind;
	unsigned len;		/* bytes, prefixes included */
	unsigned size;		/* bytes in memory: 1, 2, 4 or 8 */
	unsigned dest_size;	/* INSN_LOAD: bytes of the register written (MOVZX widens) */
	unsigned reg;		/* register number in the x86 encoding (0 = rax, 1 = rcx, ...; 0-15) */
	bool high_byte;		/* the 8-bit register is AH, CH, DH or BH */
	unsigned dr;		/* the debug register, for MOV to/from DR */
	uint64_t imm;		/* INSN_STORE_IMM */
};

/*
 * Decodes the instruction in code[0..n): MOV between a register or an
 * immediate and memory (88, 89, 8A, 8B, C6 /0, C7 /0, A0-A3), MOVZX loads (0F B6,
 * 0F B7), and MOV to or from a debug register (0F 21, 0F 23), with operand-size,
 * REX and segment prefixes. long_mode: 64-bit code; else d32 says whether the
 * code segment is 32-bit. Returns false for anything else (or too few bytes).
 */
bool insn_decode(const uint8_t *code, unsigned n, bool long_mode, bool d32, struct insn *out);

#endif
