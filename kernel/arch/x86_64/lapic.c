/* Local APIC: enable, EOI, IPIs and timer (SDM vol. 3 11.4-11.6). */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/lapic.h"

#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xB0
#define LAPIC_SVR 0xF0
#define LAPIC_ESR 0x280
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3E0

#define APIC_BASE_EN (1u << 11)
#define APIC_BASE_EXTD (1u << 10)
#define ICR_PENDING (1u << 12)
#define ICR_DEST_SELF (1u << 18)	/* destination shorthand 01b (SDM vol. 3 11.6.1) */
#define LVT_MASKED (1u << 16)
#define TIMER_PERIODIC (1u << 17)

static uintptr_t base;

static uint32_t rd(unsigned reg)
{
	return mmio_read32((volatile void *)(base + reg));
}

static void wr(unsigned reg, uint32_t v)
{
	mmio_write32((volatile void *)(base + reg), v);
}

void lapic_init(uintptr_t va)
{
	uint64_t msr = rdmsr(MSR_APIC_BASE);

	/* x2APIC -> xAPIC must pass through disabled (SDM vol. 3 11.12.5). */
	if (msr & APIC_BASE_EXTD) {
		wrmsr(MSR_APIC_BASE, msr & ~(uint64_t)(APIC_BASE_EN | APIC_BASE_EXTD));
		msr &= ~(uint64_t)APIC_BASE_EXTD;
	}
	if (!(msr & APIC_BASE_EN))
		wrmsr(MSR_APIC_BASE, msr | APIC_BASE_EN);
	base = va;
	wr(LAPIC_TPR, 0);
	wr(LAPIC_LVT_LINT0, LVT_MASKED);
	wr(LAPIC_LVT_LINT1, LVT_MASKED);
	wr(LAPIC_LVT_ERROR, LVT_MASKED);
	wr(LAPIC_LVT_TIMER, LVT_MASKED);
	wr(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
	wr(LAPIC_ESR, 0);
	wr(LAPIC_ESR, 0);
}

void lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

static bool wait_icr_idle(void)
{
	for (unsigned i = 0; i < 1000000; i++) {
		if (!(rd(LAPIC_ICR_LO) & ICR_PENDING))
			return true;
		cpu_relax();
	}
	return false;
}

static bool send_icr(uint32_t apic_id, uint32_t lo)
{
	if (!wait_icr_idle())
		return false;
	wr(LAPIC_ICR_HI, apic_id << 24);
	wr(LAPIC_ICR_LO, lo);	/* the low write sends */
	return true;
}

bool lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	return send_icr(apic_id, vector);	/* fixed, physical, edge */
}

bool lapic_send_self(uint8_t vector)
{
	return send_icr(0, ICR_DEST_SELF | vector);	/* fixed, edge */
}

/*
 * SDM vol. 3 11.11.1: address bits 31-20 are 0FEEH, bits 19-12 the destination
 * APIC id; RH (bit 3) and DM (bit 2) clear send to that one APIC in physical mode.
 */
uint64_t lapic_msi_address(uint32_t apic_id)
{
	return 0xFEE00000u | (uint64_t)(apic_id & 0xFF) << 12;
}

/* SDM vol. 3 11.11.2: vector in bits 7-0; delivery mode 000b (fixed) and trigger 0 (edge). */
uint32_t lapic_msi_data(uint8_t vector)
{
	return vector;
}

void lapic_send_init(uint32_t apic_id)
{
	(void)send_icr(apic_id, 0x4500);	/* INIT, level assert */
}

void lapic_send_sipi(uint32_t apic_id, uint8_t page)
{
	(void)send_icr(apic_id, 0x4600 | page);
}

void lapic_timer_periodic(uint32_t count)
{
	wr(LAPIC_TIMER_DIV, 0x3);	/* divide by 16 */
	wr(LAPIC_LVT_TIMER, TIMER_PERIODIC | VEC_TIMER);
	wr(LAPIC_TIMER_INIT, count);
}

void lapic_timer_free_run(void)
{
	wr(LAPIC_TIMER_DIV, 0x3);	/* divide by 16 */
	wr(LAPIC_LVT_TIMER, LVT_MASKED);
	wr(LAPIC_TIMER_INIT, 0xFFFFFFFFu);
}

uint32_t lapic_timer_count(void)
{
	return rd(LAPIC_TIMER_CUR);
}

void lapic_timer_stop(void)
{
	wr(LAPIC_TIMER_INIT, 0);	/* a zero initial count stops the timer (SDM vol. 3 11.5.4) */
}
