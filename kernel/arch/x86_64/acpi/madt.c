/* MADT: processors and interrupt controllers (ACPI 6.5 5.2.12). */
#include "arch/x86_64/acpi/acpi.h"

#define MADT_FIXED 44	/* header + local APIC address + flags */
#define MADT_PCAT_COMPAT 1

enum madt_type {
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_ISO = 2,
	MADT_LAPIC_OVERRIDE = 5,
	MADT_X2APIC = 9,
};

static void add_cpu(const struct physview *pv, struct acpi_info *out, uint32_t apic_id,
		    uint32_t uid, uint32_t flags)
{
	if (out->ncpus == ACPI_MAX_CPUS) {
		acpi_note(pv, "acpi: MADT lists more than %u CPUs; APIC id %u ignored",
			  ACPI_MAX_CPUS, apic_id);
		return;
	}
	out->cpus[out->ncpus++] = (struct acpi_cpu){
		.apic_id = apic_id,
		.uid = uid,
		.enabled = flags & 1,
		.online_capable = flags & 2,
	};
}

/* Returns false if the entry is too short for its type. */
static bool parse_entry(const struct physview *pv, const uint8_t *e, uint8_t len,
			struct acpi_info *out)
{
	switch (e[0]) {
	case MADT_LAPIC:
		if (len < 8)
			return false;
		add_cpu(pv, out, e[3], e[2], acpi_rd32(e + 4));
		return true;
	case MADT_X2APIC:
		if (len < 16)
			return false;
		add_cpu(pv, out, acpi_rd32(e + 4), acpi_rd32(e + 12), acpi_rd32(e + 8));
		return true;
	case MADT_IOAPIC:
		if (len < 12)
			return false;
		if (out->nioapics == ACPI_MAX_IOAPICS) {
			acpi_note(pv, "acpi: MADT lists more than %u I/O APICs; id %u ignored",
				  ACPI_MAX_IOAPICS, e[2]);
			return true;
		}
		out->ioapics[out->nioapics++] = (struct acpi_ioapic){
			.id = e[2], .addr = acpi_rd32(e + 4), .gsi_base = acpi_rd32(e + 8) };
		return true;
	case MADT_ISO:
		if (len < 10)
			return false;
		if (out->nisos == ACPI_MAX_ISOS) {
			acpi_note(pv, "acpi: MADT has more than %u interrupt overrides; IRQ %u ignored",
				  ACPI_MAX_ISOS, e[3]);
			return true;
		}
		out->isos[out->nisos++] = (struct acpi_iso){
			.bus_irq = e[3], .gsi = acpi_rd32(e + 4), .flags = acpi_rd16(e + 8) };
		return true;
	case MADT_LAPIC_OVERRIDE:
		if (len < 12)
			return false;
		out->lapic_addr = acpi_rd64(e + 4);
		return true;
	}
	return true;	/* other entry types are not needed and are skipped by length */
}

void acpi_parse_madt(const struct physview *pv, const uint8_t *t, uint32_t len,
		     struct acpi_info *out)
{
	if (len < MADT_FIXED) {
		acpi_note(pv, "acpi: MADT too short (%u bytes)", len);
		out->have_madt = false;
		return;
	}
	out->lapic_addr = acpi_rd32(t + 36);
	out->pic_present = acpi_rd32(t + 40) & MADT_PCAT_COMPAT;
	for (uint32_t off = MADT_FIXED; off < len;) {
		if (len - off < 2) {
			acpi_note(pv, "acpi: MADT ends inside an entry header at offset %u", off);
			return;
		}
		uint8_t elen = t[off + 1];
		if (elen < 2 || elen > len - off) {
			acpi_note(pv, "acpi: MADT entry at offset %u has bad length %u; rest ignored",
				  off, elen);
			return;
		}
		if (!parse_entry(pv, t + off, elen, out)) {
			acpi_note(pv, "acpi: MADT entry type %u at offset %u too short (%u); rest ignored",
				  t[off], off, elen);
			return;
		}
		off += elen;
	}
}
