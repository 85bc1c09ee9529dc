/* The system description: what the operator wrote, as checked structures. */
#ifndef TOOLS_DESC_H
#define TOOLS_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DESC_VERSION 1
#define NAME_MAX_LEN 32
#define MAX_CORES 16		/* the kernel's instance limit */
#define MAX_COMPONENTS 64
#define MAX_VMS 16
#define VMM_MEMORY (512ull << 10)	/* a VM's VMM: image, stack, info page, IPC buffer, heap */
#define MAX_DEVICES 64
#define MAX_CHANNELS 128
#define MAX_REFS 8		/* devices per owner, cores per VM */
#define PATH_LEN 256
#define CMDLINE_MAX 1024

struct loc {
	int line;
	int col;
};

struct name_ref {
	char name[NAME_MAX_LEN + 1];
	struct loc loc;
};

struct range {
	uint64_t base;
	uint64_t size;
	struct loc loc;
	bool set;
};

struct component {
	char name[NAME_MAX_LEN + 1];
	struct loc loc;
	unsigned core;
	struct loc core_loc;
	char image[PATH_LEN];
	struct loc image_loc;
	unsigned priority;
	uint64_t stack;
	struct loc stack_loc;
	uint64_t memory;
	struct loc memory_loc;
	struct range fixed;
	bool trusted;
	unsigned ndevices;
	struct name_ref devices[MAX_REFS];
};

struct vm {
	char name[NAME_MAX_LEN + 1];
	struct loc loc;
	unsigned ncores;
	unsigned cores[MAX_REFS];
	struct loc core_locs[MAX_REFS];
	uint64_t memory;
	struct loc memory_loc;
	struct range fixed;
	char kernel[PATH_LEN];
	struct loc kernel_loc;
	char initramfs[PATH_LEN];
	struct loc initramfs_loc;
	char cmdline[CMDLINE_MAX + 1];
	char vmm[PATH_LEN];		/* the VMM image; empty: the one built beside the tool */
	struct loc vmm_loc;
	char console[16];	/* serial, none or input */
	struct loc console_loc;
	unsigned ndevices;
	struct name_ref devices[MAX_REFS];
};

enum device_kind { DEV_PCI, DEV_VF, DEV_PLATFORM };

struct device {
	char name[NAME_MAX_LEN + 1];
	struct loc loc;
	enum device_kind kind;
	/* DEV_PCI: bus:dev.fn or vendor:device */
	bool by_bdf;
	unsigned bus, dev, fn;
	unsigned vendor, device;
	unsigned sriov_vfs;	/* 0: no SR-IOV */
	/* DEV_VF: parent PF and index */
	struct name_ref pf;
	unsigned vf_index;
	struct loc vf_loc;
	/* DEV_PLATFORM and PCI extras */
	struct range mmio;
	unsigned nirqs;
	unsigned irqs[MAX_REFS];
	unsigned io_base, io_count;
	/* filled by the checker: who was given it */
	int owner_kind;		/* 0 none, 1 component, 2 vm */
	int owner;
	struct loc owner_loc;
};

enum channel_type { CH_UNKNOWN, CH_ENDPOINT, CH_NOTIFICATION, CH_SHARED };

struct channel {
	char name[NAME_MAX_LEN + 1];
	struct loc loc;
	enum channel_type type;
	struct name_ref from, to;
	bool cross_core;
	uint64_t size;
	struct loc size_loc;
	char from_rights[4], to_rights[4];
	struct loc rights_loc;
};

enum virt { VIRT_NONE, VIRT_SVM, VIRT_VMX };

struct system {
	const char *file;
	bool parsed;		/* the YAML itself was readable */
	unsigned cores;
	struct loc cores_loc;
	uint64_t memory;
	struct loc memory_loc;
	enum virt virt;
	struct loc virt_loc;
	uint64_t kernel_per_core;
	unsigned ncomponents;
	struct component components[MAX_COMPONENTS];
	unsigned nvms;
	struct vm vms[MAX_VMS];
	unsigned ndevices;
	struct device devices[MAX_DEVICES];
	unsigned nchannels;
	struct channel channels[MAX_CHANNELS];
};

struct diag;

/* Parses FILE into *sys, reporting every problem to d; false if it could not be read. */
bool desc_load(const char *file, struct system *sys, struct diag *d);

/* The same for a description in memory (the fuzz target's entry); name is used in errors. */
void desc_load_buffer(const char *name, const void *data, size_t len, struct system *sys,
		      struct diag *d);

/* Applies the semantic rules (docs/system-description.md) to a loaded description. */
void desc_check(struct system *sys, struct diag *d);

#endif
