/* Passed-through VFs: waiting for the root task to hand them over, and their interrupts. */
#include "vmm.h"

bool cmdline_has(const char *line, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = line; *p; p++)
		if ((p == line || p[-1] == ' ') && !strncmp(p, word, n) && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* The devices page of a VMM with VFs (abi/spec.h): written once, before VM_DEV_READY. */
static const struct vm_devices_info *devices(const struct vm *vm)
{
	return (const struct vm_devices_info *)(uintptr_t)vm->info->devices_va;
}

long vf_wait_ready(struct vm *vm)
{
	const struct vm_devices_info *d = devices(vm);

	vf_dma_victim(vm, false);
	if (!vm->info->nvfs)
		return E_OK;
	printf("[%s] waiting for %u VF(s) from the root task\n", vm->info->name, vm->info->nvfs);
	/* Bit VM_DEV_READY: the page is final; MSI bits may come along, and nothing is lost meanwhile. */
	uint64_t word = 0;
	while (!(word & 1ull << VM_DEV_READY)) {
		struct msg m = ipc_recv(vm->info->devices);
		if (m.err)
			return m.err;
		word |= m.badge;
	}
	if (d->magic != VM_DEVICES_MAGIC || d->state != VM_DEV_OK) {
		printf("[%s] vm stopped: device not handed over: %s\n", vm->info->name,
		       d->magic == VM_DEVICES_MAGIC ? d->why : "no devices page");
		return E_NOENT;
	}
	vf_notify(vm, word);	/* an MSI that came with it is counted and acknowledged */
	for (uint32_t j = 0; j < d->nvfs && j < SPEC_VM_MAX_VFS; j++) {
		const struct vm_vf_info *f = &d->vf[j];
		volatile uint32_t *cfg = (volatile uint32_t *)(uintptr_t)f->config_va;
		printf("[%s] VF %s: host %02x:%02x.%x, id %04x:%04x, config command 0x%x, MSI-X %u entries in BAR%u at 0x%x\n",
		       vm->info->name, f->name, f->bdf >> 8, f->bdf >> 3 & 31, f->bdf & 7, f->vendor,
		       f->device, cfg[1] & 0xFFFF, f->msix_entries, f->msix_table_bar, f->msix_table_offset);
		if (!f->bar[0].size)
			continue;
		/*
		 * Memory Space Enable: read-only zero in a VF (the PF's VF MSE rules), but QEMU 7.2
		 * maps a VF's BARs only with it set, as Linux sets it in every function it enables.
		 */
		*(volatile uint16_t *)(uintptr_t)(f->config_va + 4) |= 2;
		/* An NVMe controller's registers (NVMe 1.4 3.1): CAP at 0, VS at 8, through the BAR mapping. */
		const volatile uint32_t *regs = (const volatile uint32_t *)(uintptr_t)(f->window_va + f->bar[0].offset);
		printf("[%s] VF %s: BAR0 %llu KiB at guest 0x%llx: CAP 0x%08x%08x, VS 0x%08x\n", vm->info->name,
		       f->name, (unsigned long long)(f->bar[0].size >> 10),
		       (unsigned long long)(f->window_gpa + f->bar[0].offset), regs[1], regs[0], regs[2]);
		if (cmdline_has(vm->info->cmdline, "atoll.vf_dma_test")) {
			long e = vf_dma_test(vm, f);
			if (e)
				return e;
		}
	}
	return E_OK;
}

void vf_notify(struct vm *vm, uint64_t word)
{
	vm->vf_pending |= word & ~(1ull << VM_DEV_READY);
	/* Not yet given to the guest (no virtual PCI bus yet): acknowledge, so the next one comes. */
	const struct vm_devices_info *d = devices(vm);
	for (uint32_t j = 0; j < d->nvfs && j < SPEC_VM_MAX_VFS; j++)
		for (uint32_t k = 0; k < d->vf[j].nvectors && k < SPEC_VF_MAX_VECTORS; k++)
			if (vm->vf_pending & 1ull << d->vf[j].vectors[k].bit) {
				vm->vf_pending &= ~(1ull << d->vf[j].vectors[k].bit);
				vm->vf_interrupts++;
				(void)atoll_call(d->vf[j].vectors[k].handler_slot, INV_IRQ_HANDLER_ACK, 0, 0, 0, 0);
			}
}
