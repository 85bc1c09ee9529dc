/*
 * Console input: the VM whose description says `console: input` gets a console
 * cap (COMPONENT_CONSOLE_SLOT) from its root task. Every CONSOLE_POLL_MS the VMM
 * asks the kernel for what arrived on the host's serial port and puts it into
 * the guest UART's receive FIFO; a VCPU deadline makes sure it gets the chance
 * even while the guest idles.
 */
#include "vmm.h"

#define CONSOLE_POLL_MS 20

void console_in_poll(struct vm *vm, uint64_t now)
{
	uint8_t buf[24];

	if (!vm->info->console_input || now < vm->console_next)
		return;
	vm->console_next = now + vm->tsc_khz * CONSOLE_POLL_MS;
	/* Only ask for what fits: the kernel hands bytes over once. */
	while (uart_rx_room(vm) >= sizeof(buf)) {
		long n = console_read(vm->info->console_input, buf);
		if (n < 0) {
			printf("[%s] vmm: console input stopped: %s\n", vm->info->name, err_str(-n));
			vm->console_next = ~0ull;
			return;
		}
		uart_receive(vm, buf, (unsigned)n);
		if (n < (long)sizeof(buf))
			return;
	}
}

uint64_t console_in_deadline(const struct vm *vm, uint64_t deadline)
{
	if (!vm->info->console_input || vm->console_next == ~0ull)
		return deadline;
	return !deadline || vm->console_next < deadline ? vm->console_next : deadline;
}
