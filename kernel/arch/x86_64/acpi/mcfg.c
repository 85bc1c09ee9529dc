/* MCFG: PCIe enhanced configuration (ECAM) ranges (PCI Firmware Spec 3.3, 4.1.2). */
#include "arch/x86_64/acpi/acpi.h"

#define MCFG_FIXED 44	/* header + 8 reserved bytes */
#define MCFG_ENTRY 16

void acpi_parse_mcfg(const struct physview *pv, const uint8_t *t, uint32_t len,
		     struct acpi_info *out)
{
	if (len < MCFG_FIXED || (len - MCFG_FIXED) % MCFG_ENTRY) {
		acpi_note(pv, "acpi: MCFG length %u is not 44 + 16 * n; entries past the last whole one ignored",
			  len);
		if (len < MCFG_FIXED) {
			out->have_mcfg = false;
			return;
		}
	}
	for (uint32_t off = MCFG_FIXED; off + MCFG_ENTRY <= len; off += MCFG_ENTRY) {
		const uint8_t *e = t + off;
		struct acpi_mcfg m = {
			.base = acpi_rd64(e),
			.segment = acpi_rd16(e + 8),
			.bus_start = e[10],
			.bus_end = e[11],
		};
		if (m.bus_end < m.bus_start || !m.base || m.base & 0xFFFFF) {
			acpi_note(pv, "acpi: MCFG entry for segment %u (buses %u-%u at 0x%llx) is invalid, ignored",
				  m.segment, m.bus_start, m.bus_end, (unsigned long long)m.base);
			continue;
		}
		if (out->nmcfg == ACPI_MAX_MCFG) {
			acpi_note(pv, "acpi: more than %u MCFG entries; the rest ignored", ACPI_MAX_MCFG);
			break;
		}
		out->mcfg[out->nmcfg++] = m;
	}
	if (!out->nmcfg)
		out->have_mcfg = false;
}
