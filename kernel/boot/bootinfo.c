/* Boot loader hand-over parsing: everything is untrusted and read through a physview. */
#include "boot/bootinfo.h"
#include "kstring.h"

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_EFI32 11
#define MB2_TAG_EFI64 12
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_TAG_EFI_MMAP 17
#define MB2_TAG_EFI_BS 18
#define MB2_TAG_EFI32_IH 19
#define MB2_TAG_EFI64_IH 20

#define MB2_INFO_MAX MIB(1)
#define MB2_MMAP_ENTRY_MIN 24
#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

/* Byte offsets in struct hvm_start_info; version 1 adds the memory map fields. */
#define PVH_MAGIC 0
#define PVH_VERSION 4
#define PVH_NR_MODULES 12
#define PVH_MODLIST 16
#define PVH_CMDLINE 24
#define PVH_RSDP 32
#define PVH_MEMMAP 40
#define PVH_MEMMAP_ENTRIES 48
#define PVH_V0_SIZE 40
#define PVH_V1_SIZE 56
#define PVH_MOD_SIZE 32
#define PVH_MMAP_ENTRY_SIZE 24

static void note(const struct physview *pv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(const struct physview *pv, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	if (!pv->note)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pv->note(pv->ctx, buf);
}

/* Firmware data has no alignment promise beyond its own spec, so read bytewise. */
static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Copies the NUL-terminated string that must lie within src[0..avail) into dst,
 * truncating to size - 1 characters; E_INVAL if there is no NUL in the tag.
 */
static err_t copy_tag_str(char *dst, size_t size, const uint8_t *src, size_t avail, bool *cut)
{
	size_t len = 0;

	while (len < avail && src[len])
		len++;
	if (len == avail)
		return E_INVAL;
	*cut = len >= size;
	if (*cut)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return E_OK;
}

/*
 * Copies the string at pa into dst one mapped byte at a time, since nothing says
 * how long it is or where readable memory ends; E_RANGE if a byte is unreadable.
 */
static err_t read_cstr(const struct physview *pv, paddr_t pa, char *dst, size_t size, bool *cut)
{
	const uint8_t *c;

	*cut = false;
	for (size_t i = 0; i + 1 < size; i++) {
		if (pa + i < pa || !(c = physview_map(pv, pa + i, 1)))
			return E_RANGE;
		dst[i] = (char)*c;
		if (!*c)
			return E_OK;
	}
	dst[size - 1] = '\0';
	/* Only a peek to report truncation honestly; an unreadable byte here is not fatal. */
	c = pa + size - 1 >= pa ? physview_map(pv, pa + size - 1, 1) : NULL;
	*cut = !c || *c;
	return E_OK;
}

/*
 * Adds one E820-typed firmware range. Unknown types become reserved and empty
 * entries are skipped; a range running off the top of the address space is cut
 * rather than dropped, because dropping a reservation would expose it as a hole.
 */
static err_t add_fw_range(const struct physview *pv, struct memmap *mm, uint64_t base,
			  uint64_t len, uint32_t fwtype)
{
	uint32_t type = fwtype >= MEM_USABLE && fwtype <= MEM_BAD ? fwtype : MEM_RESERVED;

	if (base + len < base) {
		note(pv, "memory map entry at 0x%llx wraps, cut at the top",
		     (unsigned long long)base);
		len = UINT64_MAX - base;
	}
	if (!len)
		return E_OK;
	err_t e = memmap_add(mm, base, len, type);
	if (e == E_FULL)
		note(pv, "firmware memory map has more than %d entries", MEMMAP_MAX);
	return e;
}

static err_t mb2_mmap(const struct physview *pv, const uint8_t *p, uint32_t plen,
		      struct memmap *mm)
{
	if (plen < 8)
		return E_TRUNC;
	uint32_t esize = rd32(p);
	if (esize < MB2_MMAP_ENTRY_MIN) {
		note(pv, "multiboot2 memory map entry size %u too small", esize);
		return E_INVAL;
	}
	uint32_t count = (plen - 8) / esize;
	if ((plen - 8) % esize)
		note(pv, "multiboot2 memory map has a partial trailing entry, ignored");
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *ent = p + 8 + (size_t)i * esize;
		err_t e = add_fw_range(pv, mm, rd64(ent), rd64(ent + 8), rd32(ent + 16));
		if (e != E_OK)
			return e;
	}
	return E_OK;
}

