/* The VMM: one per VM, a component that boots Linux in its VCPU and emulates a small PC. */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include "abi/spec.h"
#include "abi/vmstop.h"
#include "atoll.h"
#include "cap.h"
#include "kstring.h"
#include "loop.h"
#include "pci.h"
#include "runq.h"

#define VMEXIT_REASONS (VMEXIT_COUNT + 1)	/* abi/vmexits.def's, and a last slot for any other */

/* 8259A pair: master (irqs 0-7) and slave (8-15, cascaded on the master's irq 2). */
struct pic {
	uint8_t irr, isr, imr, base;
	uint8_t init_step;	/* 0: running; 1-3: ICW2..ICW4 expected next */
	bool icw4, read_isr, auto_eoi;
};

/* 8254 channel: the count runs down from `reload` at PIT_HZ from `start` (a TSC value). */
struct pit_channel {
	uint8_t mode, access, rw_hi, latched_hi;
	bool latched, armed;
	uint16_t reload, latch;
	uint64_t start, next_irq;	/* TSC; next_irq 0: none due */
	unsigned owed;			/* channel 0: ticks due but not yet raised */
	uint64_t owed_due;		/* channel 0: TSC the oldest owed tick came due */
	uint64_t raised_due;		/* channel 0: TSC the tick last raised came due */
};

#define UART_RX_SIZE 256	/* deeper than a 16550's 16-byte FIFO: the guest cannot tell */

struct uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending;	/* the "transmitter empty" interrupt is raised and not yet read */
	bool line;		/* the interrupt line's level */
	char buf[200 + 1];	/* a line, NUL-terminated when printed */
	unsigned len;
	uint8_t rx[UART_RX_SIZE];	/* received, not yet read by the guest (a ring) */
	unsigned rx_head, rx_len;
};

/* The local APIC (xAPIC, Intel SDM vol. 3 ch. 11): registers, vectors, and its timer on the TSC. */
#define LAPIC_LVT_COUNT 6	/* timer, thermal, performance counters, LINT0, LINT1, error */
struct lapic {
	uint64_t base_msr;	/* IA32_APIC_BASE: the base never moves; bit 11 (enabled) may change */
	uint32_t id, tpr, ldr, dfr, svr, esr, icr_lo, icr_hi, tmict, tdcr;
	uint32_t lvt[LAPIC_LVT_COUNT];
	uint32_t irr[8], isr[8], tmr[8];	/* 256 bits each, bit v of word v / 32 */
	uint64_t timer_start;	/* TSC when the count last started from tmict */
	uint64_t next_irq;	/* TSC of the next expiry; 0: none */
	unsigned owed;		/* periodic expiries due but not yet raised */
	uint64_t owed_due;	/* TSC the oldest owed expiry came due */
};

/* The I/O APIC (Intel 82093AA data sheet; version 0x20 with the EOI register): 24 pins. */
#define IOAPIC_PINS 24
struct ioapic {
	uint32_t sel, id;
	uint64_t rte[IOAPIC_PINS];	/* redirection entries */
	uint32_t asserted;		/* input levels, a bit per pin */
};

/* The ACPI power-management registers (PM1a event and control blocks, ACPI 6.5 4.8). */
struct pm {
	uint16_t sts, en, cnt;
};

/*
 * A vCPU other than 0 asks vCPU 0's VMM, which alone maps the VFs (vf.c), to
 * touch one for it: VF_REQ_BAR reads or writes a BAR register the guest reached
 * outside the mapped pages, VF_REQ_COMMAND carries the guest's bus-master bit over.
 */
enum vf_req_state { VF_REQ_NONE, VF_REQ_POSTED, VF_REQ_DONE };
enum vf_req_op { VF_REQ_BAR, VF_REQ_COMMAND };
struct vf_request {
	uint32_t state;			/* enum vf_req_state */
	uint8_t op;			/* enum vf_req_op */
	uint8_t slot, bar, size;	/* the guest's PCI slot of the VF; BAR index; access bytes */
	bool write;
	uint32_t offset;		/* in the BAR */
	uint64_t value;			/* written, or read back */
};

