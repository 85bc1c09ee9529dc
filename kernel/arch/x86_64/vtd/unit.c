/* VT-d remapping units: taking them over at boot, invalidation, fault records (VT-d 4.1 ch. 5-7, 10). */
#include "arch/x86_64/iommu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/vtd/vtd.h"
#include "core/console.h"
#include "core/cspace.h"
#include "core/machine.h"
#include "obj/iospace.h"

#define SPIN_LIMIT 10000000u	/* polls of a status bit before a unit is taken as broken */

struct unit {
	volatile uint8_t *regs;
	paddr_t base;
	uint64_t cap;
	uint64_t ecap;
	unsigned index;		/* which queue and status word are its */
	unsigned tail;		/* next free descriptor of its queue */
};

static struct unit units[ACPI_MAX_DMAR_UNITS];
static unsigned nunits;
static unsigned levels;
static bool ready;
static bool coherent = true;	/* every unit's page walks snoop the caches */
static bool large = true;	/* every unit takes 2 MiB pages */
static bool queued;		/* invalidation through the queues (interrupt remapping needs it) */
static bool intremap;

static uint32_t rd32(const struct unit *u, unsigned off)
{
	return *(volatile uint32_t *)(u->regs + off);
}

static uint64_t rd64(const struct unit *u, unsigned off)
{
	return *(volatile uint64_t *)(u->regs + off);
}

static void wr32(const struct unit *u, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(u->regs + off) = v;
}

static void wr64(const struct unit *u, unsigned off, uint64_t v)
{
	*(volatile uint64_t *)(u->regs + off) = v;
}

/* Polls until (register & mask) == want; false if the unit never gets there. */
static bool wait32(const struct unit *u, unsigned off, uint32_t mask, uint32_t want)
{
	for (unsigned i = 0; i < SPIN_LIMIT; i++) {
		if ((rd32(u, off) & mask) == want)
			return true;
		__asm__ volatile("pause");
	}
	return false;
}

static bool wait64_clear(const struct unit *u, unsigned off, uint64_t bit)
{
	for (unsigned i = 0; i < SPIN_LIMIT; i++) {
		if (!(rd64(u, off) & bit))
			return true;
		__asm__ volatile("pause");
	}
	return false;
}

/* 10.4.4: a command is the current status with one-shot bits cleared, plus or minus one bit. */
static bool command(const struct unit *u, uint32_t bit, bool on)
{
	uint32_t sts = rd32(u, VTD_GSTS) & GSTS_ONE_SHOT;

	wr32(u, VTD_GCMD, on ? sts | bit : sts & ~bit);
	return wait32(u, VTD_GSTS, bit, on ? bit : 0);
}

/* One-shot commands (SRTP, WBF): the status bit sets when the unit has done it. */
static bool command_once(const struct unit *u, uint32_t bit)
{
	wr32(u, VTD_GCMD, (rd32(u, VTD_GSTS) & GSTS_ONE_SHOT) | bit);
	return wait32(u, VTD_GSTS, bit, bit);
}

static void unit_broken(const struct unit *u, const char *what)
{
	kprintf("atoll: FATAL iommu: VT-d unit at 0x%llx did not complete %s\n",
		(unsigned long long)u->base, what);
	cpu_halt_forever();
}

void vtd_sync(const void *p, size_t len)
{
	if (coherent)
		return;
	for (uintptr_t a = (uintptr_t)p & ~63ul; a < (uintptr_t)p + len; a += 64)
		__asm__ volatile("clflush (%0)" : : "r"(a) : "memory");
	__asm__ volatile("sfence" : : : "memory");
}

/* 6.8: units that buffer writes need them flushed before the caches are invalidated. */
static void flush_write_buffer(const struct unit *u)
{
	if ((u->cap & CAP_RWBF) && !command_once(u, GCMD_WBF))
		unit_broken(u, "a write-buffer flush");
}

static paddr_t table_page(unsigned n)
{
	return machine.iommu_tables + 4096ull * n;
}

/*
 * 6.5.2: one descriptor, then an invalidation wait that writes 1 to the unit's
 * status word; returns once the hardware has written it, so everything before
 * it in the queue is done. Each call drains the queue, so it never fills.
 */
