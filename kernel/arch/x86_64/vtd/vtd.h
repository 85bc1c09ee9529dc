/* VT-d registers and table formats (Intel VT-d 4.1, chapters 9 and 11). */
#ifndef ARCH_VTD_H
#define ARCH_VTD_H

#include "types.h"

/* 11.4: register offsets. */
#define VTD_VER 0x00
#define VTD_CAP 0x08
#define VTD_ECAP 0x10
#define VTD_GCMD 0x18
#define VTD_GSTS 0x1C
#define VTD_RTADDR 0x20
#define VTD_CCMD 0x28
#define VTD_FSTS 0x34
#define VTD_FECTL 0x38
#define VTD_FEDATA 0x3C
#define VTD_FEADDR 0x40
#define VTD_FEUADDR 0x44
#define VTD_PMEN 0x64
#define VTD_IQT 0x88
#define VTD_IQA 0x90
#define VTD_IRTA 0xB8

/* 11.4.2: capability register. */
#define CAP_RWBF (1ull << 4)		/* write-buffer flush needed */
#define CAP_PLMR (1ull << 5)
#define CAP_PHMR (1ull << 6)
#define CAP_CM (1ull << 7)		/* caching mode: not-present entries may be cached */
#define CAP_SAGAW(c) (((c) >> 8) & 0x1F)	/* bit 1: 39-bit 3-level, bit 2: 48-bit 4-level */
#define CAP_FRO(c) ((unsigned)(((c) >> 24) & 0x3FF) * 16)	/* fault recording registers */
#define CAP_SLLPS_2M (1ull << 34)
#define CAP_NFR(c) ((unsigned)(((c) >> 40) & 0xFF) + 1)
#define CAP_DWD (1ull << 54)
#define CAP_DRD (1ull << 55)

/* 11.4.3: extended capability register. */
#define ECAP_C (1ull << 0)		/* page walks snoop the CPU caches */
#define ECAP_QI (1ull << 1)		/* queued invalidation */
#define ECAP_IR (1ull << 3)		/* interrupt remapping */
#define ECAP_IRO(e) ((unsigned)(((e) >> 8) & 0x3FF) * 16)	/* IOTLB registers */

/* 11.4.4/11.4.5: global command and status share bit positions. */
#define GCMD_TE (1u << 31)
#define GCMD_SRTP (1u << 30)
#define GCMD_WBF (1u << 27)
#define GCMD_QIE (1u << 26)
#define GCMD_IRE (1u << 25)
#define GCMD_SIRTP (1u << 24)
#define GCMD_CFI (1u << 23)	/* GSTS.CFIS: compatibility-format interrupts pass */
#define GSTS_ONE_SHOT 0x96FFFFFFu	/* status bits to keep when writing a command */

/* 11.4.7: context command register. */
#define CCMD_ICC (1ull << 63)
#define CCMD_GLOBAL (1ull << 61)
#define CCMD_DEVICE (3ull << 61)
#define CCMD_SID(bdf) ((uint64_t)(bdf) << 16)
#define CCMD_DID(d) ((uint64_t)(d))

/* 11.4.8.1: IOTLB invalidate register (at ECAP.IRO + 8). */
#define IOTLB_IVT (1ull << 63)
#define IOTLB_GLOBAL (1ull << 60)
#define IOTLB_DOMAIN (2ull << 60)
#define IOTLB_DR (1ull << 49)
#define IOTLB_DW (1ull << 48)
#define IOTLB_DID(d) ((uint64_t)(d) << 32)

/* 11.4.9: fault status, fault event control. */
#define FSTS_PFO (1u << 0)
#define FSTS_IQE (1u << 4)		/* invalidation queue error */
#define FSTS_PPF (1u << 1)
#define FSTS_FRI(s) (((s) >> 8) & 0xFF)
#define FECTL_IM (1u << 31)

