/*
 * NVMe admin commands the PCI manager issues on a physical function: Identify,
 * Virtualization Management and Namespace Attachment (NVM Express Base spec; the
 * field layouts are restated in ../shared/QEMU-NOTES.md as checked against QEMU 7.2).
 */
#ifndef PCIMGR_NVME_H
#define PCIMGR_NVME_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/error.h"

/* Controller registers (BAR0). */
#define NVME_REG_CAP 0x00
#define NVME_REG_CC 0x14
#define NVME_REG_CSTS 0x1C
#define NVME_REG_AQA 0x24
#define NVME_REG_ASQ 0x28
#define NVME_REG_ACQ 0x30
#define NVME_DOORBELLS 0x1000

#define NVME_ADMIN_IDENTIFY 0x06
#define NVME_ADMIN_VIRT_MGMT 0x1C
#define NVME_ADMIN_NS_ATTACH 0x15
#define NVME_ADMIN_SET_FEATURES 0x09
#define NVME_ADMIN_GET_FEATURES 0x0A
#define NVME_FEAT_TIMESTAMP 0x0E	/* 8 bytes: milliseconds (48 bits), attributes */
#define NVME_CNS_CONTROLLER 0x01
#define NVME_CNS_PRIMARY_CAPS 0x14
#define NVME_CNS_SECONDARY_LIST 0x15
#define NVME_CNS_NS_ALLOCATED 0x11	/* Identify Namespace of any namespace in the subsystem */
#define NVME_CNS_NS_CTRLS 0x12		/* the controllers a namespace is attached to */

/* Namespace Attachment: CDW10.SEL, and the controller list it takes (NVMe 2.0 figure 137). */
#define NVME_NS_ATTACH 0x0
#define NVME_NS_DETACH 0x1
#define NVME_CTRL_LIST_MAX 2047

/* Virtualization Management actions and resource types. */
#define NVME_VM_ASSIGN 0x8
#define NVME_VM_ONLINE 0x9
#define NVME_VM_RT_VQ 0		/* queue resources */
#define NVME_VM_RT_VI 1		/* interrupt resources */

/* A submission queue entry: 64 bytes. */
struct nvme_sqe {
	uint32_t cdw0;		/* opcode 7:0, command id 31:16 */
	uint32_t nsid;
	uint32_t cdw2, cdw3;
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

/* A completion queue entry: 16 bytes. */
struct nvme_cqe {
	uint32_t dw0, dw1;
	uint16_t sq_head, sq_id;
	uint16_t cid;
	uint16_t status;	/* phase in bit 0, status field in 15:1 */
};

/* One secondary controller (an SR-IOV VF) as Identify CNS 15h lists it. */
struct nvme_secondary {
	uint16_t scid;		/* its controller id */
	uint16_t pcid;		/* its primary's */
	bool online;
	uint16_t vfn;		/* the VF number, 1-based */
	uint16_t queues, interrupts;	/* flexible resources assigned */
};

/* What the manager needs of Identify CNS 14h (Primary Controller Capabilities). */
struct nvme_primary {
	uint16_t cntlid;
	uint32_t vq_total, vi_total;	/* flexible queue / interrupt resources (VQFRT, VIFRT) */
	uint16_t vq_max, vi_max;	/* most a secondary may be given (VQFRSM, VIFRSM) */
};

/* What the manager needs of Identify Namespace: the size in logical blocks and their size. */
struct nvme_ns_size {
	uint64_t blocks;	/* NSZE; 0 for a namespace that does not exist */
	unsigned block_shift;	/* LBADS of the format in use */
};

/* Decodes the size of a 4 KiB Identify Namespace page. */
void nvme_parse_ns_size(const uint8_t *page, struct nvme_ns_size *out);

/* Decodes the 4 KiB primary controller capabilities page. */
void nvme_parse_primary(const uint8_t *page, struct nvme_primary *out);

/* Bits of Identify Controller (CNS 01h) the manager reads. */
#define NVME_ID_OACS 256	/* u16: optional admin commands */
#define NVME_OACS_VIRT_MGMT (1u << 3)

void nvme_cmd_identify(struct nvme_sqe *e, uint16_t cid, uint8_t cns, uint16_t cntid,
		       uint64_t prp1);

void nvme_cmd_virt_mgmt(struct nvme_sqe *e, uint16_t cid, unsigned act, unsigned rt,
			uint16_t cntlid, uint16_t nr);

/* Namespace Attachment of namespace nsid (sel NVME_NS_ATTACH or _DETACH), the controller list at prp1. */
void nvme_cmd_ns_attach(struct nvme_sqe *e, uint16_t cid, uint32_t nsid, unsigned sel, uint64_t prp1);

/* Writes a 4 KiB controller list page holding the n ids (n <= NVME_CTRL_LIST_MAX). */
void nvme_write_ctrl_list(uint8_t *page, const uint16_t *ids, unsigned n);

/*
 * Reads a 4 KiB controller list page into out (at most max ids; *n the count the
 * page gives); E_TRUNC if it claims more than fit in a page or in out.
 */
err_t nvme_parse_ctrl_list(const uint8_t *page, uint16_t *out, unsigned max, unsigned *n);

/* Whether the entry has been written in this pass of the queue (its phase bit matches). */
bool nvme_cqe_ready(const struct nvme_cqe *c, unsigned phase);

/* The status field (0 = success): status code type in 10:8, status code in 7:0. */
unsigned nvme_cqe_status(const struct nvme_cqe *c);

/* The offset of a queue's doorbell in BAR0: tail of SQ qid, or head of CQ qid. */
uint32_t nvme_doorbell(unsigned qid, bool cq, uint64_t cap);

/*
 * Parses the 4 KiB secondary controller list into out (at most max entries);
 * E_TRUNC if the page claims more than fit in it.
 */
err_t nvme_parse_secondaries(const uint8_t *page, struct nvme_secondary *out, unsigned max,
			     unsigned *n);

/*
 * The commands that bring secondary controller s online with q queues (the admin
 * queue counts) and one interrupt: assign interrupts, assign queues, online.
 * Writes three entries with command ids first_cid.. and returns 3; 0 if q < 2.
 */
unsigned nvme_plan_online(struct nvme_sqe *cmds, uint16_t first_cid, const struct nvme_secondary *s,
			  uint16_t q);

/* Controller registers through a mapping of BAR0 (NVMe 1.4 3.1; 64-bit ones as two dwords, low first). */
static inline uint32_t nvme_rd32(volatile uint8_t *regs, unsigned off)
{
	return *(volatile uint32_t *)(regs + off);
}

static inline void nvme_wr32(volatile uint8_t *regs, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(regs + off) = v;
}

static inline void nvme_wr64(volatile uint8_t *regs, unsigned off, uint64_t v)
{
	nvme_wr32(regs, off, (uint32_t)v);
	nvme_wr32(regs, off + 4, (uint32_t)(v >> 32));
}

#endif
