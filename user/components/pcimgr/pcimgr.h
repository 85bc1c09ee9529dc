/* The PCI manager component (docs/pcimgr.md): shared between its files. */
#ifndef PCIMGR_PCIMGR_H
#define PCIMGR_PCIMGR_H

#include "component.h"
#include "nvme.h"
#include "sriov.h"

#define MAX_VFS 32

/* One physical function being brought up. */
struct pf {
	const struct component_info *me;
	const struct component_device_info *d;
	volatile uint8_t *cfg;
	unsigned sriov;		/* offset of the SR-IOV capability */
	struct sriov_info s;
	uint16_t vf_rid[MAX_VFS];
	unsigned vfs;
	uint32_t next;		/* next free slot of our CNode */
};

/* One NVMe controller's admin queue pair, in our heap at IOVA = VA. */
struct admin {
	volatile uint8_t *regs;		/* BAR0 */
	uint64_t cap;
	struct nvme_sqe *sq;
	struct nvme_cqe *cq;
	uint8_t *data;			/* one page for Identify */
	uint16_t sq_tail, cq_head, cid;
	unsigned phase;
	const char *name;		/* for messages */
};

#define ADMIN_ENTRIES 16

/*
 * Resets the controller, points it at the queues in heap (three pages: SQ, CQ,
 * data) and enables it; E_TIMEOUT if CSTS.RDY does not follow within CAP.TO,
 * E_IO if the controller reports a fatal status. Prints what went wrong.
 */
long admin_start(struct admin *a, volatile uint8_t *regs, uint8_t *heap);

/*
 * Submits one command and waits for its completion: E_OK, E_IO (printed with the
 * status code) or E_TIMEOUT. `what` names the command in messages.
 */
long admin_run(struct admin *a, struct nvme_sqe *cmd, const char *what);

/* The next command id. */
uint16_t admin_cid(struct admin *a);

/* Reads the TSC; timeouts assume no more than TSC_PER_MS ticks a millisecond, so they are at least as long. */
uint64_t tsc(void);
#define TSC_PER_MS 5000000ull

/* "bb:dd.f" into buf (8 bytes). */
void rid_str(char *buf, uint16_t rid);

/*
 * On the PF's admin queue (BAR0 mapped at regs, three heap pages for the queues):
 * Identify, then for each VF assign interrupt and queue resources and online its
 * secondary controller, confirm from a fresh secondary list, and give each VF its
 * namespace (pcimgr_private_namespace). 0 or an exit status.
 */
int pcimgr_bring_up(struct pf *p, volatile uint8_t *regs, uint8_t *heap);

/*
 * Gives VF vf (secondary controller scid) its disk: namespace vf of the subsystem,
 * which must exist and be attached to no other controller, attached to scid alone
 * and confirmed. 0 or an exit status; prints what went wrong.
 */
int pcimgr_private_namespace(struct pf *p, struct admin *a, unsigned vf, uint16_t scid);

#endif
