/* Boot phase: the boot core learns the machine, splits it, and starts one instance per core. */
#include "abi/spec.h"
#include "arch/x86_64/calib.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/desc.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/iommu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/smp.h"
#include "core/arch.h"
#include "core/console.h"
#include "kstring.h"
#include "lib/cmdline.h"

struct machine machine __attribute__((section(".machine"), aligned(4096)));

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __shared_start[], __shared_end[], __data_start[], __data_end[], __bss_end[];
extern char __data_tmpl[], __image_end_lma[];
void instance_main(void);
void __attribute__((noreturn)) instance_enter(paddr_t cr3, void (*fn)(void));

#define MIN_PARTITION MIB(8)

static const void *boot_map(void *ctx, paddr_t pa, size_t len)
{
	(void)ctx;
	if (pa + len < pa || pa + len > BOOT_IDENTITY_LIMIT)
		return NULL;
	return (const void *)(uintptr_t)pa;
}

static void boot_note(void *ctx, const char *msg)
{
	(void)ctx;
	kprintf("%s\n", msg);
}

static const struct physview boot_view = { boot_map, boot_note, NULL };

static void __attribute__((noreturn, format(printf, 1, 2))) boot_fail(const char *fmt, ...)
{
	va_list ap;

	kprintf("atoll: boot failed: ");
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	if (machine.qemu_exit)
		arch_qemu_exit(QEMU_EXIT_FAIL);
	cpu_halt_forever();
}

/* Reads key=N naming an instance; -1 if absent, a boot failure if malformed. */
static int boot_cmdline_instance(const char *key)
{
	char val[32];
	uint64_t n;
	err_t e = cmdline_get(machine.boot.cmdline, key, val, sizeof(val));

	if (e == E_NOENT)
		return -1;
	if (e || cmdline_parse_u64(val, &n) || n >= MAX_INSTANCES)
		boot_fail("command line: %s=%s is not an instance number below %u", key,
			  e ? "(too long)" : val, MAX_INSTANCES);
	return (int)n;
}

static void boot_read_cmdline(void)
{
	machine.qemu_exit = cmdline_has(machine.boot.cmdline, "atoll.qemu_exit");
	machine.bench = cmdline_has(machine.boot.cmdline, "atoll.bench");
	machine.fault_inst = boot_cmdline_instance("atoll.fault");
	machine.user_fault_inst = boot_cmdline_instance("atoll.user_fault");
}

static void boot_cpu(void)
{
	struct cpu_features *f = &machine.cpu;

	cpu_probe(f);
	paging_set_nx(f->nx);
	const char *brand = f->brand;
	while (*brand == ' ')
		brand++;
	kprintf("cpu: %s \"%s\", %u-bit physical addresses\n", f->vendor, brand, f->phys_bits);
	kprintf("cpu features:%s%s%s%s%s%s%s%s%s%s%s%s%s\n", f->nx ? " nx" : "",
		f->pdpe1gb ? " pdpe1gb" : "", f->pcid ? " pcid" : "", f->invpcid ? " invpcid" : "",
		f->x2apic ? " x2apic" : "", f->xsave ? " xsave" : "", f->avx ? " avx" : "",
		f->svm ? " svm" : "", f->npt ? " npt" : "", f->nrips ? " nrips" : "",
		f->decode_assists ? " decodeassists" : "", f->avic ? " avic" : "",
		f->vmx ? " vmx" : "");
	if (f->svm && f->npt && !f->svm_disabled_by_bios)
		kprintf("virtualization: AMD SVM with nested paging, %u ASIDs\n", f->svm_asids);
	else if (f->svm && f->svm_disabled_by_bios)
		kprintf("virtualization: unavailable: SVM is disabled by firmware (VM_CR.SVMDIS); no VMs can start\n");
	else if (f->svm)
		kprintf("virtualization: unavailable: SVM without nested paging; no VMs can start\n");
	else if (f->vmx)
		kprintf("virtualization: unavailable: Intel VMX found, but Atoll has no VMX back end yet; no VMs can start\n");
	else
		kprintf("virtualization: unavailable: no SVM or VMX; no VMs can start\n");
	kprintf("tlb: %s\n", f->pcid ? "PCID in use: address-space switches keep the TLB"
				      : "no PCID: every address-space switch flushes the TLB");
}

