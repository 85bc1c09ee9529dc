/* In-kernel test suite, MSI vectors: allocation, the address/data pair, freeing, delivery. */
#include "cap.h"
#include "core/pci_cfg.h"
#include "test.h"
#include "tests.h"

#define ROOT CAP_INIT_CNODE
#define IRQC CAP_INIT_IRQ_CONTROL
#define MSI_TRY 60	/* more than an instance has: the allocation loop must stop at E_FULL */

/* Vectors in use for other things (docs/multikernel.md): an MSI must not land on them. */
static bool vector_is_free_for_msi(uint64_t v)
{
	return v >= 0xC8 && v <= 0xFE;
}

static void msi_address_and_data(struct test_env *env)
{
	struct msi_result a = irq_control_get_msi(IRQC, S(0));
	struct msi_result b = irq_control_get_msi(IRQC, S(1));

	CHECK_ERR(a.err, E_OK);
	CHECK_ERR(b.err, E_OK);
	if (env->bi->intremap) {
		/* VT-d 5.1.5.2: remappable format (bit 4), a handle of its own per vector in 19-5. */
		CHECK((a.address & 0xFFF0001Full) == 0xFEE00010ull);
		CHECK((b.address & 0xFFF0001Full) == 0xFEE00010ull);
		CHECK(((a.address >> 5) & 0x7FFF) - ((b.address >> 5) & 0x7FFF) == a.data - b.data);
	} else {
		/* SDM vol. 3 11.11: 0xFEE in bits 31-20, this core's APIC id in 19-12, RH = DM = 0. */
		CHECK(a.address == (0xFEE00000ull | (uint64_t)env->bi->apic_id << 12));
		CHECK(b.address == a.address);
	}
	/* Data: the vector alone, so fixed delivery and edge trigger. */
	CHECK(vector_is_free_for_msi(a.data) && vector_is_free_for_msi(b.data));
	CHECK(a.data != b.data);
	/* A full destination slot is refused and blamed on mr0. */
	struct call_result r = atoll_call(IRQC, INV_IRQ_CONTROL_GET_MSI, S(0), 0, 0, 0);
	CHECK(r.err == E_NOTEMPTY && r.arg == ARG_MR(0));
	CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(1)), E_OK);
}

static void msi_exhaustion_and_reuse(struct test_env *env)
{
	uint64_t data[MSI_TRY];
	unsigned n = 0;
	struct msi_result m;

	/* Allocate until the instance runs out; slots S(0)..S(n-1) hold the handlers. */
	while (n < MSI_TRY && (m = irq_control_get_msi(IRQC, S(n))).err == E_OK)
		data[n++] = m.data;
	CHECK(n >= 16 && n < MSI_TRY);
	struct call_result r = atoll_call(IRQC, INV_IRQ_CONTROL_GET_MSI, S(n), 0, 0, 0);
	CHECK(r.err == E_FULL && r.arg == ARG_CAP);
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = 0; j < i; j++)
			CHECK(data[i] != data[j]);

	/* A copy keeps the vector taken: only the last cap frees it. */
	unsigned k = n / 2;
	CHECK_ERR(cnode_copy(ROOT, S(62), S(k), CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(k)), E_OK);
	CHECK_ERR(irq_control_get_msi(IRQC, S(k)).err, E_FULL);
	CHECK_ERR(cnode_delete(ROOT, S(62)), E_OK);
	m = irq_control_get_msi(IRQC, S(k));
	CHECK_ERR(m.err, E_OK);
	CHECK(m.data == data[k]);	/* the one vector freed is the one handed out again */

	/* Revoking the IRQ control's copy frees every vector allocated through it. */
	CHECK_ERR(cnode_copy(ROOT, S(63), IRQC, CAP_ALL_RIGHTS), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(k)), E_OK);
	CHECK_ERR(irq_control_get_msi(S(63), S(k)).err, E_OK);
	CHECK_ERR(cnode_revoke(ROOT, S(63)), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(63)), E_OK);
	for (unsigned i = 0; i < n; i++)
		if (i != k)
			CHECK_ERR(cnode_delete(ROOT, S(i)), E_OK);
	unsigned again = 0;
	while (again < n && irq_control_get_msi(IRQC, S(again)).err == E_OK)
		again++;
	CHECK(again == n);
	for (unsigned i = 0; i < again; i++)
		CHECK_ERR(cnode_delete(ROOT, S(i)), E_OK);
}

