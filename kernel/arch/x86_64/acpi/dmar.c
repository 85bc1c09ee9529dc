/* DMAR: VT-d remapping units and reserved regions (Intel VT-d spec 4.1, ch. 8). */
#include "arch/x86_64/acpi/acpi.h"

#define DMAR_FIXED 48	/* header + width + flags + 10 reserved */
#define DRHD_FIXED 16
#define RMRR_FIXED 24
#define SCOPE_FIXED 6

enum dmar_type { DMAR_DRHD = 0, DMAR_RMRR = 1 };

/* Checks the device scopes in [p, p + len): every scope whole, paths in 2-byte steps. */
static bool scopes_ok(const uint8_t *p, uint32_t len)
{
	for (uint32_t off = 0; off < len;) {
		if (len - off < SCOPE_FIXED)
			return false;
		uint8_t slen = p[off + 1];
		if (slen < SCOPE_FIXED || slen > len - off || (slen - SCOPE_FIXED) % 2)
			return false;
		off += slen;
	}
	return true;
}

static void parse_drhd(const struct physview *pv, const uint8_t *s, uint16_t len,
		       struct acpi_info *out)
{
	if (out->ndmar == ACPI_MAX_DMAR_UNITS) {
		acpi_note(pv, "acpi: more than %u DMAR units; the rest ignored", ACPI_MAX_DMAR_UNITS);
		return;
	}
	struct acpi_dmar_unit *u = &out->dmar[out->ndmar++];
	*u = (struct acpi_dmar_unit){
		.include_all = s[4] & 1,
		.segment = acpi_rd16(s + 6),
		.reg_base = acpi_rd64(s + 8),
	};
	for (uint32_t off = DRHD_FIXED; off < len; off += s[off + 1]) {
		if (u->nscopes == ACPI_MAX_DMAR_SCOPES) {
			acpi_note(pv, "acpi: DMAR unit at 0x%llx has more than %u device scopes",
				  (unsigned long long)u->reg_base, ACPI_MAX_DMAR_SCOPES);
			break;
		}
		const uint8_t *d = s + off;
		bool has_path = d[1] >= SCOPE_FIXED + 2;
		u->scopes[u->nscopes++] = (struct acpi_dmar_scope){
			.type = d[0],
			.bus = d[5],
			.dev = has_path ? d[6] : 0,
			.fn = has_path ? d[7] : 0,
		};
	}
}

static void parse_rmrr(const struct physview *pv, const uint8_t *s, struct acpi_info *out)
{
	uint64_t base = acpi_rd64(s + 8), limit = acpi_rd64(s + 16);

	if (limit < base || limit == UINT64_MAX) {
		acpi_note(pv, "acpi: DMAR RMRR 0x%llx-0x%llx is invalid, ignored",
			  (unsigned long long)base, (unsigned long long)limit);
		return;
	}
	if (out->nrmrr == ACPI_MAX_RMRR) {
		acpi_note(pv, "acpi: more than %u DMAR RMRRs; the rest ignored", ACPI_MAX_RMRR);
		return;
	}
	out->rmrr[out->nrmrr++] = (struct acpi_rmrr){
		.segment = acpi_rd16(s + 6), .base = base, .end = limit + 1 };
}

void acpi_parse_dmar(const struct physview *pv, const uint8_t *t, uint32_t len,
		     struct acpi_info *out)
{
	if (len < DMAR_FIXED) {
		acpi_note(pv, "acpi: DMAR too short (%u bytes)", len);
		out->have_dmar = false;
		return;
	}
	out->dmar_haw = (uint8_t)(t[36] + 1);
	out->dmar_flags = t[37];
	for (uint32_t off = DMAR_FIXED; off < len;) {
		if (len - off < 4) {
			acpi_note(pv, "acpi: DMAR ends inside a structure header at offset %u", off);
			break;
		}
		const uint8_t *s = t + off;
		uint16_t type = acpi_rd16(s), slen = acpi_rd16(s + 2);
		if (slen < 4 || slen > len - off) {
			acpi_note(pv, "acpi: DMAR structure at offset %u has bad length %u; rest ignored",
				  off, slen);
			break;
		}
		uint32_t fixed = type == DMAR_DRHD ? DRHD_FIXED : type == DMAR_RMRR ? RMRR_FIXED : 4;
		if (slen < fixed || !scopes_ok(s + fixed, slen - fixed)) {
			acpi_note(pv, "acpi: DMAR structure type %u at offset %u is malformed, skipped",
				  type, off);
		} else if (type == DMAR_DRHD) {
			parse_drhd(pv, s, slen, out);
		} else if (type == DMAR_RMRR) {
			parse_rmrr(pv, s, out);
		}
		off += slen;
	}
	if (!out->ndmar) {
		acpi_note(pv, "acpi: DMAR lists no remapping unit");
		out->have_dmar = false;
	}
}
