/*
 * VMs of several vCPUs (docs/vmm.md, "VMs of several cores"): each vCPU has its
 * own VMM on its own core, and the device models live in pages all of them map,
 * under one spinlock. An interrupt for another vCPU goes into that vCPU's
 * mailbox and a cross-core signal makes its VCPU_RUN return, so that its VMM
 * takes the interrupt into its local APIC. INIT and STARTUP IPIs start an
 * application processor as on a PC (SDM vol. 3 11.6.1, 9.4.4). With one vCPU
 * everything here stays within that vCPU: no lock, no mailbox.
 */
#include "vmm.h"

#define MODE_FIXED 0
#define MODE_LOWEST 1
#define MODE_INIT 5
#define MODE_STARTUP 6
#define ICR_LOGICAL (1u << 11)
#define ICR_ASSERT (1u << 14)
#define ICR_LEVEL (1u << 15)

static unsigned ncpus(const struct vm *vm)
{
	return vm->ncpus ? vm->ncpus : 1;
}

bool apic_dest_matches(uint32_t id, uint32_t ldr, uint32_t dfr, uint8_t dest, bool logical)
{
	if (!logical)
		return dest == 0xFF || dest == id >> 24;
	uint8_t l = (uint8_t)(ldr >> 24);
	if (dest == 0xFF)
		return true;
	if ((dfr >> 28) == 0xF)	/* flat model: a bit per APIC */
		return (dest & l) != 0;
	/* cluster model: the high nibble names the cluster, the low one its members */
	return (dest >> 4) == (l >> 4) && (dest & l & 0x0F) != 0;
}

uint32_t smp_targets(const struct vm *vm, unsigned shorthand, uint8_t dest, bool logical)
{
	uint32_t all = (1u << ncpus(vm)) - 1, self = 1u << vm->cpu, m = 0;

	switch (shorthand) {
	case 1:
		return self;
	case 2:
		return all;
	case 3:
		return all & ~self;
	}
	for (unsigned j = 0; j < ncpus(vm); j++) {
		const struct vcpu_mail *o = &vm->mail[j];
		bool hit = j == vm->cpu
			? apic_dest_matches(vm->lapic.id, vm->lapic.ldr, vm->lapic.dfr, dest, logical)
			: apic_dest_matches(o->id, o->ldr, o->dfr, dest, logical);
		m |= (uint32_t)hit << j;
	}
	return m;
}

static void kick(struct vm *vm, unsigned j)
{
	if (vm->kick)
		vm->kick(vm, j);
}

void smp_fixed(struct vm *vm, uint32_t mask, uint8_t vector, bool level, bool lowest)
{
	/* Lowest priority: this vCPU if it is one of them (no IPI needed), else the first. */
	if (lowest && mask)
		mask = mask >> vm->cpu & 1 ? 1u << vm->cpu : mask & -mask;
	for (unsigned j = 0; j < ncpus(vm); j++) {
		if (!(mask >> j & 1))
			continue;
		if (j == vm->cpu) {
			lapic_accept(vm, vector, level);
			continue;
		}
		struct vcpu_mail *o = &vm->mail[j];
		o->irr[vector / 32] |= 1u << (vector % 32);
		if (level)
			o->tmr[vector / 32] |= 1u << (vector % 32);
		else
			o->tmr[vector / 32] &= ~(1u << (vector % 32));
		kick(vm, j);
	}
}

void smp_ipi(struct vm *vm, uint32_t lo, uint32_t hi)
{
	unsigned mode = lo >> 8 & 7;
	uint32_t m = smp_targets(vm, lo >> 18 & 3, (uint8_t)(hi >> 24), lo & ICR_LOGICAL);

	switch (mode) {
	case MODE_FIXED:
		smp_fixed(vm, m, (uint8_t)lo, false, false);
		return;
	case MODE_LOWEST:
		smp_fixed(vm, m, (uint8_t)lo, false, true);
		return;
	case MODE_INIT:
		if ((lo & ICR_LEVEL) && !(lo & ICR_ASSERT))
			return;	/* INIT level de-assert: only synchronises arbitration ids */
		for (unsigned j = 0; j < ncpus(vm); j++)
			if ((m >> j & 1) && j != vm->cpu && !vm->mail[j].running)
				vm->mail[j].init = true;
		return;
	case MODE_STARTUP:
		/* Only a CPU waiting for its SIPI after an INIT starts; others ignore it. */
		for (unsigned j = 0; j < ncpus(vm); j++)
			if ((m >> j & 1) && j != vm->cpu && vm->mail[j].init && !vm->mail[j].running) {
				vm->mail[j].sipi = SMP_SIPI | (lo & 0xFF);
				kick(vm, j);
			}
		return;
	}
	/* NMI, SMI and the reserved modes are not modelled (docs/vmm.md). */
}

void smp_receive(struct vm *vm)
{
	struct vcpu_mail *me = &vm->mail[vm->cpu];

	if (ncpus(vm) < 2)
		return;
	me->id = vm->lapic.id;
	me->ldr = vm->lapic.ldr;
	me->dfr = vm->lapic.dfr;
	for (unsigned w = 0; w < 8; w++) {
		uint32_t bits = me->irr[w];
		me->irr[w] = 0;
		while (bits) {
			unsigned b = (unsigned)__builtin_ctz(bits);
			bits &= bits - 1;
			lapic_accept(vm, (uint8_t)(w * 32 + b), me->tmr[w] >> b & 1);
		}
	}
}

void smp_init(struct vm *vm)
{
	/* Until an AP's VMM says otherwise, its local APIC is as at reset: id = its index. */
	for (unsigned j = 0; j < ncpus(vm); j++)
		vm->mail[j] = (struct vcpu_mail){ .id = j << 24, .dfr = 0xFFFFFFFFu };
}

void smp_lock(struct vm *vm)
{
	if (ncpus(vm) < 2)
		return;
	while (__atomic_exchange_n(&vm->lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&vm->lock, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}

void smp_unlock(struct vm *vm)
{
	if (ncpus(vm) >= 2)
		__atomic_store_n(&vm->lock, 0, __ATOMIC_RELEASE);
}
