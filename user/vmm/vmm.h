/* The VMM: one per VM, a component that boots Linux in its VCPU and emulates a small PC. */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include "abi/spec.h"
#include "atoll.h"
#include "cap.h"
#include "kstring.h"
#include "pci.h"

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
};

struct uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thre_pending;	/* the "transmitter empty" interrupt is raised and not yet read */
	bool line;		/* the interrupt line's level */
	char buf[200 + 1];	/* a line, NUL-terminated when printed */
	unsigned len;
};

struct vm {
	const struct component_vm_info *info;
	uint64_t vcpu;
	uint8_t *ram;
	uint64_t ram_size;
	uint64_t tsc_khz;
	struct pic pic[2];
	struct pit_channel pit[3];
	uint8_t port_b;		/* port 0x61: speaker gate (bit 0) and data (bit 1) */
	uint8_t cmos_index;
	struct vpci pci;	/* bus 0: the host bridge and the VFs the VM owns */
	struct uart uart;
	bool virq_set;		/* VCPU_VIRQ holds a request we made */
	uint8_t virq_vector;
	uint64_t deadline;	/* what VCPU_DEADLINE holds */
	bool stopped;
	bool reset_requested;	/* the guest asked to restart: a clean end */
	uint64_t exits;
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
void vm_stop(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint64_t tsc_now(void);

/* linux.c: loads the kernel, initramfs and command line; sets the VCPU up for the 32-bit entry. */
MUST_CHECK long linux_load(struct vm *vm);

/* ports.c: every port the guest uses; the rest reads as all ones and ignores writes. */
void ports_access(struct vm *vm, struct io *io);

/* uart.c: a 16550A at 0x3F8 whose output goes to the host console, line by line. */
void uart_access(struct vm *vm, struct io *io);
void uart_flush(struct vm *vm);

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

/* vf.c: the guest's PCI bus and the functions passed through to it. */
void vf_init(struct vm *vm);
/* Configuration mechanism #1; false for a port that is not its. */
bool vf_port_access(struct vm *vm, struct io *io);

/* rtc.c: the CMOS clock at 0x70/0x71. */
void rtc_access(struct vm *vm, struct io *io);

/* cpuid.c: what the guest may know about the CPU. */
void cpuid_filter(uint32_t leaf, uint32_t sub, uint32_t r[4]);

/* msr.c: RDMSR/WRMSR; false for an MSR the guest must get #GP for. */
bool msr_read(struct vm *vm, uint32_t msr, uint64_t *value);
bool msr_write(struct vm *vm, uint32_t msr, uint64_t value);

/* mmio.c: an access to guest-physical space where nothing is (see docs/vmm.md). */
void mmio_fault(struct vm *vm, uint64_t gpa, uint64_t rip);
/* MOV to or from a debug register: writes are dropped, reads give the reset values. */
void debug_register_access(struct vm *vm, bool write, uint64_t rip);

#define PIT_HZ 1193182ull
#define GUEST_EVENT_GP (13u | 3u << 8 | 1u << 11 | 1u << 31)	/* #GP(0), EVENTINJ format */

#endif
