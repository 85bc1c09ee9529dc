/*
 * The compiled system description ("spec blob"): written by `atoll compile` on the
 * host, read by every instance's root task at boot (docs/system-description.md).
 *
 * All integers are little-endian. The blob is a header followed by tables at the
 * offsets the header gives; every offset is from the start of the blob and every
 * table entry is naturally aligned. Strings are NUL-terminated, in the string table.
 */
#ifndef ABI_SPEC_H
#define ABI_SPEC_H

#include <stdint.h>

#define SPEC_MAGIC 0x434550534C4C5441ull	/* "ATLLSPEC" */
#define SPEC_VERSION 4	/* 2: VMs have a VMM component, a VCPU and a guest space; 3: VFs for VMs; 4: vCPUs */

struct spec_header {
	uint64_t magic;
	uint32_t version;
	uint32_t checksum;	/* spec_checksum() of the whole blob with this field 0 */
	uint64_t size;		/* bytes in the blob */
	uint64_t shared_bytes;	/* the kernel sets aside this much for cross-core shared channels */
	uint32_t ncores;	/* instances the description needs */
	uint32_t ncomponents, nvms, nobjects, ncaps, nmaps;
	uint32_t components_off, vms_off, objects_off, caps_off, maps_off;
	uint32_t data_off, data_size;		/* image bytes the maps copy from */
	uint32_t strings_off, strings_size;
	uint32_t pool_bytes[16];		/* per core: bytes of objects it makes */
	uint32_t ndevices, devices_off;
};

/*
 * One kernel object an instance makes. Objects of a core are listed in the order
 * the root task retypes them, from one fresh untyped region: largest first, so
 * each lands at `offset` bytes from the region's start with no gap.
 */
struct spec_object {
	uint32_t name;		/* string: "<owner>.<what>" */
	uint16_t core;		/* the instance that makes it */
	uint8_t type;		/* OBJ_* (abi/objects.def); OBJ_XSIGNAL: the boot cap to core `target` */
	uint8_t size_bits;	/* for CNodes: the radix; else 0 */
	uint32_t target;	/* OBJ_XSIGNAL: the instance signalled */
	uint32_t flags;
	uint64_t offset;	/* placement in the core's region */
};
#define SPEC_OBJ_BIND_XSIGNALS 1u	/* a notification that hears other instances */
#define SPEC_OBJ_SHARED 2u		/* a frame of the shared pool: offset is in the pool */
#define SPEC_CORE_ANY 0xFFFF		/* a shared frame: each core that maps it takes it */

/* A capability a component receives in its CNode. */
struct spec_cap {
	uint32_t component;
	uint32_t slot;
	uint32_t object;	/* index into the objects */
	uint32_t name;		/* string: the channel's name */
	uint64_t badge;
	uint8_t rights;		/* CAP_READ | CAP_WRITE | ... */
	uint8_t role;		/* SPEC_ROLE_* */
	uint8_t pad[6];
};
#define SPEC_ROLE_FROM 1	/* the channel's `from` side: calls or signals */
#define SPEC_ROLE_TO 2		/* the channel's `to` side: serves or waits */

/*
 * One mapping in an owner's address space: a page table object at the level its
 * type says, or a frame with rights and, optionally, bytes copied into it first.
 */
struct spec_map {
	uint32_t owner;		/* component index, or SPEC_VM_OWNER | vm index */
	uint32_t object;
	uint64_t vaddr;		/* virtual address (guest-physical for a VM) */
	uint32_t data_off;	/* from the data table */
	uint32_t data_len;	/* 0: the frame stays zero */
	uint32_t page_off;	/* where in the frame the bytes go */
	uint8_t rights;		/* CAP_READ, CAP_WRITE, CAP_EXEC */
	uint8_t pad[3];
};
#define SPEC_VM_OWNER 0x80000000u

struct spec_component {
	uint32_t name;		/* string */
	uint16_t core;
	uint8_t priority;
	uint8_t cnode_radix;
	uint32_t tcb, cnode, vspace, ipc_buffer, info;	/* object indices */
	uint32_t first_cap, ncaps, first_map, nmaps;
	uint32_t trusted;
	uint64_t entry, stack_top, memory;
	uint64_t heap_va, heap_size;
};

