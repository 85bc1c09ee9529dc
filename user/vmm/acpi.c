/*
 * The ACPI tables the VMM gives Linux (ACPI 6.5): an RSDP (revision 2) where
 * the BIOS-area scan finds it, an RSDT and XSDT naming a FADT (revision 6:
 * PM1a event and control blocks on ports, the SCI on irq 9, a reset register
 * at 0xCF9, no 8042, no VGA; MSI allowed, for passed-through VFs), its FACS and
 * DSDT, and a MADT (a local APIC per vCPU, one I/O APIC, irq 0 on pin 2, the
 * SCI level-triggered, LINT1 as NMI). The DSDT is hand-assembled AML: \_S5 for
 * power-off, and the PCI host bridge PNP0A03 behind configuration mechanism #1.
 * Pure logic: a unit test builds the tables on the host.
 */
#include "vmm.h"

/* Where each table goes, as offsets from the start (RSDP 16-byte, FACS 64-byte aligned). */
enum { AT_RSDP = 0x000, AT_FACS = 0x040, AT_RSDT = 0x080, AT_XSDT = 0x0C0, AT_FADT = 0x100,
       AT_MADT = 0x240, AT_DSDT = 0x300 };
_Static_assert(44 + 8 * SPEC_VM_MAX_CPUS + 12 + 2 * 10 + 6 <= AT_DSDT - AT_MADT,
	       "the MADT of the largest VM fits before the DSDT");
#define HDR_LEN 36
#define FADT_LEN 276		/* revision 6 */
#define FACS_LEN 64

/* FADT offsets and flags (ACPI 6.5 table 5.9). */
#define FADT_FACS 36
#define FADT_DSDT 40
#define FADT_SCI_INT 46
#define FADT_PM1A_EVT 56
#define FADT_PM1A_CNT 64
#define FADT_PM1_EVT_LEN 88
#define FADT_PM1_CNT_LEN 89
#define FADT_P_LVL2_LAT 96
#define FADT_P_LVL3_LAT 98
#define FADT_CENTURY 108
#define FADT_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_MINOR 131
#define BOOT_ARCH_LEGACY 0x0001	/* ISA devices (the UART, the RTC) */
#define BOOT_ARCH_NO_VGA 0x0004
#define FLAG_WBINVD (1u << 0)
#define FLAG_C1 (1u << 2)
#define FLAG_PWR_BUTTON (1u << 4)	/* set: no fixed-feature power button */
#define FLAG_SLP_BUTTON (1u << 5)	/* set: no fixed-feature sleep button */
#define FLAG_RESET_REG (1u << 10)

static void w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void w32(uint8_t *p, uint32_t v)
{
	w16(p, (uint16_t)v);
	w16(p + 2, (uint16_t)(v >> 16));
}

static void w64(uint8_t *p, uint64_t v)
{
	w32(p, (uint32_t)v);
	w32(p + 4, (uint32_t)(v >> 32));
}

static uint8_t checksum(const uint8_t *p, unsigned n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return (uint8_t)-s;
}

/* A table header (ACPI 6.5 5.2.6); seal() sets its length and checksum once the body is in. */
static void header(uint8_t *t, const char *sig, uint8_t rev)
{
	memcpy(t, sig, 4);
	t[8] = rev;
	memcpy(t + 10, "ATOLL ", 6);
	memcpy(t + 16, "ATOLLVMM", 8);
	w32(t + 24, 1);
	memcpy(t + 28, "ATOL", 4);
	w32(t + 32, 1);
}

static void seal(uint8_t *t, uint32_t len)
{
	w32(t + 4, len);
	t[9] = 0;
	t[9] = checksum(t, len);
}