static void queue_run(struct unit *u, uint64_t lo)
{
	struct vtd_entry *q = kobj_ptr(table_page(VTD_PAGE_QUEUE + u->index));
	paddr_t status_pa = table_page(VTD_PAGE_STATUS) + 4 * u->index;
	volatile uint32_t *status = kobj_ptr(status_pa);

	*status = 0;
	q[u->tail] = (struct vtd_entry){ .lo = lo };
	q[u->tail + 1] = (struct vtd_entry){ .lo = QI_WAIT | QI_WAIT_SW | QI_WAIT_DATA(1),
					     .hi = status_pa };
	vtd_sync(&q[u->tail], 2 * sizeof(*q));
	u->tail = (u->tail + 2) % 256;
	wr64(u, VTD_IQT, (uint64_t)u->tail << 4);
	for (unsigned i = 0; i < SPIN_LIMIT; i++) {
		if (*status == 1)
			return;
		if (rd32(u, VTD_FSTS) & FSTS_IQE)
			break;
		__asm__ volatile("pause");
	}
	unit_broken(u, "a queued invalidation");
}

void vtd_flush_context(uint16_t bdf, uint16_t domain, bool global)
{
	for (unsigned i = 0; i < nunits; i++) {
		struct unit *u = &units[i];
		flush_write_buffer(u);
		if (queued) {
			queue_run(u, QI_CC | (global ? QI_CC_GLOBAL : QI_CC_DEVICE | QI_CC_DID(domain) |
								QI_CC_SID(bdf)));
			continue;
		}
		wr64(u, VTD_CCMD, CCMD_ICC | (global ? CCMD_GLOBAL : CCMD_DEVICE | CCMD_SID(bdf) |
							     CCMD_DID(domain)));
		if (!wait64_clear(u, VTD_CCMD, CCMD_ICC))
			unit_broken(u, "a context-cache invalidation");
	}
}

/* 6.5.1.2: domain 0 here means every domain (global invalidation). */
static void flush_iotlb(uint16_t domain)
{
	for (unsigned i = 0; i < nunits; i++) {
		struct unit *u = &units[i];
		bool dr = u->cap & CAP_DRD, dw = u->cap & CAP_DWD;
		flush_write_buffer(u);
		if (queued) {
			queue_run(u, QI_IOTLB | (dr ? QI_IOTLB_DR : 0) | (dw ? QI_IOTLB_DW : 0) |
					     (domain ? QI_IOTLB_DOMAIN | QI_IOTLB_DID(domain) : QI_IOTLB_GLOBAL));
			continue;
		}
		unsigned reg = ECAP_IRO(u->ecap) + 8;
		wr64(u, reg, IOTLB_IVT | (dr ? IOTLB_DR : 0) | (dw ? IOTLB_DW : 0) |
				     (domain ? IOTLB_DOMAIN | IOTLB_DID(domain) : IOTLB_GLOBAL));
		if (!wait64_clear(u, reg, IOTLB_IVT))
			unit_broken(u, "an IOTLB invalidation");
	}
}

void vtd_flush_iec(int index)
{
	for (unsigned i = 0; intremap && i < nunits; i++)
		queue_run(&units[i], QI_IEC | (index >= 0 ? QI_IEC_INDEX | QI_IEC_IIDX(index) : 0));
}

bool vtd_intremap(void)
{
	return intremap;
}

void iommu_flush(uint16_t domain)
{
	flush_iotlb(domain);
}

bool iommu_ready(void)
{
	return ready;
}

bool vtd_large_pages(void)
{
	return large;
}

unsigned iommu_levels(void)
{
	return levels;
}

struct vtd_entry *vtd_root_table(void)
{
	return kobj_ptr(machine.iommu_tables);
}

struct vtd_entry *vtd_context_table(unsigned bus)
{
	return kobj_ptr(machine.iommu_tables + 4096ull * (1 + bus));
}

/* Checks that a unit can be driven as this back end does; NULL or why not. */
static const char *unit_check(const struct unit *u)
{
	if (u->regs == NULL)
		return "not in segment 0";
	if (rd32(u, VTD_GSTS) & (GCMD_TE | GCMD_QIE | GCMD_IRE))
		return "already enabled by firmware";
	if (ECAP_IRO(u->ecap) + 16 > 4096 || CAP_FRO(u->cap) + 16 * CAP_NFR(u->cap) > 4096)
		return "registers beyond its first page";
	if (!(CAP_SAGAW(u->cap) & (levels == 3 ? 2 : 4)))
		return "no page-table depth in common with the other units";
	return NULL;
}