/*
 * A VM: its guest-physical mappings (first_map, nmaps: page tables, RAM, shared
 * regions) go into its guest space. A VM on one core is run by a VMM component
 * on that core (`vmm`, an index into the components) holding caps to the VCPU
 * and the guest space, the RAM mapped at COMPONENT_VM_RAM_VA and the kernel and
 * initramfs bytes mapped read-only (docs/vmm.md). A VM of more cores has a VMM
 * per core, one per vCPU (cpu[] below); vmm, vcpu and gspace are vCPU 0's.
 */
#define SPEC_VM_MAX_CPUS 8	/* vCPUs of a VM: the xAPIC's flat logical mode names 8 CPUs */
struct spec_vm {
	uint32_t name;
	uint32_t ncores;
	uint8_t cores[16];
	uint64_t memory;
	uint32_t first_map, nmaps;
	uint32_t kernel, initramfs, cmdline;	/* strings */
	uint32_t vmm;				/* component index */
	uint32_t vcpu, gspace;			/* object indices */
	uint32_t kernel_size, initramfs_size;	/* bytes mapped into the VMM */
	uint32_t flags;				/* SPEC_VM_* */
	/*
	 * A VM that owns VFs (docs/pcimgr.md, "VFs for VMs"): its RAM frames are in the
	 * shared pool, so instance 0 can map them into the VFs' IOSpaces; `handover` is
	 * a pool page instance 0's root task fills (struct spec_handover) before it
	 * signals the VM's core; `devices` the notification the VMM waits on (cap
	 * "devices" in its CNode); `devinfo` the page the VMM finds at
	 * COMPONENT_VM_DEVICES_VA. All SPEC_NONE for a VM without VFs. In a VM of
	 * several cores these are vCPU 0's: its core receives the VFs.
	 */
	uint32_t nvfs;
	uint32_t handover, devices, devinfo;	/* object indices */
	/*
	 * A VM of several cores (docs/vmm.md, "VMs of several cores"): vCPU k runs on
	 * cores[k] in its own VMM with its own VCPU and guest space over the same pool
	 * RAM frames (maps [first_map, +nmaps) of cpu[k]); `wake` is that core's
	 * cross-core notification, bound to the VMM's TCB. cpu[0] repeats vmm, vcpu,
	 * gspace, first_map and nmaps above. `state`: the first of VM_STATE_SHARED_PAGES
	 * pool frames every VMM of the VM maps (SPEC_NONE for a VM of one core).
	 */
	uint32_t state;
	struct spec_vm_cpu {
		uint32_t vmm, vcpu, gspace, first_map, nmaps, wake;
	} cpu[SPEC_VM_MAX_CPUS];
};
#define SPEC_VM_CONSOLE 1u	/* the guest's serial output goes to the host console */
#define SPEC_VM_CONSOLE_INPUT 2u	/* and what is typed on the host console reaches its UART */
#define SPEC_NONE 0xFFFFFFFFu

/* Where a VMM finds its VM (all in its own address space, above the shared regions). */
#define COMPONENT_VM_RAM_VA 0x20000000000ull		/* the guest's RAM, read-write */
#define COMPONENT_VM_KERNEL_VA 0x30000000000ull		/* the bzImage, read-only */
#define COMPONENT_VM_INITRAMFS_VA 0x38000000000ull	/* the initramfs, read-only */

/*
 * A device and who owns it. Until the IOMMU work (issue #6) the root task hands
 * nothing out for it; `atoll reach` assumes a device can DMA into exactly the
 * memory its owner maps, which is what its IOSpace will hold.
 */