/*
 * What the vCPUs of a VM of several cores tell each other (smp.c), under the
 * VM's lock: interrupts for a vCPU's local APIC, INIT and STARTUP, and what each
 * local APIC answers to (for the others' destination decoding).
 */
struct vcpu_mail {
	uint32_t irr[8], tmr[8];	/* fixed interrupts not yet taken into its local APIC */
	uint32_t sipi;			/* SMP_SIPI | vector: a STARTUP not yet taken */
	bool init;			/* an INIT since its last STARTUP */
	bool running;			/* it left wait-for-SIPI */
	uint32_t id, ldr, dfr;		/* its local APIC's registers */
	struct vf_request vf;		/* its request for vCPU 0's VMM (vf.c) */
};
#define SMP_SIPI 0x100u

/*
 * A vCPU's VMM holds its own part of struct vm (registers, local APIC); the
 * rest, from `pic` on, is the VM's devices: with several vCPUs those bytes are
 * the pages every VMM of the VM maps at state_va + VM_STATE_SHARED_OFFSET
 * (docs/vmm.md, "VMs of several cores"), touched only under `lock`.
 */
struct vm {
	const struct component_vm_info *info;
	uint64_t vcpu;
	uint8_t *ram;
	uint64_t ram_size;
	uint64_t tsc_khz;
	unsigned cpu, ncpus;	/* this vCPU's index, how many the VM has */
	void (*kick)(struct vm *vm, unsigned cpu);	/* signals vCPU cpu's core (main.c) */
	struct lapic lapic;
	bool virq_set;		/* VCPU_VIRQ holds a request we made */
	int virq_vector;	/* what irq_pending() gave for it (vector, IRQ_FROM_PIC) */
	uint64_t deadline;	/* what VCPU_DEADLINE holds */
	uint64_t exits;
	uint64_t exits_by_reason[VMEXIT_REASONS];	/* printed at stop; the last slot: unknown */
	bool moved;		/* handling this exit moved the guest on (rip, or part of a string op) */
	unsigned nwrites;	/* register writes queued for the next VCPU_RUN (vm_write_at_run) */
	struct exit_loop loop;	/* identical unmoved exits in a row (loop.c) */
	/* ---- shared by the VM's vCPUs ---- */
	_Alignas(VM_STATE_SHARED_OFFSET) uint32_t lock;
	struct vcpu_mail mail[SPEC_VM_MAX_CPUS];
	struct pic pic[2];
	struct pit_channel pit[3];
	uint8_t port_b;		/* port 0x61: speaker gate (bit 0) and data (bit 1) */
	uint8_t cmos_index;
	struct vpci pci;	/* bus 0: the host bridge and the VFs the VM owns */
	struct uart uart;
	struct ioapic ioapic;
	struct pm pm;
	bool stopped;
	enum vmstop why;	/* once stopped: the VMM's exit status */
	bool reset_requested;	/* the guest asked to restart: a clean end */
	bool powered_off;	/* the guest entered ACPI S5: a clean end */
	uint64_t console_next;	/* TSC: when console_in_poll() next asks the kernel for input */
	uint64_t vf_interrupts;	/* physical MSIs of the VFs seen (VMEXIT_NOTIFY bits) */
};

/* An I/O access: the guest's IN (write = false) or OUT of size 1, 2 or 4 bytes. */
struct io {
	uint16_t port;
	uint8_t size;
	bool write;
	uint32_t value;		/* OUT: the value; IN: filled in (all ones where nothing answers) */
};

