/* ACPI tables Atoll reads at boot: RSDP, RSDT/XSDT, MADT, MCFG, DMAR (ACPI 6.5, VT-d 4.1). */
#ifndef ARCH_ACPI_H
#define ARCH_ACPI_H
#include "abi/error.h"
#include "physview.h"
#include "types.h"
#define ACPI_MAX_CPUS 64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_ISOS 16
#define ACPI_MAX_MCFG 8
#define ACPI_MAX_DMAR_UNITS 8
#define ACPI_MAX_DMAR_SCOPES 16
#define ACPI_MAX_RMRR 8
struct acpi_cpu { uint32_t apic_id; uint32_t uid; bool enabled; bool online_capable; };
struct acpi_ioapic { uint32_t id; uint32_t addr; uint32_t gsi_base; };
struct acpi_iso { uint8_t bus_irq; uint32_t gsi; uint16_t flags; };
struct acpi_mcfg { uint64_t base; uint16_t segment; uint8_t bus_start; uint8_t bus_end; };
struct acpi_dmar_scope { uint8_t type; uint8_t bus; uint8_t dev; uint8_t fn; };
struct acpi_dmar_unit { uint64_t reg_base; uint16_t segment; bool include_all; unsigned nscopes; struct acpi_dmar_scope scopes[ACPI_MAX_DMAR_SCOPES]; };
/* A reserved memory region that firmware-owned DMA uses: [base, end), end exclusive. */
struct acpi_rmrr { uint16_t segment; uint64_t base; uint64_t end; };
/*
 * What the boot phase learns. Defined fallbacks when a table is missing or bad:
 * no MADT -> have_madt false, the caller runs on the boot CPU only and
 * lapic_addr is 0xFEE00000; no MCFG -> no PCIe ECAM; no DMAR -> no IOMMU.
 */
struct acpi_info {
	paddr_t rsdp; uint8_t revision; bool xsdt_used; char oem_id[7];
	bool have_madt, have_mcfg, have_dmar;
	uint64_t lapic_addr; bool pic_present;
	unsigned ncpus; struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned nioapics; struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned nisos; struct acpi_iso isos[ACPI_MAX_ISOS];
	unsigned nmcfg; struct acpi_mcfg mcfg[ACPI_MAX_MCFG];
	uint8_t dmar_haw; uint8_t dmar_flags;
	unsigned ndmar; struct acpi_dmar_unit dmar[ACPI_MAX_DMAR_UNITS];
	unsigned nrmrr; struct acpi_rmrr rmrr[ACPI_MAX_RMRR];
};
#define ACPI_LAPIC_DEFAULT 0xFEE00000ull
#define ACPI_MAX_TABLE_LEN (1u << 20)	/* longer tables are taken as corrupt */

/*
 * Scans the first KiB of the EBDA and 0xE0000-0xFFFFF on 16-byte boundaries for
 * a valid RSDP (ACPI 5.2.5.1); E_NOENT if there is none. Not for UEFI machines.
 */
MUST_CHECK err_t acpi_find_rsdp_bios(const struct physview *pv, paddr_t *out);

/*
 * Parses everything reachable from the RSDP at rsdp_pa into *out (zeroed first).
 * Returns E_BADSIG/E_BADSUM/E_RANGE if the RSDP or both root tables are unusable;
 * a bad individual table is skipped with a note and does not fail the parse.
 */
MUST_CHECK err_t acpi_parse(const struct physview *pv, paddr_t rsdp_pa, struct acpi_info *out);

/* Internal: per-table parsers called by acpi_parse() with a checked table. */
void acpi_parse_madt(const struct physview *pv, const uint8_t *t, uint32_t len, struct acpi_info *out);
void acpi_parse_mcfg(const struct physview *pv, const uint8_t *t, uint32_t len, struct acpi_info *out);
void acpi_parse_dmar(const struct physview *pv, const uint8_t *t, uint32_t len, struct acpi_info *out);
void acpi_note(const struct physview *pv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline uint16_t acpi_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t acpi_rd32(const uint8_t *p)
{
	return (uint32_t)acpi_rd16(p) | (uint32_t)acpi_rd16(p + 2) << 16;
}

static inline uint64_t acpi_rd64(const uint8_t *p)
{
	return (uint64_t)acpi_rd32(p) | (uint64_t)acpi_rd32(p + 4) << 32;
}

#endif
