/*
 * I/O APIC programming. Its registers are reached through one select/window
 * pair, which is machine-wide hardware state: two instances programming their
 * own lines at once would interleave select and window accesses. A lock in the
 * .shared page (docs/multikernel.md) serialises the pair; it guards hardware
 * access only, no kernel data.
 */
#include "arch/x86_64/io.h"
#include "arch/x86_64/iommu.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/layout.h"
#include "core/machine.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPICVER 0x01
#define REDTBL(n) (0x10 + 2 * (n))
#define RTE_MASKED (1u << 16)
#define RTE_LEVEL (1u << 15)
#define RTE_ACTIVE_LOW (1u << 13)

static volatile uint32_t ioapic_lock __attribute__((section(".shared"), aligned(64)));

static volatile uint32_t *reg(unsigned off)
{
	return (volatile uint32_t *)(uintptr_t)(PHYSMAP_BASE + machine.ioapic_pa + off);
}

static void lock(void)
{
	uint32_t free = 0;

	while (!__atomic_compare_exchange_n(&ioapic_lock, &free, 1, false, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		free = 0;
		__asm__ volatile("pause");
	}
}

static void unlock(void)
{
	__atomic_store_n(&ioapic_lock, 0, __ATOMIC_RELEASE);
}

static uint32_t rd(unsigned r)
{
	*reg(IOREGSEL) = r;
	return *reg(IOWIN);
}

static void wr(unsigned r, uint32_t v)
{
	*reg(IOREGSEL) = r;
	*reg(IOWIN) = v;
}

unsigned ioapic_gsis(void)
{
	if (!machine.ioapic_pa)
		return 0;
	lock();
	unsigned n = ((rd(IOAPICVER) >> 16) & 0xFF) + 1;	/* maximum redirection entry + 1 */
	unlock();
	return n < IOAPIC_MAX_GSI ? n : IOAPIC_MAX_GSI;
}

void ioapic_route(unsigned gsi, uint32_t apic_id, bool masked)
{
	uint32_t low = VEC_IRQ_BASE + gsi;	/* fixed delivery, physical destination */

	if (machine.gsi_level[gsi])
		low |= RTE_LEVEL;
	if (machine.gsi_active_low[gsi])
		low |= RTE_ACTIVE_LOW;
	if (masked)
		low |= RTE_MASKED;
	uint32_t high = apic_id << 24;
	if (iommu_intremap()) {
		/* VT-d 5.1.5.1: remappable format, entry gsi (bits 63:49 and 11), the same vector. */
		iommu_irte_set(gsi, apic_id, (uint8_t)(VEC_IRQ_BASE + gsi), machine.gsi_level[gsi],
			       iommu_ioapic_source());
		high = (gsi & 0x7FFFu) << 17 | 1u << 16;
		low |= ((gsi >> 15) & 1u) << 11;
	}
	lock();
	wr(REDTBL(gsi) + 1, high);
	wr(REDTBL(gsi), low);
	unlock();
}

void ioapic_mask(unsigned gsi, bool masked)
{
	lock();
	uint32_t low = rd(REDTBL(gsi));
	wr(REDTBL(gsi), masked ? low | RTE_MASKED : low & ~RTE_MASKED);
	unlock();
}