/* Picks a free page below 1 MiB for the AP trampoline (the SIPI vector is a page number). */
static paddr_t boot_pick_trampoline(const struct memmap *mm)
{
	for (unsigned i = 0; i < mm->n; i++) {
		const struct mem_range *r = &mm->r[i];
		if (r->type != MEM_USABLE)
			continue;
		paddr_t p = ALIGN_UP(r->base < 0x1000 ? 0x1000 : r->base, 0x1000);
		if (p + 0x1000 <= r->end && p + 0x1000 <= 0xA0000)
			return p;
	}
	return 0;
}

/*
 * The spec blob (abi/spec.h) may ask for a pool of memory that every instance's
 * root task can map: the memory of cross-core shared channels. It is taken out
 * of the usable map before RAM is split into partitions, and zeroed once here,
 * before any instance runs.
 */
static void boot_shared_pool(struct memmap *mm)
{
	uint64_t want = 0;

	for (unsigned i = 0; i < machine.boot.nmods; i++) {
		const struct boot_module *m = &machine.boot.mods[i];
		const struct spec_header *h;
		if (m->end - m->base < sizeof(*h) ||
		    !(h = physview_map(&boot_view, m->base, sizeof(*h))))
			continue;
		if (h->magic == SPEC_MAGIC && h->version == SPEC_VERSION)
			want = h->shared_bytes;
	}
	if (!want)
		return;
	if (want > GIB(1))
		boot_fail("spec blob asks for %llu MiB of shared memory, more than 1 GiB",
			  (unsigned long long)(want >> 20));
	unsigned bits = 12;
	while ((1ull << bits) < want)
		bits++;
	uint64_t size = 1ull << bits;
	for (unsigned i = 0; i < mm->n; i++) {
		paddr_t base = ALIGN_UP(mm->r[i].base, size);
		if (mm->r[i].type != MEM_USABLE || base + size > mm->r[i].end ||
		    base + size > BOOT_IDENTITY_LIMIT)
			continue;
		err_t e = memmap_reserve(mm, base, base + size, MEM_SHARED);
		if (e)
			boot_fail("memory map: reserving the shared pool: %s", err_str(e));
		memset((void *)(uintptr_t)base, 0, size);
		machine.shared_pa = base;
		machine.shared_bits = bits;
		kprintf("mem: shared pool [0x%llx-0x%llx) for cross-core channels\n",
			(unsigned long long)base, (unsigned long long)(base + size));
		return;
	}
	boot_fail("no room for the %llu KiB shared pool the spec blob asks for",
		  (unsigned long long)(size >> 10));
}

static void boot_memory(void)
{
	struct memmap *mm = &machine.mm;
	err_t e;

	*mm = machine.boot.mm;
	if ((e = memmap_normalize(mm)))
		boot_fail("memory map: %s", err_str(e));
	for (unsigned i = 0; i < machine.boot.nmods; i++) {
		const struct boot_module *m = &machine.boot.mods[i];
		kprintf("module %u: [0x%llx-0x%llx) \"%s\"\n", i, (unsigned long long)m->base,
			(unsigned long long)m->end, m->cmdline);
		if (m->end > m->base &&
		    (e = memmap_reserve(mm, ALIGN_DOWN(m->base, 4096), ALIGN_UP(m->end, 4096), MEM_MODULE)))
			boot_fail("memory map: reserving module %u: %s", i, err_str(e));
	}
	/* After the modules: a loader may have put one in low memory (GRUB does). */
	machine.tramp_pa = boot_pick_trampoline(mm);
	if ((e = memmap_reserve(mm, 0, 0x100000, MEM_BOOT)) ||
	    (e = memmap_reserve(mm, KERNEL_PHYS, (paddr_t)(uintptr_t)__image_end_lma, MEM_KERNEL)))
		boot_fail("memory map: reserving low memory and the kernel: %s", err_str(e));
	boot_shared_pool(mm);
	machine.ignored_above_4g = memmap_clip(mm, BOOT_IDENTITY_LIMIT);
	for (unsigned i = 0; i < mm->n; i++)
		kprintf("mem: [0x%010llx-0x%010llx) %s\n", (unsigned long long)mm->r[i].base,
			(unsigned long long)mm->r[i].end, memmap_type_name(mm->r[i].type));
	kprintf("mem: %llu MiB usable\n", (unsigned long long)(memmap_usable_bytes(mm) >> 20));
	if (machine.ignored_above_4g)
		kprintf("mem: %llu MiB above 4 GiB not used: the boot map reaches 4 GiB only\n",
			(unsigned long long)(machine.ignored_above_4g >> 20));
}

