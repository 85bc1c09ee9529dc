/*
 * A DMA check a VMM runs on its NVMe VF before the guest starts, when the guest's
 * command line says `atoll.vf_dma_test` (tests/qemu/cases/linux-nvme-vfs.sh): the
 * VF's admin queue in guest RAM, one Identify into guest RAM (it must arrive: the
 * IOSpace holds the RAM at IOVA = guest-physical) and one to just past the RAM (it
 * must not: instance 0's IOMMU reports the fault, and the RAM is unchanged). The
 * first completion raises the VF's MSI-X vector 0, programmed with what instance 0
 * routed: it must arrive here as its bit of "devices". The second is programmed with
 * the remapping handle of the next core's same vector (a forged entry): nothing may
 * arrive, here or there. Then, if the root task told us another VM's RAM (a test-only
 * field of the devices page), one Identify to the host-physical address of that VM's
 * page VICTIM_GPA (its VMM, with `atoll.vf_dma_victim`, filled and summed it): it must
 * fault, since the IOSpace holds only our RAM; and one to IOVA VICTIM_GPA: the same
 * guest-physical address, which in our IOSpace is our own RAM, where it must arrive.
 * With `atoll.vf_msi_dma` too, the VF also writes an interrupt message to the next
 * core's remapping handle by DMA (msi_by_dma): blocked by source-id verification on
 * VT-d hardware, delivered by QEMU 7.2, whose device DMA carries no requester id.
 */
#include "nvme.h"
#include "vmm.h"

#define SCRATCH_GPA 0x100000ull	/* admin queues and the Identify page; Linux is loaded later */
#define ASQ_GPA SCRATCH_GPA
#define ACQ_GPA (SCRATCH_GPA + 0x1000)
#define DATA_GPA (SCRATCH_GPA + 0x2000)
#define QUEUE_ENTRIES 4
/* The victim's page: in the hole linux.c's e820 map marks reserved, so Linux leaves it alone. */
#define VICTIM_GPA 0x9F000ull

struct ctl {
	struct vm *vm;
	volatile uint8_t *regs;
	unsigned stride;	/* doorbell stride in bytes */
	uint64_t timeout_ms;
	unsigned tail, head, phase;
};

/* Waits for CSTS.RDY == want within CAP.TO; false on timeout or a fatal status. */
static bool wait_ready(struct ctl *c, unsigned want)
{
	uint64_t end = tsc_now() + c->timeout_ms * c->vm->tsc_khz;

	while (tsc_now() < end) {
		uint32_t csts = nvme_rd32(c->regs, NVME_REG_CSTS);
		if (csts == 0xFFFFFFFFu || (csts & 2))
			return false;
		if ((csts & 1) == want)
			return true;
	}
	return false;
}

/* Issues one admin command with PRP1 = prp; returns the completion's status field, or -1 on timeout. */
static int admin(struct ctl *c, uint16_t cid, uint8_t opcode, uint32_t cdw10, uint64_t prp)
{
	struct nvme_sqe *sq = (struct nvme_sqe *)(c->vm->ram + ASQ_GPA);
	volatile struct nvme_cqe *cq = (volatile struct nvme_cqe *)(c->vm->ram + ACQ_GPA);

	sq[c->tail] = (struct nvme_sqe){ .cdw0 = opcode | (uint32_t)cid << 16, .prp1 = prp, .cdw10 = cdw10 };
	c->tail = (c->tail + 1) % QUEUE_ENTRIES;
	__asm__ volatile("mfence" ::: "memory");
	nvme_wr32(c->regs, NVME_DOORBELLS, c->tail);
	uint64_t end = tsc_now() + 2000 * c->vm->tsc_khz;
	while (tsc_now() < end) {
		if ((cq[c->head].status & 1) != c->phase)
			continue;
		int status = cq[c->head].status >> 1;
		bool mine = cq[c->head].cid == cid;
		c->head = (c->head + 1) % QUEUE_ENTRIES;
		c->phase ^= c->head == 0;
		nvme_wr32(c->regs, NVME_DOORBELLS + c->stride, c->head);
		return mine ? status : -1;
	}
	return -1;
}

/* Identify Controller into prp. */
static int identify(struct ctl *c, uint16_t cid, uint64_t prp)
{
	return admin(c, cid, NVME_ADMIN_IDENTIFY, NVME_CNS_CONTROLLER, prp);
}

/* Waits up to about a second for a word on "devices"; 0 if none came. */
static uint64_t await_devices(struct vm *vm)
{
	uint64_t end = tsc_now() + 1000 * vm->tsc_khz;

	for (;;) {
		/* With several vCPUs the MSIs signal "wake" (spec.h); the guest has not started. */
		struct msg m = ipc_nbrecv(vm->ncpus > 1 ? vm->info->wake : vm->info->devices);
		if (!m.err && m.badge)
			return m.badge;
		if (tsc_now() >= end)
			return 0;
		(void)sys_yield(0, 0);
	}
}

