/* Unit tests: the ACPI tables the VMM writes for its guest (user/vmm/acpi.c), read back by the kernel's parser. */
#include "acpi_fake.h"

#include "../../user/vmm/vmm.h"

static uint8_t sum(paddr_t a, uint32_t len)
{
	uint8_t s = 0;

	for (uint32_t i = 0; i < len; i++)
		s = (uint8_t)(s + mem[a + i]);
	return s;
}

static uint16_t r16(paddr_t a)
{
	return (uint16_t)(mem[a] | mem[a + 1] << 8);
}

static uint64_t r64(paddr_t a)
{
	return r32(a) | (uint64_t)r32(a + 4) << 32;
}

/* A table at a: its signature, a length that fits, and a zero byte sum over that length. */
static uint32_t table(paddr_t a, const char *sig)
{
	uint32_t len = r32(a + 4);

	assert_memory_equal(mem + a, sig, 4);
	assert_true(len >= 36 && a + len <= ACPI_GPA + ACPI_SIZE);
	assert_int_equal(sum(a, len), 0);
	return len;
}

static paddr_t build_n(unsigned ncpus)
{
	reset();
	memset(mem, 0xA5, sizeof(mem));	/* what was there before must not matter */
	return acpi_build(mem + ACPI_GPA, ACPI_GPA, ncpus);
}

static paddr_t build(void)
{
	return build_n(1);
}

static void test_rsdp_and_roots(void **state)
{
	struct acpi_info a;
	paddr_t found;

	(void)state;
	paddr_t rsdp = build();
	assert_int_equal(rsdp, ACPI_GPA);
	/* Found where Linux scans, both checksums right, revision 2 with an XSDT. */
	assert_int_equal(acpi_find_rsdp_bios(&pv, &found), E_OK);
	assert_int_equal(found, rsdp);
	assert_int_equal(sum(rsdp, 20), 0);
	assert_int_equal(sum(rsdp, 36), 0);
	assert_int_equal(mem[rsdp + 15], 2);
	assert_int_equal(r32(rsdp + 20), 36);
	assert_int_equal(acpi_parse(&pv, rsdp, &a), E_OK);
	assert_true(a.xsdt_used);
	assert_string_equal(a.oem_id, "ATOLL ");
	/* The RSDT and XSDT name the same two tables, FADT then MADT. */
	paddr_t rsdt = r32(rsdp + 16), xsdt = r64(rsdp + 24);
	assert_int_equal(table(rsdt, "RSDT"), 36 + 2 * 4);
	assert_int_equal(table(xsdt, "XSDT"), 36 + 2 * 8);
	assert_int_equal(mem[xsdt + 8], 1);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(r32(rsdt + 36 + 4 * i), r64(xsdt + 36 + 8 * i));
	table(r64(xsdt + 36), "FACP");
	table(r64(xsdt + 44), "APIC");
}

static void test_madt(void **state)
{
	struct acpi_info a;

	(void)state;
	assert_int_equal(acpi_parse(&pv, build(), &a), E_OK);
	assert_true(a.have_madt);
	assert_int_equal(a.lapic_addr, LAPIC_BASE);
	assert_true(a.pic_present);
	assert_int_equal(a.ncpus, 1);
	assert_int_equal(a.cpus[0].apic_id, 0);
	assert_int_equal(a.cpus[0].uid, 0);
	assert_true(a.cpus[0].enabled);
	assert_int_equal(a.nioapics, 1);
	assert_int_equal(a.ioapics[0].id, 1);	/* what ioapic.c's ID register says */
	assert_int_equal(a.ioapics[0].addr, IOAPIC_BASE);
	assert_int_equal(a.ioapics[0].gsi_base, 0);
	/* irq 0 on pin 2 (irq.c routes the PIT there); the SCI level-triggered, active high. */
	assert_int_equal(a.nisos, 2);
	assert_int_equal(a.isos[0].bus_irq, 0);
	assert_int_equal(a.isos[0].gsi, 2);
	assert_int_equal(a.isos[0].flags, 0);
	assert_int_equal(a.isos[1].bus_irq, ACPI_SCI_IRQ);
	assert_int_equal(a.isos[1].gsi, ACPI_SCI_IRQ);
	assert_int_equal(a.isos[1].flags, 0x000D);
	/* The last entry: local APIC NMI on LINT1 of every processor. */
	paddr_t madt = r64(r64(ACPI_GPA + 24) + 44);
	uint32_t len = table(madt, "APIC");
	assert_int_equal(mem[madt + len - 6], 4);
	assert_int_equal(mem[madt + len - 4], 0xFF);
	assert_int_equal(mem[madt + len - 1], 1);
}

/* A VM of several vCPUs: a local APIC per vCPU, UID and APIC id its index, the rest as for one. */
static void test_madt_cpus(void **state)
{
	struct acpi_info a;

	(void)state;
	for (unsigned n = 2; n <= SPEC_VM_MAX_CPUS; n += SPEC_VM_MAX_CPUS - 2) {
		assert_int_equal(acpi_parse(&pv, build_n(n), &a), E_OK);
		assert_int_equal(a.ncpus, n);
		for (unsigned i = 0; i < n; i++) {
			assert_int_equal(a.cpus[i].apic_id, i);
			assert_int_equal(a.cpus[i].uid, i);
			assert_true(a.cpus[i].enabled);
		}
		assert_int_equal(a.nioapics, 1);
		assert_int_equal(a.ioapics[0].id, 1);
		assert_int_equal(a.nisos, 2);
		paddr_t madt = r64(r64(ACPI_GPA + 24) + 44);
		uint32_t len = table(madt, "APIC");
		assert_int_equal(len, 44 + 8 * n + 12 + 2 * 10 + 6);
		assert_int_equal(mem[madt + len - 6], 4);
	}
}