static void boot_acpi(void)
{
	struct acpi_info *a = &machine.acpi;
	paddr_t rsdp = machine.boot.rsdp;

	if (!rsdp && !machine.boot.efi && acpi_find_rsdp_bios(&boot_view, &rsdp) != E_OK)
		rsdp = 0;
	if (!rsdp) {
		kprintf("acpi: no RSDP found: running on the boot CPU only, no PCIe ECAM, no IOMMU\n");
		return;
	}
	err_t e = acpi_parse(&boot_view, rsdp, a);
	if (e) {
		kprintf("acpi: unusable (%s): running on the boot CPU only, no PCIe ECAM, no IOMMU\n",
			err_str(e));
		memset(a, 0, sizeof(*a));
		return;
	}
	machine.have_acpi = true;
	kprintf("acpi: RSDP at 0x%llx, revision %u, %s, OEM \"%s\"\n", (unsigned long long)rsdp,
		a->revision, a->xsdt_used ? "XSDT" : "RSDT", a->oem_id);
	if (a->have_madt) {
		kprintf("acpi: MADT: %u CPUs, local APIC at 0x%llx, %u I/O APIC(s), %u override(s)%s\n",
			a->ncpus, (unsigned long long)a->lapic_addr, a->nioapics, a->nisos,
			a->pic_present ? ", legacy PIC present" : "");
		for (unsigned i = 0; i < a->nioapics; i++)
			kprintf("acpi:   I/O APIC id %u at 0x%x, GSI base %u\n", a->ioapics[i].id,
				a->ioapics[i].addr, a->ioapics[i].gsi_base);
	} else {
		kprintf("acpi: MADT: none: running on the boot CPU only\n");
	}
	if (a->have_mcfg)
		for (unsigned i = 0; i < a->nmcfg; i++)
			kprintf("acpi: MCFG: PCIe ECAM segment %u, buses %u-%u at 0x%llx\n",
				a->mcfg[i].segment, a->mcfg[i].bus_start, a->mcfg[i].bus_end,
				(unsigned long long)a->mcfg[i].base);
	else
		kprintf("acpi: MCFG: none: no PCIe extended configuration space\n");
	if (a->have_dmar) {
		kprintf("acpi: DMAR: %u remapping unit(s), host address width %u%s, %u reserved region(s)\n",
			a->ndmar, a->dmar_haw, a->dmar_flags & 1 ? ", interrupt remapping" : "",
			a->nrmrr);
		for (unsigned i = 0; i < a->ndmar; i++)
			kprintf("acpi:   VT-d unit at 0x%llx, segment %u, %s, %u device scope(s)\n",
				(unsigned long long)a->dmar[i].reg_base, a->dmar[i].segment,
				a->dmar[i].include_all ? "all devices" : "listed devices",
				a->dmar[i].nscopes);
		/*
		 * VT-d 8.4: firmware-owned DMA may target an RMRR at any time, so no
		 * instance may own that memory. Devices stay blocked from it (docs/iommu.md).
		 */
		for (unsigned i = 0; i < a->nrmrr; i++) {
			err_t re = memmap_reserve(&machine.mm, a->rmrr[i].base, a->rmrr[i].end, MEM_RESERVED);
			kprintf("acpi:   RMRR [0x%llx-0x%llx) %s\n", (unsigned long long)a->rmrr[i].base,
				(unsigned long long)a->rmrr[i].end,
				re ? "could not be reserved" : "reserved: in no partition");
		}
	} else {
		kprintf("acpi: DMAR: none: no IOMMU, devices cannot be fenced\n");
	}
}

