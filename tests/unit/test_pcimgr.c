/* Unit tests: the PCI manager's SR-IOV and NVMe admin logic (user/pcimgr). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "nvme.h"
#include "sriov.h"

static uint8_t cfg[4096];

static void w16(uint8_t *p, unsigned off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

/* QEMU 7.2's NVMe PF: SR-IOV at 0x120, offset 1, stride 1, VF device id 0x0010. */
static void qemu_pf(unsigned total)
{
	memset(cfg, 0, sizeof(cfg));
	w16(cfg, 0x120, PCI_EXT_CAP_SRIOV);
	w16(cfg, 0x120 + SRIOV_TOTAL_VFS, (uint16_t)total);
	w16(cfg, 0x120 + SRIOV_VF_OFFSET, 1);
	w16(cfg, 0x120 + SRIOV_VF_STRIDE, 1);
	w16(cfg, 0x120 + SRIOV_VF_DEVICE, 0x0010);
}

static void test_sriov_parse(void **state)
{
	struct sriov_info s;

	(void)state;
	qemu_pf(2);
	assert_int_equal(sriov_parse(cfg, 0x120, &s), E_OK);
	assert_int_equal(s.total_vfs, 2);
	assert_int_equal(s.vf_device, 0x0010);
	assert_int_equal(sriov_parse(cfg, 0x100, &s), E_INVAL);	/* not that capability */
	assert_int_equal(sriov_parse(cfg, 0x40, &s), E_RANGE);	/* not extended space */
	assert_int_equal(sriov_parse(cfg, 0xFF0, &s), E_RANGE);	/* runs off the page */
	w16(cfg, 0x120 + SRIOV_VF_OFFSET, 0);
	assert_int_equal(sriov_parse(cfg, 0x120, &s), E_INVAL);
	qemu_pf(2);
	w16(cfg, 0x120 + SRIOV_VF_STRIDE, 0);
	assert_int_equal(sriov_parse(cfg, 0x120, &s), E_INVAL);	/* two VFs, one id */
	qemu_pf(1);
	w16(cfg, 0x120 + SRIOV_VF_STRIDE, 0);
	assert_int_equal(sriov_parse(cfg, 0x120, &s), E_OK);	/* one VF needs no stride */
}

static void test_sriov_vf_rid(void **state)
{
	struct sriov_info s = { .total_vfs = 4, .vf_offset = 1, .vf_stride = 1 };
	uint16_t rid;

	(void)state;
	/* PF 01:00.0 (rid 0x100): VF 1 is 01:00.1, VF 2 is 01:00.2. */
	assert_int_equal(sriov_vf_rid(&s, 0x100, 1, 2, &rid), E_OK);
	assert_int_equal(rid, 0x101);
	assert_int_equal(sriov_vf_rid(&s, 0x100, 2, 2, &rid), E_OK);
	assert_int_equal(rid, 0x102);
	assert_int_equal(sriov_vf_rid(&s, 0x100, 0, 2, &rid), E_RANGE);
	assert_int_equal(sriov_vf_rid(&s, 0x100, 3, 2, &rid), E_RANGE);
	assert_int_equal(sriov_vf_rid(&s, 0x100, 1, 5, &rid), E_RANGE);	/* NumVFs > TotalVFs */
	s.vf_offset = 0x80;
	s.vf_stride = 0x100;	/* VFs on later buses */
	assert_int_equal(sriov_vf_rid(&s, 0x100, 3, 4, &rid), E_OK);
	assert_int_equal(rid, 0x100 + 0x80 + 0x200);
	assert_int_equal(sriov_vf_rid(&s, 0xFF80, 2, 4, &rid), E_RANGE);	/* past bus 255 */
}

