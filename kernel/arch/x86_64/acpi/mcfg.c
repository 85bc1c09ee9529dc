/* MCFG: PCIe enhanced configuration (ECAM) windows (PCI Firmware Specification 3.3, 4.1.2). */
#include "abi/error.h"
#include "arch/x86_64/acpi/internal.h"
#include "kstring.h"
#include "physview.h"
#include "types.h"

/* Header, 8 reserved bytes, then 16-byte allocation entries. */
#define MCFG_ENTRIES 44
#define MCFG_ENTRY_LEN 16

/* ECAM gives each bus 1 MiB (PCIe Base 6.0 7.2.2), so a window base is at least 1 MiB aligned. */
#define ECAM_BUS_SIZE MIB(1)

bool acpi_parse_mcfg(const struct physview *pv, const uint8_t *t, uint32_t len,
		     struct acpi_info *out)
{
	if (len < MCFG_ENTRIES) {
		acpi_note(pv, "MCFG of %u bytes is shorter than its fixed part, ignored", len);
		return false;
	}
	if ((len - MCFG_ENTRIES) % MCFG_ENTRY_LEN)
		acpi_note(pv, "MCFG ends in a partial entry, ignored");
	for (uint32_t off = MCFG_ENTRIES; len - off >= MCFG_ENTRY_LEN; off += MCFG_ENTRY_LEN) {
		const uint8_t *e = t + off;
		struct acpi_mcfg m = {
			.base = acpi_rd64(e),
			.segment = acpi_rd16(e + 8),
			.bus_start = acpi_rd8(e + 10),
			.bus_end = acpi_rd8(e + 11),
		};

		uint64_t last = m.base + ((uint64_t)m.bus_end + 1) * ECAM_BUS_SIZE - 1;

		if (m.bus_end < m.bus_start || !m.base || m.base % ECAM_BUS_SIZE || last < m.base) {
			acpi_note(pv, "MCFG entry for segment %u (buses %u-%u at 0x%llx) invalid, ignored",
				  m.segment, m.bus_start, m.bus_end, (unsigned long long)m.base);
			continue;
		}
		if (out->nmcfg == ACPI_MAX_MCFG) {
			acpi_note(pv, "MCFG lists more than %u windows: segment %u ignored",
				  ACPI_MAX_MCFG, m.segment);
			continue;
		}
		out->mcfg[out->nmcfg++] = m;
	}
	out->have_mcfg = out->nmcfg > 0;
	return true;
}
