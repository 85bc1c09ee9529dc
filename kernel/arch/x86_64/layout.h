/* Fixed virtual and physical layout of every kernel instance (docs/multikernel.md). */
#ifndef ARCH_LAYOUT_H
#define ARCH_LAYOUT_H

/* The image is loaded at 2 MiB physical and linked at -2 GiB + 2 MiB. */
#define KERNEL_PHYS 0x200000
#define KERNEL_VOFF 0xFFFFFFFF80000000
/* Each instance maps only its own partition (and its LAPIC page) here, at PHYSMAP_BASE + pa. */
#define PHYSMAP_BASE 0xFFFF800000000000
/* Boot-phase identity map covers the first 4 GiB (start.S). */
#define BOOT_IDENTITY_LIMIT 0x100000000

#define BOOT_KIND_MB2 1
#define BOOT_KIND_PVH 2

#define INSTANCE_STACK_SIZE 16384
#define IST_STACK_SIZE 4096

#endif
