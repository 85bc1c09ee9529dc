/* The VMCB and SVM constants (AMD APM vol. 2, appendix B "Layout of VMCB", appendix C exit codes). */
#ifndef ARCH_SVM_VMCB_H
#define ARCH_SVM_VMCB_H

#include "types.h"

#define MSR_VM_HSAVE_PA 0xC0010117u

/* Control area (APM vol. 2 table B-1). */
#define VMCB_INTERCEPT_CR 0x000		/* 16 bits reads, 16 bits writes */
#define VMCB_INTERCEPT_DR 0x004		/* 16 bits reads, 16 bits writes */
#define VMCB_INTERCEPT_EXC 0x008
#define VMCB_INTERCEPT_1 0x00C
#define VMCB_INTERCEPT_2 0x010
#define VMCB_IOPM_BASE 0x040
#define VMCB_MSRPM_BASE 0x048
#define VMCB_TSC_OFFSET 0x050
#define VMCB_ASID 0x058			/* 32 bits */
#define VMCB_TLB_CONTROL 0x05C		/* 8 bits */
#define VMCB_VINTR 0x060
#define VMCB_EXITCODE 0x070
#define VMCB_EXITINFO1 0x078
#define VMCB_EXITINFO2 0x080
#define VMCB_EXITINTINFO 0x088
#define VMCB_NP_CONTROL 0x090
#define VMCB_EVENTINJ 0x0A8
#define VMCB_N_CR3 0x0B0
#define VMCB_CLEAN 0x0C0

/* Intercept vector 1 (offset 0x00C) and 2 (0x010) bits. */
#define INT1_INTR (1u << 0)
#define INT1_NMI (1u << 1)
#define INT1_CPUID (1u << 18)
#define INT1_INVD (1u << 22)
#define INT1_HLT (1u << 24)
#define INT1_INVLPGA (1u << 26)
#define INT1_IOIO (1u << 27)
#define INT1_MSR (1u << 28)
#define INT1_SHUTDOWN (1u << 31)
#define INT2_VMRUN (1u << 0)
#define INT2_VMMCALL (1u << 1)
#define INT2_VMLOAD (1u << 2)
#define INT2_VMSAVE (1u << 3)
#define INT2_STGI (1u << 4)
#define INT2_CLGI (1u << 5)
#define INT2_SKINIT (1u << 6)
#define INT2_RDTSCP (1u << 7)
#define INT2_MONITOR (1u << 10)
#define INT2_MWAIT (1u << 11)
#define INT2_MWAIT_ARMED (1u << 12)
#define INT2_XSETBV (1u << 13)

/* VMCB_VINTR (APM vol. 2 table B-1, offset 0x60): the virtual interrupt controls. */
#define VINTR_IRQ (1ull << 8)		/* V_IRQ: a virtual interrupt is pending */
#define VINTR_PRIO_SHIFT 16		/* V_INTR_PRIO, 4 bits */
#define VINTR_IGN_TPR (1ull << 20)	/* deliver regardless of the guest's V_TPR */
#define VINTR_MASKING (1ull << 24)	/* physical interrupts follow the host's RFLAGS.IF */
#define VINTR_VECTOR_SHIFT 32		/* V_INTR_VECTOR, 8 bits */
#define NP_ENABLE (1ull << 0)
#define TLB_FLUSH_ALL 1

/* State save area (APM vol. 2 table B-2): segments are 16 bytes each. */
#define VMCB_ES 0x400
#define VMCB_CS 0x410
#define VMCB_SS 0x420
#define VMCB_DS 0x430
#define VMCB_FS 0x440
#define VMCB_GS 0x450
#define VMCB_GDTR 0x460
#define VMCB_LDTR 0x470
#define VMCB_IDTR 0x480
#define VMCB_TR 0x490
#define SEG_SEL 0	/* 16 bits */
#define SEG_ATTR 2	/* 16 bits */
#define SEG_LIMIT 4	/* 32 bits */
#define SEG_BASE 8	/* 64 bits */
#define VMCB_CPL 0x4CB
#define VMCB_EFER 0x4D0
#define VMCB_CR4 0x548
#define VMCB_CR3 0x550
#define VMCB_CR0 0x558
#define VMCB_DR7 0x560
#define VMCB_DR6 0x568
#define VMCB_RFLAGS 0x570
#define VMCB_RIP 0x578
#define VMCB_RSP 0x5D8
#define VMCB_RAX 0x5F8
#define VMCB_STAR 0x600
#define VMCB_LSTAR 0x608
#define VMCB_CSTAR 0x610
#define VMCB_SFMASK 0x618
#define VMCB_KERNEL_GS_BASE 0x620
#define VMCB_SYSENTER_CS 0x628
#define VMCB_SYSENTER_ESP 0x630
#define VMCB_SYSENTER_EIP 0x638
#define VMCB_CR2 0x640
#define VMCB_G_PAT 0x668

/* Exit codes (APM vol. 2 appendix C). */
#define SVM_EXIT_EXCP_BASE 0x40
#define SVM_EXIT_INTR 0x60
#define SVM_EXIT_NMI 0x61
#define SVM_EXIT_CPUID 0x72
#define SVM_EXIT_HLT 0x78
#define SVM_EXIT_IOIO 0x7B
#define SVM_EXIT_MSR 0x7C
#define SVM_EXIT_SHUTDOWN 0x7F
#define SVM_EXIT_VMMCALL 0x81
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_INVALID (~0ull)

/* The VCPU object: the generic page, then the VMCB, the MSR map (8 KiB), the I/O map (12 KiB). */
#define SVM_VMCB_OFF 0x1000
#define SVM_MSRPM_OFF 0x2000
#define SVM_MSRPM_SIZE 0x2000
#define SVM_IOPM_OFF 0x4000
#define SVM_IOPM_SIZE 0x3000

/* Field accessors on a VMCB at a kernel virtual address. */
#define VMCB_FIELD(vmcb, type, off) (*(type *)((uint8_t *)(vmcb) + (off)))
#define VMCB64(vmcb, off) VMCB_FIELD(vmcb, uint64_t, off)
#define VMCB32(vmcb, off) VMCB_FIELD(vmcb, uint32_t, off)
#define VMCB16(vmcb, off) VMCB_FIELD(vmcb, uint16_t, off)
#define VMCB8(vmcb, off) VMCB_FIELD(vmcb, uint8_t, off)

#endif
