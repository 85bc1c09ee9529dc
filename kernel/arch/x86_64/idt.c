/* Per-instance IDT (SDM vol. 3 6.14): every vector enters trap_common through its stub. */
#include "arch/x86_64/desc.h"

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
} __attribute__((packed));

struct idtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern const char trap_stubs[];
static struct idt_gate idt[256] __attribute__((aligned(16)));

static uint8_t ist_for(unsigned v)
{
	switch (v) {
	case 2:
		return IST_NMI;
	case 8:
		return IST_DF;
	case 18:
		return IST_MC;
	}
	return 0;
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = (uint64_t)(uintptr_t)(trap_stubs + 16 * v);
		idt[v] = (struct idt_gate){
			.off_lo = a & 0xFFFF,
			.sel = SEL_KCODE,
			.ist = ist_for(v),
			.type = 0x8E,	/* present, DPL 0, 64-bit interrupt gate */
			.off_mid = (a >> 16) & 0xFFFF,
			.off_hi = a >> 32,
		};
	}
	struct idtr r = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" : : "m"(r));
}