#define SPEC_VF_MAX_VECTORS 4
struct spec_device {
	uint32_t name;
	uint32_t owner;		/* component index, SPEC_VM_OWNER | VM index, or SPEC_NO_OWNER */
	uint8_t kind;		/* SPEC_DEV_* */
	uint8_t bus, dev, fn;	/* SPEC_DEV_PCI found by address */
	uint16_t vendor, device;	/* SPEC_DEV_PCI found by id (SPEC_DEV_BY_ID) */
	uint16_t vf_index;	/* SPEC_DEV_VF: which VF of device `pf` */
	uint16_t flags;
	uint32_t pf;
	uint32_t sriov_vfs;	/* a PF: how many VFs to enable */
	/* A PF with VFs: the notification (cap "<pf>.online" of its owner) it signals when they are online. */
	uint32_t online;	/* object index, SPEC_NONE */
	/* A VF owned by a VM: */
	uint8_t vm_slot;	/* which of its VM's VFs it is (0..SPEC_VM_MAX_VFS - 1) */
	uint8_t nvectors;	/* MSI-X vectors it gets, on the VM's core */
	uint8_t vectors[SPEC_VF_MAX_VECTORS];	/* in that core's MSI range 0xD0-0xEF */
	uint8_t pad[2];
	uint64_t gpa;		/* its BAR window in guest-physical space (SPEC_VF_WINDOW bytes) */
};
#define SPEC_NO_OWNER 0xFFFFFFFFu
#define SPEC_VF_VECTORS 2		/* vectors the compiler gives every VF */
#define SPEC_VM_MAX_VFS 4
#define SPEC_VM_PCI_HOLE 0xC0000000ull	/* VF BAR windows from here; a VM's RAM ends below */
#define SPEC_VF_WINDOW 0x200000ull	/* per VF: its BARs, each aligned to its size */
#define SPEC_DEV_PCI 1
#define SPEC_DEV_VF 2
#define SPEC_DEV_PLATFORM 3
#define SPEC_DEV_BY_ID 1u

/*
 * The page a component finds at COMPONENT_INFO_VA (its address arrives in rdi):
 * its name and, per capability, the channel it stands for.
 */
#define COMPONENT_INFO_MAGIC 0x4F464E49504D4F43ull	/* "COMPINFO" */
#define COMPONENT_INFO_VA 0x7FFFFFFFE000ull
#define COMPONENT_IPC_BUFFER_VA 0x7FFFFFFFF000ull
#define COMPONENT_HEAP_VA 0x10000000ull
#define COMPONENT_SHARED_VA 0x100000000ull	/* shared regions, in channel order, */
#define COMPONENT_SHARED_END 0x10000000000ull	/* up to here */
#define COMPONENT_CNODE_RADIX 6
#define COMPONENT_CONSOLE_SLOT 63	/* a VMM whose VM takes the console input: the console cap */
#define COMPONENT_MAX_CAPS 32

struct component_cap_info {
	char name[33];		/* channel */
	uint8_t type;		/* OBJ_ENDPOINT, OBJ_NOTIFICATION, OBJ_XSIGNAL, OBJ_FRAME_4K (shared) */
	uint8_t role;		/* SPEC_ROLE_* */
	uint8_t rights;
	uint32_t slot;		/* 0 for a shared region: it has no cap, only a mapping */
	uint32_t pad;
	uint64_t va, size;	/* shared regions */
};

/*
 * A PCI device the component owns (docs/pcimgr.md): its root task gives it a PCI
 * cap over the device's functions (a PF and its VFs) and an IOSpace the device
 * is assigned to, in which the component's heap is mapped at IOVA = VA.
 */
struct component_device_info {
	char name[33];
	uint8_t pad[3];
	uint16_t bdf;		/* the function (a PF) */
	uint16_t nfuncs;	/* the PCI cap covers bdf .. bdf + nfuncs - 1 */
	uint32_t sriov_vfs;	/* VFs the description asks for (0: none) */
	uint32_t pci_slot;
	uint32_t iospace_slot;
};
#define COMPONENT_MAX_DEVICES 8
/* Where a device owner maps configuration pages and BAR frames: page tables are there. */
#define COMPONENT_DEVICE_VA 0x8000000000ull
#define COMPONENT_DEVICE_SIZE 0x200000ull
/* For a VMM: the VM it runs (vcpu and gspace are slots of its CNode; sizes in bytes). */
struct component_vm_info {
	char name[33];
	uint8_t pad[3];
	uint32_t vcpu, gspace;
	uint32_t console;		/* 1: show the guest's serial output; 0: drop it */
	uint32_t console_input;		/* the slot of a console cap (CAP_READ) to read input from; 0: none */
	uint64_t ram_va, ram_size;
	uint64_t kernel_va, kernel_size;
	uint64_t initramfs_va, initramfs_size;
	char cmdline[1025];
	uint8_t pad3[3];
	/* VFs (0: none): their state and parts are on the devices page, ready once "devices" says so. */
	uint32_t nvfs;
	uint32_t devices;		/* slot: notification, bit VM_DEV_READY and the VFs' MSIs */
	uint64_t devices_va;		/* COMPONENT_VM_DEVICES_VA: struct vm_devices_info, read-only */
	/*
	 * vCPU `cpu` of `ncpus` (ncpus 1: a VM of one core, the rest 0). Several: the VM's
	 * state is at state_va (VM_STATE_SHARED_OFFSET private bytes, then the pages all
	 * its VMMs share); `wake` (slot) is bound to this TCB and hears the other vCPUs'
	 * kicks; kick[j] (slot) signals vCPU j's core, 0 for this one.
	 */
	uint32_t cpu, ncpus;
	uint32_t wake;
	uint32_t kick[SPEC_VM_MAX_CPUS];
	uint32_t pad4;
	uint64_t state_va;
};
#define COMPONENT_VM_STATE_VA 0x50000000000ull
#define VM_STATE_SHARED_OFFSET 0x2000u	/* private bytes of a VMM's state before the shared ones */
#define VM_STATE_SHARED_PAGES 6

