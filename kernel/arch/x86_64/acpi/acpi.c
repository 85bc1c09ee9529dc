/* ACPI root: RSDP, RSDT/XSDT and the checks every table must pass (ACPI 6.5 ch. 5.2). */
#include <stdarg.h>

#include "arch/x86_64/acpi/acpi.h"
#include "kstring.h"

#define SDT_HEADER 36

void acpi_note(const struct physview *pv, const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pv->note(pv->ctx, buf);
}

static bool sum_ok(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s == 0;
}

static err_t check_rsdp(const struct physview *pv, paddr_t pa, const uint8_t **out)
{
	const uint8_t *r = physview_map(pv, pa, 20);

	if (!r)
		return E_RANGE;
	if (memcmp(r, "RSD PTR ", 8) != 0)
		return E_BADSIG;
	if (!sum_ok(r, 20))
		return E_BADSUM;
	if (r[15] >= 2) {
		const uint8_t *x = physview_map(pv, pa, 36);
		if (!x)
			return E_RANGE;
		uint32_t len = acpi_rd32(x + 20);
		if (len < 36 || len > 4096)
			return E_RANGE;
		if (!(x = physview_map(pv, pa, len)))
			return E_RANGE;
		if (!sum_ok(x, len))
			return E_BADSUM;
		r = x;
	}
	*out = r;
	return E_OK;
}

err_t acpi_find_rsdp_bios(const struct physview *pv, paddr_t *out)
{
	const uint8_t *ebda_seg = physview_map(pv, 0x40E, 2);
	paddr_t areas[2][2] = { { 0, 0 }, { 0xE0000, 0x100000 } };
	const uint8_t *r;

	if (ebda_seg) {
		paddr_t ebda = (paddr_t)acpi_rd16(ebda_seg) << 4;
		if (ebda >= 0x80000 && ebda < 0xA0000) {
			areas[0][0] = ebda;
			areas[0][1] = ebda + 1024;
		}
	}
	for (unsigned a = 0; a < 2; a++)
		for (paddr_t pa = areas[a][0]; pa + 20 <= areas[a][1]; pa += 16)
			if (check_rsdp(pv, pa, &r) == E_OK) {
				*out = pa;
				return E_OK;
			}
	return E_NOENT;
}

/* Maps and checks the table at pa: readable, sane length, checksum, and signature if given. */
static const uint8_t *map_table(const struct physview *pv, paddr_t pa, const char *sig,
				const char **why)
{
	const uint8_t *h = physview_map(pv, pa, SDT_HEADER);

	if (!h) {
		*why = "header not readable";
		return NULL;
	}
	if (sig && memcmp(h, sig, 4) != 0) {
		*why = "wrong signature";
		return NULL;
	}
	uint32_t len = acpi_rd32(h + 4);
	if (len < SDT_HEADER || len > ACPI_MAX_TABLE_LEN) {
		*why = "absurd length";
		return NULL;
	}
	const uint8_t *t = physview_map(pv, pa, len);
	if (!t) {
		*why = "runs past readable memory";
		return NULL;
	}
	if (!sum_ok(t, len)) {
		*why = "bad checksum";
		return NULL;
	}
	return t;
}

static void print_sig(char out[5], const struct physview *pv, paddr_t pa)
{
	memcpy(out, physview_map(pv, pa, 4), 4);
	for (int i = 0; i < 4; i++)
		if (out[i] < 0x20 || out[i] > 0x7E)
			out[i] = '?';
	out[4] = '\0';
}

static void parse_table(const struct physview *pv, paddr_t pa, struct acpi_info *out)
{
	static const struct {
		const char *sig;
		size_t flag;
		void (*parse)(const struct physview *, const uint8_t *, uint32_t, struct acpi_info *);
	} known[] = {
		{ "APIC", offsetof(struct acpi_info, have_madt), acpi_parse_madt },
		{ "MCFG", offsetof(struct acpi_info, have_mcfg), acpi_parse_mcfg },
		{ "DMAR", offsetof(struct acpi_info, have_dmar), acpi_parse_dmar },
	};
	char sig[5];
	const char *why = NULL;

	if (!physview_map(pv, pa, 4)) {
		acpi_note(pv, "acpi: table pointer 0x%llx not readable, skipped",
			  (unsigned long long)pa);
		return;
	}
	print_sig(sig, pv, pa);
	for (unsigned i = 0; i < ARRAY_SIZE(known); i++) {
		if (strcmp(sig, known[i].sig) != 0)
			continue;
		bool *have = (bool *)((char *)out + known[i].flag);
		if (*have) {
			acpi_note(pv, "acpi: second %s table at 0x%llx ignored", sig,
				  (unsigned long long)pa);
			return;
		}
		const uint8_t *t = map_table(pv, pa, known[i].sig, &why);
		if (!t) {
			acpi_note(pv, "acpi: %s table at 0x%llx skipped: %s", sig,
				  (unsigned long long)pa, why);
			return;
		}
		*have = true;
		known[i].parse(pv, t, acpi_rd32(t + 4), out);
		return;
	}
}

/* Walks the RSDT (4-byte entries) or XSDT (8-byte entries). */
static void walk_root(const struct physview *pv, const uint8_t *root, unsigned entry_size,
		      struct acpi_info *out)
{
	uint32_t len = acpi_rd32(root + 4);

	for (uint32_t off = SDT_HEADER; off + entry_size <= len; off += entry_size) {
		paddr_t pa = entry_size == 8 ? acpi_rd64(root + off) : acpi_rd32(root + off);
		if (pa)
			parse_table(pv, pa, out);
	}
}

err_t acpi_parse(const struct physview *pv, paddr_t rsdp_pa, struct acpi_info *out)
{
	const uint8_t *rsdp, *root = NULL;
	const char *why = NULL;
	err_t e;

	memset(out, 0, sizeof(*out));
	out->lapic_addr = ACPI_LAPIC_DEFAULT;
	if ((e = check_rsdp(pv, rsdp_pa, &rsdp))) {
		acpi_note(pv, "acpi: RSDP at 0x%llx unusable: %s", (unsigned long long)rsdp_pa,
			  err_str(e));
		return e;
	}
	out->rsdp = rsdp_pa;
	out->revision = rsdp[15];
	memcpy(out->oem_id, rsdp + 9, 6);
	out->oem_id[6] = '\0';

	if (out->revision >= 2) {
		paddr_t xsdt = acpi_rd64(rsdp + 24);
		if (!xsdt)
			why = "null pointer";
		else
			root = map_table(pv, xsdt, "XSDT", &why);
		if (root)
			out->xsdt_used = true;
		else
			acpi_note(pv, "acpi: XSDT at 0x%llx unusable (%s), using the RSDT",
				  (unsigned long long)xsdt, why);
	}
	if (!root) {
		paddr_t rsdt = acpi_rd32(rsdp + 16);
		root = map_table(pv, rsdt, "RSDT", &why);
		if (!root) {
			acpi_note(pv, "acpi: RSDT at 0x%llx unusable: %s", (unsigned long long)rsdt,
				  why);
			return E_BADSUM;
		}
	}
	walk_root(pv, root, out->xsdt_used ? 8 : 4, out);
	return E_OK;
}
