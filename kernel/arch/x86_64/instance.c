/* x86_64 side of a kernel instance: CPU tables, LAPIC, signals, waiting. */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/desc.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/iommu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/virt.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/cspace.h"

#define TICK_MS 10

extern volatile uint64_t arch_ticks;

void arch_instance_init(const struct instance_info *self)
{
	paging_set_phys_offset(PHYSMAP_BASE);
	gdt_init();
	idt_init();
	/* The trampoline identity mapping is no longer needed once we run high. */
	paging_drop_identity(self->cr3);
	lapic_init((uintptr_t)(PHYSMAP_BASE + machine.lapic_pa));
	lapic_timer_periodic(machine.lapic_ticks_per_ms * TICK_MS);
	virt_instance_init();
	/* Instance 0 owns the IOMMU (docs/iommu.md). */
	if (self == &machine.inst[0])
		iommu_instance_init();
	irq_enable();
}

void arch_signal(unsigned target, enum xsig kind)
{
	int self = instance_self();

	if (target >= machine.ninst || self < 0)
		return;
	if (!lapic_send_ipi(machine.inst[target].apic_id,
			    (uint8_t)(VEC_XSIG_BASE + XSIG_SOURCES * kind + (unsigned)self)))
		kprintf("atoll: instance %d: IPI to instance %u stuck\n", self, target);
}

bool arch_wait(bool (*cond)(void), unsigned timeout_ms)
{
	uint64_t deadline = arch_ticks + (timeout_ms + TICK_MS - 1) / TICK_MS;

	for (;;) {
		irq_disable();
		if (cond()) {
			irq_enable();
			return true;
		}
		if (arch_ticks >= deadline) {
			irq_enable();
			return false;
		}
		irq_enable_and_halt();
	}
}

void *kobj_ptr(paddr_t pa)
{
	/* Each instance's physmap holds exactly its own partition, where all its objects live. */
	return (void *)(uintptr_t)(PHYSMAP_BASE + pa);
}

uint64_t arch_probe_read(paddr_t pa)
{
	return *(volatile uint64_t *)(uintptr_t)(PHYSMAP_BASE + pa);
}

void arch_qemu_exit(uint8_t code)
{
	outb(0xF4, code);
}

void arch_halt(void)
{
	cpu_halt_forever();
}

void arch_idle(void)
{
	for (;;)
		irq_enable_and_halt();
}
