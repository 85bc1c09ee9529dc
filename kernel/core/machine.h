/* The machine as found at boot: written once by the boot phase, read-only to instances. */
#ifndef CORE_MACHINE_H
#define CORE_MACHINE_H

#include "arch/x86_64/acpi/acpi.h"
#include "arch/x86_64/cpu.h"
#include "boot/bootinfo.h"
#include "mem/memmap.h"
#include "mem/partition.h"
#include "types.h"

/* Bounded by the one-vector-per-source IPI scheme (docs/multikernel.md). */
#define MAX_INSTANCES 16

struct instance_info {
	uint32_t apic_id;
	struct partition part;
	paddr_t data_pa;	/* this instance's private .data/.bss copy */
	paddr_t kmem_end;	/* end of the prefix of part.r[0] the boot phase used */
	paddr_t cr3;
	bool started;
};

struct machine {
	struct boot_params boot;
	struct memmap mm;	/* normalized, with kernel/modules/low memory reserved */
	uint64_t ignored_above_4g;
	struct cpu_features cpu;
	bool have_acpi;
	struct acpi_info acpi;
	paddr_t lapic_pa;
	paddr_t ioapic_pa;		/* the I/O APIC serving GSIs 0..; 0 if none */
	bool gsi_level[24];		/* from the MADT overrides; ISA default: edge */
	bool gsi_active_low[24];	/* ISA default: active high */
	uint32_t lapic_ticks_per_ms;
	uint64_t tsc_khz;		/* measured against the PIT at boot; 0 if it did not answer */
	paddr_t tramp_pa;
	unsigned ninst;
	struct instance_info inst[MAX_INSTANCES];
	/* The IOMMU's device tables, in instance 0's partition (IOMMU_TABLE_PAGES pages); 0: none. */
	paddr_t iommu_tables;
	/* Memory for cross-core shared channels, asked for by the spec blob; 0 bytes: none. */
	paddr_t shared_pa;
	unsigned shared_bits;
	/* Test hooks from the command line (docs/testing.md). */
	bool qemu_exit;
	int fault_inst;		/* -1: none */
	int user_fault_inst;	/* -1: none */
	bool bench;		/* instance 0's root task runs the benchmarks */
};

/* Read-only in every instance; only the boot phase writes it. */
extern struct machine machine;

#endif