/* MSI-X table entry 0 of the VF (PCI 3.0 6.8.2.9: address, upper address, data, control). */
static void msix_entry0(const struct vm_vf_info *f, uint64_t address, uint32_t data)
{
	volatile uint32_t *e = (volatile uint32_t *)(uintptr_t)(f->window_va +
		f->bar[f->msix_table_bar].offset + f->msix_table_offset);

	e[3] = 1;	/* masked while it changes */
	e[0] = (uint32_t)address;
	e[1] = (uint32_t)(address >> 32);
	e[2] = data;
	e[3] = 0;
}

/*
 * An interrupt message written by DMA: Set Features (Timestamp) with 8 bytes of ours,
 * then Get Features (Timestamp) with its data pointer at the remappable MSI address of
 * the next core's entry (the 8 bytes arrive there as two 4-byte interrupt requests,
 * VT-d 5.1.5.2, the second with a subhandle of 0). Nothing may arrive, here or there.
 */
static void msi_by_dma(struct ctl *c, const struct vm_vf_info *f)
{
	uint64_t forged = f->vectors[0].address + (32u << 5);

	memset(c->vm->ram + DATA_GPA, 0, 8);
	int set = admin(c, 5, NVME_ADMIN_SET_FEATURES, NVME_FEAT_TIMESTAMP, DATA_GPA);
	int get = admin(c, 6, NVME_ADMIN_GET_FEATURES, NVME_FEAT_TIMESTAMP, forged);
	uint64_t w = await_devices(c->vm);
	printf("[%s] vf dma test: Get Features (Timestamp) DMA to another core's MSI address 0x%llx: status 0x%x/0x%x, word 0x%llx here\n",
	       c->vm->info->name, (unsigned long long)forged, set, get, (unsigned long long)w);
}

