/* ACPI root: finding and checking the RSDP, RSDT/XSDT and every table they list (ACPI 6.5 5.2). */
#include <stdarg.h>

#include "abi/error.h"
#include "arch/x86_64/acpi/internal.h"
#include "kstring.h"
#include "physview.h"
#include "types.h"

/* RSDP layout (ACPI 6.5 5.2.5.3). */
#define RSDP_SIG "RSD PTR "
#define RSDP_V1_LEN 20		/* the ACPI 1.0 part, covered by the first checksum */
#define RSDP_V2_MIN 36		/* the whole 2.0 structure, covered by the extended checksum */
#define RSDP_OEM_ID 9
#define RSDP_REVISION 15
#define RSDP_RSDT 16
#define RSDP_LENGTH 20
#define RSDP_XSDT 24

#define SDT_LENGTH 4		/* ACPI 6.5 5.2.6: offset of the table length */

/* Where BIOS machines keep the RSDP (ACPI 6.5 5.2.5.1). */
#define BDA_EBDA_SEGMENT 0x40E
#define BDA_END 0x500
#define CONVENTIONAL_END 0xA0000
#define BIOS_ROM_START 0xE0000
#define BIOS_ROM_END 0x100000

void acpi_note(const struct physview *pv, const char *fmt, ...)
{
	static const char prefix[] = "acpi: ";
	char buf[192];
	va_list ap;

	memcpy(buf, prefix, sizeof(prefix));
	va_start(ap, fmt);
	vsnprintf(buf + sizeof(prefix) - 1, sizeof(buf) - (sizeof(prefix) - 1), fmt, ap);
	va_end(ap);
	pv->note(pv->ctx, buf);
}

/* ACPI 6.5 5.2.5.3, 5.2.6: the bytes of a checksummed range add up to 0 modulo 256. */
static bool sum_ok(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *p++);
	return sum == 0;
}

/* Copies an n-byte firmware name into dst[n + 1] for printing: unprintable bytes become '?'. */
static void copy_name(char *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7F ? (char)src[i] : '?';
	dst[n] = '\0';
}

/* Checks the RSDP at pa; on success *out maps all of it, else *why says what is wrong. */
static err_t check_rsdp(const struct physview *pv, paddr_t pa, const uint8_t **out,
			const char **why)
{
	const uint8_t *r = physview_map(pv, pa, RSDP_V1_LEN);
	uint32_t len;

	if (!r) {
		*why = "not readable";
		return E_RANGE;
	}
	if (memcmp(r, RSDP_SIG, 8) != 0) {
		*why = "no \"RSD PTR \" signature";
		return E_BADSIG;
	}
	if (!sum_ok(r, RSDP_V1_LEN)) {
		*why = "bad checksum";
		return E_BADSUM;
	}
	if (acpi_rd8(r + RSDP_REVISION) < 2) {
		*out = r;
		return E_OK;
	}
	/* Revision 2 and later: a length field and an extended checksum over that length. */
	r = physview_map(pv, pa, RSDP_V2_MIN);
	if (!r) {
		*why = "revision 2 part not readable";
		return E_TRUNC;
	}
	len = acpi_rd32(r + RSDP_LENGTH);
	if (len < RSDP_V2_MIN || len > ACPI_MAX_RSDP_LEN) {
		*why = "absurd length";
		return E_RANGE;
	}
	r = physview_map(pv, pa, len);
	if (!r) {
		*why = "runs past readable memory";
		return E_TRUNC;
	}
	if (!sum_ok(r, len)) {
		*why = "bad extended checksum";
		return E_BADSUM;
	}
	*out = r;
	return E_OK;
}

/* Scans [start, end) on 16-byte boundaries; notes candidates that have the signature but fail. */
static bool scan_rsdp(const struct physview *pv, paddr_t start, paddr_t end, paddr_t *out)
{
	for (paddr_t pa = start; pa + RSDP_V1_LEN <= end; pa += 16) {
		const uint8_t *sig = physview_map(pv, pa, 8);
		const uint8_t *r;
		const char *why;

		if (!sig || memcmp(sig, RSDP_SIG, 8) != 0)
			continue;
		if (check_rsdp(pv, pa, &r, &why) == E_OK) {
			*out = pa;
			return true;
		}
		acpi_note(pv, "RSDP candidate at 0x%llx ignored: %s", (unsigned long long)pa, why);
	}
	return false;
}

err_t acpi_find_rsdp_bios(const struct physview *pv, paddr_t *out)
{
	const uint8_t *seg = physview_map(pv, BDA_EBDA_SEGMENT, 2);

	if (seg) {
		paddr_t ebda = (paddr_t)acpi_rd16(seg) << 4;

		/* Only an EBDA between the BIOS data area and 640 KiB is plausible. */
		if (ebda >= BDA_END && ebda + KIB(1) <= CONVENTIONAL_END &&
		    scan_rsdp(pv, ebda, ebda + KIB(1), out))
			return E_OK;
	}
	if (scan_rsdp(pv, BIOS_ROM_START, BIOS_ROM_END, out))
		return E_OK;
	return E_NOENT;
}

/*
 * Maps the description table at pa and checks it (ACPI 6.5 5.2.6): header
 * readable, signature sig, length in [36, ACPI_MAX_TABLE_LEN], all of it
 * readable, checksum. The header is mapped first so that an absurd length is
 * never mapped. On success *out maps the whole table, else *why says why not.
 */