static err_t mb2_module(const struct physview *pv, const uint8_t *p, uint32_t plen,
			struct boot_params *out, unsigned *seen)
{
	struct boot_module spare;
	struct boot_module *m = *seen < BOOT_MODS_MAX ? &out->mods[*seen] : &spare;
	bool cut;

	/* Two addresses and at least the terminating NUL of the string. */
	if (plen < 9)
		return E_TRUNC;
	m->base = rd32(p);
	m->end = rd32(p + 4);
	if (m->end < m->base) {
		note(pv, "multiboot2 module %u ends before it starts", *seen);
		return E_INVAL;
	}
	/* Extra modules are still validated so a corrupt tag is not silently accepted. */
	err_t e = copy_tag_str(m->cmdline, sizeof(m->cmdline), p + 8, plen - 8, &cut);
	if (e != E_OK)
		return e;
	if (cut && m != &spare)
		note(pv, "module %u command line truncated", *seen);
	if (m != &spare)
		out->nmods++;
	(*seen)++;
	return E_OK;
}

static err_t mb2_string(const struct physview *pv, const char *what, char *dst, size_t size,
			const uint8_t *p, uint32_t plen)
{
	bool cut;
	err_t e = copy_tag_str(dst, size, p, plen, &cut);

	if (e != E_OK)
		note(pv, "multiboot2 %s is not NUL-terminated", what);
	else if (cut)
		note(pv, "multiboot2 %s truncated to %zu characters", what, size - 1);
	return e;
}

err_t bootinfo_from_mb2(const struct physview *pv, paddr_t info, struct boot_params *out)
{
	const uint8_t *base;
	uint32_t total, off = 8;
	unsigned mods_seen = 0;
	bool have_mmap = false, have_new_rsdp = false, done = false;
	err_t e = E_OK;

	if (!pv || !pv->map || !out)
		return E_INVAL;
	memset(out, 0, sizeof(*out));
	out->loader = "multiboot2";
	if (info & 7) {
		note(pv, "multiboot2 info at 0x%llx is not 8-byte aligned", (unsigned long long)info);
		return E_INVAL;
	}
	if (!(base = physview_map(pv, info, 8)))
		return E_RANGE;
	total = rd32(base);
	if (total < 16 || total > MB2_INFO_MAX) {
		note(pv, "multiboot2 info total_size %u is not sane", total);
		return E_INVAL;
	}
	if (!(base = physview_map(pv, info, total)))
		return E_RANGE;

	while (!done) {
		/* Invariant: off <= total, so the subtractions below cannot wrap. */
		if (total - off < 8) {
			note(pv, "multiboot2 info has no end tag");
			return E_TRUNC;
		}
		uint32_t type = rd32(base + off);
		uint32_t size = rd32(base + off + 4);
		if (size < 8) {
			note(pv, "multiboot2 tag %u at offset %u has size %u", type, off, size);
			return E_INVAL;
		}
		if (size > total - off) {
			note(pv, "multiboot2 tag %u at offset %u runs past the end", type, off);
			return E_TRUNC;
		}
		const uint8_t *p = base + off + 8;
		uint32_t plen = size - 8;

		switch (type) {
		case MB2_TAG_END:
			done = true;
			break;
		case MB2_TAG_CMDLINE:
			e = mb2_string(pv, "command line", out->cmdline, sizeof(out->cmdline), p, plen);
			break;
		case MB2_TAG_LOADER_NAME:
			e = mb2_string(pv, "loader name", out->loader_name, sizeof(out->loader_name),
				       p, plen);
			break;
		case MB2_TAG_MODULE:
			e = mb2_module(pv, p, plen, out, &mods_seen);
			break;
		case MB2_TAG_MMAP:
			if (have_mmap) {
				note(pv, "second multiboot2 memory map ignored");
				break;
			}
			have_mmap = true;
			e = mb2_mmap(pv, p, plen, &out->mm);
			break;
		case MB2_TAG_ACPI_OLD:
			if (plen < RSDP_V1_LEN)
				return E_TRUNC;
			/* The loader copied the RSDP into the tag: point at the copy. */
			if (!have_new_rsdp)
				out->rsdp = info + off + 8;
			break;
		case MB2_TAG_ACPI_NEW:
			if (plen < RSDP_V2_LEN)
				return E_TRUNC;
			out->rsdp = info + off + 8;
			have_new_rsdp = true;
			break;
		case MB2_TAG_EFI32:
		case MB2_TAG_EFI64:
		case MB2_TAG_EFI_MMAP:
		case MB2_TAG_EFI_BS:
		case MB2_TAG_EFI32_IH:
		case MB2_TAG_EFI64_IH:
			out->efi = true;
			break;
		default:
			break;
		}
		if (e != E_OK)
			return e;
		uint32_t step = (uint32_t)ALIGN_UP(size, 8);
		off = step > total - off ? total : off + step;
	}

	if (mods_seen > BOOT_MODS_MAX)
		note(pv, "%u modules given, only the first %d kept", mods_seen, BOOT_MODS_MAX);
	if (!have_mmap) {
		note(pv, "multiboot2 info has no memory map");
		return E_NOENT;
	}
	return E_OK;
}

