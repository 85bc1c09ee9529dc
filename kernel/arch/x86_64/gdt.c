/* Per-instance GDT and TSS (SDM vol. 3 3.4.5, 7.7); IST stacks for #DF, NMI and #MC. */
#include "arch/x86_64/context.h"
#include "arch/x86_64/desc.h"
#include "arch/x86_64/layout.h"
#include "kstring.h"

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

extern char instance_stack_top[];

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss tss __attribute__((aligned(16)));
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern uint64_t entry_ctx_top;

void arch_set_entry_ctx(struct trap_frame *ctx)
{
	/* SDM vol. 3 6.14.2: the CPU aligns rsp0 to 16 bytes; a TCB's register area ends aligned. */
	uint64_t top = ctx ? (uint64_t)(uintptr_t)(ctx + 1) : (uint64_t)(uintptr_t)instance_stack_top;

	tss.rsp[0] = top;
	entry_ctx_top = top;
}

void gdt_init(void)
{
	memset(gdt, 0, sizeof(gdt));
	memset(&tss, 0, sizeof(tss));
	gdt[SEL_KCODE >> 3] = 0x00AF9A000000FFFFull;	/* 64-bit code, DPL 0 */
	gdt[SEL_KDATA >> 3] = 0x00CF92000000FFFFull;	/* data, DPL 0 */
	gdt[SEL_UDATA >> 3] = 0x00CFF2000000FFFFull;	/* data, DPL 3 */
	gdt[SEL_UCODE >> 3] = 0x00AFFA000000FFFFull;	/* 64-bit code, DPL 3 */

	for (unsigned i = 0; i < 3; i++)
		tss.ist[i] = (uint64_t)(uintptr_t)&ist_stacks[i][IST_STACK_SIZE];
	tss.iomap_base = sizeof(tss);	/* no I/O bitmap: all ports fault at CPL 3 */
	/* Entries from user mode land on this instance's kernel stack. */
	tss.rsp[0] = (uint64_t)(uintptr_t)instance_stack_top;

	/* A 64-bit TSS descriptor takes two slots (SDM vol. 3 7.2.3). */
	uint64_t base = (uint64_t)(uintptr_t)&tss;
	uint64_t limit = sizeof(tss) - 1;
	gdt[SEL_TSS >> 3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
			    (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
	gdt[(SEL_TSS >> 3) + 1] = base >> 32;

	struct dtr d = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %2, %%ss\n\t"
			 "mov %3, %%fs\n\t"
			 "mov %3, %%gs\n\t"
			 "ltr %w4"
			 :
			 : "m"(d), "i"((uint64_t)SEL_KCODE), "r"((uint64_t)SEL_KDATA), "r"(0ull),
			   "r"((uint64_t)SEL_TSS)
			 : "rax", "memory");
}