static err_t map_sdt(const struct physview *pv, paddr_t pa, const char *sig,
		     const uint8_t **out, const char **why)
{
	const uint8_t *t = physview_map(pv, pa, ACPI_SDT_HEADER);
	uint32_t len;

	if (!t) {
		*why = "header not readable";
		return E_RANGE;
	}
	if (memcmp(t, sig, 4) != 0) {
		*why = "wrong signature";
		return E_BADSIG;
	}
	len = acpi_rd32(t + SDT_LENGTH);
	if (len < ACPI_SDT_HEADER) {
		*why = "absurd length: shorter than its header";
		return E_RANGE;
	}
	if (len > ACPI_MAX_TABLE_LEN) {
		*why = "absurd length: over 1 MiB";
		return E_RANGE;
	}
	t = physview_map(pv, pa, len);
	if (!t) {
		*why = "runs past readable memory";
		return E_TRUNC;
	}
	if (!sum_ok(t, len)) {
		*why = "bad checksum";
		return E_BADSUM;
	}
	*out = t;
	return E_OK;
}

struct table_kind {
	const char sig[5];
	const char *name;	/* for notes */
	bool (*parse)(const struct physview *, const uint8_t *, uint32_t, struct acpi_info *);
};

/* The tables Atoll uses; any other table is not even checked, since it is never read. */
static const struct table_kind kinds[] = {
	{ "APIC", "MADT", acpi_parse_madt },	/* ACPI 6.5 5.2.12 */
	{ "MCFG", "MCFG", acpi_parse_mcfg },	/* PCI Firmware 3.3 4.1.2 */
	{ "DMAR", "DMAR", acpi_parse_dmar },	/* VT-d 4.1 8.1 */
};

/* Checks and parses the table at pa; bit i of *used is set once a kinds[i] table was used. */
static void parse_table(const struct physview *pv, paddr_t pa, unsigned *used,
			struct acpi_info *out)
{
	const uint8_t *sig = physview_map(pv, pa, 4);
	const uint8_t *t;
	const char *why;

	if (!sig) {
		acpi_note(pv, "table at 0x%llx not readable, skipped", (unsigned long long)pa);
		return;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (memcmp(sig, kinds[i].sig, 4) != 0)
			continue;
		if (*used & 1u << i) {
			acpi_note(pv, "another %s at 0x%llx ignored: the first valid one is used",
				  kinds[i].name, (unsigned long long)pa);
			return;
		}
		if (map_sdt(pv, pa, kinds[i].sig, &t, &why) != E_OK) {
			acpi_note(pv, "%s at 0x%llx skipped: %s", kinds[i].name,
				  (unsigned long long)pa, why);
			return;
		}
		if (kinds[i].parse(pv, t, acpi_rd32(t + SDT_LENGTH), out))
			*used |= 1u << i;
		return;
	}
}

/* Parses every table the RSDT (4-byte pointers) or XSDT (8-byte pointers) lists (5.2.7, 5.2.8). */
static void walk_root(const struct physview *pv, const uint8_t *root, bool xsdt,
		      struct acpi_info *out)
{
	uint32_t len = acpi_rd32(root + SDT_LENGTH);
	uint32_t step = xsdt ? 8 : 4;
	const char *name = xsdt ? "XSDT" : "RSDT";
	unsigned used = 0;

	if ((len - ACPI_SDT_HEADER) % step)
		acpi_note(pv, "%s ends in a partial entry, ignored", name);
	for (uint32_t off = ACPI_SDT_HEADER; len - off >= step; off += step) {
		paddr_t pa = xsdt ? acpi_rd64(root + off) : acpi_rd32(root + off);

		if (pa)
			parse_table(pv, pa, &used, out);
		else
			acpi_note(pv, "%s entry %u is a null pointer, skipped", name,
				  (off - ACPI_SDT_HEADER) / step);
	}
}

/* The defined fallbacks of acpi.h: no tables, the architectural local APIC base. */
static void set_fallbacks(struct acpi_info *out)
{
	memset(out, 0, sizeof(*out));
	out->lapic_addr = ACPI_LAPIC_DEFAULT;
}

err_t acpi_parse(const struct physview *pv, paddr_t rsdp_pa, struct acpi_info *out)
{
	const uint8_t *rsdp, *root = NULL;
	const char *why = NULL;
	uint8_t revision;
	err_t e;

	set_fallbacks(out);
	e = check_rsdp(pv, rsdp_pa, &rsdp, &why);
	if (e) {
		acpi_note(pv, "RSDP at 0x%llx unusable: %s", (unsigned long long)rsdp_pa, why);
		return e;
	}
	revision = acpi_rd8(rsdp + RSDP_REVISION);

	/* ACPI 6.5 5.2.8: the XSDT, if the RSDP (revision 2+) has one, supersedes the RSDT. */
	if (revision >= 2) {
		paddr_t xsdt = acpi_rd64(rsdp + RSDP_XSDT);

		why = "null pointer";
		if (xsdt && map_sdt(pv, xsdt, "XSDT", &root, &why) == E_OK)
			out->xsdt_used = true;
		else
			acpi_note(pv, "XSDT at 0x%llx unusable (%s): using the RSDT",
				  (unsigned long long)xsdt, why);
	}
	if (!out->xsdt_used) {
		paddr_t rsdt = acpi_rd32(rsdp + RSDP_RSDT);

		why = "null pointer";
		e = rsdt ? map_sdt(pv, rsdt, "RSDT", &root, &why) : E_NOENT;
		if (e) {
			acpi_note(pv, "RSDT at 0x%llx unusable (%s): no ACPI tables",
				  (unsigned long long)rsdt, why);
			return e;
		}
	}

	out->rsdp = rsdp_pa;
	out->revision = revision;
	copy_name(out->oem_id, rsdp + RSDP_OEM_ID, 6);
	walk_root(pv, root, out->xsdt_used, out);
	return E_OK;
}
