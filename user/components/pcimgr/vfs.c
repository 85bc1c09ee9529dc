/* Bringing a PF's secondary controllers (its VFs) online with Virtualization Management, each with its disk. */
#include "pcimgr.h"

#define MAX_SECONDARIES 64

static struct nvme_secondary sec[MAX_SECONDARIES];

/* Identify with this CNS (and controller id) into the data page. */
static long identify(struct admin *a, uint8_t cns, uint16_t cntid, const char *what)
{
	struct nvme_sqe cmd;

	nvme_cmd_identify(&cmd, admin_cid(a), cns, cntid, (uint64_t)(uintptr_t)a->data);
	return admin_run(a, &cmd, what);
}

static long secondaries(struct admin *a, unsigned *n)
{
	long e = identify(a, NVME_CNS_SECONDARY_LIST, 0, "Identify secondary controller list");

	if (!e && (e = nvme_parse_secondaries(a->data, sec, MAX_SECONDARIES, n)))
		printf("pcimgr: %s: the secondary controller list is malformed\n", a->name);
	return e;
}

static const struct nvme_secondary *secondary_of_vf(unsigned n, unsigned vfn)
{
	for (unsigned i = 0; i < n; i++)
		if (sec[i].vfn == vfn)
			return &sec[i];
	return NULL;
}

/* Copies a space-padded Identify string, trimmed. */
static void id_string(char *out, const uint8_t *in, unsigned len)
{
	unsigned n = 0;

	for (unsigned i = 0; i < len; i++)
		out[n++] = (char)(in[i] >= 0x20 && in[i] < 0x7F ? in[i] : '?');
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = 0;
}

static int identify_pf(struct pf *p, struct admin *a, struct nvme_primary *prim)
{
	char model[41], serial[21];

	if (identify(a, NVME_CNS_CONTROLLER, 0, "Identify controller"))
		return 13;
	id_string(serial, a->data + 4, 20);
	id_string(model, a->data + 24, 40);
	uint16_t oacs = (uint16_t)(a->data[NVME_ID_OACS] | a->data[NVME_ID_OACS + 1] << 8);
	printf("pcimgr: %s: Identify controller: \"%s\", serial \"%s\", OACS 0x%x\n", p->d->name, model,
	       serial, oacs);
	if (!(oacs & NVME_OACS_VIRT_MGMT)) {
		printf("pcimgr: %s: the controller does not support Virtualization Management\n", p->d->name);
		return 14;
	}
	if (identify(a, NVME_CNS_PRIMARY_CAPS, 0, "Identify primary controller capabilities"))
		return 15;
	nvme_parse_primary(a->data, prim);
	printf("pcimgr: %s: primary controller %u: %u flexible queue resources (at most %u per VF), %u flexible interrupts (at most %u per VF)\n",
	       p->d->name, prim->cntlid, prim->vq_total, prim->vq_max, prim->vi_total, prim->vi_max);
	return 0;
}

int pcimgr_bring_up(struct pf *p, volatile uint8_t *regs, uint8_t *heap)
{
	struct admin a = { .name = p->d->name };
	struct nvme_primary prim;
	unsigned n;
	int rc;

	if (admin_start(&a, regs, heap))
		return 12;
	printf("pcimgr: %s: admin queue up: CSTS.RDY = 1 (CAP.TO %u x 500 ms, doorbell stride %u)\n",
	       p->d->name, (unsigned)(a.cap >> 24) & 0xFF, 4u << ((a.cap >> 32) & 0xF));
	if ((rc = identify_pf(p, &a, &prim)))
		return rc;
	/* Each VF gets one interrupt and an equal share of the flexible queues (the admin queue counts). */
	unsigned q = prim.vq_total / p->vfs < prim.vq_max ? prim.vq_total / p->vfs : prim.vq_max;
	if (q < 2 || prim.vi_total < p->vfs || prim.vi_max < 1) {
		printf("pcimgr: %s: not enough flexible resources for %u VFs (%u queues, %u interrupts)\n",
		       p->d->name, p->vfs, prim.vq_total, prim.vi_total);
		return 16;
	}
	if (secondaries(&a, &n))
		return 17;
	printf("pcimgr: %s: secondary controller list: %u controllers\n", p->d->name, n);
	for (unsigned v = 1; v <= p->vfs; v++) {
		const struct nvme_secondary *s = secondary_of_vf(n, v);
		struct nvme_sqe cmds[3];
		static const char *const what[3] = { "Virtualization Management: assign interrupts",
						     "Virtualization Management: assign queues",
						     "Virtualization Management: online" };
		char rid[8];
		if (!s) {
			printf("pcimgr: %s: no secondary controller for VF %u\n", p->d->name, v);
			return 18;
		}
		unsigned k = nvme_plan_online(cmds, admin_cid(&a), s, (uint16_t)q);
		a.cid = (uint16_t)(a.cid + 2);	/* the plan used three ids */
		for (unsigned i = 0; i < k; i++)
			if (admin_run(&a, &cmds[i], what[i]))
				return 19;
		rid_str(rid, p->vf_rid[v - 1]);
		printf("pcimgr: %s: VF %u (%s): secondary controller %u: 1 interrupt and %u queues assigned, online\n",
		       p->d->name, v, rid, s->scid, q);
	}
	/* Confirm from the controller itself, not from what we sent. */
	if (secondaries(&a, &n))
		return 17;
	char list[MAX_VFS * 9] = "", rid[8];
	for (unsigned v = 1; v <= p->vfs; v++) {
		const struct nvme_secondary *s = secondary_of_vf(n, v);
		if (!s || !s->online || s->queues < q || s->interrupts < 1) {
			printf("pcimgr: %s: VF %u is not online after all: %s\n", p->d->name, v,
			       !s ? "gone from the list" : !s->online ? "secondary controller offline"
							   : "resources missing");
			return 20;
		}
		rid_str(rid, p->vf_rid[v - 1]);
		printf("pcimgr: %s: confirmed: secondary controller %u (VF %u, %s) online with %u queue(s), %u interrupt(s)\n",
		       p->d->name, s->scid, v, rid, s->queues, s->interrupts);
		if ((rc = pcimgr_private_namespace(p, &a, v, s->scid)))
			return rc;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), " %s", rid);
	}
	printf("pcimgr: %s: %u VFs online:%s\n", p->d->name, p->vfs, list);
	return 0;
}