/* FNV-1a over one page. */
static uint32_t page_sum(const uint8_t *p)
{
	uint32_t h = 2166136261u;

	for (unsigned i = 0; i < 0x1000; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/*
 * Another VM's RAM: by its host-physical address (outside our IOSpace, so it must
 * fault there, and the victim's VMM finds its page unchanged), and by the same
 * guest-physical address, which in our IOSpace is our own page (it must land there).
 */
static long attack_peer(struct ctl *c, const char *model)
{
	const struct vm_devices_info *d = (const struct vm_devices_info *)(uintptr_t)c->vm->info->devices_va;
	const char *name = c->vm->info->name;
	uint8_t *own = c->vm->ram + VICTIM_GPA;

	if (!d->test_peer_hpa) {
		printf("[%s] vf dma test: the root task named no other VM's RAM\n", name);
		return E_NOENT;
	}
	uint64_t target = d->test_peer_hpa + VICTIM_GPA;
	int st = identify(c, 3, target);
	printf("[%s] vf dma test: Identify to host-physical 0x%llx (vm %s's guest-physical 0x%llx): status 0x%x\n",
	       name, (unsigned long long)target, d->test_peer, (unsigned long long)VICTIM_GPA, st);
	memset(own, 0, 0x1000);
	st = identify(c, 4, VICTIM_GPA);
	bool landed = !memcmp(own + 24, model, strlen(model));
	printf("[%s] vf dma test: Identify to IOVA 0x%llx (vm %s's guest-physical, our own RAM in this IOSpace): status 0x%x, %s\n",
	       name, (unsigned long long)VICTIM_GPA, d->test_peer, st,
	       landed ? "arrived in our own page" : "did not arrive in our own page");
	memset(own, 0, 0x1000);
	return landed ? E_OK : E_IO;
}

/* FNV-1a over the guest's RAM outside the scratch pages. */
static uint32_t ram_sum(const struct vm *vm)
{
	uint32_t h = 2166136261u;

	for (uint64_t i = 0; i < vm->ram_size; i += 64)
		if (i < SCRATCH_GPA || i >= DATA_GPA + 0x1000)
			h = (h ^ vm->ram[i]) * 16777619u;
	return h;
}

long vf_dma_test(struct vm *vm, const struct vm_vf_info *f)
{
	struct ctl c = { .vm = vm, .regs = (volatile uint8_t *)(uintptr_t)(f->window_va + f->bar[0].offset),
			 .phase = 1 };
	volatile uint16_t *cmd = (volatile uint16_t *)(uintptr_t)(f->config_va + 4);
	uint64_t cap = nvme_rd32(c.regs, NVME_REG_CAP) | (uint64_t)nvme_rd32(c.regs, NVME_REG_CAP + 4) << 32;
	const char *name = vm->info->name;

	c.stride = 4u << ((cap >> 32) & 0xF);
	c.timeout_ms = ((cap >> 24) & 0xFF) * 500 + 500;
	*cmd |= 4;	/* bus mastering: the VF's DMA goes through its IOSpace */
	memset(vm->ram + SCRATCH_GPA, 0, 0x3000);
	nvme_wr32(c.regs, NVME_REG_CC, 0);
	if (!wait_ready(&c, 0)) {
		printf("[%s] vf dma test: the controller does not stop\n", name);
		return E_TIMEOUT;
	}
	/* MSI-X on (control bit 15), entry 0 as instance 0 routed it: the admin queue's vector. */
	volatile uint16_t *msix = (volatile uint16_t *)(uintptr_t)(f->config_va + f->msix_cap + 2);
	bool irq = f->msix_cap && f->nvectors && f->bar[f->msix_table_bar].size;
	if (irq) {
		msix_entry0(f, f->vectors[0].address, f->vectors[0].data);
		*msix = (uint16_t)((*msix | 0x8000u) & ~0x4000u);
	}
	nvme_wr32(c.regs, NVME_REG_AQA, (QUEUE_ENTRIES - 1) << 16 | (QUEUE_ENTRIES - 1));
	nvme_wr64(c.regs, NVME_REG_ASQ, ASQ_GPA);
	nvme_wr64(c.regs, NVME_REG_ACQ, ACQ_GPA);
	nvme_wr32(c.regs, NVME_REG_CC, 6u << 16 | 4u << 20 | 1);	/* 64-byte SQEs, 16-byte CQEs, enable */
	if (!wait_ready(&c, 1)) {
		printf("[%s] vf dma test: the controller does not become ready\n", name);
		return E_TIMEOUT;
	}
	/* Into guest RAM: IOVA = guest-physical, so the bytes land where the guest would look. */
	int st = identify(&c, 1, DATA_GPA);
	char model[41];
	memcpy(model, vm->ram + DATA_GPA + 24, 40);
	model[40] = 0;
	for (int i = 39; i >= 0 && model[i] == ' '; i--)
		model[i] = 0;
	printf("[%s] vf dma test: Identify into guest-physical 0x%llx: status 0x%x, model \"%s\"\n", name,
	       (unsigned long long)DATA_GPA, st, model);
	if (irq) {
		uint64_t w = await_devices(vm);
		printf("[%s] vf dma test: its MSI-X vector 0 arrived: word 0x%llx (bit %u is vector 0x%x of this core)\n",
		       name, (unsigned long long)w, f->vectors[0].bit, f->vectors[0].vector);
		(void)atoll_call(f->vectors[0].handler_slot, INV_IRQ_HANDLER_ACK, 0, 0, 0, 0);
		/* Forged: the remapping handle of the next core's same vector (VT-d 5.1.5.2, bits 19:5). */
		msix_entry0(f, f->vectors[0].address + (32u << 5), f->vectors[0].data);
	}
	/* Just past the RAM: nothing is mapped there in the IOSpace. */
	uint32_t before = ram_sum(vm);
	uint64_t outside = vm->ram_size + 0x1000;
	st = identify(&c, 2, outside);
	uint32_t after = ram_sum(vm);
	printf("[%s] vf dma test: Identify to guest-physical 0x%llx (outside RAM): status 0x%x, RAM checksum %s\n",
	       name, (unsigned long long)outside, st, before == after ? "unchanged" : "CHANGED");
	if (irq) {
		uint64_t w = await_devices(vm);
		printf("[%s] vf dma test: MSI-X entry forged to another core's handle: word 0x%llx here\n", name,
		       (unsigned long long)w);
		*msix = (uint16_t)(*msix & ~0x8000u);
		msix_entry0(f, 0, 0);
		if (cmdline_has(vm->info->cmdline, "atoll.vf_msi_dma"))
			msi_by_dma(&c, f);	/* QEMU 7.2 delivers it: not in make test (docs/iommu.md) */
	}
	long e = model[0] ? attack_peer(&c, model) : E_IO;
	/* Leave the controller as it was found for the guest's driver. */
	nvme_wr32(c.regs, NVME_REG_CC, 0);
	(void)wait_ready(&c, 0);
	*cmd &= (uint16_t)~4u;
	memset(vm->ram + SCRATCH_GPA, 0, 0x3000);
	return before != after ? E_IO : e;
}

void vf_dma_victim(struct vm *vm, bool after)
{
	static bool filled;
	static uint32_t sum;
	uint8_t *p = vm->ram + VICTIM_GPA;

	if (!cmdline_has(vm->info->cmdline, "atoll.vf_dma_victim") || vm->cpu || (after && !filled))
		return;
	if (after) {
		uint32_t now = page_sum(p);
		printf("[%s] vf dma victim: page at guest-physical 0x%llx after the guest ran: checksum 0x%08x, %s\n",
		       vm->info->name, (unsigned long long)VICTIM_GPA, now, now == sum ? "unchanged" : "CHANGED");
		return;
	}
	for (unsigned i = 0; i < 0x1000; i++)
		p[i] = (uint8_t)(i * 7 + 0x5A);
	sum = page_sum(p);
	filled = true;
	printf("[%s] vf dma victim: page at guest-physical 0x%llx filled: checksum 0x%08x\n", vm->info->name,
	       (unsigned long long)VICTIM_GPA, sum);
}
