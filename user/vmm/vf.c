/*
 * The guest's PCI bus as the VMM runs it: configuration mechanism #1 on the
 * ports, the host bridge, and the VFs the description gives the VM, each at
 * 00:(1 + j).0. pci.c emulates their configuration space and MSI-X table; this
 * file waits for the hand-over (the devices page, spec.h), programs the real
 * MSI-X entries with the remapped messages it names, carries the guest's
 * bus-master bit over, forwards what the guest touches in a BAR outside the
 * mapped pages, and turns each physical MSI (a VMEXIT_NOTIFY bit) into the
 * guest's vector on the vCPU(s) the guest's entry names. In a VM of several
 * vCPUs all of that is vCPU 0's VMM's, which alone maps the VFs and receives
 * their MSIs; another vCPU's VMM asks it (struct vf_request) for what touches a
 * VF. With atoll.vf_dma_test on the guest's command line it first runs
 * vf_dma_test.c on each VF.
 */
#include "vmm.h"

#define VF_SLOT(j) (1u + (j))
#define MSIX_CTRL 2
#define MSIX_ENABLE (1u << 15)
#define MSIX_MASKALL (1u << 14)

/* Per VF: physical MSIs seen, how many raised a vector at once, and on which vCPUs. */
static unsigned msis[SPEC_VM_MAX_VFS], raised[SPEC_VM_MAX_VFS], raised_on[SPEC_VM_MAX_VFS][SPEC_VM_MAX_CPUS];
static unsigned nowhere;	/* messages whose destination named no vCPU */

bool cmdline_has(const char *line, const char *word)
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

/*
 * The hand-over's VF behind a slot of the guest's bus, or NULL (the host bridge, an
 * empty slot, or a vCPU other than 0, which has no devices page).
 */