static void boot_instances(void)
{
	uint32_t bsp = cpu_apic_id();
	const struct acpi_info *a = &machine.acpi;

	machine.ninst = 1;
	machine.inst[0].apic_id = bsp;
	for (unsigned i = 0; machine.have_acpi && a->have_madt && i < a->ncpus; i++) {
		if (!a->cpus[i].enabled || a->cpus[i].apic_id == bsp)
			continue;
		if (a->cpus[i].apic_id > 0xFE) {
			kprintf("smp: CPU with APIC id %u needs x2APIC mode: not started\n",
				a->cpus[i].apic_id);
			continue;
		}
		if (!machine.tramp_pa) {
			kprintf("smp: no free page below 1 MiB for the AP trampoline: APs not started\n");
			break;
		}
		if (machine.ninst == MAX_INSTANCES) {
			kprintf("smp: more than %u CPUs: the rest are not started\n", MAX_INSTANCES);
			break;
		}
		machine.inst[machine.ninst++].apic_id = a->cpus[i].apic_id;
	}
	machine.lapic_pa = machine.have_acpi && a->lapic_addr ? a->lapic_addr : 0xFEE00000;
	/* The I/O APIC that starts at GSI 0, and the polarity/trigger of overridden lines. */
	for (unsigned i = 0; machine.have_acpi && i < a->nioapics; i++)
		if (a->ioapics[i].gsi_base == 0)
			machine.ioapic_pa = a->ioapics[i].addr;
	for (unsigned i = 0; machine.have_acpi && i < a->nisos; i++) {
		/* MPS INTI flags (ACPI 5.2.12.5): polarity bits 1:0, trigger bits 3:2; 3 = the non-default. */
		uint32_t g = a->isos[i].gsi;
		if (g < 24) {
			machine.gsi_active_low[g] = (a->isos[i].flags & 3) == 3;
			machine.gsi_level[g] = ((a->isos[i].flags >> 2) & 3) == 3;
		}
	}
}

/* QEMU's APIC clock, 1 GHz, over the divide-by-16: the rate assumed when calibration fails. */
#define APIC_FALLBACK_KHZ 62500

/*
 * Rounds of PIT-timed trials until one is stable (docs/boot.md); false if none was.
 * Each trial measures how many PIT ticks really passed, so a core that was away
 * (a host descheduling QEMU's thread) lengthens the window without skewing it.
 */
static bool boot_calibrate(struct calib_result *r, bool *pit)
{
	struct calib_trial t[CALIB_TRIALS];

	lapic_timer_free_run();
	for (unsigned round = 1; round <= CALIB_ROUNDS; round++) {
		for (unsigned i = 0; i < CALIB_TRIALS; i++)
			if (!(*pit = pit_calib_trial(&t[i]))) {
				lapic_timer_stop();
				return false;
			}
		enum calib_verdict v = calib_choose(t, CALIB_TRIALS, r);
		if (v == CALIB_OK) {
			lapic_timer_stop();
			return true;
		}
		kprintf("lapic: calibration round %u of %u rejected: %s (%u of %u trials usable, "
			"%u agree, TSC %llu-%llu kHz, APIC timer median %llu kHz)\n", round, CALIB_ROUNDS,
			calib_verdict_str(v), r->usable, CALIB_TRIALS, r->agree,
			(unsigned long long)r->tsc_min, (unsigned long long)r->tsc_max,
			(unsigned long long)r->apic_khz);
	}
	lapic_timer_stop();
	return false;
}

static void boot_timer(void)
{
	struct calib_result r;
	bool pit = true;

	/* Only the boot phase touches the PIC and PIT: they are machine-wide devices. */
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
	lapic_init((uintptr_t)machine.lapic_pa);
	if (!boot_calibrate(&r, &pit)) {
		/* Guests are told the TSC rate: a wrong one is worse than none (VMs then refuse to start). */
		machine.tsc_khz = 0;
		machine.lapic_ticks_per_ms = APIC_FALLBACK_KHZ;
		kprintf("lapic: %s; assuming a 1 GHz APIC clock, TSC rate unknown: no VM can start\n",
			pit ? "no stable calibration against the PIT" : "PIT did not answer");
		return;
	}
	machine.tsc_khz = r.tsc_khz;
	machine.lapic_ticks_per_ms = (uint32_t)r.apic_khz;
	kprintf("lapic: timer runs at %u kHz (divide by 16), TSC at %llu kHz "
		"(median of %u trials against the PIT, %u within 1%%; TSC %llu-%llu kHz)\n",
		machine.lapic_ticks_per_ms, (unsigned long long)machine.tsc_khz, r.usable, r.agree,
		(unsigned long long)r.tsc_min, (unsigned long long)r.tsc_max);
}