/*
 * A VMM's VFs (docs/vmm.md, "Passed-through VFs"). The root task of the VM's core
 * fills the page at COMPONENT_VM_DEVICES_VA and then signals "devices" with bit
 * VM_DEV_READY; until then `state` is VM_DEV_PENDING and the VMM must not start the
 * guest. Per VF j:
 *  - its configuration page, read-write, at config_va = COMPONENT_VM_VF_CONFIG_VA(j);
 *  - its BARs in a window of SPEC_VF_WINDOW bytes, each BAR at bar[i].offset in it,
 *    mapped read-write both into the VMM at window_va = COMPONENT_VM_VF_VA(j) and into
 *    the guest at window_gpa (the compiler's, from SPEC_VM_PCI_HOLE up), except the
 *    pages that hold any of the MSI-X table or PBA: those are in the VMM only, and a
 *    guest access there is a VMEXIT_GPA_FAULT for the VMM to emulate;
 *  - per vector v: an MSI handler cap (handler_slot, for IRQ_HANDLER_ACK) bound to
 *    "devices" with badge bit VM_DEV_MSI_BIT(j, v) (in a VM of several vCPUs to
 *    vCPU 0's "wake" instead, bound to its thread), and the address and data to write
 *    into the VF's real MSI-X table entry (an interrupt-remapping handle instance 0
 *    made for this VF, this core and this vector).
 * The VF's IOSpace is instance 0's: it holds exactly the VM's RAM at IOVA = GPA.
 * While the VCPU runs, a signal of "devices" (bound to the VMM's TCB) makes
 * VCPU_RUN return VMEXIT_NOTIFY with the word in info1 (docs/vcpu.md). In a VM of
 * several vCPUs only vCPU 0's VMM has the page, the caps and the mappings; the
 * others have devices_va 0 and ask it for what touches the VF (user/vmm/vf.c).
 */
#define COMPONENT_VM_DEVICES_VA 0x40000000000ull
#define COMPONENT_VM_VF_CONFIG_VA(j) (COMPONENT_VM_DEVICES_VA + 0x1000ull * (1 + (j)))
#define COMPONENT_VM_VF_VA(j) (COMPONENT_VM_DEVICES_VA + SPEC_VF_WINDOW * (1 + (j)))
#define VM_DEVICES_MAGIC 0x5345434956454456ull	/* "VDEVICES" */
#define VM_DEV_READY 0				/* bit: the devices page is final */
/* Above the bits cross-core signals set (one per instance, 16 at most): a VM of several vCPUs hears both on one word. */
#define VM_DEV_MSI_BIT(j, v) (16 + (j) * SPEC_VF_MAX_VECTORS + (v))
#define VM_DEV_PENDING 0
#define VM_DEV_OK 1
#define VM_DEV_FAILED 2

struct vm_vf_bar {
	uint64_t size;			/* 0: no memory BAR here (or the upper half of a 64-bit one) */
	uint64_t offset;		/* in the VF's window, aligned to size */
	uint64_t hpa;			/* host-physical, for the log */
	uint32_t is64, prefetch;	/* what the guest's emulated BAR says */
};

struct vm_vf_vector {
	uint32_t vector;		/* on this core */
	uint32_t handler_slot;
	uint64_t address;		/* to write into the VF's MSI-X entry */
	uint32_t data;
	uint32_t bit;			/* VM_DEV_MSI_BIT(j, v) */
};

