/*
 * The guest's I/O ports: the PC devices Linux needs (PIC, PIT, RTC, COM1, ACPI PM), PCI
 * configuration space (vf.c), and the reset paths. Any other
 * port reads as all ones and ignores writes, as on a bus where nothing answers.
 */
#include "vmm.h"

#define KBC_CMD 0x64
#define KBC_RESET 0xFE		/* pulse the CPU reset line */
#define RESET_CONTROL 0xCF9
#define FAST_A20 0x92

static void reset(struct vm *vm, const char *how)
{
	vm->reset_requested = true;
	vm_stop_for(vm, VMSTOP_RESET, "the guest asked for a reset (%s)", how);
}

void ports_access(struct vm *vm, struct io *io)
{
	uint16_t p = io->port;

	if (p == 0x20 || p == 0x21 || p == 0xA0 || p == 0xA1)
		pic_access(vm, io);
	else if ((p >= 0x40 && p <= 0x43) || p == 0x61)
		pit_access(vm, io);
	else if (p == 0x70 || p == 0x71)
		rtc_access(vm, io);
	else if (p >= 0x3F8 && p <= 0x3FF)
		uart_access(vm, io);
	else if (p >= ACPI_PM_BASE && p < ACPI_PM_BASE + 6)
		pm_access(vm, io);
	else if (vf_port_access(vm, io)) {
		/* PCI configuration mechanism #1 (vf.c) */
	} else if (io->write) {
		if (p == KBC_CMD && (io->value & 0xFF) == KBC_RESET)
			reset(vm, "keyboard controller");
		else if (p == RESET_CONTROL && (io->value & 0x04))
			reset(vm, "port 0xcf9");
		else if (p == FAST_A20 && (io->value & 0x01))
			reset(vm, "port 0x92");
	}
}
