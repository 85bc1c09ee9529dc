/* Even split of usable RAM into per-instance partitions, and its checker. */
#include "mem/partition.h"
#include "kstring.h"

/* Granule-aligned part of r, or false if no whole granule fits inside it. */
static bool inner(const struct mem_range *r, uint64_t granule, paddr_t *lo, paddr_t *hi)
{
	if (r->base > UINT64_MAX - (granule - 1))
		return false;
	*lo = ALIGN_UP(r->base, granule);
	*hi = ALIGN_DOWN(r->end, granule);
	return *lo < *hi;
}

/* Appends [base, end) to p, growing the last range when they touch. */
static err_t part_append(struct partition *p, paddr_t base, paddr_t end)
{
	if (p->n && p->r[p->n - 1].end == base) {
		p->r[p->n - 1].end = end;
	} else {
		if (p->n >= PART_MAX_RANGES)
			return E_FULL;
		p->r[p->n].base = base;
		p->r[p->n].end = end;
		p->r[p->n].type = MEM_USABLE;
		p->n++;
	}
	p->bytes += end - base;
	return E_OK;
}

/*
 * Hands out per granules to each instance in address order. Run once on a
 * scratch partition to find out whether it fits, then for real, so that a
 * failure never leaves the caller's array half written.
 */
static err_t deal(const struct memmap *mm, unsigned ninst, uint64_t granule, uint64_t per,
		  struct partition out[], bool dry)
{
	struct partition scratch;
	struct partition *cur = dry ? &scratch : &out[0];
	unsigned inst = 0;
	uint64_t need = per;

	memset(cur, 0, sizeof(*cur));
	for (unsigned i = 0; i < mm->n && inst < ninst; i++) {
		paddr_t lo, hi;
		if (mm->r[i].type != MEM_USABLE || !inner(&mm->r[i], granule, &lo, &hi))
			continue;
		while (lo < hi && inst < ninst) {
			uint64_t take = (hi - lo) / granule;
			if (take > need)
				take = need;
			err_t e = part_append(cur, lo, lo + take * granule);
			if (e != E_OK)
				return e;
			lo += take * granule;
			need -= take;
			if (need)
				continue;
			inst++;
			need = per;
			if (inst < ninst) {
				cur = dry ? &scratch : &out[inst];
				memset(cur, 0, sizeof(*cur));
			}
		}
	}
	return E_OK;
}

err_t partition_even(const struct memmap *mm, unsigned ninst, uint64_t granule,
		     uint64_t min_bytes, struct partition out[])
{
	uint64_t total = 0, per;

	if (!mm || !out || !ninst || !granule || (granule & (granule - 1)) || mm->n > MEMMAP_MAX)
		return E_INVAL;
	for (unsigned i = 0; i < mm->n; i++) {
		if (mm->r[i].base >= mm->r[i].end)
			return E_INVAL;
		if (i && mm->r[i].base < mm->r[i - 1].end)
			return E_INVAL;
	}
	for (unsigned i = 0; i < mm->n; i++) {
		paddr_t lo, hi;
		if (mm->r[i].type == MEM_USABLE && inner(&mm->r[i], granule, &lo, &hi))
			total += (hi - lo) / granule;
	}
	per = total / ninst;
	/* Neither total nor per * granule can overflow: the ranges were just shown disjoint. */
	if (!per || per * granule < min_bytes)
		return E_NOMEM;

	err_t e = deal(mm, ninst, granule, per, out, true);
	if (e != E_OK)
		return e;
	return deal(mm, ninst, granule, per, out, false);
}

/* True if a single usable range of mm holds all of r. */
static bool inside_usable(const struct mem_range *r, const struct memmap *mm)
{
	for (unsigned i = 0; i < mm->n; i++)
		if (mm->r[i].type == MEM_USABLE && mm->r[i].base <= r->base &&
		    r->end <= mm->r[i].end)
			return true;
	return false;
}

static bool overlap(const struct mem_range *a, const struct mem_range *b)
{
	return a->base < b->end && b->base < a->end;
}

err_t partition_check(const struct partition parts[], unsigned ninst, const struct memmap *mm)
{
	if (!parts || !mm || !ninst || mm->n > MEMMAP_MAX)
		return E_INVAL;
	for (unsigned p = 0; p < ninst; p++) {
		uint64_t sum = 0;
		if (parts[p].n > PART_MAX_RANGES)
			return E_INVAL;
		for (unsigned i = 0; i < parts[p].n; i++) {
			const struct mem_range *r = &parts[p].r[i];
			if (r->base >= r->end || r->type != MEM_USABLE)
				return E_INVAL;
			sum += r->end - r->base;
		}
		if (sum != parts[p].bytes)
			return E_INVAL;
	}
	for (unsigned p = 0; p < ninst; p++)
		for (unsigned i = 0; i < parts[p].n; i++)
			if (!inside_usable(&parts[p].r[i], mm))
				return E_RANGE;
	/* Quadratic, but it runs once at boot over at most ninst * PART_MAX_RANGES ranges. */
	for (unsigned p = 0; p < ninst; p++) {
		for (unsigned i = 0; i < parts[p].n; i++) {
			for (unsigned q = p; q < ninst; q++) {
				for (unsigned j = q == p ? i + 1 : 0; j < parts[q].n; j++)
					if (overlap(&parts[p].r[i], &parts[q].r[j]))
						return E_OVERLAP;
			}
		}
	}
	return E_OK;
}