struct vm_vf_info {
	char name[33];			/* the device's name in the description */
	uint8_t state;			/* VM_DEV_* */
	uint16_t bdf;			/* host routing id */
	uint16_t pf_bdf, vf_number;
	uint16_t vendor, device;	/* the VF's (device id from the PF's SR-IOV capability) */
	uint64_t config_va;
	uint64_t window_va, window_gpa;
	struct vm_vf_bar bar[6];
	uint32_t msix_cap;		/* offset of the MSI-X capability in config space, 0: none */
	uint32_t msix_entries;		/* its table size */
	uint32_t msix_table_bar, msix_table_offset;
	uint32_t msix_pba_bar, msix_pba_offset;
	uint32_t nvectors;
	uint32_t pad;
	struct vm_vf_vector vectors[SPEC_VF_MAX_VECTORS];
};

struct vm_devices_info {
	uint64_t magic;
	uint32_t state;			/* VM_DEV_*: VM_DEV_OK only if every VF is */
	uint32_t nvfs;
	char why[96];			/* VM_DEV_FAILED: what went wrong */
	struct vm_vf_info vf[SPEC_VM_MAX_VFS];
	/*
	 * TEST ONLY, filled only when the VM's command line has `atoll.vf_dma_test`
	 * (docs/iommu.md, "Tests"): another VM's name, its RAM size and the host-physical
	 * address of its RAM frame at guest-physical 0 (pool base + the frame's pool
	 * offset), the target of the VMM's DMA attack through its VF. Knowing it grants
	 * nothing; it only tells the test where to aim.
	 */
	char test_peer[33];
	uint8_t test_pad[7];
	uint64_t test_peer_hpa, test_peer_size;
};
_Static_assert(sizeof(struct vm_devices_info) <= 4096, "the devices page is one page");

/*
 * The pool page instance 0's root task writes for a VM with VFs (spec_vm.handover)
 * before it signals the VM's core: per VF (in vm_slot order), whether it came
 * online, its routing id and the remappable MSI address and data of each vector.
 * Two phases, so that no VF BAR is sized while a guest may use a VF: the VM's
 * core maps its VFs and sets `mapped`; once every VM's core has, instance 0 sets
 * `go` and signals again, and only then does the VM's core tell its VMM.
 * When the VMM ends, the VM's core sets `stopped` and signals core 0, which
 * takes the VFs back (docs/pcimgr.md, "VFs for VMs", step 8).
 */
#define SPEC_HANDOVER_MAGIC 0x5245564F444E4148ull	/* "HANDOVER" */
struct spec_handover {
	uint64_t magic;
	uint32_t state;			/* VM_DEV_* */
	uint32_t nvfs;
	uint32_t mapped;		/* written by the VM's core: its VFs are mapped */
	uint32_t go;			/* written by instance 0: every VM's core has mapped */
	char why[96];
	struct {
		uint32_t state;
		uint16_t bdf, pf_bdf;
		uint16_t vf_number, nvectors;
		uint32_t data[SPEC_VF_MAX_VECTORS];
		uint64_t address[SPEC_VF_MAX_VECTORS];
	} vf[SPEC_VM_MAX_VFS];
	/*
	 * Written by the VM's core when its VMM has ended (then it signals core 0),
	 * never by instance 0, which writes the page only up to here: instance 0
	 * then deletes the VFs' IOSpaces, so they reach nothing and raise nothing.
	 */
	uint32_t stopped;
};

struct component_info {
	uint64_t magic;
	char name[33];
	uint8_t pad[3];
	uint32_t core;
	uint32_t ncaps;
	uint64_t heap_va, heap_size;
	struct component_cap_info caps[COMPONENT_MAX_CAPS];
	/* Device owners only (ndevices > 0): their own CNode and VSpace, and the first free slot. */
	uint32_t ndevices;
	uint32_t cnode_slot, vspace_slot, free_slot;
	struct component_device_info devices[COMPONENT_MAX_DEVICES];
	struct component_vm_info vm;	/* a VMM's VM; all zero for other components */
};
_Static_assert(sizeof(struct component_info) <= 4096, "the info page is one page");

/* FNV-1a over the blob, 32 bits; the header's checksum field counts as 0. */
static inline uint32_t spec_checksum(const uint8_t *blob, uint64_t size)
{
	uint32_t h = 2166136261u;
	const uint64_t sum_at = __builtin_offsetof(struct spec_header, checksum);

	for (uint64_t i = 0; i < size; i++) {
		uint8_t b = i >= sum_at && i < sum_at + 4 ? 0 : blob[i];
		h = (h ^ b) * 16777619u;
	}
	return h;
}

#endif