static void test_virt_mgmt_encoding(void **state)
{
	struct nvme_sqe e;

	(void)state;
	assert_int_equal(sizeof(struct nvme_sqe), 64);
	assert_int_equal(sizeof(struct nvme_cqe), 16);
	nvme_cmd_virt_mgmt(&e, 7, NVME_VM_ASSIGN, NVME_VM_RT_VI, 2, 1);
	assert_int_equal(e.cdw0, 0x1C | 7u << 16);
	assert_int_equal(e.cdw10, 0x8 | 1u << 8 | 2u << 16);	/* ACT 3:0, RT 10:8, CNTLID 31:16 */
	assert_int_equal(e.cdw11, 1);
	assert_int_equal(e.prp1, 0);
	nvme_cmd_identify(&e, 3, NVME_CNS_SECONDARY_LIST, 0, 0x123000);
	assert_int_equal(e.cdw0, 0x06 | 3u << 16);
	assert_int_equal(e.cdw10, 0x15);
	assert_int_equal(e.prp1, 0x123000);
}

static void test_plan_online(void **state)
{
	struct nvme_sqe c[3];
	struct nvme_secondary s = { .scid = 1, .vfn = 1 };

	(void)state;
	assert_int_equal(nvme_plan_online(c, 10, &s, 1), 0);
	assert_int_equal(nvme_plan_online(c, 10, &s, 2), 3);
	assert_int_equal(c[0].cdw10, 0x8 | 1u << 8 | 1u << 16);	/* interrupts first */
	assert_int_equal(c[0].cdw11, 1);
	assert_int_equal(c[1].cdw10, 0x8 | 0u << 8 | 1u << 16);	/* then queues */
	assert_int_equal(c[1].cdw11, 2);
	assert_int_equal(c[2].cdw10, 0x9 | 1u << 16);		/* then online */
	assert_int_equal(c[2].cdw0 >> 16, 12);
}

static void test_secondary_list(void **state)
{
	static uint8_t page[4096];
	struct nvme_secondary s[4];
	unsigned n;

	(void)state;
	memset(page, 0, sizeof(page));
	page[0] = 2;
	w16(page, 32, 1);	/* SCID */
	w16(page, 34, 0);	/* PCID */
	page[36] = 1;		/* online */
	w16(page, 40, 1);	/* VFN */
	w16(page, 42, 2);	/* queues */
	w16(page, 44, 1);	/* interrupts */
	w16(page, 64, 2);
	w16(page, 72, 2);
	assert_int_equal(nvme_parse_secondaries(page, s, 4, &n), E_OK);
	assert_int_equal(n, 2);
	assert_true(s[0].online);
	assert_int_equal(s[0].queues, 2);
	assert_int_equal(s[0].interrupts, 1);
	assert_false(s[1].online);
	assert_int_equal(s[1].scid, 2);
	assert_int_equal(s[1].vfn, 2);
	assert_int_equal(nvme_parse_secondaries(page, s, 1, &n), E_OK);
	assert_int_equal(n, 1);	/* no more than asked for */
	page[0] = 127;		/* 32 + 127 * 32 bytes: exactly the page */
	assert_int_equal(nvme_parse_secondaries(page, s, 4, &n), E_OK);
	page[0] = 128;		/* one entry more than fits */
	assert_int_equal(nvme_parse_secondaries(page, s, 4, &n), E_TRUNC);
}