static void msi_wrong_caps_and_rights(struct test_env *env)
{
	uint64_t n = test_make(env, OBJ_NOTIFICATION, 0, 0);
	uint64_t ep = test_make(env, OBJ_ENDPOINT, 0, 1);

	CHECK_ERR(irq_control_get_msi(IRQC, S(2)).err, E_OK);
	/* Not IRQ control: a notification, a TCB, an IRQ handler. */
	CHECK_ERR(irq_control_get_msi(n, S(3)).err, E_WRONGTYPE);
	CHECK_ERR(irq_control_get_msi(CAP_INIT_TCB, S(3)).err, E_INVAL);
	CHECK_ERR(irq_control_get_msi(S(2), S(3)).err, E_INVAL);
	/* IRQ control without W. */
	CHECK_ERR(cnode_copy(ROOT, S(4), IRQC, CAP_READ), E_OK);
	CHECK_ERR(irq_control_get_msi(S(4), S(3)).err, E_RIGHTS);
	/* Binding needs a notification with W. */
	CHECK_ERR(irq_handler_set_ntfn(S(2), ep), E_WRONGTYPE);
	CHECK_ERR(irq_handler_set_ntfn(S(2), IRQC), E_WRONGTYPE);
	CHECK_ERR(cnode_copy(ROOT, S(5), n, CAP_READ), E_OK);
	CHECK_ERR(irq_handler_set_ntfn(S(2), S(5)), E_RIGHTS);
	/* The debug raise takes only MSI handlers. */
	CHECK_ERR(sys_debug_irq_raise(n, 0), E_WRONGTYPE);
	CHECK_ERR(sys_debug_irq_raise(IRQC, 0), E_WRONGTYPE);
	CHECK_ERR(sys_debug_irq_raise(S(3), 0), E_EMPTY);
	if (env->bi->irq_count) {
		CHECK_ERR(irq_control_get(IRQC, env->bi->irq_first, S(6)), E_OK);
		CHECK_ERR(sys_debug_irq_raise(S(6), 0), E_WRONGTYPE);	/* an I/O APIC line */
		CHECK_ERR(cnode_delete(ROOT, S(6)), E_OK);
	} else {
		CHECK_ERR(irq_control_get(IRQC, 0, S(6)), E_RANGE);	/* MSI only, no lines */
	}
	for (unsigned k = 0; k <= 5; k++)
		CHECK_ERR(cnode_delete(ROOT, S(k)), E_OK);
}

/*
 * A self-IPI is taken as soon as the raising system call returns to user mode
 * (IF set), so the first receive normally finds the signal. The loop is a safety
 * net, up to about two seconds of TSC, never forever; a loss it reports came from
 * QEMU dropping the ICR write while another core changed the memory map
 * (tests_pci.c, docs/testing.md).
 */
static struct msg await_signal(uint64_t n)
{
	struct msg m = ipc_nbrecv(n);
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	for (uint64_t start = (uint64_t)hi << 32 | lo, now = start;
	     m.err == E_AGAIN && now - start < 5000000000ull;) {
		(void)sys_yield(0, 0);
		m = ipc_nbrecv(n);
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		now = (uint64_t)hi << 32 | lo;
	}
	return m;
}

