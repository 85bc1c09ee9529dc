/* DMAR: VT-d remapping units and reserved memory regions (Intel VT-d 4.1, chapter 8). */
#include "abi/error.h"
#include "arch/x86_64/acpi/internal.h"
#include "kstring.h"
#include "physview.h"
#include "types.h"

/* 8.1: header, host address width, flags, 10 reserved bytes, then remapping structures. */
#define DMAR_HAW 36
#define DMAR_FLAGS 37
#define DMAR_STRUCTS 48

/* 8.2: every remapping structure starts with u16 type and u16 length. */
#define STRUCT_HEADER 4
enum dmar_type {
	DMAR_DRHD = 0,	/* 8.3: flags, size, segment, register base, device scopes */
	DMAR_RMRR = 1,	/* 8.4: reserved, segment, base, limit, device scopes */
};
#define DRHD_FIXED 16
#define DRHD_INCLUDE_PCI_ALL (1u << 0)
#define RMRR_FIXED 24

/* 8.3.1: type, length, 2 reserved, enumeration id, start bus, then (dev, fn) byte pairs. */
#define SCOPE_FIXED 6

/* 8.4: an RMRR is 4 KiB aligned and a whole number of 4 KiB pages. */
#define RMRR_PAGE KIB(4)

/* Checks the device scopes that fill [p, p + len); returns NULL or what is wrong. */
static const char *scopes_check(const uint8_t *p, uint32_t len)
{
	for (uint32_t off = 0; off < len;) {
		uint8_t slen;

		if (len - off < SCOPE_FIXED)
			return "device scope header runs past its structure";
		slen = acpi_rd8(p + off + 1);
		if (slen < SCOPE_FIXED)
			return "device scope shorter than 6 bytes";
		if (slen > len - off)
			return "device scope runs past its structure";
		if ((slen - SCOPE_FIXED) % 2)
			return "device scope path of odd length";
		off += slen;
	}
	return NULL;
}

/* Adds the DRHD at s (len bytes, scopes already checked). */
static void add_unit(const struct physview *pv, const uint8_t *s, uint32_t len,
		     struct acpi_info *out)
{
	struct acpi_dmar_unit *u;

	if (out->ndmar == ACPI_MAX_DMAR_UNITS) {
		acpi_note(pv, "DMAR lists more than %u remapping units: unit at 0x%llx ignored",
			  ACPI_MAX_DMAR_UNITS, (unsigned long long)acpi_rd64(s + 8));
		return;
	}
	u = &out->dmar[out->ndmar++];
	*u = (struct acpi_dmar_unit){
		.include_all = acpi_rd8(s + 4) & DRHD_INCLUDE_PCI_ALL,
		.segment = acpi_rd16(s + 6),
		.reg_base = acpi_rd64(s + 8),
	};
	for (uint32_t off = DRHD_FIXED; off < len; off += acpi_rd8(s + off + 1)) {
		const uint8_t *d = s + off;
		bool has_path = acpi_rd8(d + 1) > SCOPE_FIXED;

		if (u->nscopes == ACPI_MAX_DMAR_SCOPES) {
			acpi_note(pv, "DMAR unit at 0x%llx has more than %u device scopes: the rest ignored",
				  (unsigned long long)u->reg_base, ACPI_MAX_DMAR_SCOPES);
			break;
		}
		u->scopes[u->nscopes++] = (struct acpi_dmar_scope){
			.type = acpi_rd8(d),
			.bus = acpi_rd8(d + 5),
			.dev = has_path ? acpi_rd8(d + 6) : 0,
			.fn = has_path ? acpi_rd8(d + 7) : 0,
		};
	}
}

/* Adds the RMRR at s, rounded out to whole pages; an empty or wrapping one is dropped. */
static void add_rmrr(const struct physview *pv, const uint8_t *s, struct acpi_info *out)
{
	uint64_t base = acpi_rd64(s + 8), limit = acpi_rd64(s + 16);	/* limit is inclusive */

	if (limit < base || limit > UINT64_MAX - RMRR_PAGE) {
		acpi_note(pv, "DMAR RMRR 0x%llx-0x%llx invalid, ignored", (unsigned long long)base,
			  (unsigned long long)limit);
		return;
	}
	if (out->nrmrr == ACPI_MAX_RMRR) {
		acpi_note(pv, "DMAR lists more than %u RMRRs: 0x%llx-0x%llx ignored", ACPI_MAX_RMRR,
			  (unsigned long long)base, (unsigned long long)limit);
		return;
	}
	if (base % RMRR_PAGE || (limit + 1) % RMRR_PAGE)
		acpi_note(pv, "DMAR RMRR 0x%llx-0x%llx not page aligned, rounded out",
			  (unsigned long long)base, (unsigned long long)limit);
	out->rmrr[out->nrmrr++] = (struct acpi_rmrr){
		.segment = acpi_rd16(s + 6),
		.base = ALIGN_DOWN(base, RMRR_PAGE),
		.end = ALIGN_UP(limit + 1, RMRR_PAGE),
	};
}

bool acpi_parse_dmar(const struct physview *pv, const uint8_t *t, uint32_t len,
		     struct acpi_info *out)
{
	if (len < DMAR_STRUCTS) {
		acpi_note(pv, "DMAR of %u bytes is shorter than its fixed part, ignored", len);
		return false;
	}
	out->dmar_haw = (uint8_t)(acpi_rd8(t + DMAR_HAW) + 1);
	out->dmar_flags = acpi_rd8(t + DMAR_FLAGS);

	for (uint32_t off = DMAR_STRUCTS; off < len;) {
		const uint8_t *s = t + off;
		uint16_t type, slen;
		uint32_t fixed;
		const char *why;

		if (len - off < STRUCT_HEADER) {
			acpi_note(pv, "DMAR ends inside a structure header at offset %u", off);
			break;
		}
		type = acpi_rd16(s);
		slen = acpi_rd16(s + 2);
		if (slen < STRUCT_HEADER || slen > len - off) {
			acpi_note(pv, "DMAR structure at offset %u has bad length %u: rest of the DMAR ignored",
				  off, slen);
			break;
		}
		off += slen;
		/* Other types (ATSR, RHSA, ANDD, SATC, SIDP) are not used and skipped whole. */
		if (type != DMAR_DRHD && type != DMAR_RMRR)
			continue;
		fixed = type == DMAR_DRHD ? DRHD_FIXED : RMRR_FIXED;
		if (slen < fixed)
			why = "shorter than its fixed part";
		else
			why = scopes_check(s + fixed, slen - fixed);
		if (why) {
			acpi_note(pv, "DMAR %s at offset %u skipped: %s",
				  type == DMAR_DRHD ? "DRHD" : "RMRR", off - slen, why);
			continue;
		}
		if (type == DMAR_DRHD)
			add_unit(pv, s, slen, out);
		else
			add_rmrr(pv, s, out);
	}
	out->have_dmar = out->ndmar > 0;
	if (!out->have_dmar)
		acpi_note(pv, "DMAR lists no usable remapping unit: no IOMMU");
	return true;
}