static uint32_t build_madt(uint8_t *t, unsigned ncpus)
{
	uint8_t *e = t + 44;

	header(t, "APIC", 5);
	w32(t + 36, (uint32_t)LAPIC_BASE);
	w32(t + 40, 1);	/* PCAT_COMPAT: there are 8259s, which Linux then masks */
	/* Processor local APICs: UID i, APIC id i, enabled. */
	for (unsigned i = 0; i < ncpus; i++)
		e[0] = 0, e[1] = 8, e[2] = (uint8_t)i, e[3] = (uint8_t)i, w32(e + 4, 1), e += 8;
	/* I/O APIC: id 1, its base, GSIs from 0. */
	e[0] = 1, e[1] = 12, e[2] = 1, e[3] = 0, w32(e + 4, (uint32_t)IOAPIC_BASE), w32(e + 8, 0), e += 12;
	/* Interrupt source overrides: ISA irq 0 (the PIT) on GSI 2, bus-default polarity/trigger. */
	e[0] = 2, e[1] = 10, e[2] = 0, e[3] = 0, w32(e + 4, 2), w16(e + 8, 0), e += 10;
	/* The SCI: irq 9 on GSI 9, active high, level-triggered (MPS INTI flags 01, 11). */
	e[0] = 2, e[1] = 10, e[2] = 0, e[3] = ACPI_SCI_IRQ, w32(e + 4, ACPI_SCI_IRQ), w16(e + 8, 0x000D),
	e += 10;
	/* Local APIC NMI: every processor (UID 0xFF), LINT1. */
	e[0] = 4, e[1] = 6, e[2] = 0xFF, w16(e + 3, 0), e[5] = 1, e += 6;
	uint32_t len = (uint32_t)(e - t);
	seal(t, len);
	return len;
}

/* ---- AML (ACPI 6.5 ch. 20) ---- */

struct aml {
	uint8_t *p;
	unsigned n;
};

static void emit(struct aml *a, const void *bytes, unsigned n)
{
	memcpy(a->p + a->n, bytes, n);
	a->n += n;
}

/* A PkgLength is written when its package ends; always two bytes here (up to 4095). */
static unsigned pkg_open(struct aml *a)
{
	a->n += 2;
	return a->n - 2;
}

static void pkg_close(struct aml *a, unsigned at)
{
	unsigned len = a->n - at;	/* it counts its own bytes */

	a->p[at] = (uint8_t)(0x40 | (len & 0x0F));
	a->p[at + 1] = (uint8_t)(len >> 4);
}

/* Word address space descriptor (6.4.3.5.3): type 1 I/O, 2 bus numbers; producer, fixed range. */
static void word_range(struct aml *a, uint8_t type, uint16_t min, uint16_t max)
{
	uint8_t d[16] = { 0x88, 13, 0, type, 0x0C, type == 1 ? 3 : 0 };

	w16(d + 8, min);
	w16(d + 10, max);
	w16(d + 14, (uint16_t)(max - min + 1));
	emit(a, d, sizeof(d));
}

static uint32_t build_dsdt(uint8_t *t)
{
	struct aml a = { t, HDR_LEN };
	unsigned at, dev, buf;

	header(t, "DSDT", 2);	/* revision 2: 64-bit integers */
	/* Name (_S5, Package (4) { ACPI_S5_TYPE, ACPI_S5_TYPE, 0, 0 }): SLP_TYPa, SLP_TYPb. */
	static const uint8_t s5[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
				      0x0A, ACPI_S5_TYPE, 0x0A, ACPI_S5_TYPE, 0x00, 0x00 };
	emit(&a, s5, sizeof(s5));
	/* Scope (\_SB) { Device (PCI0) { _HID PNP0A03, _UID 0, _CRS } } */
	emit(&a, "\x10", 1);
	at = pkg_open(&a);
	emit(&a, "_SB_", 4);
	emit(&a, "\x5B\x82", 2);
	dev = pkg_open(&a);
	emit(&a, "PCI0", 4);
	static const uint8_t hid[] = { 0x08, '_', 'H', 'I', 'D', 0x0C, 0x41, 0xD0, 0x0A, 0x03 };
	static const uint8_t uid[] = { 0x08, '_', 'U', 'I', 'D', 0x00 };
	emit(&a, hid, sizeof(hid));	/* EisaId ("PNP0A03") */
	emit(&a, uid, sizeof(uid));
	emit(&a, "\x08_CRS\x11", 6);	/* Name (_CRS, Buffer () { ... }) */
	buf = pkg_open(&a);
	unsigned size_at = a.n + 1;
	emit(&a, "\x0B\x00\x00", 3);	/* WordConst: the buffer's size, filled in below */
	unsigned start = a.n;
	word_range(&a, 2, 0x00, 0xFF);		/* buses 0-255 */
	static const uint8_t cf8[] = { 0x47, 0x01, 0xF8, 0x0C, 0xF8, 0x0C, 0x01, 0x08 };
	emit(&a, cf8, sizeof(cf8));		/* IO (Decode16, 0xCF8, 0xCF8, 1, 8) */
	word_range(&a, 1, 0x0000, 0x0CF7);	/* I/O windows around it */
	word_range(&a, 1, 0x0D00, 0xFFFF);
	/*
	 * DWord memory window SPEC_VM_PCI_HOLE (0xC0000000)-0xFEBFFFFF (6.4.3.5.2): read-write,
	 * non-cacheable. Passed-through VFs' BARs are mapped from the hole's start (spec.h), so
	 * Linux keeps them where they are instead of moving them into the window.
	 */
	uint8_t mem[26] = { 0x87, 23, 0, 0, 0x0C, 0x01 };
	w32(mem + 10, (uint32_t)SPEC_VM_PCI_HOLE);
	w32(mem + 14, 0xFEBFFFFFu);
	w32(mem + 22, 0xFEBFFFFFu - (uint32_t)SPEC_VM_PCI_HOLE + 1);
	emit(&a, mem, sizeof(mem));
	emit(&a, "\x79\x00", 2);		/* end tag (checksum 0: not checked) */
	w16(t + size_at, (uint16_t)(a.n - start));
	pkg_close(&a, buf);
	pkg_close(&a, dev);
	pkg_close(&a, at);
	seal(t, a.n);
	return a.n;
}

