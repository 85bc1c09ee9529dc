/* The guest's PCI bus 0: configuration mechanism #1, a host bridge and passed-through functions (pure logic). */
#ifndef VMM_PCI_H
#define VMM_PCI_H

#include "core/pci_cfg.h"

#define VPCI_SLOTS 4		/* devices 0..3 on bus 0; the others read as absent */
#define VPCI_MSIX_MAX 64	/* MSI-X table entries a passed-through function may have */
#define VPCI_BARS 6

/* Configuration mechanism #1 (PCI 3.0 3.2.2.3.2): the address port and the 4 data ports. */
#define VPCI_ADDR_PORT 0xCF8
#define VPCI_DATA_PORT 0xCFC
#define VPCI_ADDR_ENABLE (1u << 31)

/*
 * The host bridge at 00:00.0 says it is an Intel 82441FX (440FX PMC, 8086:1237): a
 * host bridge Linux knows and has no MMCONFIG probe for, so it reads nothing more
 * of it than the header. It has no BARs and no capabilities.
 */
#define VPCI_HOST_VENDOR 0x8086
#define VPCI_HOST_DEVICE 0x1237

/* One MSI-X table entry as the guest wrote it (PCI 3.0 6.8.2.6-9). */
struct vpci_msix {
	uint32_t w[4];		/* VPCI_MSIX_ADDR_LO, _ADDR_HI, _DATA, _CTRL (bit 0: masked) */
};
#define VPCI_MSIX_ADDR_LO 0
#define VPCI_MSIX_ADDR_HI 1
#define VPCI_MSIX_DATA 2
#define VPCI_MSIX_CTRL 3

/*
 * Where a message the guest programmed goes, as the local APICs take it (Intel SDM
 * vol. 3 11.11.1-2): the destination field (address bits 19:12) read as an APIC
 * id or, with DM (address bit 2) set, as a logical destination; fixed or lowest
 * priority (data bits 10:8); always an edge. Like KVM and QEMU, DM is honoured
 * whatever the redirection hint says.
 */
struct vpci_msi {
	uint8_t vector, dest;
	bool logical, lowest;
};

/* A memory BAR of a passed-through function: where the hand-over put it and how big it is. */
struct vpci_bar_desc {
	uint64_t gpa;		/* guest-physical address; a multiple of size */
	uint64_t size;		/* a power of two of at least 4 KiB; 0: no BAR here */
	bool is64, prefetchable;
};

/* What the VMM knows of a function it passes through (a VF). */
struct vpci_passthrough {
	uint16_t vendor, device;	/* a VF's own read 0xFFFF: these come from its PF */
	const uint8_t *cfg;		/* the real function's configuration header, 256 bytes */
	struct vpci_bar_desc bar[VPCI_BARS];	/* a 64-bit BAR takes the next index (size 0 there) */
	unsigned msix_max;	/* entries the guest may use (the physical vectors behind them); 0: all */
};

struct vpci_func {
	bool present;
	uint8_t cfg[PCI_CFG_SIZE];	/* what the guest reads */
	uint8_t wmask[PCI_CFG_SIZE];	/* the bits a guest write may change */
	uint64_t bar_size[VPCI_BARS];	/* 0: not implemented (or the upper half of a 64-bit BAR) */
	/* MSI-X: the capability's offset (0: none), the table and pending bits the guest sees. */
	unsigned msix_at, msix_n;
	unsigned table_bar, pba_bar;
	uint32_t table_off, pba_off;
	struct vpci_msix msix[VPCI_MSIX_MAX];
	uint64_t pending[VPCI_MSIX_MAX / 64];
	unsigned dropped;		/* messages that came while MSI-X was off */
};

struct vpci {
	uint32_t addr;			/* the value latched at 0xCF8 */
	struct vpci_func dev[VPCI_SLOTS];	/* function 0 of each device on bus 0 */
};

/* What a configuration write changed, for the VMM to carry over to the real device. */
#define VPCI_CHG_COMMAND (1u << 0)
#define VPCI_CHG_BAR (1u << 1)
#define VPCI_CHG_MSIX (1u << 2)	/* MSI-X enable or function mask */

/* Empties the bus and puts the host bridge at 00:00.0. */
void vpci_init(struct vpci *p);