/*
 * 5.1: interrupt remapping, where the firmware and every unit offer it: an
 * empty table (every entry not present), then remapping on with
 * compatibility-format interrupts left blocked (GSTS.CFIS 0), so a device can
 * raise only the entries the kernel filled in.
 */
static void intremap_enable(const struct acpi_info *a)
{
	bool can = queued && (a->dmar_flags & 1);

	for (unsigned i = 0; i < nunits; i++)
		can = can && (units[i].ecap & ECAP_IR);
	if (!can) {
		kprintf("iommu: no interrupt remapping: devices can raise any interrupt vector\n");
		return;
	}
	for (unsigned i = 0; i < nunits; i++) {
		const struct unit *u = &units[i];
		wr64(u, VTD_IRTA, table_page(VTD_PAGE_IRT) | IRT_SIZE_FIELD);	/* xAPIC mode: EIME 0 */
		if (!command_once(u, GCMD_SIRTP))
			unit_broken(u, "setting the interrupt remapping table");
	}
	intremap = true;
	vtd_flush_iec(-1);
	for (unsigned i = 0; i < nunits; i++)
		if (!command(&units[i], GCMD_IRE, true))
			unit_broken(&units[i], "enabling interrupt remapping");
	kprintf("iommu: interrupt remapping on: a device raises only the vectors given to it\n");
	/* 5.1.4: with CFIS set, compatibility-format messages would bypass the table. Read back, not assumed. */
	for (unsigned i = 0; i < nunits; i++) {
		if ((rd32(&units[i], VTD_GSTS) & GCMD_CFI) && !command(&units[i], GCMD_CFI, false))
			unit_broken(&units[i], "blocking compatibility-format interrupts");
		uint32_t sts = rd32(&units[i], VTD_GSTS);
		kprintf("iommu: unit %u GSTS 0x%x: CFIS %u, compatibility-format interrupts %s\n", i, sts,
			(sts & GCMD_CFI) != 0, sts & GCMD_CFI ? "PASS" : "blocked");
	}
}

/* 10.4.9-10.4.12: fault events to instance 0's local APIC, on VEC_IOMMU_FAULT. */
static void unit_fault_events(const struct unit *u)
{
	wr32(u, VTD_FEDATA, lapic_msi_data(VEC_IOMMU_FAULT));
	wr32(u, VTD_FEADDR, (uint32_t)lapic_msi_address(machine.inst[0].apic_id));
	wr32(u, VTD_FEUADDR, 0);
	wr32(u, VTD_FSTS, FSTS_PFO);	/* write 1 to clear an overflow left from before */
	wr32(u, VTD_FECTL, 0);		/* unmasked */
}