static void boot_partition(void)
{
	struct partition parts[MAX_INSTANCES];
	err_t e = partition_even(&machine.mm, machine.ninst, LARGE_PAGE_SIZE, MIN_PARTITION, parts);

	if (e)
		boot_fail("cannot split %llu MiB into %u partitions of at least %llu MiB: %s",
			  (unsigned long long)(memmap_usable_bytes(&machine.mm) >> 20), machine.ninst,
			  (unsigned long long)(MIN_PARTITION >> 20), err_str(e));
	if ((e = partition_check(parts, machine.ninst, &machine.mm)))
		boot_fail("partitions are not disjoint or not in usable RAM: %s", err_str(e));
	for (unsigned i = 0; i < machine.ninst; i++)
		machine.inst[i].part = parts[i];
}

static err_t map_image(struct pt_alloc *a, paddr_t pml4, const char *s, const char *e,
		       paddr_t pa, uint64_t flags)
{
	uint64_t va = (uint64_t)(uintptr_t)s;

	return paging_map(a, pml4, va, pa, (uint64_t)(e - s), flags);
}

/*
 * Every instance maps the ECAM windows of segment 0, uncached: a root task hands
 * its VMs' VFs out from its own PCI capability (docs/pcimgr.md). Configuration
 * space is device registers, not kernel state: no instance keeps anything in it.
 */
static err_t boot_map_ecam(struct pt_alloc *a, paddr_t pml4)
{
	const uint64_t uc = PTE_W | PTE_NX | PTE_PCD | PTE_PWT;
	const struct acpi_info *ai = &machine.acpi;
	err_t e;

	for (unsigned i = 0; machine.have_acpi && i < ai->nmcfg; i++) {
		const struct acpi_mcfg *m = &ai->mcfg[i];
		paddr_t pa = m->base + ((paddr_t)m->bus_start << 20);
		if (m->segment == 0 &&
		    (e = paging_map(a, pml4, PHYSMAP_BASE + pa, pa,
				    (uint64_t)(m->bus_end - m->bus_start + 1) << 20, uc)))
			return e;
	}
	return E_OK;
}

/* Instance 0 drives the IOMMU (docs/iommu.md): it alone maps the VT-d register pages, uncached. */
static err_t boot_map_devices(struct pt_alloc *a, paddr_t pml4)
{
	const uint64_t uc = PTE_W | PTE_NX | PTE_PCD | PTE_PWT;
	const struct acpi_info *ai = &machine.acpi;
	err_t e;

	for (unsigned i = 0; machine.have_acpi && i < ai->ndmar; i++)
		if ((e = paging_map(a, pml4, PHYSMAP_BASE + ai->dmar[i].reg_base, ai->dmar[i].reg_base,
				    PAGE_SIZE, uc)))
			return e;
	if (!machine.have_acpi || !ai->have_dmar)
		return E_OK;
	/* The bump allocator hands out consecutive zeroed pages: one block for the device tables. */
	for (unsigned i = 0; i < IOMMU_TABLE_PAGES; i++) {
		paddr_t pg;
		if ((e = paging_alloc_page(a, &pg)))
			return e;
		if (i == 0)
			machine.iommu_tables = pg;
	}
	return E_OK;
}