/*
 * Puts a passed-through function at 00:slot.0 with a configuration space emulated
 * from the real one: vendor and device as given, revision, class and subsystem
 * from cfg, no interrupt pin (a VF has none), memory BARs at their guest addresses,
 * and a capability list holding only a copy of the real MSI-X capability (its
 * table cut to pt->msix_max entries, the ones with a vector behind them). Returns
 * E_INVAL for a slot that is taken or out of range, a BAR that is not a power of
 * two of at least 4 KiB or not aligned to its size, or an MSI-X capability whose
 * table or PBA lies outside its BAR; E_UNSUPP for a table larger than
 * VPCI_MSIX_MAX. Nothing is changed on failure.
 */
MUST_CHECK err_t vpci_add_passthrough(struct vpci *p, unsigned slot, const struct vpci_passthrough *pt);

/*
 * An I/O access of size 1, 2 or 4 at port (0xCF8-0xCFF): a dword at 0xCF8
 * latches the address, the data ports read and write the addressed register
 * bytes when the enable bit is set. Reads where nothing answers give all ones.
 * Returns false for a port that is not configuration mechanism #1's (0xCF9 is
 * the reset control register and a byte or word at 0xCF8 is not the address).
 * *changed gets the VPCI_CHG_ bits of a write, for the slot in the latched address.
 */
bool vpci_io(struct vpci *p, uint16_t port, unsigned size, bool write, uint32_t *value,
	     unsigned *changed);

/* The slot the latched address names on bus 0, or -1 (disabled, another bus or function). */
int vpci_addressed_slot(const struct vpci *p);

/*
 * Where the guest's BAR i of the function at slot decodes: its address if memory
 * decoding is on and the BAR is implemented, else 0 (also while the guest sizes it).
 */
uint64_t vpci_bar_address(const struct vpci *p, unsigned slot, unsigned i);

/* True if the guest enabled bus mastering for the function at slot. */
bool vpci_bus_master(const struct vpci *p, unsigned slot);

/* Where a memory access landed: an MSI-X table or PBA the VMM keeps, or elsewhere in a BAR. */
enum vpci_mmio_kind {
	VPCI_MMIO_NONE,		/* not in any BAR of a present function */
	VPCI_MMIO_DONE,		/* the table or PBA: emulated */
	VPCI_MMIO_FORWARD,	/* elsewhere in a BAR: the real device's register at bar, offset */
};

struct vpci_hit {
	unsigned slot, bar;
	uint64_t offset;
};

/*
 * A guest load or store of size 1, 2, 4 or 8 at gpa: inside an MSI-X table the
 * entry's words are read or written (a write to an entry's vector control keeps
 * only the mask bit), inside the PBA reads give the pending bits and writes are
 * dropped; a table access that is not a whole aligned dword or qword reads all
 * ones and is dropped (PCI 3.0 6.8.2). Elsewhere in a BAR the access is to be
 * forwarded to the real device (hit says where).
 */
enum vpci_mmio_kind vpci_mmio(struct vpci *p, uint64_t gpa, unsigned size, bool write,
			      uint64_t *value, struct vpci_hit *hit);

/*
 * The real function at slot raised MSI-X entry n. Returns the guest vector to
 * raise now, or -1: the entry (or the function) is masked and the message is
 * pending until unmasked, MSI-X is off (dropped and counted), or the guest's
 * address/data is not a fixed or lowest-priority message to the local APIC
 * range 0xFEExxxxx with a vector of 16 or more.
 */
int vpci_msix_fire(struct vpci *p, unsigned slot, unsigned n, struct vpci_msi *msg);

/*
 * A pending message whose entry the guest has since unmasked: clears its pending
 * bit and returns its vector (call until -1), as the function sends it then.
 */
int vpci_msix_take_pending(struct vpci *p, struct vpci_msi *msg);

/* The vector the guest's entry asks for, or -1 if it is not one a local APIC would take. */
int vpci_msix_vector(const struct vpci_msix *e);
/* vpci_msix_vector, and where the message goes into *msg (if not NULL) when it is one. */
int vpci_msix_message(const struct vpci_msix *e, struct vpci_msi *msg);

#endif
