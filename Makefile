# Atoll: one plain Makefile. All output goes to build/.

# "make" alone builds everything (the first rule below would otherwise be the fuzzer's).
.DEFAULT_GOAL := all

BUILD := build
CC := gcc
LD := ld
QEMU := qemu-system-x86_64
OVMF := /usr/share/ovmf/OVMF.fd

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wpointer-arith
INCLUDES := -Iinclude -Ikernel/include -Ikernel

KERNEL_CFLAGS := -std=c11 -O2 -g $(WARN) $(INCLUDES) -ffreestanding -fno-pic -fno-pie \
	-mno-red-zone -mcmodel=kernel -mgeneral-regs-only -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-delete-null-pointer-checks -fno-omit-frame-pointer \
	-fno-strict-aliasing -MMD -MP
KERNEL_ASFLAGS := $(INCLUDES) -MMD -MP -D__ASSEMBLY__
# The virtualization back end linked in (kernel/arch/x86_64/virt.h): svm; vmx is later work.
VIRT := svm
# The IOMMU back end linked in (kernel/arch/x86_64/iommu.h): vtd; amdvi is later work.
IOMMU := vtd

KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments \
	-T kernel/arch/x86_64/linker.ld

# The kernel: generic parts, then x86_64.
KERNEL_SRCS := \
	kernel/lib/string.c kernel/lib/printf.c kernel/lib/error.c kernel/lib/cmdline.c \
	kernel/core/console.c kernel/core/instance.c kernel/core/syscall.c kernel/core/elf.c \
	kernel/core/rootimg.S kernel/core/cspace.c kernel/core/invoke.c kernel/core/kobj.c \
	kernel/obj/cnode.c kernel/obj/untyped.c kernel/obj/tcb.c kernel/core/sched.c kernel/core/ipc.c \
	kernel/core/xsignal.c kernel/core/irq.c kernel/core/pci.c kernel/core/pci_cfg.c kernel/arch/x86_64/ioapic.c \
	kernel/arch/x86_64/context.c kernel/arch/x86_64/vspace.c kernel/arch/x86_64/tlb.c \
	kernel/mem/memmap.c kernel/mem/partition.c kernel/boot/bootinfo.c \
	kernel/arch/x86_64/start.S kernel/arch/x86_64/entry.S kernel/arch/x86_64/trampoline.S \
	kernel/arch/x86_64/boot.c kernel/arch/x86_64/cpu.c kernel/arch/x86_64/gdt.c \
	kernel/arch/x86_64/idt.c kernel/arch/x86_64/trap.c kernel/arch/x86_64/lapic.c \
	kernel/arch/x86_64/pit.c kernel/arch/x86_64/calib.c kernel/arch/x86_64/paging.c kernel/arch/x86_64/smp.c \
	kernel/arch/x86_64/instance.c kernel/arch/x86_64/serial.c kernel/arch/x86_64/user.c \
	kernel/arch/x86_64/syscall.S kernel/obj/vcpu.c kernel/obj/gspace.c kernel/obj/iospace.c \
	$(wildcard kernel/arch/x86_64/acpi/*.c) \
	$(wildcard kernel/arch/x86_64/$(VIRT)/*.c kernel/arch/x86_64/$(VIRT)/*.S) \
	$(wildcard kernel/arch/x86_64/$(IOMMU)/*.c)
KERNEL_OBJS := $(patsubst %,$(BUILD)/%.o,$(basename $(KERNEL_SRCS)))
KERNEL := $(BUILD)/atoll.elf

# User level: the root task, linked at USER_IMAGE_BASE and carried inside the kernel.
USER_CFLAGS := -std=c11 -O2 -g $(WARN) -Iinclude -Ikernel/include -Ikernel -Iuser/lib -Iuser/pcimgr -ffreestanding \
	-fno-pic -fno-pie -mgeneral-regs-only -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing -MMD -MP
USER_LIB_SRCS := user/lib/crt0.S user/lib/stdio.c user/lib/malloc.c kernel/lib/printf.c kernel/core/pci_cfg.c \
	kernel/lib/string.c kernel/lib/error.c
USER_LIB_OBJS := $(patsubst %,$(BUILD)/user/%.o,$(basename $(USER_LIB_SRCS)))
INIT_SRCS := user/init/main.c user/init/test.c user/init/tests_cspace.c user/init/tests_threads.c \
	user/init/tests_vspace.c user/init/tests_xcore.c user/init/tests_more.c \
	user/init/tests_devices.c user/init/tests_msi.c user/init/tests_tlb.c \
	user/init/tests_edges.c user/init/tests_vcpu.c user/init/tests_pci.c user/init/tests_iommu.c user/init/bench.c user/init/spec.c \
	user/init/spec_devices.c user/init/spec_vfs.c user/init/spec_vfs_vm.c user/pcimgr/sriov.c
INIT_OBJS := $(patsubst %,$(BUILD)/user/%.o,$(basename $(USER_LIB_SRCS) $(INIT_SRCS)))
ROOT_IMAGE := $(BUILD)/user/init.elf

# Quiet by default; "make V=1" shows the commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

# Host unit tests: tests/unit/test_NAME.c plus the kernel sources it exercises.
HOST_CFLAGS := -std=c11 -O1 -g $(WARN) $(INCLUDES) -Itests/unit -Itools/atoll -Iuser/pcimgr -fsanitize=address,undefined \
	-fno-sanitize-recover=all -MMD -MP
UNIT_TESTS := pci memmap partition bootinfo acpi acpi_madt acpi_tables cmdline printf elf cspace \
	untyped gspace tlb spec pcimgr decode pic pit lapic ioapic vmm_acpi strio smp vpci exit_loop \
	guest_walk svm_event calib runq
unit_memmap_SRCS := kernel/mem/memmap.c kernel/lib/error.c
unit_partition_SRCS := kernel/mem/partition.c kernel/mem/memmap.c kernel/lib/error.c
unit_bootinfo_SRCS := kernel/boot/bootinfo.c kernel/mem/memmap.c kernel/lib/error.c
unit_acpi_SRCS := $(wildcard kernel/arch/x86_64/acpi/*.c) kernel/lib/error.c
unit_acpi_madt_SRCS := $(unit_acpi_SRCS)
unit_acpi_tables_SRCS := $(unit_acpi_SRCS)
unit_cmdline_SRCS := kernel/lib/cmdline.c kernel/lib/error.c
unit_printf_SRCS := kernel/lib/printf.c
unit_elf_SRCS := kernel/core/elf.c kernel/lib/error.c
unit_cspace_SRCS := kernel/core/cspace.c kernel/obj/cnode.c kernel/lib/error.c
unit_untyped_SRCS := kernel/core/cspace.c kernel/obj/cnode.c kernel/obj/untyped.c kernel/lib/error.c
unit_decode_SRCS := user/vmm/decode.c
unit_strio_SRCS := user/vmm/strio.c
unit_exit_loop_SRCS := user/vmm/loop.c
unit_runq_SRCS := user/vmm/runq.c
unit_guest_walk_SRCS := user/vmm/guest_walk.c
unit_guest_walk_CFLAGS := -Iuser/lib
unit_pic_SRCS := user/vmm/pic.c
unit_pic_CFLAGS := -Iuser/lib
# The interrupt path the PIT drives: the PIC, the I/O APIC, the local APIC and irq.c between them.
VMM_IRQ_SRCS := user/vmm/pic.c user/vmm/irq.c user/vmm/lapic.c user/vmm/ioapic.c user/vmm/smp.c
unit_pit_SRCS := user/vmm/pit.c $(VMM_IRQ_SRCS)
unit_pit_CFLAGS := -Iuser/lib
unit_lapic_SRCS := user/vmm/pit.c $(VMM_IRQ_SRCS)
unit_lapic_CFLAGS := -Iuser/lib
unit_ioapic_SRCS := user/vmm/pit.c $(VMM_IRQ_SRCS)
unit_ioapic_CFLAGS := -Iuser/lib
unit_smp_SRCS := user/vmm/pit.c $(VMM_IRQ_SRCS)
unit_smp_CFLAGS := -Iuser/lib
unit_vmm_acpi_SRCS := user/vmm/acpi.c $(unit_acpi_SRCS)
unit_vmm_acpi_CFLAGS := -Iuser/lib
unit_vpci_SRCS := user/vmm/pci.c kernel/core/pci_cfg.c
unit_gspace_SRCS := kernel/obj/gspace.c kernel/obj/vcpu.c kernel/core/cspace.c kernel/obj/cnode.c \
	kernel/lib/error.c
unit_tlb_SRCS := kernel/arch/x86_64/tlb.c
unit_svm_event_SRCS := kernel/arch/x86_64/svm/event.c
unit_calib_SRCS := kernel/arch/x86_64/calib.c
unit_spec_SRCS := tools/atoll/blob.c
unit_pcimgr_SRCS := user/pcimgr/sriov.c user/pcimgr/nvme.c kernel/lib/error.c
unit_pci_SRCS := kernel/core/pci_cfg.c
# Our printf must not replace the host libc's inside the test binary.
unit_printf_CFLAGS := -Dvsnprintf=k_vsnprintf -Dsnprintf=k_snprintf
UNIT_BINS := $(patsubst %,$(BUILD)/tests/unit/test_%,$(UNIT_TESTS))

# Host tool: the system-description checker/compiler.
TOOL := $(BUILD)/bin/atoll
TOOL_SRCS := $(wildcard tools/atoll/*.c) kernel/core/elf.c kernel/lib/error.c
TOOL_INCLUDES := -Itools/atoll -Iinclude -Ikernel/include -Ikernel
TOOL_CFLAGS := -std=c11 -D_GNU_SOURCE -O1 -g $(WARN) $(TOOL_INCLUDES) -MMD -MP \
	-fsanitize=address,undefined -fno-sanitize-recover=all

# Fuzzing the description loader and checker with libFuzzer (clang).
FUZZ := $(BUILD)/fuzz/fuzz_desc
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS := 20
$(FUZZ): tests/fuzz/fuzz_desc.c $(TOOL_SRCS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	$(Q)clang -std=c11 -D_GNU_SOURCE -g -O1 $(TOOL_INCLUDES) -fsanitize=fuzzer,address,undefined \
		-o $@ tests/fuzz/fuzz_desc.c $(filter-out tools/atoll/main.c,$(TOOL_SRCS)) -lyaml

ISO := $(BUILD)/atoll.iso
ISO_TEST := $(BUILD)/atoll-test.iso

SYSTEM ?= default

.PHONY: all kernel iso unit tool fuzz systems run run-iso run-uefi test bench qemu-gdb deps clean \
	guest
all: deps kernel iso unit tool systems $(FUZZ)

deps:
	@scripts/deps.sh

kernel: $(KERNEL)
tool: $(TOOL)

# The Linux test guest (Debian's kernel + a busybox initramfs), cached in build/guest/.
guest: $(BUILD)/guest/bzImage

$(TOOL): $(patsubst %.c,$(BUILD)/tool/%.o,$(TOOL_SRCS))
	@mkdir -p $(dir $@)
	@echo "  HOSTLD  $@"
	$(Q)$(CC) $(TOOL_CFLAGS) -o $@ $^ -lyaml

$(BUILD)/tool/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(TOOL_CFLAGS) -c $< -o $@
iso: $(ISO) $(ISO_TEST)
unit: $(UNIT_BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

$(BUILD)/user/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  UCC     $<"
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(BUILD)/user/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  UAS     $<"
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(ROOT_IMAGE): $(INIT_OBJS) user/lib/user.ld
	@echo "  ULD     $@"
	$(Q)$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T user/lib/user.ld \
		-o $@ $(INIT_OBJS)

$(BUILD)/kernel/core/rootimg.o: $(ROOT_IMAGE)

# Components: user/components/NAME/*.c linked like the root task, to build/user/NAME.elf;
# without malloc's static arena (a component's heap is the memory its description gives).
COMPONENTS := $(notdir $(wildcard user/components/*))
COMPONENT_ELFS := $(patsubst %,$(BUILD)/user/%.elf,$(COMPONENTS))
# A component may also link a library of its own: component_NAME_LIBS.
component_pcimgr_LIBS := user/pcimgr/sriov.c user/pcimgr/nvme.c
define component_rule
$(BUILD)/user/$(1).elf: $(USER_LIB_OBJS) $(patsubst %.c,$(BUILD)/user/%.o,$(wildcard user/components/$(1)/*.c) $(component_$(1)_LIBS)) user/lib/user.ld
	@echo "  ULD     $$@"
	$(Q)$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T user/lib/user.ld \
		-o $$@ $$(filter-out %/malloc.o,$$(filter %.o,$$^))
endef
$(foreach c,$(COMPONENTS),$(eval $(call component_rule,$(c))))

# The VMM (user/vmm/, docs/vmm.md): linked like a component; atoll compile gives one to each VM.
VMM_ELF := $(BUILD)/user/vmm.elf
VMM_OBJS := $(patsubst %.c,$(BUILD)/user/%.o,$(wildcard user/vmm/*.c))
$(VMM_ELF): $(USER_LIB_OBJS) $(VMM_OBJS) user/lib/user.ld
	@echo "  ULD     $@"
	$(Q)$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T user/lib/user.ld \
		-o $@ $(filter-out %/malloc.o,$(filter %.o,$^))

# System descriptions compiled to spec blobs: systems/NAME.yaml -> build/systems/NAME.blob.
SYSTEMS := $(patsubst systems/%.yaml,$(BUILD)/systems/%.blob,$(wildcard systems/*.yaml))
$(BUILD)/systems/%.blob: systems/%.yaml $(TOOL) $(COMPONENT_ELFS) $(VMM_ELF)
	@mkdir -p $(dir $@)
	@echo "  SPEC    $@"
	$(Q)$(TOOL) compile $< -o $@ > /dev/null
$(BUILD)/tests/systems/%.blob: tests/systems/%.yaml $(TOOL) $(COMPONENT_ELFS) $(VMM_ELF)
	@mkdir -p $(dir $@)
	@echo "  SPEC    $@"
	$(Q)$(TOOL) compile $< -o $@ > /dev/null
TEST_SYSTEMS := $(patsubst tests/systems/%.yaml,$(BUILD)/tests/systems/%.blob,$(wildcard tests/systems/*.yaml))
# Descriptions that boot the Linux guest (tests/systems/linux-*.yaml) need make guest first:
# make test builds them, plain make does not download anything for them.
GUEST_SYSTEMS := $(filter $(BUILD)/tests/systems/linux-%.blob,$(TEST_SYSTEMS))
systems: $(SYSTEMS) $(filter-out $(GUEST_SYSTEMS),$(TEST_SYSTEMS))
$(GUEST_SYSTEMS): $(BUILD)/guest/bzImage
# systems/default.yaml runs two Linux VMs too, so building it (make, make run) fetches the guest.
$(SYSTEMS): $(BUILD)/guest/bzImage
$(BUILD)/guest/bzImage: scripts/guest.sh tests/guest/init tests/guest/nvme-rw \
		tests/guest/nvme-up tests/guest/nvme-read tests/guest/nvme-smp tests/guest/dread.c | deps
	@scripts/guest.sh

# The hostile bare-metal guest (tests/guest/hostile.S): a flat binary with a bzImage header,
# linked so that file offset 0x400 lands at guest-physical 0x1000000 where the VMM loads it.
HOSTILE := $(BUILD)/tests/guest/hostile.bzImage
$(HOSTILE): tests/guest/hostile.S
	@mkdir -p $(dir $@)
	@echo "  GUEST   $@"
	$(Q)as --32 -o $(@:.bzImage=.o) $<
	$(Q)$(LD) -m elf_i386 -Ttext=0xFFFC00 -e 0x1000000 -o $(@:.bzImage=.elf) $(@:.bzImage=.o)
	$(Q)objcopy -O binary -j .text $(@:.bzImage=.elf) $@
$(BUILD)/tests/systems/hostile-vms.blob: $(HOSTILE)

$(KERNEL): $(KERNEL_OBJS) kernel/arch/x86_64/linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS)

# Two GRUB ISOs: the plain one, and one whose command line ends QEMU after the boot checks.
$(BUILD)/iso-%/boot/grub/grub.cfg: scripts/grub.cfg.in Makefile
	@mkdir -p $(dir $@)
	$(Q)sed 's|@CMDLINE@|$(if $(filter test,$*),atoll.qemu_exit,)|; s|@MODULE@|$(if $(filter test,$*),,module2 /boot/system.blob atoll.spec)|' $< > $@

# The plain ISO boots systems/default.yaml like make run; the test ISO runs the kernel suite.
$(BUILD)/atoll.iso: $(KERNEL) $(BUILD)/iso-plain/boot/grub/grub.cfg $(BUILD)/systems/default.blob
	@echo "  ISO     $@"
	$(Q)cp $(KERNEL) $(BUILD)/iso-plain/boot/atoll.elf
	$(Q)cp $(BUILD)/systems/default.blob $(BUILD)/iso-plain/boot/system.blob
	$(Q)grub-mkrescue -o $@ $(BUILD)/iso-plain 2> $(BUILD)/grub-mkrescue.log || \
		{ cat $(BUILD)/grub-mkrescue.log; exit 1; }

$(BUILD)/atoll-test.iso: $(KERNEL) $(BUILD)/iso-test/boot/grub/grub.cfg
	@echo "  ISO     $@"
	$(Q)cp $(KERNEL) $(BUILD)/iso-test/boot/atoll.elf
	$(Q)grub-mkrescue -o $@ $(BUILD)/iso-test 2> $(BUILD)/grub-mkrescue.log || \
		{ cat $(BUILD)/grub-mkrescue.log; exit 1; }

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(HOST_CFLAGS) $(unit_$(patsubst test_%,%,$*)_CFLAGS) -c $< -o $@

$(BUILD)/host/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/host-printf/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(HOST_CFLAGS) $(unit_printf_CFLAGS) -c $< -o $@

# The VMM's device models and page walk (unit tests pic, pit, lapic, ioapic, vmm_acpi, smp,
# guest_walk) include user/lib headers.
define host_vmm_rule
$(BUILD)/host-$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	@echo "  HOSTCC  $$<"
	$(Q)$(CC) $(HOST_CFLAGS) $(unit_$(1)_CFLAGS) -c $$< -o $$@
endef
$(foreach t,pic pit lapic ioapic vmm_acpi smp guest_walk,$(eval $(call host_vmm_rule,$(t))))

define unit_rule
$(BUILD)/tests/unit/test_$(1): $(BUILD)/tests/unit/test_$(1).o \
		$(patsubst %.c,$(if $(unit_$(1)_CFLAGS),$(BUILD)/host-$(1),$(BUILD)/host)/%.o,$(unit_$(1)_SRCS))
	@echo "  HOSTLD  $$@"
	$(Q)$(CC) $(HOST_CFLAGS) -o $$@ $$^ -lcmocka
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

# The machine make run gives the default system (docs/pcimgr.md): VT-d with interrupt
# remapping, and QEMU's NVMe controller at 01:00.0 behind a root port with two SR-IOV VFs.
# Each VF's disk is its own namespace (pcimgr attaches namespace N to VF N alone, so they
# start detached): namespace N is backed by build/nvmeN.img (64 MiB, sparse; made by the
# build, kept across runs).
NVME_IMG := $(BUILD)/nvme1.img $(BUILD)/nvme2.img
QEMU_NVME := -device intel-iommu,intremap=on \
	-device pcie-root-port,id=rp0,chassis=1,slot=1 \
	-device nvme-subsys,id=subsys0,nqn=subsys0 \
	-device nvme,serial=deadbeef,bus=rp0,subsys=subsys0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3 \
	-drive file=$(BUILD)/nvme1.img,if=none,id=nvm1,format=raw \
	-device nvme-ns,drive=nvm1,nsid=1,detached=on \
	-drive file=$(BUILD)/nvme2.img,if=none,id=nvm2,format=raw \
	-device nvme-ns,drive=nvm2,nsid=2,detached=on
QEMU_RUN := $(QEMU) -machine q35,kernel-irqchip=split -cpu max -smp 4 -m 1G -display none \
	-serial mon:stdio -no-reboot -net none $(QEMU_NVME)

$(BUILD)/nvme%.img:
	@mkdir -p $(dir $@)
	@echo "  TRUNC   $@"
	$(Q)truncate -s 64M $@

# make run boots systems/$(SYSTEM).yaml, compiled to a spec blob given as the boot module.
run: deps kernel $(BUILD)/systems/$(SYSTEM).blob $(NVME_IMG)
	$(QEMU_RUN) -kernel $(KERNEL) -initrd $(BUILD)/systems/$(SYSTEM).blob

run-iso: deps iso $(NVME_IMG)
	$(QEMU_RUN) -cdrom $(ISO)

run-uefi: deps iso $(NVME_IMG)
	$(QEMU_RUN) -bios $(OVMF) -cdrom $(ISO)

bench: deps kernel $(TOOL) $(VMM_ELF) $(BUILD)/guest/bzImage $(BUILD)/tests/systems/linux-bench.blob \
		$(BUILD)/tests/systems/linux-nvme-bench.blob
	@scripts/bench.sh $(BENCH)

qemu-gdb: deps kernel $(NVME_IMG)
	@echo "QEMU waits for gdb: gdb -ex 'target remote :1234' $(KERNEL)"
	$(QEMU_RUN) -kernel $(KERNEL) -s -S

# make fuzz: a long run (FUZZ_SECONDS); make test runs a short one.
fuzz: deps $(FUZZ)
	@mkdir -p $(BUILD)/fuzz/corpus
	$(FUZZ) -max_total_time=$(FUZZ_SECONDS) -timeout=5 $(BUILD)/fuzz/corpus tests/spec/good \
		tests/spec/bad tests/spec/multi tests/fuzz/regressions

test: all guest $(GUEST_SYSTEMS)
	@FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) tests/run.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