static err_t pvh_modules(const struct physview *pv, const uint8_t *si, struct boot_params *out)
{
	uint32_t nr = rd32(si + PVH_NR_MODULES);
	paddr_t list = rd64(si + PVH_MODLIST);
	unsigned keep = nr < BOOT_MODS_MAX ? nr : BOOT_MODS_MAX;
	const uint8_t *ml;

	if (!nr)
		return E_OK;
	if (!list) {
		note(pv, "PVH start_info has %u modules but no module list", nr);
		return E_INVAL;
	}
	if (!(ml = physview_map(pv, list, (size_t)keep * PVH_MOD_SIZE)))
		return E_RANGE;
	for (unsigned i = 0; i < keep; i++) {
		const uint8_t *ent = ml + (size_t)i * PVH_MOD_SIZE;
		struct boot_module *m = &out->mods[i];
		uint64_t size = rd64(ent + 8);
		paddr_t cmd = rd64(ent + 16);
		bool cut;

		m->base = rd64(ent);
		if (m->base + size < m->base) {
			note(pv, "PVH module %u wraps around the address space", i);
			return E_INVAL;
		}
		m->end = m->base + size;
		if (cmd) {
			err_t e = read_cstr(pv, cmd, m->cmdline, sizeof(m->cmdline), &cut);
			if (e != E_OK)
				return e;
			if (cut)
				note(pv, "module %u command line truncated", i);
		}
		out->nmods++;
	}
	if (nr > keep)
		note(pv, "%u modules given, only the first %d kept", nr, BOOT_MODS_MAX);
	return E_OK;
}

err_t bootinfo_from_pvh(const struct physview *pv, paddr_t start_info, struct boot_params *out)
{
	const uint8_t *si, *mmap;
	paddr_t cmdline, memmap;
	uint32_t entries;
	bool cut;
	err_t e;

	if (!pv || !pv->map || !out)
		return E_INVAL;
	memset(out, 0, sizeof(*out));
	out->loader = "pvh";
	if (!(si = physview_map(pv, start_info, PVH_V0_SIZE)))
		return E_RANGE;
	if (rd32(si + PVH_MAGIC) != PVH_START_MAGIC) {
		note(pv, "PVH start_info magic 0x%x is wrong", rd32(si + PVH_MAGIC));
		return E_BADSIG;
	}
	if (rd32(si + PVH_VERSION) == 0) {
		note(pv, "PVH start_info version 0: no memory map");
		return E_NOENT;
	}
	if (!(si = physview_map(pv, start_info, PVH_V1_SIZE)))
		return E_RANGE;
	memmap = rd64(si + PVH_MEMMAP);
	entries = rd32(si + PVH_MEMMAP_ENTRIES);
	if (!memmap || !entries) {
		note(pv, "PVH start_info has no memory map");
		return E_NOENT;
	}
	if (!(mmap = physview_map(pv, memmap, (size_t)entries * PVH_MMAP_ENTRY_SIZE)))
		return E_RANGE;
	for (uint32_t i = 0; i < entries; i++) {
		const uint8_t *ent = mmap + (size_t)i * PVH_MMAP_ENTRY_SIZE;
		e = add_fw_range(pv, &out->mm, rd64(ent), rd64(ent + 8), rd32(ent + 16));
		if (e != E_OK)
			return e;
	}

	out->rsdp = rd64(si + PVH_RSDP);
	cmdline = rd64(si + PVH_CMDLINE);
	if (cmdline) {
		e = read_cstr(pv, cmdline, out->cmdline, sizeof(out->cmdline), &cut);
		if (e != E_OK)
			return e;
		if (cut)
			note(pv, "command line truncated to %zu characters", sizeof(out->cmdline) - 1);
	}
	return pvh_modules(pv, si, out);
}
