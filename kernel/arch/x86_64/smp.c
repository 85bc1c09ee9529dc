/* Starting application processors with INIT-SIPI-SIPI (SDM vol. 3 8.4.4, MP spec B.4). */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/smp.h"
#include "kstring.h"

extern const char tramp_start[], tramp_end[], tramp_gdt[], tramp_gdtr_base[], tramp_farptr[];
extern const char tramp_cr3[], tramp_efer[], tramp_entry[], tramp_ack[];
extern const uint64_t tramp_long_offset;
extern const char ap_entry64[];

#define START_TIMEOUT_MS 2000

static void *at(paddr_t page, const char *sym)
{
	return (void *)(uintptr_t)(page + (uintptr_t)(sym - tramp_start));
}

err_t smp_start_ap(paddr_t page, uint32_t apic_id, paddr_t cr3, uint64_t efer)
{
	if (page & 0xFFF || page >= 0x100000 || cr3 >= 0x100000000ull)
		return E_INVAL;
	/* The boot phase reaches low memory through its identity map. */
	memcpy((void *)(uintptr_t)page, tramp_start, (size_t)(tramp_end - tramp_start));
	uint32_t v32 = (uint32_t)(page + (uintptr_t)(tramp_gdt - tramp_start));
	memcpy(at(page, tramp_gdtr_base), &v32, 4);
	v32 = (uint32_t)(page + tramp_long_offset);
	memcpy(at(page, tramp_farptr), &v32, 4);
	v32 = (uint32_t)cr3;
	memcpy(at(page, tramp_cr3), &v32, 4);
	v32 = (uint32_t)efer;
	memcpy(at(page, tramp_efer), &v32, 4);
	uint64_t entry = (uint64_t)(uintptr_t)ap_entry64;
	memcpy(at(page, tramp_entry), &entry, 8);
	volatile uint32_t *ack = at(page, tramp_ack);
	*ack = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_send_init(apic_id);
	(void)pit_delay_us(10000);
	for (int i = 0; i < 2 && !*ack; i++) {
		lapic_send_sipi(apic_id, (uint8_t)(page >> 12));
		(void)pit_delay_us(200);
	}
	for (unsigned ms = 0; ms < START_TIMEOUT_MS; ms++) {
		if (*ack)
			return E_OK;
		if (!pit_delay_us(1000))
			break;
	}
	return *ack ? E_OK : E_NOENT;
}
