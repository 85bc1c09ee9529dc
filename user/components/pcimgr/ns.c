/* Each VF's disk: namespace N of the subsystem for VF N, attached to that VF's controller alone. */
#include "pcimgr.h"

#define MAX_LISTED 64	/* controllers named in a message; more are counted */

/* The controllers namespace nsid is attached to, into ids (at most MAX_LISTED). */
static long attached_to(struct admin *a, uint32_t nsid, uint16_t *ids, unsigned *n)
{
	struct nvme_sqe cmd;

	nvme_cmd_identify(&cmd, admin_cid(a), NVME_CNS_NS_CTRLS, 0, (uint64_t)(uintptr_t)a->data);
	cmd.nsid = nsid;
	long e = admin_run(a, &cmd, "Identify controllers attached to a namespace");
	if (!e && (e = nvme_parse_ctrl_list(a->data, ids, MAX_LISTED, n)))
		printf("pcimgr: %s: namespace %u is attached to more controllers than we can list\n",
		       a->name, nsid);
	return e;
}

/* " 0 1 2" into buf: the ids, for a message. */
static void id_list(char *buf, size_t size, const uint16_t *ids, unsigned n)
{
	buf[0] = 0;
	for (unsigned i = 0; i < n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), " %u", ids[i]);
}

int pcimgr_private_namespace(struct pf *p, struct admin *a, unsigned vf, uint16_t scid)
{
	struct nvme_sqe cmd;
	struct nvme_ns_size size;
	uint16_t ids[MAX_LISTED];
	char list[MAX_LISTED * 6];
	unsigned n;

	nvme_cmd_identify(&cmd, admin_cid(a), NVME_CNS_NS_ALLOCATED, 0, (uint64_t)(uintptr_t)a->data);
	cmd.nsid = vf;
	if (admin_run(a, &cmd, "Identify namespace"))
		return 21;
	nvme_parse_ns_size(a->data, &size);
	if (!size.blocks) {
		printf("pcimgr: %s: VF %u: the subsystem has no namespace %u (VF N's disk is namespace N)\n",
		       p->d->name, vf, vf);
		return 21;
	}
	if (attached_to(a, vf, ids, &n))
		return 22;
	if (n && !(n == 1 && ids[0] == scid)) {
		id_list(list, sizeof(list), ids, n);
		printf("pcimgr: %s: VF %u: namespace %u is already attached to controller(s)%s: a VF's disk must be its own, so its namespace must start detached\n",
		       p->d->name, vf, vf, list);
		return 22;
	}
	if (!n) {
		nvme_write_ctrl_list(a->data, &scid, 1);
		nvme_cmd_ns_attach(&cmd, admin_cid(a), vf, NVME_NS_ATTACH, (uint64_t)(uintptr_t)a->data);
		if (admin_run(a, &cmd, "Namespace Attachment"))
			return 23;
	}
	/* Confirm from the controller itself, not from what we sent. */
	if (attached_to(a, vf, ids, &n))
		return 22;
	if (n != 1 || ids[0] != scid) {
		id_list(list, sizeof(list), ids, n);
		printf("pcimgr: %s: VF %u: namespace %u is attached to controller(s)%s, not to secondary controller %u alone\n",
		       p->d->name, vf, vf, n ? list : " none", scid);
		return 23;
	}
	uint64_t bytes = size.blocks << size.block_shift;
	printf("pcimgr: %s: VF %u: namespace %u (%llu MiB) attached to secondary controller %u and no other controller\n",
	       p->d->name, vf, vf, (unsigned long long)(bytes >> 20), scid);
	return 0;
}
