/* Private to the ACPI parsers: byte readers, the note helper, the per-table parsers. */
#ifndef ARCH_ACPI_INTERNAL_H
#define ARCH_ACPI_INTERNAL_H

#include "arch/x86_64/acpi/acpi.h"

#define ACPI_SDT_HEADER 36	/* ACPI 6.5 5.2.6: every description table starts with it */

/* ACPI tables are little-endian (ACPI 6.5 5.2) and their fields often misaligned: read bytes. */
static inline uint8_t acpi_rd8(const uint8_t *p)
{
	return p[0];
}

static inline uint16_t acpi_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static inline uint32_t acpi_rd32(const uint8_t *p)
{
	return (uint32_t)acpi_rd16(p) | (uint32_t)acpi_rd16(p + 2) << 16;
}

static inline uint64_t acpi_rd64(const uint8_t *p)
{
	return (uint64_t)acpi_rd32(p) | (uint64_t)acpi_rd32(p + 4) << 32;
}

/* Formats one diagnostic line, prefixes "acpi: " and hands it to pv->note(); never fails. */
void acpi_note(const struct physview *pv, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The table parsers. Each gets a table whose length (len >= 36) and checksum
 * acpi_parse() already checked and reads nothing outside [t, t + len).
 */

/* Adds the MADT's CPUs, I/O APICs and overrides to *out; false, *out untouched, if too short. */
bool acpi_parse_madt(const struct physview *pv, const uint8_t *t, uint32_t len,
		     struct acpi_info *out);

/* Adds the MCFG's valid ECAM windows to *out; false, *out untouched, if too short. */
bool acpi_parse_mcfg(const struct physview *pv, const uint8_t *t, uint32_t len,
		     struct acpi_info *out);

/* Adds the DMAR's well-formed units and RMRRs to *out; false, *out untouched, if too short. */
bool acpi_parse_dmar(const struct physview *pv, const uint8_t *t, uint32_t len,
		     struct acpi_info *out);

#endif
