/* The boot-info page each instance's root task receives (its address arrives in rdi). */
#ifndef ABI_BOOTINFO_H
#define ABI_BOOTINFO_H

#include <stdint.h>

#define BOOTINFO_MAGIC 0x4F464E49544F4F42ull	/* "BOOTINFO" */
#define BOOTINFO_VERSION 5
#define BOOTINFO_MAX_UNTYPED 64
#define BOOTINFO_MAX_MODULES 8

struct bootinfo {
	uint64_t magic;
	uint32_t version;
	uint32_t instance;	/* this kernel instance */
	uint32_t ninstances;
	uint32_t apic_id;
	uint64_t mem_base;	/* first byte of this instance's partition */
	uint64_t mem_bytes;	/* size of this instance's partition */
	uint64_t user_test;	/* test hook from the command line (docs/boot.md); 0 = none */
	/* The initial CSpace: a CNode of 2^cnode_radix slots, addressed with depth 64. */
	uint32_t cnode_radix;
	uint32_t untyped_first;	/* slots [untyped_first, untyped_first + untyped_count) */
	uint32_t untyped_count;
	uint32_t empty_first;	/* slots [empty_first, 2^cnode_radix) are empty */
	/* Slots [xsignal_first, + xsignal_count): the right to signal instance xsignal_target[i]. */
	uint32_t xsignal_first;
	uint32_t xsignal_count;
	uint8_t xsignal_target[16];
	/* What CAP_INIT_IRQ_CONTROL covers (every instance has it: MSI vectors; I/O-APIC lines
	 * only where irq_count > 0) and CAP_INIT_IO_PORT (count 0: the slot is empty). */
	uint32_t irq_first, irq_count;
	uint32_t io_port_first, io_port_count;
	/* CAP_INIT_SHARED: device untyped over the pool for cross-core shared channels. */
	uint64_t shared_base;
	uint32_t shared_bits;	/* 0: no pool, the slot is empty */
	uint32_t pad0;
	/* CAP_INIT_PCI: PCI functions [pci_first, + pci_count) of segment 0, as bus << 8 | dev << 3 | fn. */
	uint32_t pci_first, pci_count;	/* count 0: the slot is empty */
	/* DMA remapping for those functions: I/O page-table levels (3 or 4), 0 if there is no IOMMU. */
	uint32_t iommu_levels;
	/* 1: interrupt remapping is on, MSI addresses are in remappable format (docs/iommu.md). */
	uint32_t intremap;
	struct {
		uint64_t paddr;
		uint8_t size_bits;
		uint8_t pad[7];
	} untyped[BOOTINFO_MAX_UNTYPED];
	/* Boot modules, mapped read-only (and not executable) at va; the same bytes on every instance. */
	uint32_t nmodules;
	uint32_t pad;
	struct {
		uint64_t va;
		uint64_t size;
		char cmdline[48];
	} modules[BOOTINFO_MAX_MODULES];
};

/* Fixed slots of the initial CSpace. */
#define CAP_INIT_CNODE 1	/* the root CNode itself */
#define CAP_INIT_TCB 2		/* the root task's own thread */
#define CAP_INIT_VSPACE 3	/* the instance's address space (its PML4) */
#define CAP_INIT_IRQ_CONTROL 4	/* the interrupt lines this instance may take (may be empty) */
#define CAP_INIT_IO_PORT 5	/* the I/O ports this instance may use (may be empty) */
#define CAP_INIT_SHARED 6	/* the same shared pool on every instance (may be empty) */
#define CAP_INIT_PCI 7		/* the PCI functions this instance drives (may be empty; docs/iommu.md) */
#define CAP_INIT_CONSOLE 8	/* reads what arrives on the host console (docs/syscalls.md) */
#define ROOT_TASK_PRIORITY 100

/* Root-task layout: fixed user virtual addresses. */
#define USER_IMAGE_BASE 0x400000ull
#define USER_BOOTINFO_VA 0x7FFFFFFFE000ull
#define USER_STACK_TOP 0x7FFFFFFFD000ull
#define USER_STACK_PAGES 4
#define USER_MODULES_VA 0x7F0000000000ull	/* boot modules, one after another */
#define USER_TOP 0x800000000000ull
/* Where the kernel maps its instance's partition (supervisor-only); tests aim at it. */
#define KERNEL_PHYSMAP_BASE 0xFFFF800000000000ull

#define USER_TEST_NONE 0
#define USER_TEST_WRITE_KERNEL 1	/* the root task writes kernel memory: must fault */
#define USER_TEST_BENCH 2		/* the root task runs the benchmarks instead of the tests */

#endif
