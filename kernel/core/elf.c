/* ELF64 parsing for the root-task image (System V gABI, x86_64 psABI). */
#include "core/elf.h"
#include "kstring.h"

#define PT_LOAD 1
#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define PAGE 4096ull

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static err_t check_header(const uint8_t *h, size_t size)
{
	static const uint8_t ident[] = { 0x7F, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* LE */, 1 };

	if (size < EHDR_SIZE)
		return E_TRUNC;
	if (memcmp(h, ident, sizeof(ident)) != 0)
		return E_BADSIG;
	if (rd16(h + 16) != 2 /* ET_EXEC */ || rd16(h + 18) != 62 /* EM_X86_64 */)
		return E_BADSIG;
	if (rd16(h + 54) != PHDR_SIZE)
		return E_INVAL;
	return E_OK;
}

static err_t add_segment(const uint8_t *ph, size_t size, uint64_t lo, uint64_t hi,
			 struct elf_image *out)
{
	struct elf_seg s = {
		.flags = rd32(ph + 4),
		.offset = rd64(ph + 8),
		.vaddr = rd64(ph + 16),
		.filesz = rd64(ph + 32),
		.memsz = rd64(ph + 40),
	};

	if (s.memsz == 0)
		return E_OK;
	if (s.filesz > s.memsz)
		return E_INVAL;
	if (s.offset > size || s.filesz > size - s.offset)
		return E_TRUNC;
	if (s.vaddr < lo || s.vaddr >= hi || s.memsz > hi - s.vaddr)
		return E_RANGE;
	/* Each page gets one segment's rights, so segments may not share a page. */
	uint64_t first = ALIGN_DOWN(s.vaddr, PAGE), last = ALIGN_UP(s.vaddr + s.memsz, PAGE);
	for (unsigned i = 0; i < out->nseg; i++) {
		const struct elf_seg *o = &out->seg[i];
		uint64_t ofirst = ALIGN_DOWN(o->vaddr, PAGE), olast = ALIGN_UP(o->vaddr + o->memsz, PAGE);
		if (first < olast && ofirst < last)
			return E_OVERLAP;
	}
	if (out->nseg == ELF_MAX_SEGS)
		return E_FULL;
	out->seg[out->nseg++] = s;
	return E_OK;
}

err_t elf_parse(const void *data, size_t size, uint64_t lo, uint64_t hi, struct elf_image *out)
{
	const uint8_t *h = data;
	err_t e;

	memset(out, 0, sizeof(*out));
	if ((e = check_header(h, size)))
		return e;
	uint64_t phoff = rd64(h + 32);
	uint16_t phnum = rd16(h + 56);
	if (phoff > size || (uint64_t)phnum * PHDR_SIZE > size - phoff)
		return E_TRUNC;
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = h + phoff + (uint64_t)i * PHDR_SIZE;
		if (rd32(ph) == PT_LOAD && (e = add_segment(ph, size, lo, hi, out)))
			return e;
	}
	if (!out->nseg)
		return E_NOENT;
	out->entry = rd64(h + 24);
	for (unsigned i = 0; i < out->nseg; i++) {
		const struct elf_seg *s = &out->seg[i];
		if ((s->flags & ELF_PF_X) && out->entry >= s->vaddr &&
		    out->entry - s->vaddr < s->memsz)
			return E_OK;
	}
	return E_RANGE;
}