static const struct vm_vf_info *vf_at(const struct vm *vm, unsigned slot)
{
	if (slot < 1 || slot > vm->info->nvfs || slot > SPEC_VM_MAX_VFS || !vm->info->devices_va)
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

/*
 * The guest's message reaches the local APIC(s) its destination names, as an edge (a
 * message is never level-triggered): this vCPU's directly, another's through its
 * mailbox and a kick (smp.c). Returns the vCPUs reached (a bit each); 0: none.
 */
static uint32_t raise_msi(struct vm *vm, const struct vpci_msi *m)
{
	uint32_t to = smp_targets(vm, 0, m->dest, m->logical);

	if (m->lowest && to)
		to = to >> vm->cpu & 1 ? 1u << vm->cpu : to & -to;	/* as smp_fixed() picks */
	if (!to)
		nowhere++;
	smp_fixed(vm, to, m->vector, false, false);
	return to;
}

static void deliver_pending(struct vm *vm)
{
	struct vpci_msi m;

	while (vpci_msix_take_pending(&vm->pci, &m) >= 0)
		(void)raise_msi(vm, &m);
}

/* Another vCPU's VMM: has vCPU 0's do *r and waits for it (the lock is dropped meanwhile). */
static void ask_vcpu0(struct vm *vm, struct vf_request *r)
{
	struct vf_request *q = &vm->mail[vm->cpu].vf;

	*q = *r;
	q->state = VF_REQ_POSTED;
	vm->kick(vm, 0);
	while (__atomic_load_n(&q->state, __ATOMIC_ACQUIRE) == VF_REQ_POSTED && !vm->stopped) {
		smp_unlock(vm);
		while (__atomic_load_n(&q->state, __ATOMIC_ACQUIRE) == VF_REQ_POSTED &&
		       !__atomic_load_n(&vm->stopped, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
		smp_lock(vm);
	}
	r->value = q->state == VF_REQ_DONE ? q->value : ~0ull;	/* a stopped VM reads all ones */
	q->state = VF_REQ_NONE;
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

	vf_dma_victim(vm, false);
	if (!vm->info->nvfs || !vm->info->devices_va)
		return E_OK;	/* none, or not vCPU 0 (whose VMM waits for them before the guest starts) */
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

/* Only bus mastering: a VF's memory decoding is the PF's VF MSE (SR-IOV 1.1, 3.4.1.3). */
static void set_bus_master(struct vm *vm, const struct vm_vf_info *f, unsigned slot)
{
	volatile uint16_t *cmd = config16(f, PCI_COMMAND);
	uint16_t c = *cmd;

	*cmd = vpci_bus_master(&vm->pci, slot) ? c | PCI_COMMAND_MASTER : (uint16_t)(c & ~PCI_COMMAND_MASTER);
}

/* What the guest changed in a VF's configuration space that the real VF must follow. */
static void carry_over(struct vm *vm, int slot, unsigned changed)
{
	const struct vm_vf_info *f = slot > 0 ? vf_at(vm, (unsigned)slot) : NULL;

	if (f && (changed & VPCI_CHG_COMMAND))
		set_bus_master(vm, f, (unsigned)slot);
	else if (vm->cpu && slot > 0 && vm->pci.dev[slot].msix_at && (changed & VPCI_CHG_COMMAND)) {
		struct vf_request r = { .op = VF_REQ_COMMAND, .slot = (uint8_t)slot };
		ask_vcpu0(vm, &r);
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
		if (hit.slot >= VPCI_SLOTS || hit.bar >= VPCI_BARS ||
		    hit.offset + size > vm->pci.dev[hit.slot].bar_size[hit.bar])
			return false;
		if (vm->cpu) {
			struct vf_request r = { .op = VF_REQ_BAR, .slot = (uint8_t)hit.slot, .bar = (uint8_t)hit.bar,
						.size = (uint8_t)size, .write = write, .offset = (uint32_t)hit.offset,
						.value = *value };
			ask_vcpu0(vm, &r);
			if (!write)
				*value = r.value;
			return true;
		}
		f = vf_at(vm, hit.slot);
		if (!f || hit.offset + size > f->bar[hit.bar].size)
			return false;
		forward(f, &hit, size, write, value);
		return true;
	}
	return false;
}

/* vCPU 0: what the other vCPUs asked for (vf_request), done. */
static void serve_requests(struct vm *vm)
{
	for (unsigned j = 1; j < vm->ncpus && j < SPEC_VM_MAX_CPUS; j++) {
		struct vf_request *q = &vm->mail[j].vf;
		if (__atomic_load_n(&q->state, __ATOMIC_ACQUIRE) != VF_REQ_POSTED)
			continue;
		const struct vm_vf_info *f = vf_at(vm, q->slot);
		struct vpci_hit hit = { .slot = q->slot, .bar = q->bar, .offset = q->offset };
		switch ((enum vf_req_op)q->op) {
		case VF_REQ_BAR:
			if (f && q->bar < VPCI_BARS && (uint64_t)q->offset + q->size <= f->bar[q->bar].size)
				forward(f, &hit, q->size, q->write, &q->value);
			else
				q->value = ~0ull;
			break;
		case VF_REQ_COMMAND:
			if (f)
				set_bus_master(vm, f, q->slot);
			break;
		}
		__atomic_store_n(&q->state, VF_REQ_DONE, __ATOMIC_RELEASE);
	}
}

void vf_notify(struct vm *vm, uint64_t word)
{
	if (!vm->info->devices_va)
		return;	/* not vCPU 0: no VF's MSI comes here */
	if (vm->ncpus > 1)
		serve_requests(vm);
	for (unsigned j = 0; j < vm->info->nvfs && j < SPEC_VM_MAX_VFS; j++) {
		const struct vm_vf_info *f = &devices(vm)->vf[j];
		for (unsigned v = 0; v < f->nvectors && v < SPEC_VF_MAX_VECTORS; v++) {
			if (!(word & (1ull << f->vectors[v].bit)))
				continue;
			struct vpci_msi m;
			int vector = vpci_msix_fire(&vm->pci, VF_SLOT(j), v, &m);
			msis[j]++;
			vm->vf_interrupts++;
			uint32_t to = vector >= 0 ? raise_msi(vm, &m) : 0;
			raised[j] += to != 0;
			for (unsigned k = 0; k < vm->ncpus && k < SPEC_VM_MAX_CPUS; k++)
				raised_on[j][k] += to >> k & 1;
			/* The kernel holds the vector's next MSI back until this (docs/syscalls.md). */
			if (irq_handler_ack(f->vectors[v].handler_slot))
				vm_stop(vm, "device %s: cannot acknowledge its MSI %u", f->name, v);
		}
	}
}

void vf_stats(struct vm *vm)
{
	if (!vm->info->devices_va)
		return;	/* vCPU 0's VMM counts */
	for (unsigned j = 0; j < vm->info->nvfs && j < SPEC_VM_MAX_VFS; j++) {
		printf("[%s] VF %s: %u MSIs, %u raised at once, %u dropped (MSI-X off)\n", vm->info->name,
		       devices(vm)->vf[j].name, msis[j], raised[j], vm->pci.dev[VF_SLOT(j)].dropped);
		if (vm->ncpus < 2)
			continue;
		char line[160];
		size_t n = (size_t)snprintf(line, sizeof(line), "[%s] VF %s: raised on", vm->info->name,
					    devices(vm)->vf[j].name);
		for (unsigned k = 0; k < vm->ncpus && k < SPEC_VM_MAX_CPUS && n < sizeof(line); k++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s vCPU %u: %u", k ? "," : "", k,
					      raised_on[j][k]);
		printf("%s\n", line);
	}
	if (nowhere)
		printf("[%s] %u VF message(s) named no vCPU and reached none\n", vm->info->name, nowhere);
}
