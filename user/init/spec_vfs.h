/* Handing SR-IOV VFs to the VMs that own them, across cores (user/init/spec_vfs.c). */
#ifndef USER_INIT_SPEC_VFS_H
#define USER_INIT_SPEC_VFS_H

#include "abi/bootinfo.h"
#include "abi/spec.h"

#define VFS_MAX_DEVICES 64

/* A root task's part in the hand-over (docs/pcimgr.md, "VFs for VMs"). */
struct vfs {
	const struct bootinfo *bi;
	const uint8_t *blob;
	uint32_t *slot;		/* per object: our cap to it (pool frames included) */
	uint32_t *next;		/* our next free slot */
	uint32_t two_level;	/* our guardless CNode: reaches into components' CNodes */
	bool active;		/* this core has VFs to hand over or to receive */
	bool done;		/* and has finished with them (the PCI cap is dropped) */
	uint32_t iospace[VFS_MAX_DEVICES];	/* instance 0: per VF, our IOSpace cap */
	uint8_t state[VFS_MAX_DEVICES];		/* per VF: VM_DEV_PENDING, _OK or _FAILED */
	char why[VFS_MAX_DEVICES][96];		/* instance 0: why it failed */
	uint64_t address[VFS_MAX_DEVICES][SPEC_VF_MAX_VECTORS];	/* instance 0: routed MSIs */
	uint32_t data[VFS_MAX_DEVICES][SPEC_VF_MAX_VECTORS];
	uint16_t rid[VFS_MAX_DEVICES], pf_bdf[VFS_MAX_DEVICES];	/* instance 0: the VF, its PF */
	uint32_t handler[VFS_MAX_DEVICES][SPEC_VF_MAX_VECTORS];	/* instance k: slots in the VMM's CNode */
	uint8_t vm_done[VFS_MAX_DEVICES];	/* per VM: handed over (signalled) */
	uint32_t ready[VFS_MAX_DEVICES];	/* instance k: per VM, our badged cap to "devices" */
	uint8_t out[VFS_MAX_DEVICES];	/* per VM: instance 0: its VFs are out, awaiting its end; k: VMM runs */
	unsigned nout;			/* VMs with out[] set */
};

/* True if this core hands VFs over (instance 0) or receives them for a VM of its own. */
bool spec_vfs_needed(struct vfs *v);

/*
 * After the blob's objects and the pool's frames are made: instance 0 makes each
 * VF's IOSpace with its VM's RAM at IOVA = guest-physical and listens for its
 * PF's driver; a VM's core listens for instance 0. Prints why on failure.
 */
long spec_vfs_boot(struct vfs *v);

/*
 * For component index, once its mappings are in place and before it runs: a
 * VMM whose VM has VFs gets its MSI handler caps (the description's vectors,
 * claimed here) and its notification bound to its thread; the page tables for
 * the VFs' windows are made. E_OK for any other component.
 */
long spec_vfs_vmm(struct vfs *v, uint32_t index);

/* True while the hand-over is not finished: the root task keeps its PCI cap. */
bool spec_vfs_pending(const struct vfs *v);

/* True if object i (a pool frame) is still needed by the hand-over. */
bool spec_vfs_keeps(const struct vfs *v, uint32_t i);

/* The word of our bound notification: a PF's VFs are online, or instance 0 has handed over. */
void spec_vfs_signalled(struct vfs *v, uint64_t word);

/*
 * Instance 0's own set-up failed (why, a few words) before the PFs' drivers could
 * bring their VFs online: every VF still pending is failed, naming its PF (and
 * saying if the PF is not on the bus), and its VM's core is told. Needs the pool
 * frames made; does nothing on other instances.
 */
void spec_vfs_abandon(struct vfs *v, const char *why);

/* Instance 0: true while VFs are out with VMs that have not ended (the root task keeps listening). */
bool spec_vfs_listening(const struct vfs *v);

/*
 * A VM's core: component index (exited or faulted) is the VMM of a VM with VFs:
 * the hand-over page says so and core 0 is signalled, to take the VFs back.
 */
void spec_vfs_vmm_stopped(struct vfs *v, uint32_t index);

/* Component index exited (status, ~0 for a fault): a PF it drove without its VFs online fails them. */
void spec_vfs_exited(struct vfs *v, uint32_t index, uint64_t status);

#endif
