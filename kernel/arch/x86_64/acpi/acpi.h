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
#define ACPI_MAX_DMAR_SCOPES 16	/* per unit */
#define ACPI_MAX_RMRR 8

#define ACPI_LAPIC_DEFAULT 0xFEE00000ull	/* architectural local APIC base */
#define ACPI_MAX_TABLE_LEN (1u << 20)		/* a longer table is taken as corrupt */
#define ACPI_MAX_RSDP_LEN 4096			/* a longer RSDP is taken as corrupt */

struct acpi_cpu {
	uint32_t apic_id;	/* 8-bit from a local APIC entry, 32-bit from an x2APIC entry */
	uint32_t uid;		/* ACPI processor UID */
	bool enabled;		/* usable now: the caller starts only these */
	bool online_capable;	/* not enabled, but may be brought online later */
};

struct acpi_ioapic {
	uint32_t id;
	uint32_t addr;		/* MMIO base */
	uint32_t gsi_base;	/* first global system interrupt it serves */
};

/* An interrupt source override: ISA IRQ bus_irq arrives on gsi. */
struct acpi_iso {
	uint8_t bus_irq;
	uint32_t gsi;
	uint16_t flags;		/* MPS INTI flags: polarity bits 0-1, trigger mode bits 2-3 */
};

/* A PCIe ECAM window: base is the address of bus 0 of the segment, even if bus_start > 0. */
struct acpi_mcfg {
	uint64_t base;
	uint16_t segment;
	uint8_t bus_start;
	uint8_t bus_end;	/* inclusive */
};

/* A DMAR device scope; dev/fn are those of the first path element (0/0 if there is none). */
struct acpi_dmar_scope {
	uint8_t type;		/* 1 PCI endpoint, 2 PCI bridge, 3 IOAPIC, 4 HPET, 5 ACPI device */
	uint8_t bus;		/* start bus number */
	uint8_t dev;
	uint8_t fn;
};

/* A VT-d remapping unit (DRHD). */
struct acpi_dmar_unit {
	uint64_t reg_base;
	uint16_t segment;
	bool include_all;	/* covers every device of the segment not claimed by another unit */
	unsigned nscopes;
	struct acpi_dmar_scope scopes[ACPI_MAX_DMAR_SCOPES];
};

/*
 * A reserved memory region firmware-owned DMA uses (RMRR): [base, end) with end
 * exclusive (the table's inclusive limit + 1), rounded out to 4 KiB pages.
 */
struct acpi_rmrr {
	uint16_t segment;
	uint64_t base;
	uint64_t end;
};

/*
 * What the boot phase learns. Defined fallbacks when a table is missing or bad
 * (each noted through the physview):
 *  - no usable MADT: have_madt false, ncpus 0, lapic_addr ACPI_LAPIC_DEFAULT,
 *    pic_present false; the caller runs on the boot CPU only;
 *  - no usable MCFG entry: have_mcfg false, nmcfg 0: no PCIe extended config space;
 *  - no usable DMAR unit: have_dmar false, ndmar 0: no IOMMU (RMRRs of a DMAR
 *    without units are still listed).
 * Arrays that overflow keep their first entries.
 */
struct acpi_info {
	paddr_t rsdp;
	uint8_t revision;	/* RSDP revision: 0 for ACPI 1.0, 2 for 2.0 and later */
	bool xsdt_used;		/* else the RSDT was used */
	char oem_id[7];		/* from the RSDP, NUL-terminated, unprintable bytes as '?' */
	bool have_madt;		/* a valid MADT was parsed */
	bool have_mcfg;		/* nmcfg > 0 */
	bool have_dmar;		/* ndmar > 0 */
	uint64_t lapic_addr;	/* MADT, or its 64-bit override (entry type 5); else 0xFEE00000 */
	bool pic_present;	/* MADT flag PCAT_COMPAT: dual 8259 PICs to mask */
	unsigned ncpus;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];	/* in MADT order, disabled ones too */
	unsigned nioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned nisos;
	struct acpi_iso isos[ACPI_MAX_ISOS];
	unsigned nmcfg;
	struct acpi_mcfg mcfg[ACPI_MAX_MCFG];
	uint8_t dmar_haw;	/* host address width in bits (table field + 1) */
	/* DMAR flags: bit 0 INTR_REMAP, bit 1 X2APIC_OPT_OUT, bit 2 DMA_CTRL_PLATFORM_OPT_IN. */
	uint8_t dmar_flags;
	unsigned ndmar;
	struct acpi_dmar_unit dmar[ACPI_MAX_DMAR_UNITS];
	unsigned nrmrr;
	struct acpi_rmrr rmrr[ACPI_MAX_RMRR];
};

/*
 * Scans the first KiB of the EBDA (real-mode segment at phys 0x40E), then
 * 0xE0000-0xFFFFF, on 16-byte boundaries for a valid RSDP (ACPI 6.5 5.2.5.1) and
 * stores its address in *out; returns E_NOENT if there is none.
 */
MUST_CHECK err_t acpi_find_rsdp_bios(const struct physview *pv, paddr_t *out);

/*
 * Parses everything reachable from the RSDP at rsdp_pa into *out (zeroed first,
 * then the fallbacks above), noting and skipping any bad table; fails, leaving
 * only the fallbacks, with E_RANGE, E_TRUNC, E_BADSIG or E_BADSUM for a bad RSDP,
 * or with the RSDT's error (E_NOENT for a null pointer) when no root table is usable.
 */
MUST_CHECK err_t acpi_parse(const struct physview *pv, paddr_t rsdp_pa, struct acpi_info *out);

#endif