/* Builds instance i's private data copy and page tables at the start of its partition. */
static err_t boot_build_instance(struct instance_info *in)
{
	struct pt_alloc a = { in->part.r[0].base, in->part.r[0].end };
	size_t data_size = (size_t)(__data_end - __data_start);
	size_t priv_size = (size_t)ALIGN_UP((uint64_t)(__bss_end - __data_start), PAGE_SIZE);
	paddr_t pml4;
	err_t e;

	in->data_pa = a.next;
	a.next += priv_size;
	if (a.next > a.end)
		return E_NOMEM;
	char *priv = (char *)(uintptr_t)in->data_pa;
	memcpy(priv, __data_tmpl, data_size);
	memset(priv + data_size, 0, priv_size - data_size);

	if ((e = paging_alloc_page(&a, &pml4)))
		return e;
	const uint64_t voff = KERNEL_VOFF;
	if ((e = map_image(&a, pml4, __text_start, __text_end,
			   (uint64_t)(uintptr_t)__text_start - voff, 0)) ||
	    (e = map_image(&a, pml4, __rodata_start, __rodata_end,
			   (uint64_t)(uintptr_t)__rodata_start - voff, PTE_NX)) ||
	    (e = map_image(&a, pml4, __shared_start, __shared_end,
			   (uint64_t)(uintptr_t)__shared_start - voff, PTE_W | PTE_NX)) ||
	    (e = map_image(&a, pml4, __data_start, __data_start + priv_size, in->data_pa,
			   PTE_W | PTE_NX)))
		return e;
	for (unsigned i = 0; i < in->part.n; i++) {
		const struct mem_range *r = &in->part.r[i];
		if ((e = paging_map(&a, pml4, PHYSMAP_BASE + r->base, r->base, r->end - r->base,
				    PTE_W | PTE_NX)))
			return e;
	}
	if ((e = paging_map(&a, pml4, PHYSMAP_BASE + machine.lapic_pa, machine.lapic_pa, PAGE_SIZE,
			    PTE_W | PTE_NX | PTE_PCD | PTE_PWT)))
		return e;
	if (machine.ioapic_pa &&
	    (e = paging_map(&a, pml4, PHYSMAP_BASE + machine.ioapic_pa, machine.ioapic_pa, PAGE_SIZE,
			    PTE_W | PTE_NX | PTE_PCD | PTE_PWT)))
		return e;
	if (machine.tramp_pa &&
	    (e = paging_map(&a, pml4, machine.tramp_pa, machine.tramp_pa, PAGE_SIZE, PTE_W)))
		return e;
	if ((e = boot_map_ecam(&a, pml4)) || (in == &machine.inst[0] && (e = boot_map_devices(&a, pml4))))
		return e;
	in->cr3 = pml4;
	in->kmem_end = a.next;
	return E_OK;
}

void boot_main(uint32_t kind, uint32_t info)
{
	err_t e;

	console_hw_init();
	gdt_init();
	idt_init();
	kprintf("\nAtoll: static multikernel hypervisor, booting (%s)\n",
		kind == BOOT_KIND_PVH ? "PVH" : "Multiboot2");
	if (kind == BOOT_KIND_PVH)
		e = bootinfo_from_pvh(&boot_view, info, &machine.boot);
	else
		e = bootinfo_from_mb2(&boot_view, info, &machine.boot);
	if (e)
		boot_fail("boot information from the loader is unusable: %s", err_str(e));
	boot_read_cmdline();
	kprintf("boot: %s%s%s%s, command line \"%s\"\n", machine.boot.loader,
		machine.boot.loader_name[0] ? " (" : "", machine.boot.loader_name,
		machine.boot.loader_name[0] ? ")" : "", machine.boot.cmdline);
	kprintf("boot: firmware %s\n", machine.boot.efi ? "UEFI" : "BIOS");
	boot_cpu();
	boot_memory();
	boot_acpi();
	boot_instances();
	boot_timer();
	boot_partition();

	for (unsigned i = 0; i < machine.ninst; i++)
		if ((e = boot_build_instance(&machine.inst[i])))
			boot_fail("building instance %u's address space: %s", i, err_str(e));
	machine.inst[0].started = true;
	uint64_t efer = EFER_LME | (machine.cpu.nx ? EFER_NXE : 0);
	for (unsigned i = 1; i < machine.ninst; i++) {
		struct instance_info *in = &machine.inst[i];
		e = smp_start_ap(machine.tramp_pa, in->apic_id, in->cr3, efer);
		in->started = e == E_OK;
		if (e)
			kprintf("smp: instance %u (apic %u) did not start: %s\n", i, in->apic_id,
				err_str(e));
	}
	kprintf("smp: %u instance(s), one per core\n", machine.ninst);
	instance_enter(machine.inst[0].cr3, instance_main);
}