/* main.c */
/* Reads two VCPU registers; non-zero on error. */
long vcpu_read_regs2(struct vm *vm, unsigned id, unsigned id2, uint64_t *v, uint64_t *v2);
/* Stops the VM with a line saying why; vm_stop() is for the VMM's own failures (VMSTOP_VMM_ERROR). */
void vm_stop_for(struct vm *vm, enum vmstop why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Guest register id (enum vcpu_reg) = value, made by the next VCPU_RUN before
 * the guest runs (a later write of the same id replaces it); stops the VM if it
 * cannot. A register queued so must not be read or written by a call before
 * that run.
 */
void vm_write_at_run(struct vm *vm, unsigned id, uint64_t value);
/* Moves the guest on to rip (past what it exited on), at the next run. */
void vm_set_rip(struct vm *vm, uint64_t rip);
/* vm_set_rip, and guest register id (enum vcpu_reg) = value, at the next run. */
void vm_set_rip_and_reg(struct vm *vm, uint64_t rip, unsigned id, uint64_t value);
#define vm_stop(vm, ...) vm_stop_for(vm, VMSTOP_VMM_ERROR, __VA_ARGS__)
uint64_t tsc_now(void);

/* linux.c: loads the kernel, initramfs and command line; sets the VCPU up for the 32-bit entry. */
MUST_CHECK long linux_load(struct vm *vm);

/* ports.c: every port the guest uses; the rest reads as all ones and ignores writes. */
void ports_access(struct vm *vm, struct io *io);

/* uart.c: a 16550A at 0x3F8 whose output goes to the host console, line by line. */
void uart_access(struct vm *vm, struct io *io);
void uart_flush(struct vm *vm);
/* Room in the receive FIFO; uart_receive() puts bytes there as if they came down the line. */
unsigned uart_rx_room(const struct vm *vm);
void uart_receive(struct vm *vm, const uint8_t *bytes, unsigned n);

/* console_in.c: the host console's input for the VM that has it (console: input). */
void console_in_poll(struct vm *vm, uint64_t now);
uint64_t console_in_deadline(const struct vm *vm, uint64_t deadline);	/* the earlier one; 0: none */

/* pic.c: the 8259A pair; pic_raise() is an edge on an irq line. */
void pic_init(struct vm *vm);
void pic_access(struct vm *vm, struct io *io);
void pic_raise(struct vm *vm, unsigned irq);
/* The vector to deliver next, or -1; pic_ack() says the guest took it. */
int pic_pending(struct vm *vm);
void pic_ack(struct vm *vm, int vector);

/* pit.c: the 8254 (channel 0 interrupts, channel 2 for calibration) and port 0x61. */
void pit_access(struct vm *vm, struct io *io);
void pit_update(struct vm *vm, uint64_t now);	/* raises irq 0 for each expiry */
uint64_t pit_next_deadline(const struct vm *vm);	/* TSC; 0: none */
uint64_t pit_raised_due(const struct vm *vm);	/* TSC the tick last raised came due */

/* irq.c: where interrupts go: ISA lines to the PIC and the I/O APIC, the CPU's next vector. */
#define IRQ_FROM_PIC 0x100	/* irq_pending(): the vector is the PIC's, through LINT0 (ExtINT) */
void irq_init(struct vm *vm);	/* the PICs, the local APIC and the I/O APIC at reset */
void irq_raise(struct vm *vm, unsigned isa_irq);	/* an edge on an ISA line */
bool irq_busy(const struct vm *vm, unsigned isa_irq);	/* its last edge is not taken yet */
void irq_update(struct vm *vm, uint64_t now);	/* the timers raise what came due */
/* The vector the CPU should take next (| IRQ_FROM_PIC for the PIC's), or -1. */
int irq_pending(struct vm *vm);
void irq_ack(struct vm *vm, int pending);	/* the guest took what irq_pending() gave */
uint64_t irq_next_deadline(const struct vm *vm);	/* TSC of the next timer expiry; 0: none */

/* lapic.c: the local APIC at LAPIC_BASE. */
#define LAPIC_BASE 0xFEE00000ull
void lapic_init(struct vm *vm);
/* A 32-bit read or write of the register at offset in its page. */
void lapic_mmio(struct vm *vm, uint32_t offset, bool write, uint32_t *value);
bool lapic_write_base(struct vm *vm, uint64_t value);	/* false: #GP (relocation, x2APIC) */
/* A fixed interrupt from the I/O APIC or an IPI; level: its TMR bit (EOI goes to the I/O APIC). */
void lapic_accept(struct vm *vm, uint8_t vector, bool level);
bool lapic_matches(const struct vm *vm, uint8_t dest, bool logical);	/* dest names this APIC */
int lapic_pending(const struct vm *vm);	/* the highest IRR vector above the PPR, or -1 */
void lapic_ack(struct vm *vm, uint8_t vector);	/* IRR to ISR */
bool lapic_takes_extint(const struct vm *vm);	/* LINT0 passes the PIC's requests on */
bool lapic_irr_set(const struct vm *vm, uint8_t vector);
/* The timer raises what came due, but no expiry that came due after hold (a TSC; 0: none). */
void lapic_update(struct vm *vm, uint64_t now, uint64_t hold);
uint64_t lapic_next_deadline(const struct vm *vm);	/* TSC of the timer's next expiry; 0: none */

/* ioapic.c: the I/O APIC at IOAPIC_BASE. */
#define IOAPIC_BASE 0xFEC00000ull
void ioapic_init(struct vm *vm);
/* A 32-bit read or write at offset in its page: IOREGSEL, IOWIN, EOI. */
void ioapic_mmio(struct vm *vm, uint32_t offset, bool write, uint32_t *value);
void ioapic_set_level(struct vm *vm, unsigned pin, bool asserted);	/* a device drives a pin */
void ioapic_eoi(struct vm *vm, uint8_t vector);	/* the local APIC's EOI of a level-triggered vector */
/* The vector pin delivers to this CPU as a fixed interrupt, or -1 (masked, other mode or CPU). */
int ioapic_vector(const struct vm *vm, unsigned pin);

/* smp.c: VMs of several vCPUs (docs/vmm.md). */
/* Whether an APIC with these ID, LDR and DFR registers is a destination (SDM 11.6.2). */
bool apic_dest_matches(uint32_t id, uint32_t ldr, uint32_t dfr, uint8_t dest, bool logical);
/* The vCPUs (a bit each) an IPI reaches: ICR shorthand, destination and mode from `from`. */
uint32_t smp_targets(const struct vm *vm, unsigned shorthand, uint8_t dest, bool logical);
/* A fixed interrupt for the vCPUs in mask (lowest: only one of them); others are kicked. */
void smp_fixed(struct vm *vm, uint32_t mask, uint8_t vector, bool level, bool lowest);
void smp_ipi(struct vm *vm, uint32_t icr_lo, uint32_t icr_hi);	/* an ICR write (lapic.c) */
void smp_init(struct vm *vm);	/* the BSP, before the guest runs: the mailboxes at reset */
void smp_receive(struct vm *vm);	/* takes what the other vCPUs sent into the local APIC */
void smp_lock(struct vm *vm);
void smp_unlock(struct vm *vm);

/* acpi.c: the tables Linux reads (RSDP, RSDT, XSDT, FADT, FACS, MADT, DSDT), built into guest RAM. */
#define ACPI_GPA 0xE0000u		/* in the reserved legacy hole, where Linux scans for the RSDP */
#define ACPI_SIZE 0x1000u
#define ACPI_PM_BASE 0x600u		/* PM1a_EVT_BLK (4 bytes), then PM1a_CNT_BLK (2 bytes) */
#define ACPI_SCI_IRQ 9
#define ACPI_S5_TYPE 5			/* SLP_TYP of \_S5 in the DSDT */
/* Writes the tables for ncpus CPUs (APIC ids 0..ncpus-1) to buf (guest-physical gpa, ACPI_SIZE bytes); returns the RSDP's address. */
uint32_t acpi_build(uint8_t *buf, uint32_t gpa, unsigned ncpus);

/* pm.c: PM1a status, enable and control: SLP_EN with the S5 type powers the VM off. */
void pm_access(struct vm *vm, struct io *io);

/* vf.c: the guest's PCI bus and the VFs passed through to it (docs/vmm.md). */
/* Waits for the hand-over (E_OK at once without VFs) and reports the VFs; non-zero: do not start. */
MUST_CHECK long vf_wait_ready(struct vm *vm);
/* Sets the bus up with the host bridge and the VFs; a VF it cannot pass through stops the VM. */
void vf_init(struct vm *vm);
/* Configuration mechanism #1; false for a port that is not its. */
bool vf_port_access(struct vm *vm, struct io *io);
/* A guest access of size bytes at gpa inside a VF's BAR; false if gpa is in none. */
bool vf_mmio(struct vm *vm, uint64_t gpa, unsigned size, bool write, uint64_t *value);
/*
 * A VMEXIT_NOTIFY word: the VFs' physical MSIs in it raised on the vCPUs the
 * guest's entries name, and acked; on vCPU 0 of several also the other vCPUs'
 * requests served (their kicks come on the same word).
 */
void vf_notify(struct vm *vm, uint64_t word);
void vf_stats(struct vm *vm);	/* one line per VF: MSIs seen, raised, dropped (and per vCPU) */

/* rtc.c: the CMOS clock at 0x70/0x71. */
void rtc_access(struct vm *vm, struct io *io);

/* cpuid.c: what the guest may know about the CPU. */
void cpuid_filter(uint32_t leaf, uint32_t sub, uint32_t r[4]);

/* msr.c: RDMSR/WRMSR; false for an MSR the guest must get #GP for. */
bool msr_read(struct vm *vm, uint32_t msr, uint64_t *value);
bool msr_write(struct vm *vm, uint32_t msr, uint64_t value);

/* mmio.c: an access to guest-physical space where nothing is (see docs/vmm.md). */
void mmio_fault(struct vm *vm, const struct vcpu_exit *x);
/* MOV to or from a debug register: writes are dropped, reads give the reset values. */
void debug_register_access(struct vm *vm, bool write, const struct vcpu_exit *x);
/* guest_walk.c: n bytes of guest RAM at gpa; false if any is outside RAM. */
bool guest_ram_read(const struct vm *vm, uint64_t gpa, void *out, unsigned n);
/* Where a guest page walk stopped: the entry (its level, 1 = PTE, and address) not present or not in RAM. */
struct walk_fail {
	unsigned level;
	uint64_t at, entry;
};
/* Guest-linear la to guest-physical with cr = CR0, CR3, CR4, EFER; false (and *why, if any) if not mapped. */
bool guest_translate(const struct vm *vm, const uint64_t cr[4], uint64_t la, uint64_t *gpa,
		     struct walk_fail *why);
/* Where guest_read_linear stopped short: la unmapped (walk says where), else gpa outside RAM. */
struct linear_stop {
	bool unmapped;
	uint64_t gpa;
	struct walk_fail walk;
};
/* Up to n bytes at guest-linear la, one page walk a page; how many were read (stop says why no more). */
unsigned guest_read_linear(const struct vm *vm, const uint64_t cr[4], uint64_t la, uint8_t *out,
			   unsigned n, struct linear_stop *stop);
/* What guest_fetch read the code with, and where it stopped. */
struct fetch {
	uint64_t cr[4], cs, cs_base, la, gpa;
	bool long_mode, d32;	/* CS.L in long mode, CS.D */
	bool unmapped;		/* la + n did not translate (walk says where), else gpa is not RAM */
	struct walk_fail walk;
};
/* Up to 15 instruction bytes at cs:rip; how many (f describes CS and why no more). */
unsigned guest_fetch(struct vm *vm, uint64_t rip, uint8_t *code, struct fetch *f);

/* strio_vm.c: an IOIO exit for INS or OUTS (rip: the instruction, next_rip: past it). */
void strio_exit(struct vm *vm, uint64_t info1, uint64_t rip, uint64_t next_rip);

/* True if the guest's command line has this word (space-separated). */
bool cmdline_has(const char *line, const char *word);
/* vf_dma_test.c: DMA into and past the guest's RAM, and into another VM's, through an NVMe VF (atoll.vf_dma_test). */
long vf_dma_test(struct vm *vm, const struct vm_vf_info *f);
/*
 * With atoll.vf_dma_victim: before (after false) fills the page another VMM's test aims
 * at and prints its checksum; after the guest ran (after true) prints it again.
 */
void vf_dma_victim(struct vm *vm, bool after);

#define PIT_HZ 1193182ull
#define GUEST_EVENT_GP (13u | 3u << 8 | 1u << 11 | 1u << 31)	/* #GP(0), EVENTINJ format */

#endif
