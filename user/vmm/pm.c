/*
 * The ACPI fixed-hardware registers the FADT names (ACPI 6.5 4.8.3): PM1a
 * status and enable at ACPI_PM_BASE, PM1a control at +4. The VM is always in
 * ACPI mode (SCI_EN reads 1) and raises no fixed events; writing SLP_EN with
 * the \_S5 type of the DSDT powers the VM off.
 */
#include "vmm.h"

#define PM1_CNT_SCI_EN 0x0001
#define PM1_CNT_SLP_TYP(v) (((v) >> 10) & 7)
#define PM1_CNT_SLP_EN 0x2000
#define PM1_CNT_WRITABLE 0x1C06	/* BM_RLD, GBL_RLS, SLP_TYP */

static uint16_t read16(const struct vm *vm, unsigned reg)
{
	switch (reg) {
	case 0: return vm->pm.sts;
	case 2: return vm->pm.en;
	case 4: return vm->pm.cnt | PM1_CNT_SCI_EN;
	}
	return 0xFFFF;
}

static void write16(struct vm *vm, unsigned reg, uint16_t v, uint16_t mask)
{
	switch (reg) {
	case 0:
		vm->pm.sts &= (uint16_t)~(v & mask);	/* write 1 to clear */
		return;
	case 2:
		vm->pm.en = (uint16_t)((vm->pm.en & ~mask) | (v & mask));
		return;
	case 4:
		vm->pm.cnt = (uint16_t)((vm->pm.cnt & ~(mask & PM1_CNT_WRITABLE)) |
					(v & mask & PM1_CNT_WRITABLE));
		if (!(v & mask & PM1_CNT_SLP_EN))
			return;
		if (PM1_CNT_SLP_TYP(vm->pm.cnt) == ACPI_S5_TYPE) {
			vm->powered_off = true;
			vm_stop_for(vm, VMSTOP_POWER_OFF, "the guest powered off (ACPI S5)");
		} else {
			vm_stop_for(vm, VMSTOP_UNEXPECTED, "the guest asked for sleep type %u, which the DSDT does not offer",
				PM1_CNT_SLP_TYP(vm->pm.cnt));
		}
		return;
	}
}

void pm_access(struct vm *vm, struct io *io)
{
	unsigned off = io->port - ACPI_PM_BASE;
	unsigned reg = off & ~1u, shift = (off & 1) * 8;

	if (io->size == 4 && off == 0) {	/* status and enable at once */
		if (io->write) {
			write16(vm, 0, (uint16_t)io->value, 0xFFFF);
			write16(vm, 2, (uint16_t)(io->value >> 16), 0xFFFF);
		} else {
			io->value = read16(vm, 0) | (uint32_t)read16(vm, 2) << 16;
		}
		return;
	}
	uint16_t mask = (uint16_t)((io->size == 1 ? 0xFF : 0xFFFF) << shift);
	if (io->write)
		write16(vm, reg, (uint16_t)(io->value << shift), mask);
	else
		io->value = (uint32_t)(read16(vm, reg) & mask) >> shift;
}
