/* Kernel console: whole lines to the debug UART, serialised across instances. */
#ifndef CORE_CONSOLE_H
#define CORE_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

/* Programs the console hardware; safe to call again. */
void console_hw_init(void);
/* Writes one byte to the console hardware. */
void console_hw_putc(char c);

/*
 * Formats and prints one message atomically with respect to other instances.
 * The only state shared between instances is the console lock (docs/multikernel.md).
 */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vkprintf(const char *fmt, va_list ap);

/* Reads one received byte from the console hardware; false if none is waiting. */
bool console_hw_getc(uint8_t *c);
/* Up to max bytes that have arrived on the console (under the console lock); how many. */
unsigned console_read(uint8_t *buf, unsigned max);
#define CONSOLE_READ_MAX 24	/* what one invocation returns: three message words */

/* Sets the id this instance uses to own the console lock (and to detect re-entry). */
void console_set_owner_id(unsigned id);

#endif