static uint32_t build_fadt(uint8_t *t, uint32_t facs, uint32_t dsdt)
{
	header(t, "FACP", 6);
	w32(t + FADT_FACS, facs);
	w32(t + FADT_DSDT, dsdt);
	w16(t + FADT_SCI_INT, ACPI_SCI_IRQ);
	/* SMI_CMD 0: always in ACPI mode, nothing to switch. */
	w32(t + FADT_PM1A_EVT, ACPI_PM_BASE);
	w32(t + FADT_PM1A_CNT, ACPI_PM_BASE + 4);
	t[FADT_PM1_EVT_LEN] = 4;
	t[FADT_PM1_CNT_LEN] = 2;
	w16(t + FADT_P_LVL2_LAT, 101);	/* above 100: no C2 */
	w16(t + FADT_P_LVL3_LAT, 1001);	/* above 1000: no C3 */
	t[FADT_CENTURY] = 0x32;		/* the RTC's century byte (rtc.c) */
	w16(t + FADT_BOOT_ARCH, BOOT_ARCH_LEGACY | BOOT_ARCH_NO_VGA);	/* MSI is allowed (vf.c) */
	w32(t + FADT_FLAGS, FLAG_WBINVD | FLAG_C1 | FLAG_PWR_BUTTON | FLAG_SLP_BUTTON | FLAG_RESET_REG);
	/* Reset register: system I/O, 8 bits at 0xCF9, byte access; 6 = full reset (ports.c). */
	uint8_t *r = t + FADT_RESET_REG;
	r[0] = 1, r[1] = 8, r[2] = 0, r[3] = 1, w64(r + 4, 0xCF9);
	t[FADT_RESET_VALUE] = 0x06;
	t[FADT_MINOR] = 5;	/* ACPI 6.5 */
	seal(t, FADT_LEN);
	return FADT_LEN;
}

uint32_t acpi_build(uint8_t *buf, uint32_t gpa, unsigned ncpus)
{
	memset(buf, 0, ACPI_SIZE);
	uint8_t *facs = buf + AT_FACS;
	memcpy(facs, "FACS", 4);
	w32(facs + 4, FACS_LEN);
	facs[32] = 2;	/* version */
	build_dsdt(buf + AT_DSDT);
	build_fadt(buf + AT_FADT, gpa + AT_FACS, gpa + AT_DSDT);
	build_madt(buf + AT_MADT, ncpus);

	uint8_t *rsdt = buf + AT_RSDT, *xsdt = buf + AT_XSDT;
	const uint32_t tables[] = { gpa + AT_FADT, gpa + AT_MADT };
	header(rsdt, "RSDT", 1);
	header(xsdt, "XSDT", 1);
	for (unsigned i = 0; i < 2; i++) {
		w32(rsdt + HDR_LEN + 4 * i, tables[i]);
		w64(xsdt + HDR_LEN + 8 * i, tables[i]);
	}
	seal(rsdt, HDR_LEN + 4 * 2);
	seal(xsdt, HDR_LEN + 8 * 2);

	/* RSDP (5.2.5.3): the first 20 bytes and all 36 each sum to zero. */
	uint8_t *rsdp = buf + AT_RSDP;
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "ATOLL ", 6);
	rsdp[15] = 2;
	w32(rsdp + 16, gpa + AT_RSDT);
	w32(rsdp + 20, 36);
	w64(rsdp + 24, gpa + AT_XSDT);
	rsdp[8] = checksum(rsdp, 20);
	rsdp[32] = checksum(rsdp, 36);
	return gpa + AT_RSDP;
}
