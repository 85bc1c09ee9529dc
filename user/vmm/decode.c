/* A decoder for the few instructions a VMM must emulate (Intel SDM vol. 2 ch. 2, AMD APM vol. 3). */
#include "decode.h"

/* Bytes of ModRM, SIB and displacement from the ModRM byte on; 0 if they run past n. */
static unsigned modrm_len(const uint8_t *p, unsigned n, bool addr32_or_64)
{
	if (n < 1)
		return 0;
	unsigned mod = p[0] >> 6, rm = p[0] & 7, len = 1;

	if (!addr32_or_64) {	/* 16-bit addressing: no SIB */
		if (mod == 0 && rm == 6)
			len += 2;
		else if (mod == 1)
			len += 1;
		else if (mod == 2)
			len += 2;
		return len <= n ? len : 0;
	}
	if (mod != 3 && rm == 4) {
		if (n < 2)
			return 0;
		len++;
		if (mod == 0 && (p[1] & 7) == 5)
			len += 4;
	}
	if (mod == 0 && rm == 5)
		len += 4;	/* disp32 (RIP-relative in 64-bit code) */
	else if (mod == 1)
		len += 1;
	else if (mod == 2)
		len += 4;
	return len <= n ? len : 0;
}

bool insn_decode(const uint8_t *code, unsigned n, bool long_mode, bool d32, struct insn *out)
{
	bool opsize = false, addrsize = false;
	unsigned rex = 0, i = 0;

	/* Legacy prefixes, then REX (which must come last, and only in 64-bit code). */
	for (; i < n && i < 14; i++) {
		uint8_t b = code[i];
		if (b == 0x66)
			opsize = true;
		else if (b == 0x67)
			addrsize = true;
		else if (b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65)
			continue;
		else
			break;
	}
	if (long_mode && i < n && (code[i] & 0xF0) == 0x40)
		rex = code[i++];
	if (i >= n)
		return false;
	bool rex_w = rex & 8;
	/* Operand size: REX.W gives 64, else 66 flips the code segment's default (32 in 64-bit code). */
	bool default32 = long_mode || d32;
	unsigned full = rex_w ? 8 : default32 != opsize ? 4 : 2;
	bool addr_wide = long_mode || (d32 != addrsize);
	uint8_t op = code[i++];
	bool two_byte = op == 0x0F;
	if (two_byte) {
		if (i >= n)
			return false;
		op = code[i++];
	}
	if (!two_byte && op >= 0xA0 && op <= 0xA3) {
		/* MOV between al/ax/eax/rax and an absolute address of the address size (moffs). */
		unsigned asz = long_mode ? (addrsize ? 4 : 8) : addr_wide ? 4 : 2;
		*out = (struct insn){ .kind = op <= 0xA1 ? INSN_LOAD : INSN_STORE, .reg = 0,
				      .size = op & 1 ? full : 1, .dest_size = op & 1 ? full : 1,
				      .len = i + asz };
		return out->len <= n && out->len <= 15;
	}
	if (i >= n)
		return false;
	uint8_t modrm = code[i];
	unsigned reg = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);
	*out = (struct insn){ .reg = reg, .dest_size = full };

	if (two_byte && (op == 0x21 || op == 0x23)) {
		/* MOV to/from DRn: always register form, 64-bit operands in long mode. */
		if ((modrm >> 6) != 3)
			return false;
		out->kind = op == 0x21 ? INSN_MOV_FROM_DR : INSN_MOV_TO_DR;
		out->dr = (modrm >> 3) & 7;
		out->reg = (modrm & 7) | (rex & 1 ? 8 : 0);
		out->size = out->dest_size = long_mode ? 8 : 4;
		out->len = i + 1;
		return true;
	}
	if ((modrm >> 6) == 3)
		return false;	/* register operands touch no memory */
	unsigned ml = modrm_len(code + i, n - i, addr_wide);
	if (!ml)
		return false;
	unsigned end = i + ml;
	if (!two_byte && (op == 0x88 || op == 0x8A)) {
		out->kind = op == 0x88 ? INSN_STORE : INSN_LOAD;
		out->size = out->dest_size = 1;
		out->high_byte = !rex && reg >= 4 && reg < 8;
		if (out->high_byte)
			out->reg = reg - 4;
	} else if (!two_byte && (op == 0x89 || op == 0x8B)) {
		out->kind = op == 0x89 ? INSN_STORE : INSN_LOAD;
		out->size = full;
	} else if (!two_byte && (op == 0xC6 || op == 0xC7) && ((modrm >> 3) & 7) == 0) {
		out->kind = INSN_STORE_IMM;
		out->size = op == 0xC6 ? 1 : full;
		unsigned isz = out->size > 4 ? 4 : out->size;
		if (end + isz > n)
			return false;
		uint64_t v = 0;
		for (unsigned k = 0; k < isz; k++)
			v |= (uint64_t)code[end + k] << (8 * k);
		if (out->size == 8 && (v & 0x80000000u))
			v |= 0xFFFFFFFF00000000ull;	/* imm32 sign-extended to 64 bits */
		out->imm = v;
		end += isz;
	} else if (two_byte && (op == 0xB6 || op == 0xB7)) {
		out->kind = INSN_LOAD;
		out->size = op == 0xB6 ? 1 : 2;	/* the size read; the register gets it zero-extended */
	} else {
		return false;
	}
	out->len = end;
	return end <= 15;
}