static void test_namespace_attachment(void **state)
{
	static uint8_t page[4096];
	struct nvme_sqe e;
	struct nvme_ns_size ns;
	uint16_t ids[3] = { 2, 0x1234, 7 }, got[4];
	unsigned n;

	(void)state;
	nvme_cmd_ns_attach(&e, 9, 2, NVME_NS_ATTACH, 0x456000);
	assert_int_equal(e.cdw0, 0x15 | 9u << 16);
	assert_int_equal(e.nsid, 2);
	assert_int_equal(e.cdw10, 0);	/* SEL 3:0: attach */
	assert_int_equal(e.prp1, 0x456000);
	nvme_cmd_ns_attach(&e, 9, 2, NVME_NS_DETACH, 0x456000);
	assert_int_equal(e.cdw10, 1);
	/* The controller list: a 16-bit count, then the 16-bit ids (NVMe 2.0 figure 137). */
	memset(page, 0xEE, sizeof(page));
	nvme_write_ctrl_list(page, ids, 3);
	assert_int_equal(page[0], 3);
	assert_int_equal(page[1], 0);
	assert_int_equal(page[2], 2);
	assert_int_equal(page[4], 0x34);
	assert_int_equal(page[5], 0x12);
	assert_int_equal(page[8], 0);	/* the rest is zero */
	assert_int_equal(nvme_parse_ctrl_list(page, got, 4, &n), E_OK);
	assert_int_equal(n, 3);
	assert_int_equal(got[1], 0x1234);
	assert_int_equal(got[2], 7);
	assert_int_equal(nvme_parse_ctrl_list(page, got, 2, &n), E_TRUNC);	/* more than asked for */
	w16(page, 0, 2048);	/* more than a page holds */
	assert_int_equal(nvme_parse_ctrl_list(page, got, 4, &n), E_TRUNC);
	nvme_write_ctrl_list(page, ids, 0);
	assert_int_equal(nvme_parse_ctrl_list(page, got, 4, &n), E_OK);
	assert_int_equal(n, 0);
	/* Identify Namespace: NSZE, and the block size of the format FLBAS selects. */
	memset(page, 0, sizeof(page));
	w16(page, 0, 0x4000);
	page[4] = 1;		/* NSZE = 0x1_0000_4000 blocks */
	page[26] = 0x11;	/* format 1 (bit 4 is not part of the index) */
	page[128 + 2] = 9;	/* format 0: 512 bytes */
	page[132 + 2] = 12;	/* format 1: 4 KiB */
	nvme_parse_ns_size(page, &ns);
	assert_int_equal(ns.blocks, 0x100004000ull);
	assert_int_equal(ns.block_shift, 12);
}

static void test_completion_and_doorbells(void **state)
{
	struct nvme_cqe c = { .status = 1 };	/* phase 1, success */

	(void)state;
	assert_true(nvme_cqe_ready(&c, 1));
	assert_false(nvme_cqe_ready(&c, 0));
	assert_int_equal(nvme_cqe_status(&c), 0);
	c.status = (uint16_t)(0x0B << 1);	/* "invalid queue identifier", phase 0 */
	assert_int_equal(nvme_cqe_status(&c), 0x0B);
	assert_int_equal(nvme_doorbell(0, false, 0), 0x1000);
	assert_int_equal(nvme_doorbell(0, true, 0), 0x1004);
	assert_int_equal(nvme_doorbell(1, false, 0), 0x1008);
	assert_int_equal(nvme_doorbell(1, true, 2ull << 32), 0x1000 + 3 * 16);	/* DSTRD 2 */
}

static void test_primary_caps(void **state)
{
	static uint8_t page[4096];
	struct nvme_primary p;

	(void)state;
	memset(page, 0, sizeof(page));
	w16(page, 0, 0);		/* CNTLID */
	w16(page, 32, 4);		/* VQFRT: 4 flexible queue resources */
	w16(page, 34, 0x1);		/* ... high half */
	w16(page, 44, 3);		/* VQFRSM */
	w16(page, 64, 2);		/* VIFRT */
	w16(page, 76, 1);		/* VIFRSM */
	w16(page, 78, 9);		/* VIGRAN: not read */
	nvme_parse_primary(page, &p);
	assert_int_equal(p.cntlid, 0);
	assert_int_equal(p.vq_total, 0x10004);
	assert_int_equal(p.vq_max, 3);
	assert_int_equal(p.vi_total, 2);
	assert_int_equal(p.vi_max, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_primary_caps),
		cmocka_unit_test(test_sriov_parse),
		cmocka_unit_test(test_sriov_vf_rid),
		cmocka_unit_test(test_virt_mgmt_encoding),
		cmocka_unit_test(test_plan_online),
		cmocka_unit_test(test_secondary_list),
		cmocka_unit_test(test_namespace_attachment),
		cmocka_unit_test(test_completion_and_doorbells),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
