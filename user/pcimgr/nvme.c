/* NVMe admin command encoding and decoding: pure logic, tested on the host. */
#include "kstring.h"
#include "nvme.h"

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void command(struct nvme_sqe *e, uint8_t opcode, uint16_t cid)
{
	memset(e, 0, sizeof(*e));
	e->cdw0 = opcode | (uint32_t)cid << 16;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

void nvme_parse_primary(const uint8_t *page, struct nvme_primary *out)
{
	*out = (struct nvme_primary){
		.cntlid = rd16(page), .vq_total = rd32(page + 32), .vq_max = rd16(page + 44),
		.vi_total = rd32(page + 64), .vi_max = rd16(page + 76),
	};
}

void nvme_parse_ns_size(const uint8_t *page, struct nvme_ns_size *out)
{
	unsigned format = page[26] & 0xF;	/* FLBAS: the format in use, of the table at 128 */

	out->blocks = rd32(page) | (uint64_t)rd32(page + 4) << 32;
	out->block_shift = page[128 + 4 * format + 2];
}

void nvme_cmd_identify(struct nvme_sqe *e, uint16_t cid, uint8_t cns, uint16_t cntid,
		       uint64_t prp1)
{
	command(e, NVME_ADMIN_IDENTIFY, cid);
	e->prp1 = prp1;	/* 4 KiB of data: one page, no PRP2 */
	e->cdw10 = cns | (uint32_t)cntid << 16;
}

void nvme_cmd_virt_mgmt(struct nvme_sqe *e, uint16_t cid, unsigned act, unsigned rt,
			uint16_t cntlid, uint16_t nr)
{
	command(e, NVME_ADMIN_VIRT_MGMT, cid);
	e->cdw10 = (act & 0xF) | (rt & 0x7) << 8 | (uint32_t)cntlid << 16;
	e->cdw11 = nr;
}

void nvme_cmd_ns_attach(struct nvme_sqe *e, uint16_t cid, uint32_t nsid, unsigned sel, uint64_t prp1)
{
	command(e, NVME_ADMIN_NS_ATTACH, cid);
	e->nsid = nsid;
	e->prp1 = prp1;
	e->cdw10 = sel & 0xF;
}

void nvme_write_ctrl_list(uint8_t *page, const uint16_t *ids, unsigned n)
{
	memset(page, 0, 4096);
	page[0] = (uint8_t)n;
	page[1] = (uint8_t)(n >> 8);
	for (unsigned i = 0; i < n; i++) {
		page[2 + 2 * i] = (uint8_t)ids[i];
		page[3 + 2 * i] = (uint8_t)(ids[i] >> 8);
	}
}

err_t nvme_parse_ctrl_list(const uint8_t *page, uint16_t *out, unsigned max, unsigned *n)
{
	*n = rd16(page);
	if (*n > NVME_CTRL_LIST_MAX || *n > max)
		return E_TRUNC;
	for (unsigned i = 0; i < *n; i++)
		out[i] = rd16(page + 2 + 2 * i);
	return E_OK;
}

bool nvme_cqe_ready(const struct nvme_cqe *c, unsigned phase)
{
	return (c->status & 1u) == (phase & 1u);
}

unsigned nvme_cqe_status(const struct nvme_cqe *c)
{
	return c->status >> 1;
}

uint32_t nvme_doorbell(unsigned qid, bool cq, uint64_t cap)
{
	unsigned dstrd = (unsigned)(cap >> 32) & 0xF;	/* CAP.DSTRD: stride 4 << DSTRD bytes */

	return NVME_DOORBELLS + (2 * qid + (cq ? 1 : 0)) * (4u << dstrd);
}

err_t nvme_parse_secondaries(const uint8_t *page, struct nvme_secondary *out, unsigned max,
			     unsigned *n)
{
	unsigned count = page[0];	/* entries of 32 bytes follow a 32-byte header */

	if (32 + count * 32 > 4096)
		return E_TRUNC;
	*n = 0;
	for (unsigned i = 0; i < count && *n < max; i++) {
		const uint8_t *p = page + 32 + 32 * i;
		out[(*n)++] = (struct nvme_secondary){
			.scid = rd16(p), .pcid = rd16(p + 2), .online = p[4] & 1,
			.vfn = rd16(p + 8), .queues = rd16(p + 10), .interrupts = rd16(p + 12),
		};
	}
	return E_OK;
}

unsigned nvme_plan_online(struct nvme_sqe *cmds, uint16_t first_cid, const struct nvme_secondary *s,
			  uint16_t q)
{
	if (q < 2)	/* the admin queue pair and at least one I/O pair */
		return 0;
	nvme_cmd_virt_mgmt(&cmds[0], first_cid, NVME_VM_ASSIGN, NVME_VM_RT_VI, s->scid, 1);
	nvme_cmd_virt_mgmt(&cmds[1], (uint16_t)(first_cid + 1), NVME_VM_ASSIGN, NVME_VM_RT_VQ, s->scid, q);
	nvme_cmd_virt_mgmt(&cmds[2], (uint16_t)(first_cid + 2), NVME_VM_ONLINE, 0, s->scid, 0);
	return 3;
}
