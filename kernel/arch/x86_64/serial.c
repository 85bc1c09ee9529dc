/* 16550 UART on COM1: the early and debug console. */
#include "arch/x86_64/io.h"
#include "core/console.h"

#define COM1 0x3F8
#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20

void console_hw_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80);	/* DLAB: divisor latch follows */
	outb(COM1 + 0, 0x01);		/* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + UART_LCR, 0x03);	/* 8 bits, no parity, one stop bit */
	outb(COM1 + UART_FCR, 0xC7);	/* FIFOs on and cleared */
	outb(COM1 + UART_MCR, 0x03);	/* DTR, RTS; no interrupts */
}

void console_hw_putc(char c)
{
	/* Bounded wait: a missing UART must not hang the core forever. */
	for (unsigned i = 0; i < 100000; i++)
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			break;
	outb(COM1 + UART_THR, (uint8_t)c);
}

/* Polled: the kernel leaves the UART's interrupts off (IER 0); the FIFO holds 16 bytes. */
bool console_hw_getc(uint8_t *c)
{
	if (!(inb(COM1 + UART_LSR) & LSR_DR))
		return false;
	*c = inb(COM1 + UART_THR);	/* RBR: the same offset, read */
	return true;
}
