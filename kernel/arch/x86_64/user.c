/* Loading and entering the root task of an instance, and the system call entry set-up. */
#include "abi/bootinfo.h"
#include "abi/objects.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/desc.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/paging.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/elf.h"
#include "mem/partition.h"
#include "core/invoke.h"
#include "arch/x86_64/vspace.h"
#include "core/sched.h"
#include "kstring.h"

/* Cleared on SYSCALL: TF, IF, DF, AC. */
#define SFMASK_BITS ((1u << 8) | (1u << 9) | (1u << 10) | (1u << 18))

/* 16384 slots: 1 MiB, room for the untyped caps and what the root task and its tests make
 * (each suite case owns 64 slots) or what a description's root task builds. */
#define ROOT_CNODE_RADIX 14

extern const char rootimg_start[], rootimg_end[];
void __attribute__((noreturn)) user_enter(uint64_t entry, uint64_t stack, uint64_t arg);

static void *kva(paddr_t pa)
{
	return (void *)(uintptr_t)(PHYSMAP_BASE + pa);
}

static void syscall_init(void)
{
	/* STAR: kernel CS in 47:32; user base in 63:48 so SYSRET gives CS 0x23, SS 0x1b. */
	wrmsr(MSR_STAR, ((uint64_t)(SEL_UDATA - 8) << 48) | ((uint64_t)SEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	wrmsr(MSR_SFMASK, SFMASK_BITS);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

static err_t map_user_pages(struct pt_alloc *a, paddr_t pml4, uint64_t va, uint64_t len,
			    uint64_t flags, const uint8_t *src, uint64_t src_va, uint64_t src_len)
{
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		paddr_t frame;
		err_t e = paging_alloc_page(a, &frame);
		if (e)
			return e;
		/* Copy the part of [src_va, src_va + src_len) that falls in this page. */
		uint64_t pva = va + off;
		uint64_t lo = pva > src_va ? pva : src_va;
		uint64_t hi = pva + PAGE_SIZE < src_va + src_len ? pva + PAGE_SIZE : src_va + src_len;
		if (src && lo < hi)
			memcpy((uint8_t *)kva(frame) + (lo - pva), src + (lo - src_va), hi - lo);
		if ((e = paging_map(a, pml4, pva, frame, PAGE_SIZE, flags | PTE_U)))
			return e;
	}
	return E_OK;
}

/* Maps every boot module read-only into the root task's space and lists it in bi. */
static err_t map_modules(struct pt_alloc *a, paddr_t pml4, struct bootinfo *bi)
{
	uint64_t va = USER_MODULES_VA;

	for (unsigned i = 0; i < machine.boot.nmods && i < BOOTINFO_MAX_MODULES; i++) {
		const struct boot_module *m = &machine.boot.mods[i];
		paddr_t lo = ALIGN_DOWN(m->base, PAGE_SIZE), hi = ALIGN_UP(m->end, PAGE_SIZE);
		if (hi - lo > USER_TOP - PAGE_SIZE - va)
			return E_RANGE;
		for (paddr_t pa = lo; pa < hi; pa += PAGE_SIZE) {
			err_t e = paging_map(a, pml4, va + (pa - lo), pa, PAGE_SIZE, PTE_NX | PTE_U);
			if (e)
				return e;
		}
		bi->modules[i].va = va + (m->base - lo);
		bi->modules[i].size = m->end - m->base;
		snprintf(bi->modules[i].cmdline, sizeof(bi->modules[i].cmdline), "%s", m->cmdline);
		bi->nmodules = i + 1;
		va += hi - lo + PAGE_SIZE;	/* a guard page between modules */
	}
	return E_OK;
}

void arch_user_start(const struct instance_info *self, unsigned id, uint64_t user_test)
{
	struct elf_image img;
	const uint8_t *elf = (const uint8_t *)rootimg_start;
	struct pt_alloc a = { self->kmem_end, self->part.r[0].end };
	err_t e;

	syscall_init();
	e = elf_parse(elf, (size_t)(rootimg_end - rootimg_start), USER_IMAGE_BASE,
		      USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE, &img);
	if (e) {
		kprintf("instance %u: root task image rejected: %s\n", id, err_str(e));
		return;
	}
	for (unsigned i = 0; i < img.nseg && !e; i++) {
		const struct elf_seg *s = &img.seg[i];
		uint64_t va = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
		uint64_t len = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE) - va;
		uint64_t flags = (s->flags & ELF_PF_W ? PTE_W : 0) | (s->flags & ELF_PF_X ? 0 : PTE_NX);
		e = map_user_pages(&a, self->cr3, va, len, flags, elf + s->offset, s->vaddr, s->filesz);
	}
	if (!e)
		e = map_user_pages(&a, self->cr3, USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE,
				   USER_STACK_PAGES * PAGE_SIZE, PTE_W | PTE_NX, NULL, 0, 0);
	paddr_t bi_pa = a.next;
	if (!e)
		e = map_user_pages(&a, self->cr3, USER_BOOTINFO_VA, PAGE_SIZE, PTE_NX, NULL, 0, 0);
	if (e) {
		kprintf("instance %u: cannot load the root task: %s\n", id, err_str(e));
		return;
	}
	struct bootinfo *bi = kva(bi_pa);
	*bi = (struct bootinfo){
		.magic = BOOTINFO_MAGIC,
		.version = BOOTINFO_VERSION,
		.instance = id,
		.ninstances = machine.ninst,
		.apic_id = self->apic_id,
		.mem_base = self->part.r[0].base,
		.mem_bytes = self->part.bytes,
		.user_test = user_test,
		.shared_base = machine.shared_pa,
		.shared_bits = machine.shared_bits,
	};
	if ((e = map_modules(&a, self->cr3, bi))) {
		kprintf("instance %u: cannot map the boot modules: %s\n", id, err_str(e));
		return;
	}
	vspace_init(self->cr3);
	/* The root TCB, the root CNode, then the rest of the partition as untyped memory. */
	paddr_t tcb_pa = ALIGN_UP(a.next, 2048);
	a.next = tcb_pa + 2048;
	struct tcb *root = kva(tcb_pa);
	memset(root, 0, 2048);
	ctx_init_user(&root->ctx, img.entry, USER_STACK_TOP, USER_BOOTINFO_VA);
	root->prio = ROOT_TASK_PRIORITY;
	root->mcp = 255;
	root->is_root = true;
	paddr_t cnode_pa = ALIGN_UP(a.next, 1ull << (ROOT_CNODE_RADIX + CTE_SIZE_BITS));
	struct mem_range free[PART_MAX_RANGES];
	unsigned nfree = 0;
	free[nfree++] = (struct mem_range){ cnode_pa + (1ull << (ROOT_CNODE_RADIX + CTE_SIZE_BITS)),
					    self->part.r[0].end, MEM_USABLE };
	for (unsigned i = 1; i < self->part.n; i++)
		free[nfree++] = self->part.r[i];
	if (free[0].base > free[0].end ||
	    (e = invoke_init_root(cnode_pa, ROOT_CNODE_RADIX, tcb_pa, free, nfree, bi))) {
		kprintf("instance %u: cannot build the root CSpace: %s\n", id,
			err_str(free[0].base > free[0].end ? E_NOMEM : e));
		return;
	}
	sched_start(root);	/* from here on, entries save the root task's registers in its TCB */
	user_enter(img.entry, USER_STACK_TOP, USER_BOOTINFO_VA);
}

bool arch_user_readable(uint64_t va, uint64_t len)
{
	if (len > USER_TOP || va > USER_TOP - len)
		return false;
	return paging_user_accessible(read_cr3() & PTE_ADDR, va, len);
}
