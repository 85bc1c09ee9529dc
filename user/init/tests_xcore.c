/* In-kernel test suite, across instances: notifications carried by IPI, no shared memory. */
#include "cap.h"
#include "test.h"
#include "tests.h"

#define ROOT CAP_INIT_CNODE

static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/*
 * Every instance signals every other one, then collects what arrives for a
 * while. The summary line lists the senders; the QEMU test checks it names all
 * the other instances, so a peer that died early (a fault test) only shortens it.
 */
static void signal_every_other_instance(struct test_env *env)
{
	const struct bootinfo *bi = env->bi;
	uint64_t n;
	uint32_t from = 0, all = 0;

	CHECK(bi->xsignal_count == bi->ninstances - 1);
	CHECK_ERR(untyped_retype(test_big_untyped(bi), OBJ_NOTIFICATION, 0, ROOT, S(0), 1), E_OK);
	n = S(0);
	CHECK_ERR(ntfn_bind_xsignals(n), E_OK);
	for (unsigned i = 0; i < bi->xsignal_count; i++) {
		CHECK(bi->xsignal_target[i] != bi->instance);
		CHECK_ERR(ipc_send(bi->xsignal_first + i, 0, 0, 0), E_OK);
		all |= 1u << bi->xsignal_target[i];
	}
	/* Bounded: about ten seconds of TSC at a few GHz, far more than a healthy run needs. */
	for (uint64_t start = tsc(); from != all && tsc() - start < 30000000000ull;) {
		struct msg m = ipc_nbrecv(n);
		if (m.err == E_OK)
			from |= (uint32_t)m.badge;
		else
			(void)sys_yield(0, 0);
	}
	CHECK((from & ~all) == 0);	/* never our own bit, never a missing instance */
	CHECK(bi->ninstances == 1 || from != 0);
	printf("instance %u: cross-instance signals from mask 0x%x of 0x%x\n", bi->instance, from,
	       all);
}

static void xsignal_rights_and_types(struct test_env *env)
{
	const struct bootinfo *bi = env->bi;

	CHECK_ERR(ntfn_bind_xsignals(ROOT), E_INVAL);	/* a CNode has no such label */
	CHECK_ERR(untyped_retype(test_big_untyped(bi), OBJ_NOTIFICATION, 0, ROOT, S(0), 1), E_OK);
	CHECK_ERR(cnode_copy(ROOT, S(1), S(0), CAP_WRITE), E_OK);
	CHECK_ERR(ntfn_bind_xsignals(S(1)), E_RIGHTS);	/* binding needs the Read right */
	if (!bi->xsignal_count)
		return;
	CHECK_ERR(cnode_copy(ROOT, S(2), bi->xsignal_first, CAP_READ), E_OK);
	CHECK_ERR(ipc_send(S(2), 0, 0, 0), E_RIGHTS);	/* signalling needs Write */
	CHECK_ERR(untyped_retype(test_big_untyped(bi), OBJ_XSIGNAL, 0, ROOT, S(3), 1), E_INVAL);
}

const struct test_case xcore_tests[] = {
	{ "xsignal_rights_and_types", xsignal_rights_and_types },
	{ "signal_every_other_instance", signal_every_other_instance },
};
const unsigned xcore_ntests = sizeof(xcore_tests) / sizeof(xcore_tests[0]);