static void msi_delivery_and_ack(struct test_env *env)
{
	uint64_t n1 = test_make(env, OBJ_NOTIFICATION, 0, 0);
	uint64_t n2 = test_make(env, OBJ_NOTIFICATION, 0, 1);
	uint64_t h = S(2), badged = S(3);

	CHECK_ERR(irq_control_get_msi(IRQC, h).err, E_OK);
	/* Raised before anything is bound: kept, and delivered at the binding. */
	CHECK_ERR(sys_debug_irq_raise(h, 0), E_OK);
	CHECK_ERR(irq_handler_set_ntfn(h, n1), E_OK);
	struct msg m = await_signal(n1);
	CHECK(m.err == E_OK);
	/* Unbadged: one bit in the upper half of the word names the vector. */
	CHECK((m.badge >> 32) != 0 && (m.badge & (m.badge - 1)) == 0);
	uint64_t bit = m.badge;

	/* Until the ack, a second interrupt is held back, then delivered by the ack. */
	CHECK_ERR(sys_debug_irq_raise(h, 0), E_OK);
	CHECK(ipc_nbrecv(n1).err == E_AGAIN);
	CHECK_ERR(irq_handler_ack(h), E_OK);
	m = await_signal(n1);
	CHECK(m.err == E_OK && m.badge == bit);
	CHECK_ERR(irq_handler_ack(h), E_OK);
	CHECK(ipc_nbrecv(n1).err == E_AGAIN);	/* nothing more was pending */

	/* Acknowledged: the next raise gets through. */
	CHECK_ERR(sys_debug_irq_raise(h, 0), E_OK);
	m = await_signal(n1);
	CHECK(m.err == E_OK && m.badge == bit);
	CHECK_ERR(irq_handler_ack(h), E_OK);

	/* Binding again replaces the notification; a badge replaces the vector's bit. */
	CHECK_ERR(cnode_mint(ROOT, badged, n2, CAP_ALL_RIGHTS, 0x5A), E_OK);
	CHECK_ERR(irq_handler_set_ntfn(h, badged), E_OK);
	CHECK_ERR(sys_debug_irq_raise(h, 0), E_OK);
	m = await_signal(n2);
	if (m.err != E_OK || m.badge != 0x5A)
		printf("    rebind: error %ld, word 0x%llx on the new notification\n", m.err,
		       (unsigned long long)m.badge);
	CHECK(m.err == E_OK && m.badge == 0x5A);
	CHECK(ipc_nbrecv(n1).err == E_AGAIN);
	CHECK_ERR(irq_handler_ack(h), E_OK);

	/* Deleting the handler drops the binding; the vector's next owner starts clean. */
	CHECK_ERR(cnode_delete(ROOT, h), E_OK);
	CHECK_ERR(sys_debug_irq_raise(h, 0), E_EMPTY);
	CHECK_ERR(irq_control_get_msi(IRQC, h).err, E_OK);
	CHECK_ERR(sys_debug_irq_raise(h, 0), E_OK);
	CHECK(ipc_nbrecv(n2).err == E_AGAIN);
	CHECK_ERR(irq_handler_set_ntfn(h, n1), E_OK);
	m = await_signal(n1);
	if (m.err != E_OK || m.badge != bit)
		printf("    next owner: error %ld, word 0x%llx, expected 0x%llx\n", m.err,
		       (unsigned long long)m.badge, (unsigned long long)bit);
	CHECK(m.err == E_OK && m.badge == bit);
	CHECK_ERR(cnode_delete(ROOT, h), E_OK);
	CHECK_ERR(cnode_delete(ROOT, badged), E_OK);
	CHECK_ERR(cnode_delete(ROOT, n1), E_OK);
	CHECK_ERR(cnode_delete(ROOT, n2), E_OK);
}

/* A root task claims the vectors the description gave a VM's VFs: exactly those, once. */
static void msi_vector_by_choice(struct test_env *env)
{
	struct msi_result m = irq_control_get_msi_vector(IRQC, S(0), 0xE7);

	CHECK_ERR(m.err, E_OK);
	CHECK(m.data == 0xE7);
	m = irq_control_get_msi_vector(IRQC, S(1), 0xE7);
	CHECK(m.err == E_BUSY && m.address == ARG_MR(1));
	m = irq_control_get_msi_vector(IRQC, S(1), 0xCF);
	CHECK(m.err == E_RANGE && m.address == ARG_MR(1));
	m = irq_control_get_msi_vector(IRQC, S(1), 0xF0);
	CHECK(m.err == E_RANGE && m.address == ARG_MR(1));
	m = irq_control_get_msi_vector(IRQC, S(0), 0xE8);
	CHECK(m.err == E_NOTEMPTY && m.address == ARG_MR(0));
	/* Any vector (0) never hands out the chosen one. */
	m = irq_control_get_msi(IRQC, S(1));
	CHECK(m.err == E_OK && m.data != 0xE7);
	CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);
	CHECK_ERR(irq_control_get_msi_vector(IRQC, S(0), 0xE7).err, E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(1)), E_OK);
}

#define VGA PCI_BDF(0, 1, 0)	/* q35's: present, and never doing DMA in these tests */

