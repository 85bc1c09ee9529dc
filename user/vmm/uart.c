/*
 * A 16550A UART at 0x3F8 (COM1, irq 4): what the guest writes goes to the host
 * console a line at a time behind the VM's name (unless the description says
 * console: none, then nowhere); what console_in.c hands over is received.
 * Transmission is instant, so the transmitter is always empty and, when the
 * guest enables it, the "transmitter empty" interrupt is raised at once.
 */
#include "vmm.h"

#define COM1 0x3F8
#define IRQ_COM1 4

enum { RBR_THR, IER, IIR_FCR, LCR, MCR, LSR, MSR, SCR };
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define IER_RDI 0x01
#define IER_THRI 0x02
#define IIR_NONE 0x01
#define IIR_THRI 0x02
#define IIR_FIFO 0xC0	/* FIFOs enabled: the guest takes us for a 16550A */
#define IIR_RDI 0x04
#define FCR_CLEAR_RX 0x02
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

void uart_flush(struct vm *vm)
{
	struct uart *u = &vm->uart;

	if (!u->len)
		return;
	if (!vm->info->console) {	/* console: none in the description */
		u->len = 0;
		return;
	}
	u->buf[u->len] = 0;
	printf("[%s] %s\n", vm->info->name, u->buf);
	u->len = 0;
}

static void put(struct vm *vm, char c)
{
	struct uart *u = &vm->uart;

	if (c == '\r')
		return;
	if (c == '\n' || u->len == sizeof(u->buf) - 1) {
		uart_flush(vm);
		if (c == '\n')
			return;
	}
	u->buf[u->len++] = c >= 0x20 || c == '\t' ? c : '?';
}

/* The irq line follows the enabled, pending interrupts; the PIC and I/O APIC see its rising edges. */
static void update_line(struct vm *vm)
{
	struct uart *u = &vm->uart;
	bool level = ((u->ier & IER_THRI) && u->thre_pending) || ((u->ier & IER_RDI) && u->rx_len);

	if (level && !u->line)
		irq_raise(vm, IRQ_COM1);
	u->line = level;
}

static uint8_t read_reg(struct uart *u, unsigned reg)
{
	switch (reg) {
	case RBR_THR: {
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (!u->rx_len)
			return 0;
		uint8_t c = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART_RX_SIZE;
		u->rx_len--;
		return c;
	}
	case IER:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case IIR_FCR: {
		uint8_t fifo = u->fcr & 1 ? IIR_FIFO : 0;
		if ((u->ier & IER_RDI) && u->rx_len)	/* received data outranks THRE (16550 IIR) */
			return fifo | IIR_RDI;
		if ((u->ier & IER_THRI) && u->thre_pending) {
			u->thre_pending = false;	/* reading IIR clears the THRE interrupt */
			return fifo | IIR_THRI;
		}
		return fifo | IIR_NONE;
	}
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		return LSR_THRE | LSR_TEMT | (u->rx_len ? LSR_DR : 0);
	case MSR:
		/* Loopback wires RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD; else a modem that is there. */
		if (u->mcr & MCR_LOOP)
			return (uint8_t)((u->mcr & 0x02) << 3 | (u->mcr & 0x01) << 5 | (u->mcr & 0x0C) << 4);
		return 0xB0;
	default:
		return u->scr;
	}
}

static void write_reg(struct vm *vm, unsigned reg, uint8_t v)
{
	struct uart *u = &vm->uart;

	switch (reg) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
		} else {
			if (!(u->mcr & MCR_LOOP))
				put(vm, (char)v);
			u->thre_pending = true;
		}
		return;
	case IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			return;
		}
		/* Enabling THRI while the transmitter is empty raises it (the 16550's behaviour). */
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = true;
		u->ier = v & 0x0F;
		return;
	case IIR_FCR:
		u->fcr = v;
		if (v & FCR_CLEAR_RX)
			u->rx_len = 0;
		return;
	case LCR:
		u->lcr = v;
		return;
	case MCR:
		u->mcr = v & 0x1F;
		return;
	case SCR:
		u->scr = v;
		return;
	default:
		return;	/* LSR and MSR are read-only */
	}
}

void uart_access(struct vm *vm, struct io *io)
{
	unsigned reg = io->port - COM1;

	if (io->write)
		write_reg(vm, reg, (uint8_t)io->value);
	else
		io->value = read_reg(&vm->uart, reg);
	update_line(vm);
}

unsigned uart_rx_room(const struct vm *vm)
{
	return UART_RX_SIZE - vm->uart.rx_len;
}

void uart_receive(struct vm *vm, const uint8_t *bytes, unsigned n)
{
	struct uart *u = &vm->uart;

	for (unsigned i = 0; i < n && u->rx_len < UART_RX_SIZE; i++)
		u->rx[(u->rx_head + u->rx_len++) % UART_RX_SIZE] = bytes[i];
	update_line(vm);
}