static void test_fadt_facs(void **state)
{
	(void)state;
	build();
	paddr_t f = r64(r64(ACPI_GPA + 24) + 36);
	assert_int_equal(table(f, "FACP"), 276);	/* revision 6's length */
	assert_int_equal(mem[f + 8], 6);
	assert_int_equal(mem[f + 131], 5);		/* minor version */
	assert_int_equal(r16(f + 46), ACPI_SCI_IRQ);
	assert_int_equal(r32(f + 48), 0);		/* no SMI command port: always ACPI mode */
	assert_int_equal(r32(f + 56), ACPI_PM_BASE);	/* PM1a event block (pm.c) */
	assert_int_equal(r32(f + 60), 0);
	assert_int_equal(r32(f + 64), ACPI_PM_BASE + 4);	/* PM1a control block */
	assert_int_equal(r32(f + 76), 0);		/* no PM timer */
	assert_int_equal(mem[f + 88], 4);
	assert_int_equal(mem[f + 89], 2);
	assert_int_equal(mem[f + 108], 0x32);		/* RTC century index */
	assert_int_equal(r16(f + 109), 0x0005);		/* legacy devices, no VGA; MSI allowed (VFs) */
	uint32_t flags = r32(f + 112);
	assert_int_equal(flags & (1u << 10), 1u << 10);	/* reset register supported */
	assert_int_equal(flags & (1u << 20), 0);	/* not hardware-reduced */
	/* Reset register: system I/O, 8 bits, byte access, port 0xCF9, value 6 (ports.c). */
	assert_int_equal(mem[f + 116], 1);
	assert_int_equal(mem[f + 117], 8);
	assert_int_equal(mem[f + 119], 1);
	assert_int_equal(r64(f + 120), 0xCF9);
	assert_int_equal(mem[f + 128], 6);
	/* X_ fields left zero: the 32-bit ones are used. */
	for (unsigned o = 132; o < 276; o++)
		assert_int_equal(mem[f + o], 0);
	paddr_t facs = r32(f + 36), dsdt = r32(f + 40);
	assert_memory_equal(mem + facs, "FACS", 4);
	assert_int_equal(r32(facs + 4), 64);
	assert_int_equal(facs % 64, 0);
	table(dsdt, "DSDT");
}

/* A PkgLength at a: its value, and how many bytes it takes (ACPI 6.5 20.2.4). */
static uint32_t pkglen(paddr_t a, unsigned *bytes)
{
	unsigned n = mem[a] >> 6;
	uint32_t v = n ? mem[a] & 0x0F : mem[a] & 0x3F;

	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)mem[a + 1 + i] << (4 + 8 * i);
	*bytes = n + 1;
	return v;
}

static void test_dsdt_aml(void **state)
{
	unsigned nb;

	(void)state;
	build();
	paddr_t d = r32(r64(r64(ACPI_GPA + 24) + 36) + 40);
	uint32_t len = table(d, "DSDT");
	assert_int_equal(mem[d + 8], 2);
	/* Name (\_S5, Package (4) { 5, 5, 0, 0 }): SLP_TYPa is what pm.c powers off on. */
	static const uint8_t s5[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
				      0x0A, ACPI_S5_TYPE, 0x0A, ACPI_S5_TYPE, 0x00, 0x00 };
	assert_memory_equal(mem + d + 36, s5, sizeof(s5));
	/* Scope (\_SB) runs exactly to the end of the table. */
	paddr_t sc = d + 36 + sizeof(s5);
	assert_int_equal(mem[sc], 0x10);
	assert_int_equal(sc + 1 + pkglen(sc + 1, &nb), d + len);
	assert_memory_equal(mem + sc + 1 + nb, "_SB_", 4);
	/* Device (PCI0) fills the scope; _HID EisaId ("PNP0A03"). */
	paddr_t dev = sc + 1 + nb + 4;
	assert_int_equal(mem[dev], 0x5B);
	assert_int_equal(mem[dev + 1], 0x82);
	assert_int_equal(dev + 2 + pkglen(dev + 2, &nb), d + len);
	paddr_t p = dev + 2 + nb;
	assert_memory_equal(mem + p, "PCI0\x08_HID\x0C\x41\xD0\x0A\x03\x08_UID\x00\x08_CRS\x11", 4 + 10 + 6 + 6);
	/* _CRS: a buffer whose declared size holds the descriptors, ending with an end tag. */
	paddr_t b = p + 26;
	uint32_t blen = pkglen(b, &nb);
	assert_int_equal(b + blen, d + len);
	assert_int_equal(mem[b + nb], 0x0B);
	uint16_t size = r16(b + nb + 1);
	paddr_t r = b + nb + 3;
	assert_int_equal(r + size, d + len);
	unsigned words = 0, dwords = 0, ios = 0;
	while (mem[r] != 0x79) {
		if (mem[r] & 0x80) {	/* large descriptor: type, 16-bit length */
			words += mem[r] == 0x88;
			dwords += mem[r] == 0x87;
			if (mem[r] == 0x88 && mem[r + 3] == 2) {	/* buses 0-255 */
				assert_int_equal(r16(r + 8), 0);
				assert_int_equal(r16(r + 10), 0xFF);
			}
			r += 3 + r16(r + 1);
		} else {		/* small: length in bits 0-2 */
			ios += (mem[r] >> 3) == 0x08;
			r += 1 + (mem[r] & 7);
		}
		assert_true(r < d + len);
	}
	assert_int_equal(r + 2, d + len);
	assert_int_equal(words, 3);
	assert_int_equal(dwords, 1);
	assert_int_equal(ios, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rsdp_and_roots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_cpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fadt_facs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dsdt_aml, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