void iommu_instance_init(void)
{
	const struct acpi_info *a = &machine.acpi;

	if (!machine.have_acpi || !a->have_dmar || !machine.iommu_tables) {
		kprintf("iommu: none: device DMA is not fenced\n");
		return;
	}
	nunits = 0;
	for (unsigned i = 0; i < a->ndmar; i++) {
		struct unit *u = &units[nunits++];
		u->index = nunits - 1;
		u->base = a->dmar[i].reg_base;
		u->regs = a->dmar[i].segment == 0 ? kobj_ptr(u->base) : NULL;
		u->cap = u->regs ? rd64(u, VTD_CAP) : 0;
		u->ecap = u->regs ? rd64(u, VTD_ECAP) : 0;
		if (!levels && u->regs)
			levels = CAP_SAGAW(u->cap) & 2 ? 3 : 4;	/* 3 levels cover 512 GiB of I/O space */
		if (u->regs && !(u->ecap & ECAP_C))
			coherent = false;
		if (u->regs && !(u->cap & CAP_SLLPS_2M))
			large = false;
	}
	for (unsigned i = 0; i < nunits; i++) {
		const char *why = unit_check(&units[i]);
		if (why) {
			kprintf("iommu: VT-d unit at 0x%llx: %s: DMA remapping stays off, devices are not fenced\n",
				(unsigned long long)units[i].base, why);
			nunits = 0;
			return;
		}
	}
	/* Every bus has its context table, all entries not present: every device is blocked. */
	struct vtd_entry *root = vtd_root_table();
	for (unsigned bus = 0; bus < 256; bus++)
		root[bus] = (struct vtd_entry){ .lo = (machine.iommu_tables + 4096ull * (1 + bus)) | RE_P };
	vtd_sync(root, 4096);
	for (unsigned i = 0; i < nunits; i++) {
		const struct unit *u = &units[i];
		if ((u->cap & (CAP_PLMR | CAP_PHMR)) && (rd32(u, VTD_PMEN) & (1u << 31))) {
			wr32(u, VTD_PMEN, 0);	/* protected memory regions would hide our default deny */
			(void)wait32(u, VTD_PMEN, 1u, 0);
		}
		wr64(u, VTD_RTADDR, machine.iommu_tables);	/* legacy mode: TTM 0 */
		if (!command_once(u, GCMD_SRTP))
			unit_broken(u, "setting the root table");
		unit_fault_events(u);
	}
	/* Queued invalidation wherever every unit has it: interrupt remapping cannot do without. */
	queued = true;
	for (unsigned i = 0; i < nunits; i++)
		queued = queued && (units[i].ecap & ECAP_QI);
	for (unsigned i = 0; queued && i < nunits; i++) {
		struct unit *u = &units[i];
		u->tail = 0;
		wr64(u, VTD_IQT, 0);
		wr64(u, VTD_IQA, table_page(VTD_PAGE_QUEUE + u->index));	/* QS 0: one page, 128-bit descriptors */
		if (!command(u, GCMD_QIE, true))
			unit_broken(u, "enabling queued invalidation");
	}
	/* 6.5: after the root table changes, context caches, then IOTLBs. */
	vtd_flush_context(0, 0, true);
	flush_iotlb(0);
	intremap_enable(a);
	for (unsigned i = 0; i < nunits; i++) {
		const struct unit *u = &units[i];
		if (!command(u, GCMD_TE, true))
			unit_broken(u, "enabling translation");
		uint32_t ver = rd32(u, VTD_VER);
		kprintf("iommu: VT-d %u.%u unit at 0x%llx: %u-level tables (%u-bit), %u fault record(s)%s%s, "
			"translation on: every device blocked until given an IOSpace\n",
			(ver >> 4) & 0xF, ver & 0xF, (unsigned long long)u->base, levels,
			levels == 3 ? 39 : 48, CAP_NFR(u->cap), u->cap & CAP_CM ? ", caching mode" : "",
			coherent ? "" : ", non-coherent walks");
	}
	ready = true;
}

/* 7.3.1: reads one unit's pending records, oldest first from FRI, clearing each. */
static void unit_faults(const struct unit *u)
{
	unsigned nfr = CAP_NFR(u->cap), fro = CAP_FRO(u->cap);
	uint32_t sts = rd32(u, VTD_FSTS);

	if (sts & FSTS_PPF) {
		for (unsigned n = 0, i = FSTS_FRI(sts) % nfr; n < nfr; n++, i = (i + 1) % nfr) {
			unsigned off = fro + 16 * i;
			uint64_t hi = rd64(u, off + 8);
			if (!(hi & FRCD_F))
				continue;
			uint64_t lo = rd64(u, off);
			struct iommu_fault f = {
				.bdf = FRCD_SID(hi),
				.reason = FRCD_REASON(hi),
				.write = !(hi & FRCD_T_READ),
				.interrupt = FRCD_REASON(hi) >= FR_INTERRUPT,
				.index = (uint16_t)(lo >> 48),	/* 7.1.3: FI[63:48] for interrupt requests */
				.address = lo & ~0xFFFull,
			};
			wr32(u, off + 12, (uint32_t)(FRCD_F >> 32));	/* write 1 to clear F */
			iospace_fault(&f);
		}
	}
	if (sts & FSTS_PFO) {
		kprintf("iommu: VT-d unit at 0x%llx: fault records overflowed, faults were lost\n",
			(unsigned long long)u->base);
		wr32(u, VTD_FSTS, FSTS_PFO);
	}
}

void iommu_fault_interrupt(void)
{
	for (unsigned i = 0; i < nunits; i++)
		unit_faults(&units[i]);
}
