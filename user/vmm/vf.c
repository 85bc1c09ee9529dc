/*
 * The guest's PCI bus as the VMM runs it: configuration mechanism #1 on the
 * ports, the host bridge, and the functions passed through to the VM (pci.c
 * emulates their configuration space and MSI-X table; this file carries what
 * the guest changes over to the real device).
 */
#include "vmm.h"

void vf_init(struct vm *vm)
{
	vpci_init(&vm->pci);
}

bool vf_port_access(struct vm *vm, struct io *io)
{
	unsigned changed;

	return vpci_io(&vm->pci, io->port, io->size, io->write, &io->value, &changed);
}
