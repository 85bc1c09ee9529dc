/* An NVMe controller's admin queue, polled (NVM Express Base 2.0: 3.5.1 initialization, 4.1 queues). */
#include "pcimgr.h"

#define CC_EN (1u << 0)
#define CC_IOSQES (6u << 16)	/* 64-byte submission entries */
#define CC_IOCQES (4u << 20)	/* 16-byte completion entries */
#define CSTS_RDY (1u << 0)
#define CSTS_CFS (1u << 1)
#define COMMAND_MS 2000		/* an admin command on an idle controller */

uint64_t tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Waits until CSTS.RDY equals want; CAP.TO is in units of 500 ms. */
static long wait_ready(struct admin *a, bool want)
{
	uint64_t ms = ((a->cap >> 24) & 0xFF) * 500ull;
	uint64_t end = tsc() + (ms ? ms : 500) * TSC_PER_MS;

	for (;;) {
		uint32_t csts = nvme_rd32(a->regs, NVME_REG_CSTS);
		if (csts == 0xFFFFFFFFu) {
			printf("pcimgr: %s: CSTS reads all ones: the controller is gone\n", a->name);
			return E_IO;
		}
		if (want && (csts & CSTS_CFS)) {
			printf("pcimgr: %s: controller fatal status (CSTS 0x%x) while enabling\n", a->name, csts);
			return E_IO;
		}
		if (!!(csts & CSTS_RDY) == want)
			return E_OK;
		if (tsc() > end) {
			printf("pcimgr: %s: timeout: CSTS.RDY did not become %u within %llu ms (CSTS 0x%x)\n",
			       a->name, want, (unsigned long long)ms, csts);
			return E_TIMEOUT;
		}
	}
}

long admin_start(struct admin *a, volatile uint8_t *regs, uint8_t *heap)
{
	long e;

	a->regs = regs;
	a->cap = nvme_rd32(a->regs, NVME_REG_CAP) | (uint64_t)nvme_rd32(a->regs, NVME_REG_CAP + 4) << 32;
	a->sq = (struct nvme_sqe *)heap;
	a->cq = (struct nvme_cqe *)(heap + 4096);
	a->data = heap + 8192;
	a->sq_tail = a->cq_head = 0;
	a->phase = 1;	/* the controller writes phase 1 on its first pass (4.6) */
	memset(heap, 0, 3 * 4096);
	nvme_wr32(a->regs, NVME_REG_CC, nvme_rd32(a->regs, NVME_REG_CC) & ~CC_EN);
	if ((e = wait_ready(a, false)))
		return e;
	nvme_wr32(a->regs, NVME_REG_AQA, (ADMIN_ENTRIES - 1) << 16 | (ADMIN_ENTRIES - 1));
	nvme_wr64(a->regs, NVME_REG_ASQ, (uint64_t)(uintptr_t)a->sq);	/* IOVA = VA */
	nvme_wr64(a->regs, NVME_REG_ACQ, (uint64_t)(uintptr_t)a->cq);
	nvme_wr32(a->regs, NVME_REG_CC, CC_IOSQES | CC_IOCQES | CC_EN);
	return wait_ready(a, true);
}

uint16_t admin_cid(struct admin *a)
{
	return ++a->cid;
}

long admin_run(struct admin *a, struct nvme_sqe *cmd, const char *what)
{
	uint16_t cid = (uint16_t)(cmd->cdw0 >> 16);
	volatile struct nvme_cqe *c = &a->cq[a->cq_head];
	uint64_t end = tsc() + COMMAND_MS * TSC_PER_MS;

	a->sq[a->sq_tail] = *cmd;
	a->sq_tail = (uint16_t)((a->sq_tail + 1) % ADMIN_ENTRIES);
	__asm__ volatile("" ::: "memory");	/* the entry is in memory before the doorbell */
	nvme_wr32(a->regs, nvme_doorbell(0, false, a->cap), a->sq_tail);
	while (!nvme_cqe_ready((const struct nvme_cqe *)c, a->phase)) {
		if (tsc() > end) {
			printf("pcimgr: %s: timeout: %s (command id %u) not completed within %u ms (CSTS 0x%x)\n",
			       a->name, what, cid, COMMAND_MS, nvme_rd32(a->regs, NVME_REG_CSTS));
			return E_TIMEOUT;
		}
	}
	struct nvme_cqe done = *(const struct nvme_cqe *)c;
	a->cq_head = (uint16_t)((a->cq_head + 1) % ADMIN_ENTRIES);
	if (a->cq_head == 0)
		a->phase ^= 1;
	nvme_wr32(a->regs, nvme_doorbell(0, true, a->cap), a->cq_head);
	unsigned status = nvme_cqe_status(&done);
	if (done.cid != cid) {
		printf("pcimgr: %s: %s: completion for command id %u, expected %u\n", a->name, what,
		       done.cid, cid);
		return E_IO;
	}
	if (status) {
		printf("pcimgr: %s: %s failed with status 0x%x (type %u, code 0x%02x)\n", a->name, what,
		       status, (status >> 8) & 7, status & 0xFF);
		return E_IO;
	}
	return E_OK;
}
