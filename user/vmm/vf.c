/*
 * The guest's PCI bus as the VMM runs it: configuration mechanism #1 on the
 * ports, the host bridge, and the VFs the description gives the VM, each at
 * 00:(1 + j).0. pci.c emulates their configuration space and MSI-X table; this
 * file waits for the hand-over (the devices page, spec.h), programs the real
 * MSI-X entries with the remapped messages it names, carries the guest's
 * bus-master bit over, forwards what the guest touches in a BAR outside the
 * mapped pages, and turns each physical MSI (a VMEXIT_NOTIFY bit) into the
 * guest's vector. With atoll.vf_dma_test on the guest's command line it first
 * runs vf_dma_test.c on each VF.
 */
#include "vmm.h"

#define VF_SLOT(j) (1u + (j))
#define MSIX_CTRL 2
#define MSIX_ENABLE (1u << 15)
#define MSIX_MASKALL (1u << 14)

/* Per VF: physical MSIs seen, and how many of them raised a vector at once. */
static unsigned msis[SPEC_VM_MAX_VFS], raised[SPEC_VM_MAX_VFS];

/* True if the guest's command line has this word (space-separated). */
static bool cmdline_has(const char *line, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = line; *p; p++)
		if ((p == line || p[-1] == ' ') && !strncmp(p, word, n) && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

static const struct vm_devices_info *devices(const struct vm *vm)
{
	return (const struct vm_devices_info *)(uintptr_t)vm->info->devices_va;
}

/* The hand-over's VF behind a slot of the guest's bus, or NULL (the host bridge, an empty slot). */
static const struct vm_vf_info *vf_at(const struct vm *vm, unsigned slot)
{
	if (slot < 1 || slot > vm->info->nvfs || slot > SPEC_VM_MAX_VFS)
		return NULL;
	return &devices(vm)->vf[slot - 1];
}

static volatile uint8_t *bar_va(const struct vm_vf_info *f, unsigned bar)
{
	return (volatile uint8_t *)(uintptr_t)(f->window_va + f->bar[bar].offset);
}

static volatile uint16_t *config16(const struct vm_vf_info *f, unsigned off)
{
	return (volatile uint16_t *)(uintptr_t)(f->config_va + off);
}

/* The guest's vector reaches its local APIC as an edge (a message is never level-triggered). */
static void raise_vector(struct vm *vm, int vector)
{
	lapic_accept(vm, (uint8_t)vector, false);
}

static void deliver_pending(struct vm *vm)
{
	int v;

	while ((v = vpci_msix_take_pending(&vm->pci)) >= 0)
		raise_vector(vm, v);
}

/* Puts VF j on the guest's bus and points its real MSI-X entries at the VM's vectors. */
static err_t vf_attach(struct vm *vm, unsigned j)
{
	const struct vm_vf_info *f = &devices(vm)->vf[j];
	struct vpci_passthrough pt = {
		.vendor = f->vendor, .device = f->device,
		.cfg = (const uint8_t *)(uintptr_t)f->config_va,
		.msix_max = f->nvectors,
	};

	if (f->state != VM_DEV_OK || f->nvectors > SPEC_VF_MAX_VECTORS)
		return E_INVAL;
	for (unsigned i = 0; i < VPCI_BARS; i++)
		pt.bar[i] = (struct vpci_bar_desc){ .gpa = f->window_gpa + f->bar[i].offset,
						    .size = f->bar[i].size, .is64 = f->bar[i].is64,
						    .prefetchable = f->bar[i].prefetch };
	err_t e = vpci_add_passthrough(&vm->pci, VF_SLOT(j), &pt);
	if (e != E_OK || !f->msix_cap)
		return e;
	/*
	 * The real entries carry the remapped messages for ever; the guest's live in pci.c.
	 * Only the entries both the table and the hand-over have (QEMU's VF has one, the
	 * description gives two vectors): the guest sees as many.
	 */
	volatile uint32_t *table = (volatile uint32_t *)(bar_va(f, f->msix_table_bar) + f->msix_table_offset);
	for (unsigned v = 0; v < vm->pci.dev[VF_SLOT(j)].msix_n; v++) {
		table[4 * v + 0] = (uint32_t)f->vectors[v].address;
		table[4 * v + 1] = (uint32_t)(f->vectors[v].address >> 32);
		table[4 * v + 2] = f->vectors[v].data;
		table[4 * v + 3] = 0;
	}
	volatile uint16_t *ctrl = config16(f, f->msix_cap + MSIX_CTRL);
	*ctrl = (uint16_t)((*ctrl | MSIX_ENABLE) & ~MSIX_MASKALL);
	return E_OK;
}

long vf_wait_ready(struct vm *vm)
{
	const struct vm_devices_info *d = devices(vm);

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
	if (d->magic != VM_DEVICES_MAGIC || d->state != VM_DEV_OK || d->nvfs != vm->info->nvfs) {
		printf("[%s] vm stopped: device not handed over: %s\n", vm->info->name,
		       d->magic != VM_DEVICES_MAGIC ? "no devices page" :
		       d->state != VM_DEV_OK ? d->why : "the devices page lists other VFs");
		return E_NOENT;
	}
	vf_notify(vm, word);	/* an MSI that came with it is counted and acknowledged */
	for (uint32_t j = 0; j < d->nvfs && j < SPEC_VM_MAX_VFS; j++) {
		const struct vm_vf_info *f = &d->vf[j];
		printf("[%s] VF %s: host %02x:%02x.%x, id %04x:%04x, config command 0x%x, MSI-X %u entries in BAR%u at 0x%x\n",
		       vm->info->name, f->name, f->bdf >> 8, f->bdf >> 3 & 31, f->bdf & 7, f->vendor,
		       f->device, *config16(f, PCI_COMMAND), f->msix_entries, f->msix_table_bar,
		       f->msix_table_offset);
		if (!f->bar[0].size)
			continue;
		/*
		 * Memory Space Enable is read-only zero in a VF (the PF's VF MSE rules, SR-IOV 1.1
		 * 3.4.1.3), but QEMU 7.2 maps a VF's BARs only with it set, as Linux sets it in every
		 * function it enables; the guest's own bit is emulated and changes nothing here.
		 */
		*config16(f, PCI_COMMAND) |= PCI_COMMAND_MEMORY;
		/* An NVMe controller's registers (NVMe 1.4 3.1): CAP at 0, VS at 8, through the BAR mapping. */
		const volatile uint32_t *regs = (const volatile uint32_t *)bar_va(f, 0);
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

void vf_init(struct vm *vm)
{
	vpci_init(&vm->pci);
	if (vm->info->nvfs && vm->ncpus > 1) {
		/* Its MSIs would need delivering to the vCPU the guest's message names (smp.c). */
		vm_stop_for(vm, VMSTOP_NOT_STARTED, "device %s: a VF in a VM of several vCPUs is not "
			    "passed through yet", devices(vm)->vf[0].name);
		return;
	}
	for (unsigned j = 0; j < vm->info->nvfs && j < SPEC_VM_MAX_VFS; j++) {
		const struct vm_vf_info *f = &devices(vm)->vf[j];
		err_t e = vf_attach(vm, j);
		if (e != E_OK) {
			vm_stop_for(vm, VMSTOP_NOT_STARTED, "device %s: cannot pass it through: %s", f->name,
				    err_str(e));
			return;
		}
		printf("[%s] VF %s: guest 00:%02x.0, %u MSI-X vector(s)\n", vm->info->name, f->name,
		       VF_SLOT(j), vm->pci.dev[VF_SLOT(j)].msix_n);
	}
}

/* What the guest changed in a VF's configuration space that the real VF must follow. */
static void carry_over(struct vm *vm, int slot, unsigned changed)
{
	const struct vm_vf_info *f = slot > 0 ? vf_at(vm, (unsigned)slot) : NULL;

	if (f && (changed & VPCI_CHG_COMMAND)) {
		/* Only bus mastering: a VF's memory decoding is the PF's VF MSE (SR-IOV 1.1, 3.4.1.3). */
		volatile uint16_t *cmd = config16(f, PCI_COMMAND);
		uint16_t c = *cmd;
		*cmd = vpci_bus_master(&vm->pci, (unsigned)slot) ? c | PCI_COMMAND_MASTER :
			(uint16_t)(c & ~PCI_COMMAND_MASTER);
	}
	if (changed & VPCI_CHG_MSIX)
		deliver_pending(vm);
}

bool vf_port_access(struct vm *vm, struct io *io)
{
	unsigned changed;

	if (!vpci_io(&vm->pci, io->port, io->size, io->write, &io->value, &changed))
		return false;
	if (changed)
		carry_over(vm, vpci_addressed_slot(&vm->pci), changed);
	return true;
}

/* An access the guest made to a VF's BAR where the VMM is not emulating: the real register. */
static void forward(const struct vm_vf_info *f, const struct vpci_hit *hit, unsigned size, bool write,
		    uint64_t *value)
{
	volatile uint8_t *p = bar_va(f, hit->bar) + hit->offset;

	switch (size) {
	case 1:
		if (write)
			*p = (uint8_t)*value;
		else
			*value = *p;
		return;
	case 2:
		if (write)
			*(volatile uint16_t *)p = (uint16_t)*value;
		else
			*value = *(volatile uint16_t *)p;
		return;
	case 4:
		if (write)
			*(volatile uint32_t *)p = (uint32_t)*value;
		else
			*value = *(volatile uint32_t *)p;
		return;
	case 8:
		if (write)
			*(volatile uint64_t *)p = *value;
		else
			*value = *(volatile uint64_t *)p;
		return;
	}
	if (!write)
		*value = ~0ull;
}

bool vf_mmio(struct vm *vm, uint64_t gpa, unsigned size, bool write, uint64_t *value)
{
	struct vpci_hit hit;
	const struct vm_vf_info *f;

	switch (vpci_mmio(&vm->pci, gpa, size, write, value, &hit)) {
	case VPCI_MMIO_NONE:
		return false;
	case VPCI_MMIO_DONE:
		if (write)
			deliver_pending(vm);	/* an unmasked entry sends what it held back */
		return true;
	case VPCI_MMIO_FORWARD:
		f = vf_at(vm, hit.slot);
		if (!f || hit.offset + size > f->bar[hit.bar].size)
			return false;
		forward(f, &hit, size, write, value);
		return true;
	}
	return false;
}

void vf_notify(struct vm *vm, uint64_t word)
{
	for (unsigned j = 0; j < vm->info->nvfs && j < SPEC_VM_MAX_VFS; j++) {
		const struct vm_vf_info *f = &devices(vm)->vf[j];
		for (unsigned v = 0; v < f->nvectors && v < SPEC_VF_MAX_VECTORS; v++) {
			if (!(word & (1ull << f->vectors[v].bit)))
				continue;
			int vector = vpci_msix_fire(&vm->pci, VF_SLOT(j), v);
			msis[j]++;
			vm->vf_interrupts++;
			if (vector >= 0) {
				raise_vector(vm, vector);
				raised[j]++;
			}
			/* The kernel holds the vector's next MSI back until this (docs/syscalls.md). */
			if (irq_handler_ack(f->vectors[v].handler_slot))
				vm_stop(vm, "device %s: cannot acknowledge its MSI %u", f->name, v);
		}
	}
}

void vf_stats(struct vm *vm)
{
	for (unsigned j = 0; j < vm->info->nvfs && j < SPEC_VM_MAX_VFS; j++)
		printf("[%s] VF %s: %u MSIs, %u raised at once, %u dropped (MSI-X off)\n", vm->info->name,
		       devices(vm)->vf[j].name, msis[j], raised[j], vm->pci.dev[VF_SLOT(j)].dropped);
}
