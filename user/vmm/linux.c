/*
 * Loading Linux with the x86 boot protocol (Documentation/arch/x86/boot.rst,
 * zero-page.rst of the kernel): the protected-mode kernel at 16 MiB, the zero
 * page with the setup header, an e820 map, the ACPI tables (acpi.c), the command
 * line and the initramfs at the top of RAM, then the 32-bit entry: flat segments __BOOT_CS (0x10) and
 * __BOOT_DS (0x18) from a GDT of ours, paging off, esi = the zero page.
 */
#include "vmm.h"

/* Guest-physical layout below the kernel. */
#define GPA_GDT 0x6000ull
#define GPA_ZERO_PAGE 0x7000ull
#define GPA_CMDLINE 0x20000ull
#define CMDLINE_MAX 4096u
#define GPA_KERNEL 0x1000000ull	/* 16 MiB: the usual pref_address of a 64-bit kernel */

/* Offsets in the zero page (struct boot_params) and its setup header. */
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_E820_ENTRIES 0x1E8
#define BP_SETUP_HEADER 0x1F1
#define BP_E820_TABLE 0x2D0
#define BP_E820_MAX 128
#define HDR_SETUP_SECTS 0x1F1
#define HDR_JUMP 0x200		/* its second byte gives the header's length */
#define HDR_MAGIC 0x202		/* "HdrS" */
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21C
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22C
#define HDR_CMDLINE_SIZE 0x238
#define HDR_INIT_SIZE 0x260
#define LOADED_HIGH 0x01

#define E820_RAM 1
#define E820_RESERVED 2

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void e820_add(uint8_t *zp, uint64_t addr, uint64_t size, uint32_t type)
{
	uint8_t n = zp[BP_E820_ENTRIES];
	uint8_t *e = zp + BP_E820_TABLE + n * 20u;

	memcpy(e, &addr, 8);
	memcpy(e + 8, &size, 8);
	memcpy(e + 16, &type, 4);
	zp[BP_E820_ENTRIES] = (uint8_t)(n + 1);
}

/* The description's command line and what the platform needs (docs/vmm.md). */
static long write_cmdline(struct vm *vm, uint32_t max)
{
	char *dst = (char *)vm->ram + GPA_CMDLINE;
	int n = snprintf(dst, CMDLINE_MAX, "%s tsc_early_khz=%llu", vm->info->cmdline,
			 (unsigned long long)vm->tsc_khz);

	return n < 0 || (uint32_t)n >= CMDLINE_MAX || (max && (uint32_t)n > max) ? E_RANGE : E_OK;
}