/*
 * Instance 0 routes a device's MSI to a vector of another instance (a VM's VF):
 * only there, once per entry, only for a function its PCI cap covers and that
 * has an IOSpace; deleting the IOSpace clears the entry (the kernel says so) and
 * frees it for a new route.
 */
static void msi_route_to_another_instance(struct test_env *env)
{
	struct msi_result m = irq_control_route_msi(IRQC, CAP_INIT_PCI, VGA, 1, 0xEF);

	if (env->bi->instance != 0 || !env->bi->intremap || !env->bi->pci_count) {
		CHECK(m.err == E_UNSUPP && m.address == ARG_CAP);
		return;
	}
	if (env->bi->ninstances < 2) {
		CHECK(m.err == E_RANGE && m.address == ARG_MR(2));
		return;
	}
	/* No IOSpace for the device: the route would outlive any owner. */
	CHECK(m.err == E_NOENT && m.address == ARG_MR(1));
	CHECK_ERR(iospace_assign(test_make(env, OBJ_IOSPACE, 0, 0), CAP_INIT_PCI, VGA), E_OK);
	m = irq_control_route_msi(IRQC, CAP_INIT_PCI, VGA, 1, 0xEF);
	CHECK_ERR(m.err, E_OK);
	/* Remappable format, the handle of instance 1's block: 32 + 32 * 1 + (0xEF - 0xD0). */
	CHECK((m.address & 0xFFF0001Full) == 0xFEE00010ull);
	CHECK(((m.address >> 5) & 0x7FFF) == 95 && m.data == 0xEF);
	m = irq_control_route_msi(IRQC, CAP_INIT_PCI, VGA, 1, 0xEF);
	CHECK(m.err == E_BUSY && m.address == ARG_CAP);
	m = irq_control_route_msi(IRQC, CAP_INIT_PCI, VGA, 0, 0xEE);
	CHECK(m.err == E_RANGE && m.address == ARG_MR(2));
	m = irq_control_route_msi(IRQC, CAP_INIT_PCI, VGA, 16, 0xEE);
	CHECK(m.err == E_RANGE && m.address == ARG_MR(2));
	m = irq_control_route_msi(IRQC, CAP_INIT_PCI, VGA, 1, 0xCF);
	CHECK(m.err == E_RANGE && m.address == ARG_MR(3));
	m = irq_control_route_msi(IRQC, CAP_INIT_PCI, PCI_BDF(0, 0x1e, 0), 1, 0xEE);
	CHECK(m.err == E_NOENT && m.address == ARG_MR(1));
	m = irq_control_route_msi(IRQC, IRQC, VGA, 1, 0xEE);
	CHECK(m.err == E_WRONGTYPE && m.address == ARG_MR(0));
	CHECK_ERR(irq_control_route_msi(IRQC, CAP_INIT_PCI, VGA, 1, 0xEE).err, E_OK);
	/* The IOSpace goes: both entries are cleared ("iommu: 00:01.0 left its IOSpace: 2 ..."). */
	CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);
	m = irq_control_route_msi(IRQC, CAP_INIT_PCI, VGA, 1, 0xEF);
	CHECK(m.err == E_NOENT && m.address == ARG_MR(1));
	/* With a new IOSpace the entry is free again, and goes with that one too. */
	CHECK_ERR(iospace_assign(test_make(env, OBJ_IOSPACE, 0, 0), CAP_INIT_PCI, VGA), E_OK);
	CHECK_ERR(irq_control_route_msi(IRQC, CAP_INIT_PCI, VGA, 1, 0xEF).err, E_OK);
	CHECK_ERR(cnode_delete(ROOT, S(0)), E_OK);
}

const struct test_case msi_tests[] = {
	{ "msi_vector_by_choice", msi_vector_by_choice },
	{ "msi_route_to_another_instance", msi_route_to_another_instance },
	{ "msi_address_and_data", msi_address_and_data },
	{ "msi_exhaustion_and_reuse", msi_exhaustion_and_reuse },
	{ "msi_wrong_caps_and_rights", msi_wrong_caps_and_rights },
	{ "msi_delivery_and_ack", msi_delivery_and_ack },
};
const unsigned msi_ntests = sizeof(msi_tests) / sizeof(msi_tests[0]);
