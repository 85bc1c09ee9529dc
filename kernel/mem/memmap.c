/* Physical memory map: building, normalizing and trimming. */
#include "mem/memmap.h"

/* Room for every entry of a full map plus the one memmap_reserve() adds. */
#define MAX_INPUT (MEMMAP_MAX + 1)

static bool type_ok(uint32_t type)
{
	return type >= MEM_USABLE && type <= MEM_TYPE_MAX;
}

/*
 * The enum is numbered so that a plain maximum is the precedence rule: usable is
 * lowest, firmware types rank by how dangerous it is to touch them, and the
 * kernel's own reservations beat anything the firmware said. 0 means "no range".
 */
static uint32_t stronger(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

err_t memmap_add(struct memmap *mm, paddr_t base, uint64_t len, uint32_t type)
{
	if (!mm || !len || base + len < base || !type_ok(type))
		return E_INVAL;
	if (mm->n >= MEMMAP_MAX)
		return E_FULL;
	mm->r[mm->n].base = base;
	mm->r[mm->n].end = base + len;
	mm->r[mm->n].type = type;
	mm->n++;
	return E_OK;
}

static const struct mem_range *input(const struct memmap *mm, const struct mem_range *extra,
				     unsigned i)
{
	return i < mm->n ? &mm->r[i] : extra;
}

/*
 * Cuts the address space at every range boundary; inside each elementary piece
 * the winning type is then simply the strongest range covering it, which makes
 * duplicates, nesting and partial overlaps all the same case. The result is
 * computed completely before mm is written so a failure leaves mm untouched.
 * Stack use is about 2.3 KiB.
 */
static err_t rebuild(struct memmap *mm, const struct mem_range *extra)
{
	paddr_t cut[2 * MAX_INPUT];
	uint8_t piece[2 * MAX_INPUT];
	unsigned nin, ncut = 0, nout = 0;

	if (!mm || mm->n > MEMMAP_MAX)
		return E_INVAL;
	nin = mm->n + (extra ? 1 : 0);
	for (unsigned i = 0; i < nin; i++) {
		const struct mem_range *r = input(mm, extra, i);
		if (r->base >= r->end || !type_ok(r->type))
			return E_INVAL;
	}

	for (unsigned i = 0; i < nin; i++) {
		const struct mem_range *r = input(mm, extra, i);
		cut[ncut++] = r->base;
		cut[ncut++] = r->end;
	}
	for (unsigned i = 1; i < ncut; i++) {
		paddr_t v = cut[i];
		unsigned j = i;
		for (; j > 0 && cut[j - 1] > v; j--)
			cut[j] = cut[j - 1];
		cut[j] = v;
	}
	unsigned uniq = 0;
	for (unsigned i = 0; i < ncut; i++)
		if (!uniq || cut[uniq - 1] != cut[i])
			cut[uniq++] = cut[i];
	ncut = uniq;

	/* piece[i] is the type of [cut[i], cut[i + 1]); ranges never start inside a piece. */
	for (unsigned i = 0; i + 1 < ncut; i++) {
		uint32_t t = 0;
		for (unsigned j = 0; j < nin; j++) {
			const struct mem_range *r = input(mm, extra, j);
			if (r->base <= cut[i] && cut[i] < r->end)
				t = stronger(t, r->type);
		}
		piece[i] = (uint8_t)t;
	}

	for (unsigned i = 0; i + 1 < ncut; i++)
		if (piece[i] && (i == 0 || piece[i - 1] != piece[i]))
			nout++;
	if (nout > MEMMAP_MAX)
		return E_FULL;

	mm->n = 0;
	for (unsigned i = 0; i + 1 < ncut; i++) {
		if (!piece[i])
			continue;
		if (i > 0 && piece[i - 1] == piece[i]) {
			mm->r[mm->n - 1].end = cut[i + 1];
			continue;
		}
		mm->r[mm->n].base = cut[i];
		mm->r[mm->n].end = cut[i + 1];
		mm->r[mm->n].type = piece[i];
		mm->n++;
	}
	return E_OK;
}

err_t memmap_normalize(struct memmap *mm)
{
	return rebuild(mm, NULL);
}

err_t memmap_reserve(struct memmap *mm, paddr_t base, paddr_t end, uint32_t type)
{
	struct mem_range extra = { .base = base, .end = end, .type = type };

	if (!mm || base >= end || !type_ok(type) || type == MEM_USABLE)
		return E_INVAL;
	/* Passed beside the table rather than appended, so a full raw map still works. */
	return rebuild(mm, &extra);
}

uint64_t memmap_usable_bytes(const struct memmap *mm)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < mm->n; i++)
		if (mm->r[i].type == MEM_USABLE)
			sum += mm->r[i].end - mm->r[i].base;
	return sum;
}

const char *memmap_type_name(uint32_t type)
{
	static const char *const names[] = {
		[MEM_USABLE] = "usable", [MEM_RESERVED] = "reserved", [MEM_ACPI] = "acpi",
		[MEM_NVS] = "nvs",       [MEM_BAD] = "bad",           [MEM_KERNEL] = "kernel",
		[MEM_MODULE] = "module", [MEM_BOOT] = "boot",       [MEM_SHARED] = "shared",
	};

	if (!type_ok(type))
		return "unknown";
	return names[type];
}

uint64_t memmap_clip(struct memmap *mm, paddr_t limit)
{
	uint64_t removed = 0;
	unsigned w = 0;

	for (unsigned i = 0; i < mm->n; i++) {
		struct mem_range r = mm->r[i];
		if (r.base >= limit) {
			if (r.type == MEM_USABLE)
				removed += r.end - r.base;
			continue;
		}
		if (r.end > limit) {
			if (r.type == MEM_USABLE)
				removed += r.end - limit;
			r.end = limit;
		}
		mm->r[w++] = r;
	}
	mm->n = w;
	return removed;
}
