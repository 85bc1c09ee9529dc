/* The PCI capability: a range of functions whose configuration space and BARs a driver may have. */
#ifndef CORE_PCI_H
#define CORE_PCI_H

#include "core/cap.h"
#include "core/pci_cfg.h"

/*
 * The physical address of bdf's 4 KiB ECAM page in segment 0, or 0 if no MCFG
 * window covers its bus.
 */
paddr_t pci_ecam_pa(uint16_t bdf);

/* The function's configuration space as the kernel maps it (instance 0 only), or NULL. */
volatile uint8_t *pci_cfg(uint16_t bdf);

/* True if pci's range holds bdf. */
bool pci_covers(const struct cap *pci, uint64_t bdf);

/*
 * Whether pci is a PCI cap with the Write right that covers bdf, and a function
 * answers there: E_WRONGTYPE, E_RIGHTS, E_RANGE or E_NOENT otherwise.
 */
MUST_CHECK err_t pci_decode_function(const struct cte *pci, uint64_t bdf);

/*
 * PCI_GET_CONFIG: a 4 KiB device frame over bdf's ECAM page into the empty slot
 * dest. E_RANGE: bdf outside the cap; E_UNSUPP: no ECAM for its bus; E_NOENT:
 * no function there; E_NOTEMPTY: dest is full.
 */
MUST_CHECK err_t pci_decode_get_config(const struct cte *pci, uint64_t bdf, const struct cte *dest);
void pci_invoke_get_config(struct cte *pci, uint16_t bdf, struct cte *dest);

/* What PCI_GET_BAR hands out: device untyped over [base, base + 2^bits). */
struct pci_bar_grant {
	paddr_t base;
	unsigned bits;
};

/*
 * PCI_GET_BAR: sizes memory BAR bar of bdf (decoding off meanwhile) and makes
 * device untyped over it in the empty slot dest. Errors as above, and E_RANGE
 * for a BAR index the header does not have; E_UNSUPP for an I/O BAR; E_NOENT
 * for an unimplemented or unassigned one; E_ALIGN for one smaller than a page;
 * E_OVERLAP if it overlaps RAM or anything the kernel maps (a driver may have
 * moved it there through the configuration frame).
 */
MUST_CHECK err_t pci_decode_get_bar(const struct cte *pci, uint64_t bdf, uint64_t bar,
				    const struct cte *dest, struct pci_bar_grant *out);
void pci_invoke_get_bar(struct cte *pci, const struct pci_bar_grant *g, struct cte *dest);

/*
 * PCI_GET_VF_BAR: VF BAR bar of the PF at pf (its SR-IOV capability's, sized
 * with VF MSE off meanwhile), and device untyped over VF n's part of it in the
 * empty slot dest. The cap must cover the PF and VF n. E_UNSUPP: no SR-IOV
 * capability (or no ECAM); E_NOENT: VFs not enabled, or the BAR not implemented
 * or unassigned; E_RANGE: n beyond NumVFs, VF n or the PF not covered, bar > 5;
 * otherwise the errors of PCI_GET_BAR, the overlap check on VF n's part.
 */
MUST_CHECK err_t pci_decode_get_vf_bar(const struct cte *pci, uint64_t pf, uint64_t n, uint64_t bar,
				       const struct cte *dest, struct pci_bar_grant *out);

/*
 * PCI_NARROW: a PCI cap over functions [first, first + count), a part of pci's
 * range, into the empty slot dest, as a child of pci (revoking pci takes it).
 * E_RANGE: not a non-empty part of pci's range; E_NOTEMPTY: dest is full.
 */
MUST_CHECK err_t pci_decode_narrow(const struct cte *pci, uint64_t first, uint64_t count,
				   const struct cte *dest);
void pci_invoke_narrow(struct cte *pci, uint16_t first, uint32_t count, struct cte *dest);

#endif