/* 11.4.11: a fault recording register is 128 bits; these are bits of its upper half. */
#define FRCD_F (1ull << 63)
#define FRCD_T_READ (1ull << 62)	/* 1: read request, 0: write request */
#define FRCD_REASON(h) ((uint8_t)((h) >> 32))
#define FRCD_SID(h) ((uint16_t)(h))
#define FR_INTERRUPT 0x20		/* reasons from 0x20 on are interrupt-remapping faults (7.1.3) */

/* 6.5.2: invalidation descriptors (128-bit), low half. */
#define QI_CC 0x1ull
#define QI_CC_GLOBAL (1ull << 4)
#define QI_CC_DEVICE (3ull << 4)
#define QI_CC_DID(d) ((uint64_t)(d) << 16)
#define QI_CC_SID(s) ((uint64_t)(s) << 32)
#define QI_IOTLB 0x2ull
#define QI_IOTLB_GLOBAL (1ull << 4)
#define QI_IOTLB_DOMAIN (2ull << 4)
#define QI_IOTLB_DR (1ull << 7)
#define QI_IOTLB_DW (1ull << 6)
#define QI_IOTLB_DID(d) ((uint64_t)(d) << 16)
#define QI_IEC 0x4ull
#define QI_IEC_INDEX (1ull << 4)	/* index-selective, else global */
#define QI_IEC_IIDX(i) ((uint64_t)(i) << 32)
#define QI_WAIT 0x5ull
#define QI_WAIT_SW (1ull << 5)		/* write the status data to the status address */
#define QI_WAIT_DATA(d) ((uint64_t)(d) << 32)

/* 9.10: interrupt remapping table entries (xAPIC mode). */
#define IRTE_P (1ull << 0)
#define IRTE_TM_LEVEL (1ull << 4)
#define IRTE_VECTOR(v) ((uint64_t)(v) << 16)
#define IRTE_DEST_XAPIC(id) ((uint64_t)((id) & 0xFF) << 40)
#define IRTE_SVT_SID (1ull << 18)	/* high half: verify the requester id in bits 15:0 */
#define IRT_SIZE_FIELD 7		/* IRTA.S: 2^(7 + 1) = 256 entries, one page */

/* Pages of the boot-time table block after the root and context tables (iommu.h). */
#define VTD_PAGE_IRT 257
#define VTD_PAGE_STATUS 258		/* one invalidation-wait status word per unit */
#define VTD_PAGE_QUEUE 259		/* one invalidation queue per unit, 256 descriptors each */

/* 9.1, 9.3: root and context entries, 128 bits each. */
#define RE_P (1ull << 0)
#define CE_P (1ull << 0)
#define CE_FPD (1ull << 1)		/* fault processing disable: kept 0, every fault is recorded */
#define CE_TT_UNTRANSLATED (0ull << 2)	/* only untranslated requests, through second-level tables */
#define CE_AW(levels) ((uint64_t)((levels) - 2))	/* high half: 1 = 3-level, 2 = 4-level */
#define CE_DID(d) ((uint64_t)(d) << 8)

/* 9.8: second-level paging entries. */
#define SL_R (1ull << 0)
#define SL_W (1ull << 1)
#define SL_PS (1ull << 7)
#define SL_ADDR 0x000FFFFFFFFFF000ull

/* The tables the boot phase set aside (iommu.h): page 0 is the root table, page 1 + bus that bus's context table. */
struct vtd_entry {
	uint64_t lo;
	uint64_t hi;
};

/* Keeps a table update visible to a unit whose page walks do not snoop the caches. */
void vtd_sync(const void *p, size_t len);
/* Invalidates the interrupt entry cache (one index, or all) on every unit, waiting for each. */
void vtd_flush_iec(int index);
/* True once interrupt remapping is on. */
bool vtd_intremap(void);
/* Invalidates context caches (global, or one device) on every unit, waiting for each. */
void vtd_flush_context(uint16_t bdf, uint16_t domain, bool global);
/* True if every unit takes 2 MiB second-level pages (CAP.SLLPS bit 0). */
bool vtd_large_pages(void);
/* The table memory: the root table, then one context table per bus. */
struct vtd_entry *vtd_root_table(void);
struct vtd_entry *vtd_context_table(unsigned bus);

#endif
