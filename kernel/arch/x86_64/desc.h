/* Segment selectors and descriptor-table set-up. */
#ifndef ARCH_DESC_H
#define ARCH_DESC_H

#include "types.h"

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x18
#define SEL_UCODE 0x20
#define SEL_TSS 0x28
#define GDT_ENTRIES 7

#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3

/* Loads this instance's GDT and TSS and reloads every segment register. */
void gdt_init(void);
/* Loads this instance's IDT: all 256 vectors go to trap_dispatch(). */
void idt_init(void);

#endif