long linux_load(struct vm *vm)
{
	const uint8_t *bz = (const uint8_t *)(uintptr_t)vm->info->kernel_va;
	uint64_t bz_size = vm->info->kernel_size;

	if (bz_size < 0x1000 || memcmp(bz + HDR_MAGIC, "HdrS", 4)) {
		printf("[%s] the kernel is not a bzImage\n", vm->info->name);
		return E_INVAL;
	}
	uint16_t version = (uint16_t)(bz[HDR_VERSION] | bz[HDR_VERSION + 1] << 8);
	unsigned sects = bz[HDR_SETUP_SECTS] ? bz[HDR_SETUP_SECTS] : 4;
	uint64_t pm_off = (sects + 1) * 512ull;
	uint32_t init_size = rd32(bz + HDR_INIT_SIZE);
	/* 2.10 gives init_size; every 64-bit kernel has it. It must load high. */
	if (version < 0x20A || !(bz[HDR_LOADFLAGS] & LOADED_HIGH) || pm_off >= bz_size) {
		printf("[%s] boot protocol %x.%02x without what we need (2.10, loads high)\n",
		       vm->info->name, version >> 8, version & 0xFF);
		return E_INVAL;
	}
	uint64_t pm_size = bz_size - pm_off;
	uint64_t kernel_end = GPA_KERNEL + (init_size > pm_size ? init_size : pm_size);
	uint64_t initrd_size = vm->info->initramfs_size;
	uint64_t initrd_max = rd32(bz + HDR_INITRD_ADDR_MAX);
	uint64_t top = vm->ram_size < initrd_max + 1 ? vm->ram_size : initrd_max + 1;
	uint64_t initrd = (top - initrd_size) & ~0xFFFull;
	if (kernel_end > vm->ram_size || (initrd_size && (initrd_size > top || initrd < kernel_end))) {
		printf("[%s] %llu MiB of RAM do not hold the kernel (%llu MiB to unpack) and initramfs\n",
		       vm->info->name, (unsigned long long)(vm->ram_size >> 20),
		       (unsigned long long)((kernel_end - GPA_KERNEL) >> 20));
		return E_NOMEM;
	}
	memcpy(vm->ram + GPA_KERNEL, bz + pm_off, pm_size);
	if (initrd_size)
		memcpy(vm->ram + initrd, (const void *)(uintptr_t)vm->info->initramfs_va, initrd_size);

	/* The zero page: all zero, then the setup header as the image has it, then ours. */
	uint8_t *zp = vm->ram + GPA_ZERO_PAGE;
	memset(zp, 0, 4096);
	unsigned hdr_end = 0x202 + bz[HDR_JUMP + 1];
	memcpy(zp + BP_SETUP_HEADER, bz + BP_SETUP_HEADER, hdr_end - BP_SETUP_HEADER);
	zp[HDR_TYPE_OF_LOADER] = 0xFF;	/* a loader without an assigned id */
	wr32(zp + HDR_CODE32_START, (uint32_t)GPA_KERNEL);
	wr32(zp + HDR_RAMDISK_IMAGE, initrd_size ? (uint32_t)initrd : 0);
	wr32(zp + HDR_RAMDISK_SIZE, (uint32_t)initrd_size);
	wr32(zp + HDR_CMD_LINE_PTR, (uint32_t)GPA_CMDLINE);
	long e = write_cmdline(vm, version >= 0x206 ? rd32(bz + HDR_CMDLINE_SIZE) : 255);
	if (e) {
		printf("[%s] the command line is too long\n", vm->info->name);
		return e;
	}
	/* Low RAM up to the EBDA, the legacy hole (VGA, BIOS) reserved, the rest RAM. */
	e820_add(zp, 0, 0x9F000, E820_RAM);
	e820_add(zp, 0x9F000, 0x100000 - 0x9F000, E820_RESERVED);
	e820_add(zp, 0x100000, vm->ram_size - 0x100000, E820_RAM);
	/* ACPI tables in the reserved hole, where the BIOS-area scan would find them too. */
	uint64_t rsdp = acpi_build(vm->ram + ACPI_GPA, ACPI_GPA, vm->ncpus);
	memcpy(zp + BP_ACPI_RSDP_ADDR, &rsdp, 8);

	/* GDT: null, null, __BOOT_CS flat 32-bit code, __BOOT_DS flat data. */
	uint64_t *gdt = (uint64_t *)(void *)(vm->ram + GPA_GDT);
	gdt[0] = gdt[1] = 0;
	gdt[2] = 0x00CF9B000000FFFFull;
	gdt[3] = 0x00CF93000000FFFFull;
	uint64_t cs = VCPU_SEG(0x10, 0xC9B, 0xFFFFFFFFu), ds = VCPU_SEG(0x18, 0xC93, 0xFFFFFFFFu);
	uint64_t v = vm->vcpu;
	if ((e = vcpu_write_regs(v, VCPU_GDTR_BASE, GPA_GDT, VCPU_GDTR_LIMIT, 4 * 8 - 1)) ||
	    (e = vcpu_write_regs(v, VCPU_CS, cs, VCPU_DS, ds)) ||
	    (e = vcpu_write_regs(v, VCPU_ES, ds, VCPU_SS, ds)) ||
	    (e = vcpu_write_regs(v, VCPU_FS, ds, VCPU_GS, ds)) ||
	    (e = vcpu_write_regs(v, VCPU_RIP, GPA_KERNEL, VCPU_RSI, GPA_ZERO_PAGE)) ||
	    (e = vcpu_write_regs(v, VCPU_RFLAGS, 0x2, VCPU_RSP, 0)))
		return e;
	printf("[%s] linux boot protocol %x.%02x: kernel %llu KiB at 0x%llx, initramfs %llu KiB at 0x%llx, %llu MiB RAM\n",
	       vm->info->name, version >> 8, version & 0xFF, (unsigned long long)(pm_size >> 10),
	       (unsigned long long)GPA_KERNEL, (unsigned long long)(initrd_size >> 10),
	       (unsigned long long)initrd, (unsigned long long)(vm->ram_size >> 20));
	printf("[%s] command line: %s\n", vm->info->name, (const char *)vm->ram + GPA_CMDLINE);
	return E_OK;
}
