/* MADT: processors, I/O APICs and interrupt overrides (ACPI 6.5 5.2.12). */
#include "abi/error.h"
#include "arch/x86_64/acpi/internal.h"
#include "kstring.h"
#include "physview.h"
#include "types.h"

/* ACPI 6.5 5.2.12: header, then local APIC address (u32) and flags (u32). */
#define MADT_LAPIC_ADDR 36
#define MADT_FLAGS 40
#define MADT_ENTRIES 44
#define MADT_PCAT_COMPAT (1u << 0)

/* Interrupt controller structure types (5.2.12) Atoll reads, with their lengths. */
enum madt_type {
	MADT_LAPIC = 0,			/* 5.2.12.2, 8 bytes */
	MADT_IOAPIC = 1,		/* 5.2.12.3, 12 bytes */
	MADT_ISO = 2,			/* 5.2.12.5, 10 bytes */
	MADT_LAPIC_OVERRIDE = 5,	/* 5.2.12.8, 12 bytes */
	MADT_X2APIC = 9,		/* 5.2.12.12, 16 bytes */
};

/* Local APIC flags (5.2.12.2): online capable is defined only while enabled is clear. */
#define LAPIC_ENABLED (1u << 0)
#define LAPIC_ONLINE_CAPABLE (1u << 1)

static void add_cpu(const struct physview *pv, struct acpi_info *out, uint32_t apic_id,
		    uint32_t uid, uint32_t flags)
{
	if (out->ncpus == ACPI_MAX_CPUS) {
		acpi_note(pv, "MADT lists more than %u CPUs: APIC id %u ignored", ACPI_MAX_CPUS,
			  apic_id);
		return;
	}
	out->cpus[out->ncpus++] = (struct acpi_cpu){
		.apic_id = apic_id,
		.uid = uid,
		.enabled = flags & LAPIC_ENABLED,
		.online_capable = !(flags & LAPIC_ENABLED) && (flags & LAPIC_ONLINE_CAPABLE),
	};
}

static void add_ioapic(const struct physview *pv, struct acpi_info *out, const uint8_t *e)
{
	if (out->nioapics == ACPI_MAX_IOAPICS) {
		acpi_note(pv, "MADT lists more than %u I/O APICs: id %u ignored", ACPI_MAX_IOAPICS,
			  acpi_rd8(e + 2));
		return;
	}
	out->ioapics[out->nioapics++] = (struct acpi_ioapic){
		.id = acpi_rd8(e + 2),
		.addr = acpi_rd32(e + 4),
		.gsi_base = acpi_rd32(e + 8),
	};
}

static void add_iso(const struct physview *pv, struct acpi_info *out, const uint8_t *e)
{
	if (out->nisos == ACPI_MAX_ISOS) {
		acpi_note(pv, "MADT lists more than %u interrupt overrides: IRQ %u ignored",
			  ACPI_MAX_ISOS, acpi_rd8(e + 3));
		return;
	}
	/* Byte 2 is the bus, always 0 (ISA). */
	out->isos[out->nisos++] = (struct acpi_iso){
		.bus_irq = acpi_rd8(e + 3),
		.gsi = acpi_rd32(e + 4),
		.flags = acpi_rd16(e + 8),
	};
}

/* Returns the minimum length of an entry type Atoll reads, 0 for types it skips. */
static uint8_t min_len(uint8_t type)
{
	switch (type) {
	case MADT_LAPIC:
		return 8;
	case MADT_IOAPIC:
		return 12;
	case MADT_ISO:
		return 10;
	case MADT_LAPIC_OVERRIDE:
		return 12;
	case MADT_X2APIC:
		return 16;
	}
	return 0;
}

/* Reads the entry at e, already known to be at least min_len() of its type long. */
static void parse_entry(const struct physview *pv, const uint8_t *e, struct acpi_info *out)
{
	switch (acpi_rd8(e)) {
	case MADT_LAPIC:
		add_cpu(pv, out, acpi_rd8(e + 3), acpi_rd8(e + 2), acpi_rd32(e + 4));
		break;
	case MADT_X2APIC:
		add_cpu(pv, out, acpi_rd32(e + 4), acpi_rd32(e + 12), acpi_rd32(e + 8));
		break;
	case MADT_IOAPIC:
		add_ioapic(pv, out, e);
		break;
	case MADT_ISO:
		add_iso(pv, out, e);
		break;
	case MADT_LAPIC_OVERRIDE:
		/* 5.2.12.8: when present, it replaces the 32-bit address of the header. */
		out->lapic_addr = acpi_rd64(e + 4);
		break;
	}
}

bool acpi_parse_madt(const struct physview *pv, const uint8_t *t, uint32_t len,
		     struct acpi_info *out)
{
	if (len < MADT_ENTRIES) {
		acpi_note(pv, "MADT of %u bytes is shorter than its fixed part, ignored", len);
		return false;
	}
	out->have_madt = true;
	out->lapic_addr = acpi_rd32(t + MADT_LAPIC_ADDR);
	out->pic_present = acpi_rd32(t + MADT_FLAGS) & MADT_PCAT_COMPAT;

	/* Entries start with a type byte and a length byte (5.2.12), so the walk can skip any. */
	for (uint32_t off = MADT_ENTRIES; off < len;) {
		const uint8_t *e = t + off;
		uint8_t type, elen;

		if (len - off < 2) {
			acpi_note(pv, "MADT ends inside an entry header at offset %u", off);
			break;
		}
		type = acpi_rd8(e);
		elen = acpi_rd8(e + 1);
		if (elen < 2 || elen > len - off) {
			acpi_note(pv, "MADT entry at offset %u has bad length %u: rest of the MADT ignored",
				  off, elen);
			break;
		}
		if (elen < min_len(type))
			acpi_note(pv, "MADT entry type %u at offset %u too short (%u bytes), skipped",
				  type, off, elen);
		else
			parse_entry(pv, e, out);
		off += elen;
	}
	return true;
}
